"""Party organisations and the leaders' contact points (联系点), with history."""

from datetime import date

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from service.contacts.rules import ORGANIZATION_KINDS
from service.db import Base


class PartyOrganization(Base):
    __tablename__ = "party_organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(
        Enum(*ORGANIZATION_KINDS, name="organization_kind", native_enum=False,
             create_constraint=True, length=24), index=True)
    # 较差支部: a weak branch, the kind every county and township leader must take on.
    weak: Mapped[bool] = mapped_column(default=False)
    village_id: Mapped[int | None] = mapped_column(
        ForeignKey("villages.id", ondelete="RESTRICT"), index=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ContactPoint(Base):
    __tablename__ = "contact_points"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="dates"),
        # A leader holds an organisation once at a time.
        Index("uq_contact_points_active", "cadre_id", "organization_id", unique=True,
              sqlite_where=text("ended_on IS NULL"), postgresql_where=text("ended_on IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id", ondelete="RESTRICT"),
                                          index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("party_organizations.id", ondelete="RESTRICT"), index=True)
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    end_reason: Mapped[str | None] = mapped_column(String(200))
