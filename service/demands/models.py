"""Demands (诉求) raised by households, identified by the client's UUID."""

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.clock import utcnow
from service.db import Base, UTCDateTime
from service.demands.rules import CATEGORIES, STATUSES


class Demand(Base):
    __tablename__ = "demands"
    __table_args__ = (Index("ix_demands_status_opened", "status", "opened_at"),)

    # Client-generated UUID: a phone offline for days can retry without doubling anything.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="RESTRICT"), index=True)
    visit_id: Mapped[str | None] = mapped_column(String(36), index=True)
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id", ondelete="RESTRICT"),
                                                 index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    category: Mapped[str] = mapped_column(
        Enum(*CATEGORIES, name="demand_category", native_enum=False, create_constraint=True,
             length=32), index=True)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        Enum(*STATUSES, name="demand_status", native_enum=False, create_constraint=True,
             length=16), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    in_progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str | None] = mapped_column(Text)
    # sha256 of the creating request's canonical body: same id + same body is a replay.
    body_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow,
                                                 index=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class DemandTransition(Base):
    __tablename__ = "demand_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[str] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"),
                                           index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
