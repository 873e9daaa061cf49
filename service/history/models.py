"""What cadres, households and units looked like over time, for reports of past months.

Every change to a field a report shows (a cadre's name, unit or rank; a household's village,
head or difficulty; a unit's name or head) adds a row here, so October's disclosure reads
October's facts however the records change later (SPEC §2: history is never destroyed).
"""

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.cadres.rules import RANKS
from service.clock import utcnow
from service.db import Base, UTCDateTime
from service.households.rules import DIFFICULTIES


class CadreVersion(Base):
    __tablename__ = "cadre_versions"
    __table_args__ = (Index("ix_cadre_versions_cadre_from", "cadre_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id", ondelete="CASCADE"))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    name: Mapped[str] = mapped_column(String(50))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"),
                                         index=True)
    rank: Mapped[str] = mapped_column(Enum(*RANKS, name="cadre_version_rank", native_enum=False,
                                           create_constraint=True, length=32))


class HouseholdVersion(Base):
    __tablename__ = "household_versions"
    __table_args__ = (
        Index("ix_household_versions_household_from", "household_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="RESTRICT"),
                                            index=True)
    head_name: Mapped[str] = mapped_column(String(50))
    difficulty: Mapped[str] = mapped_column(
        Enum(*DIFFICULTIES, name="household_version_difficulty", native_enum=False,
             create_constraint=True, length=16))


class UnitVersion(Base):
    __tablename__ = "unit_versions"
    __table_args__ = (Index("ix_unit_versions_unit_from", "unit_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    name: Mapped[str] = mapped_column(String(100))
    head_cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id"))
