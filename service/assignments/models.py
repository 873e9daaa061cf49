"""Village assignments (包村): which unit holds which village, with history."""

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base


class VillageAssignment(Base):
    __tablename__ = "village_assignments"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="dates"),
        # R6 in the database: at most one active assignment per village.
        Index(
            "uq_village_assignments_active_village",
            "village_id",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    village_id: Mapped[int] = mapped_column(
        ForeignKey("villages.id", ondelete="RESTRICT"), index=True
    )
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    end_reason: Mapped[str | None] = mapped_column(String(200))
