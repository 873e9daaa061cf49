"""Unannounced inspections (不打招呼督查) and what each household told the inspector."""

from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.clock import utcnow
from service.db import Base, UTCDateTime
from service.inspections.rules import SATISFACTION


class Inspection(Base):
    __tablename__ = "inspections"
    __table_args__ = (Index("ix_inspections_village_on", "village_id", "inspected_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="RESTRICT"))
    inspected_on: Mapped[date] = mapped_column(index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    checks: Mapped[list["HouseholdCheck"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="HouseholdCheck.id")


class HouseholdCheck(Base):
    """One household asked during an inspection; the cadre and unit then paired with it are
    kept, so the result stays with them whatever changes later."""

    __tablename__ = "inspection_checks"
    __table_args__ = (UniqueConstraint("inspection_id", "household_id",
                                       name="uq_inspection_checks_household"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="RESTRICT"),
                                              index=True)
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id", ondelete="RESTRICT"),
                                                 index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"),
                                                index=True)
    knows_cadre: Mapped[bool]
    has_contact_card: Mapped[bool]
    visit_confirmed: Mapped[bool]
    satisfaction: Mapped[str] = mapped_column(
        Enum(*SATISFACTION, name="satisfaction", native_enum=False, create_constraint=True,
             length=24))
    note: Mapped[str | None] = mapped_column(String(500))
