"""What every roster import does with its rows (SPEC §10): each cell read by its column's
reader, a problem for each cell that cannot be taken or required cell left empty, and each
problem named by row (as the spreadsheet numbers it) and column header."""

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

from service.audit import recorder
from service.imports import rules
from service.messages import _


@dataclass
class Row:
    number: int
    values: dict = field(default_factory=dict)
    unreadable: set = field(default_factory=set)  # fields whose cell was already refused


# The `column` of a problem with the header row: the spreadsheet's own word for it.
HEADER = "表头"


def problem(row: int, column: str, message: str) -> dict:
    return {"row": row, "column": column, "message": message}


class Problems:
    """A file's problems in bounded memory, however many there are and in whatever order the
    checks find them: the first KEPT in row order (a heap holds them; within a row, in the
    order found) and `total`, the exact count of all of them. Both are exact, not "at least":
    past KEPT a problem is counted, and kept only if it comes before one already kept."""

    KEPT = 10_000

    def __init__(self) -> None:
        self.total = 0
        self._heap: list[tuple[int, int, dict]] = []  # (-row, -order): the last kept on top

    def append(self, found: dict) -> None:
        self.total += 1
        item = (-found["row"], -self.total, found)
        if len(self._heap) < self.KEPT:
            heapq.heappush(self._heap, item)
        elif item > self._heap[0]:
            heapq.heapreplace(self._heap, item)

    def __len__(self) -> int:
        return self.total

    def in_order(self) -> list[dict]:
        """The kept problems, in row order."""
        return [found for *_, found in sorted(self._heap, reverse=True)]


def read_rows(sheet, columns_of_file: tuple[rules.Column, ...],
              readers: dict[str, Callable]) -> tuple[list[Row], Problems]:
    """Every data row's values by field, and the problems found so far (the header's, each
    unreadable cell's, each required cell left empty); the caller adds its own to them. A bad
    header stops here."""
    columns, header_problems = rules.map_header(sheet.header, columns_of_file)
    if header_problems:
        raise rules.ImportRowsInvalid([problem(1, HEADER, p) for p in header_problems])
    problems = Problems()
    rows = []
    for number, cells in sheet.rows:
        row = Row(number)
        for index, column in columns.items():
            cell = cells[index] if index < len(cells) else None
            try:
                row.values[column.field] = readers[column.field](cell)
            except rules.CellProblem as why:
                row.unreadable.add(column.field)
                problems.append(problem(number, column.header, why.args[0]))
        for column in columns_of_file:
            if column.required and row.values.get(column.field) in (None, "") \
                    and column.field not in row.unreadable:
                problems.append(problem(number, column.header, _("must not be empty")))
        rows.append(row)
    return rows, problems


def refuse_if_any(problems: Problems) -> None:
    """Any problem refuses the whole file: the first ones in row order, and how many in all."""
    if problems:
        raise rules.ImportRowsInvalid(problems.in_order(), problems.total)


def write(ctx, record_type: str, matches: list[tuple[Row, dict | None]], dry_run: bool,
          changes_of: Callable[[dict, dict], dict], update: Callable,
          create_all: Callable, progress: Callable[[int], None] | None) -> dict:
    """Each checked row with the stored record it names (None: a new one): update those
    that differ through their service, create the new ones with `create_all`, record the
    import as one audit event with its counts (nothing at all for a dry run):
    {dry_run, rows, created, updated, unchanged, created_ids, updated_ids} (a dry run
    creates none: its updated_ids are those it would update). `create_all` answers the new
    records' ids in the order given; `progress` hears how many rows are done."""
    def told(done: int) -> None:
        if progress is not None:
            progress(done)

    counts = {"dry_run": dry_run, "rows": len(matches), "created": 0, "updated": 0,
              "unchanged": 0}
    creates, updated_ids, done = [], [], 0
    for row, stored in matches:
        if stored is None:
            creates.append(row.values)
            continue
        changes = changes_of(stored, row.values)
        counts["updated" if changes else "unchanged"] += 1
        if changes:
            updated_ids.append(stored["id"])
            if not dry_run:
                update(ctx, stored["id"], changes)
        done += 1
        told(done)
    counts["created"] = len(creates)
    created_ids: list[int] = []
    if dry_run:
        told(done + len(creates))
    else:
        created_ids = create_all(ctx, creates, lambda created: told(done + created))
        recorder.record(ctx.session, "import", record_type, None,
                        {k: [None, counts[k]] for k in ("rows", "created", "updated",
                                                        "unchanged")})
    counts["created_ids"], counts["updated_ids"] = created_ids, updated_ids
    return counts
