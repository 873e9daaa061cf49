"""Party and government units (单位) that hold villages."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The unit head (一把手) is the team leader (组长) of every village the unit holds.
    # use_alter: units and cadres point at each other.
    head_cadre_id: Mapped[int | None] = mapped_column(
        ForeignKey("cadres.id", ondelete="SET NULL", use_alter=True), index=True
    )
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
