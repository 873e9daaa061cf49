"""A list a service offers (plain data, no HTTP): the statement that selects it in order, and
how a page of its rows is shown. Routes cut the page and wrap it (service/api.py `page`)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy import Select, inspect


@dataclass(frozen=True)
class JoinedSort:
    """A sort key from another record that a required reference names (a household's village
    name): `target` joined on `on` when the list is sorted by it, ordered by `column`."""
    target: object
    on: object
    column: object


@dataclass(frozen=True)
class Listing:
    statement: Select
    # Keep every selected column of a row (else each row is its first entity).
    rows: bool = False
    # A page of rows → what the client is shown (masking, derived fields, related ids).
    present: Callable[[list], list] | None = None
    # Sort keys that are not a column of the listed record: a column expression, or a
    # JoinedSort (a name from the record a required reference names).
    sorts: Mapping = field(default_factory=dict)

    @property
    def record(self):
        """The listed record's class (the first entity the statement selects)."""
        return self.statement.column_descriptions[0]["entity"]

    def arranged(self, ids: list | None = None,
                 sort: list[tuple[str, bool]] | None = None) -> "Listing":
        """Only the records `ids` names, in the order `sort` asks ([(field, descending)]):
        empty values last, the id breaking ties."""
        if ids is None and not sort:
            return self
        record = self.record
        key = inspect(record).primary_key[0]
        statement = self.statement
        if ids is not None:
            statement = statement.where(key.in_(ids))
        if sort:
            order = []
            for name, descending in sort:
                column = self.sorts[name] if name in self.sorts else getattr(record, name)
                if isinstance(column, JoinedSort):
                    statement = statement.join(column.target, column.on)
                    column = column.column
                order.append((column.desc() if descending else column.asc()).nulls_last())
            statement = statement.order_by(None).order_by(*order, key)
        return replace(self, statement=statement)

    def all(self, session) -> list:
        """Every row, shown (for exports and the command line)."""
        result = session.execute(self.statement)
        items = result.all() if self.rows else result.scalars().all()
        return self.present(items) if self.present else items
