"""Cadres (干部) of a unit."""

from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.cadres.rules import RANKS, household_quota
from service.db import Base


class Cadre(Base):
    __tablename__ = "cadres"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    rank: Mapped[str] = mapped_column(
        Enum(*RANKS, name="cadre_rank", native_enum=False, create_constraint=True, length=24),
        index=True,
    )
    phone: Mapped[str | None] = mapped_column(String(20))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def household_quota(self) -> int:
        """Derived from rank (R1)."""
        return household_quota(self.rank)
