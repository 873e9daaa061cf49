"""Tasks (包扶任务) of a household, and every transition they made."""

from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from service.clock import utcnow
from service.db import Base, UTCDateTime
from service.households.rules import NEEDS
from service.tasks.rules import SOURCES, STATUSES


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        # No duplicate generated task: one live task per household and need.
        Index("uq_tasks_live_generated", "household_id", "category", unique=True,
              sqlite_where=text("closed_on IS NULL AND source = 'generated'"),
              postgresql_where=text("closed_on IS NULL AND source = 'generated'")),
        Index("ix_tasks_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="RESTRICT"), index=True)
    category: Mapped[str] = mapped_column(
        Enum(*NEEDS, name="task_category", native_enum=False, create_constraint=True,
             length=32), index=True)
    description: Mapped[str] = mapped_column(String(500))
    target: Mapped[str | None] = mapped_column(String(500))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(
        Enum(*STATUSES, name="task_status", native_enum=False, create_constraint=True,
             length=16), default="open")
    source: Mapped[str] = mapped_column(
        Enum(*SOURCES, name="task_source", native_enum=False, create_constraint=True,
             length=16), default="manual")
    # A task whose need went away is closed, not deleted: it stays in history with the reason.
    closed_on: Mapped[date | None]
    closed_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow,
                                                 index=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class TaskTransition(Base):
    """Who moved a task, when, from what to what, and why."""

    __tablename__ = "task_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
