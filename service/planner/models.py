"""Stored pairing plans (SPEC §14): what was proposed, for which scope, and the versions of
the records it was made from, so applying it can tell whether they moved since."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from service.clock import utcnow
from service.db import Base, UTCDateTime


class PairingPlan(Base):
    __tablename__ = "pairing_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    scope: Mapped[dict] = mapped_column(JSON)
    # The unit a plan is for (its scope's unit_id; None for a township, village or the
    # county): a unit admin lists its own unit's plans by it.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"),
                                                index=True)
    # The body's totals, so a list shows them without reading each plan's pairings.
    totals: Mapped[dict] = mapped_column(JSON)
    # {"pairings": [...], "uncovered": [...], "totals": {...}} as answered.
    body: Mapped[dict] = mapped_column(JSON)
    # The records it was made from: {"cadres": {id: [version, active]}, "households": {id:
    # version}}; applying refuses (plan_out_of_date) when any moved.
    stamps: Mapped[dict] = mapped_column(JSON)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
