"""Visits under the client's UUID, and every correction made to them."""

from datetime import datetime

from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from service.clock import utcnow
from service.db import Base, UTCDateTime
from service.visits.rules import FLAGS, KINDS


class Visit(Base):
    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_cadre_visited", "cadre_id", "visited_at"),
        Index("ix_visits_household_visited", "household_id", "visited_at"),
        # The disclosure counts a village's pairings' visits in a month; the bulletin counts
        # the whole county's direct visits in a month.
        Index("ix_visits_pairing_visited", "pairing_id", "visited_at"),
        Index("ix_visits_direct_visited", "visited_at", "pairing_id",
              postgresql_where=text("direct"), sqlite_where=text("direct")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id", ondelete="RESTRICT"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="RESTRICT"))
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="RESTRICT"))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(
        Enum(*KINDS, name="visit_kind", native_enum=False, create_constraint=True, length=16))
    direct: Mapped[bool]
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    diary: Mapped[str | None] = mapped_column(Text)
    help_given: Mapped[str | None] = mapped_column(Text)
    card_scanned: Mapped[bool] = mapped_column(default=False)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # One column per flag so supervisors can filter with an index-friendly predicate.
    flag_late_entry: Mapped[bool] = mapped_column(default=False)
    flag_far_from_village: Mapped[bool] = mapped_column(default=False)
    flag_duplicate_suspect: Mapped[bool] = mapped_column(default=False)
    flag_night_time: Mapped[bool] = mapped_column(default=False)
    flag_too_many_today: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    body_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def set_flags(self, flags: list[str]) -> None:
        """Store the flags as a list and as one column each."""
        self.flags = [f for f in FLAGS if f in flags]
        for f in FLAGS:
            setattr(self, f"flag_{f}", f in flags)


class VisitRevision(Base):
    """The visit as it was before a correction."""

    __tablename__ = "visit_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    revised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    before: Mapped[dict] = mapped_column(JSON)
