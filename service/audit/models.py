"""The audit trail (SPEC §11): one row per change, appended in the change's own transaction and
never altered (the database refuses UPDATE and DELETE on it)."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.audit.rules import ACTIONS
from service.clock import utcnow
from service.db import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_record", "record_type", "record_id"),
        Index("ix_audit_events_user_id", "user_id"),
        # Rows arrive in time order: on PostgreSQL a BRIN index serves since/until at a
        # fraction of a B-tree's upkeep on every insert (SQLite has B-trees only).
        Index("ix_audit_events_at", "at", postgresql_using="brin"),
    )

    # 64 bits on PostgreSQL (a county appends a row per visit); SQLite's rowid is 64 bits.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Null for the command line (actor "cli") and for a failed login (actor "anonymous").
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    actor: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(
        Enum(*ACTIONS, name="audit_action", native_enum=False, create_constraint=True,
             length=16))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(36))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))
