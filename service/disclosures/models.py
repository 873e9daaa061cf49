"""Published disclosures (公示): frozen, hashed and chained, never changed afterwards."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, UTCDateTime


class Disclosure(Base):
    __tablename__ = "disclosures"
    __table_args__ = (
        # One chain for the county: each publication takes the next place in it, so two
        # publications racing for the same place cannot both land (the loser retries).
        UniqueConstraint("seq", name="uq_disclosures_seq"),
        UniqueConstraint("village_id", "month", "revision", name="uq_disclosures_village_month"),
        Index("ix_disclosures_month", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="RESTRICT"))
    month: Mapped[str] = mapped_column(String(7))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("disclosures.id"))
    correction_reason: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # The published document exactly as hashed: canonical JSON (see rules.canonical_json).
    document: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    previous_sha256: Mapped[str | None] = mapped_column(String(64))
