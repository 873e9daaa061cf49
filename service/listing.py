"""A list a service offers (plain data, no HTTP): the statement that selects it in order, and
how a page of its rows is shown. Routes cut the page and wrap it (service/api.py `page`)."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select


@dataclass(frozen=True)
class Listing:
    statement: Select
    # Keep every selected column of a row (else each row is its first entity).
    rows: bool = False
    # A page of rows → what the client is shown (masking, derived fields, related ids).
    present: Callable[[list], list] | None = None

    def all(self, session) -> list:
        """Every row, shown (for exports and the command line)."""
        result = session.execute(self.statement)
        items = result.all() if self.rows else result.scalars().all()
        return self.present(items) if self.present else items
