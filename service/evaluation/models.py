"""The annual evaluation as last computed (issue 17): a county's evaluation reads every
visit, task, demand and inspection of the year (seconds at county scale), so its rows are kept
here, in rank order, and a page of them is one indexed read. A snapshot stands for its year,
its last day and its weights; it is reused while nothing has changed since (no audit event
added) or while it is younger than EVALUATION_CACHE_SECONDS (service/evaluation/services.py).
"""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, UTCDateTime


class EvaluationSnapshot(Base):
    __tablename__ = "evaluation_snapshots"
    __table_args__ = (Index("ix_evaluation_snapshots_key", "year", "through", "weights_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    through: Mapped[date]
    weights_key: Mapped[str] = mapped_column(String(200))
    # The newest audit event when computing began: a newer one means the record changed.
    audit_mark: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cadres: Mapped[int]


class EvaluationRow(Base):
    __tablename__ = "evaluation_rows"
    __table_args__ = (
        Index("ix_evaluation_rows_unit", "snapshot_id", "unit_id", "position"),
        Index("ix_evaluation_rows_township", "snapshot_id", "township_id", "position"),
    )

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_snapshots.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)  # rank order in the county
    cadre_id: Mapped[int]
    unit_id: Mapped[int | None]
    # Where the cadre's households were (the village of its latest pairing of the year).
    township_id: Mapped[int | None]
    row: Mapped[dict] = mapped_column(JSON)
