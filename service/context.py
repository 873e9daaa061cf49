"""What a service is given (STYLE "Services take a context, never a request"). For now the
caller: who is calling and what they may see, as plain data, so service code can name it
without importing the HTTP side (service/auth.py builds it from a token)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """Who is calling and what they may see."""

    user_id: int
    username: str
    role: str
    unit_id: int | None
    cadre_id: int | None

    @property
    def is_county_admin(self) -> bool:
        return self.role == "county_admin"
