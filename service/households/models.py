"""Households (农户) and their needs."""

import secrets
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.clock import utcnow
from service.db import Base, UTCDateTime
from service.households.rules import DIFFICULTIES, NEEDS

# Base32 without padding: 16 characters, 80 random bits, easy to type from a printed card.
_CARD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_card_code() -> str:
    """A random, unguessable card code (80 bits) for the heart-link card (连心卡)."""
    return "".join(secrets.choice(_CARD_ALPHABET) for _ in range(16))


class Household(Base):
    __tablename__ = "households"
    __table_args__ = (
        CheckConstraint("members BETWEEN 1 AND 30", name="members"),
        CheckConstraint("income_per_capita IS NULL OR income_per_capita >= 0", name="income"),
        # SPEC §15 search: a fragment anywhere in a name, an ID number or a phone, by
        # trigrams (PostgreSQL's pg_trgm; SQLite scans, which a county's test data allows).
        *(Index(f"ix_households_{column}_trgm", column, postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"}).ddl_if(dialect="postgresql")
          for column in ("head_name", "id_number", "phone")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(
        ForeignKey("villages.id", ondelete="RESTRICT"), index=True
    )
    head_name: Mapped[str] = mapped_column(String(50), index=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    phone: Mapped[str | None] = mapped_column(String(11))
    members: Mapped[int]
    difficulty: Mapped[str] = mapped_column(
        Enum(*DIFFICULTIES, name="difficulty", native_enum=False, create_constraint=True,
             length=16),
        index=True,
    )
    income_per_capita: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    card_code: Mapped[str] = mapped_column(String(32), unique=True, default=new_card_code)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, index=True
    )
    version: Mapped[int] = mapped_column(default=1)

    need_rows: Mapped[list["HouseholdNeed"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="HouseholdNeed.need"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def needs(self) -> list[str]:
        """Needs in the SPEC's order."""
        have = {r.need for r in self.need_rows}
        return [n for n in NEEDS if n in have]

    @needs.setter
    def needs(self, values: list[str]) -> None:
        wanted = set(values)
        self.need_rows = [r for r in self.need_rows if r.need in wanted] + [
            HouseholdNeed(need=n) for n in NEEDS if n in wanted
            and n not in {r.need for r in self.need_rows}
        ]


class HouseholdNeed(Base):
    """One row per need, so lists can filter by need with an index on any database."""

    __tablename__ = "household_needs"

    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    need: Mapped[str] = mapped_column(
        Enum(*NEEDS, name="need", native_enum=False, create_constraint=True, length=32),
        primary_key=True,
        index=True,
    )
