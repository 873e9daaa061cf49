"""Accounts that log in: county admins, unit admins, cadres and inspectors."""

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column

from service.cadres.models import Cadre
from service.clock import utcnow
from service.db import Base, UTCDateTime

ROLES = ("county_admin", "unit_admin", "cadre", "inspector")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(
        Enum(*ROLES, name="user_role", native_enum=False, create_constraint=True, length=16)
    )
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    cadre_id: Mapped[int | None] = mapped_column(
        ForeignKey("cadres.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on deactivation or password change; tokens carry it, so old ones stop working.
    token_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    # What the account answers for its unit: a cadre account's is its cadre's unit now (the
    # cadre may have moved since the account was opened); others' is unit_id. The token
    # check reads it the same way (service/users/accounts.py).
    current_unit_id: Mapped[int | None] = column_property(func.coalesce(
        select(Cadre.unit_id).where(Cadre.id == cadre_id).correlate_except(Cadre)
        .scalar_subquery(), unit_id))

    __mapper_args__ = {"version_id_col": version}
