"""Reading a roster file as an office saves it (SPEC §10): an .xlsx workbook (its first sheet,
read with python-calamine, which streams a 100,000-row sheet in a second or two) or a .csv in
UTF-8 (with or without the BOM Excel adds) or GB18030 (what Chinese Excel writes by default).

The result is the header and the data rows, each with its row number as the spreadsheet shows
it (the header is row 1) and its raw cells: text, numbers as the file holds them, or None.
Blank rows are skipped but still counted; the rows are read whole (an import checks them all
before it writes any, and counts them for its limits and progress). No Flask, no database.

Bounded (issue 26): a file is measured against its `Limits` before anything large is built from
it. A CSV is read as a stream and stopped at the first row past a limit. An .xlsx is measured
with the standard library before calamine may touch it (calamine would allocate the sheet's
whole rectangle, or a bomb's inflated gigabytes, and a worker would die): the zip's directory,
each member's declared sizes, then each member inflated once in chunks (its true size and CRC
checked) while the parts calamine parses go through expat, counting what calamine would build.
More rows or bytes than the limits allow is 413 `payload_too_large` (the API's detail points
to the command line); a shape no roster has (a bomb, a cell beyond Excel's sheet or past the
roster's columns, too many members, elements or shared strings) is 422 `upload_refused`; both
name the `limit_name` and `limit` passed. What cannot be read safely is 422
`import_file_unreadable`.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from python_calamine import CalamineError, CalamineWorkbook

from service.imports.limits import (  # noqa: F401  (the limits callers pass, and the refusals)
    COMMAND_LINE,
    UPLOAD,
    Limits,
    TooLarge,
    UnreadableFile,
    UploadRefused,
    _refused,
    _size,
    _too_large,
)
from service.imports.workbook_checks import ZIP, check_workbook
from service.messages import _


@dataclass
class Sheet:
    """A header and the numbered rows under it."""

    header: list[str]
    rows: list[tuple[int, list]]


def read_sheet(data: bytes, limits: Limits = UPLOAD) -> Sheet:
    """The file's header and rows, whichever of the two formats it is (told by its bytes, not
    its name: offices rename files); refused (TooLarge, UploadRefused, UnreadableFile) as soon
    as it passes one of `limits`."""
    if len(data) > limits.max_bytes:
        raise _too_large(limits, "bytes", _("The file is larger than %(size)s.",
                                            size=_size(limits.max_bytes)))
    if data.startswith(ZIP):
        check_workbook(data, limits)
        return _xlsx(data, limits)
    return _csv(data, limits)


def _blank(cells: list) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _header(cells: list) -> list[str]:
    return ["" if c is None else str(c) for c in cells]


def _xlsx(data: bytes, limits: Limits) -> Sheet:
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        rows = sheet.iter_rows()  # from the sheet's first row, blank ones included
    except (CalamineError, ValueError, IndexError) as exc:
        raise UnreadableFile(_("Not a readable Excel file (.xlsx): %(error)s",
                               error=type(exc).__name__)) from None
    return _numbered(rows, 1, lambda cells: [None if c == "" else c for c in cells], limits)


# --- CSV: a stream of lines ----------------------------------------------------------------


def _csv(data: bytes, limits: Limits) -> Sheet:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return _csv_in(data, encoding, limits)
        except UnicodeDecodeError:
            continue  # read again from the start in the next encoding
    raise UnreadableFile(_("The file's encoding is not recognised: save it as a CSV in UTF-8 "
                           "or GB18030, or as .xlsx"))


def _csv_in(data: bytes, encoding: str, limits: Limits) -> Sheet:
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    commas = [0]  # separators in the record being read, which may span lines
    reader = csv.reader(_lines(text, commas, limits))
    rows = _checked(reader, commas)
    return _numbered(rows, 1, lambda cells: [c if c.strip() else None for c in cells], limits)


def _lines(text, commas: list[int], limits: Limits) -> Iterator[str]:
    """The text's lines, one at a time; a line with a NUL is not CSV text, and a record with
    more separators than any roster has (quoted ones too) is refused before the csv module
    builds a list of its millions of cells."""
    most = 16 * limits.max_columns
    for number, line in enumerate(text, start=1):
        if "\x00" in line:
            raise UnreadableFile(_("The file holds NUL characters: it is not a CSV text "
                                   "file"))
        commas[0] += line.count(",")
        if commas[0] > most:
            raise _refused(limits, "columns", _(
                "Row %(row)s has more than %(most)s commas: a roster has at most %(columns)s "
                "columns.", row=number, most=most, columns=limits.max_columns))
        yield line


def _checked(reader, commas: list[int]) -> Iterator[list[str]]:
    """The reader's rows; a CSV that breaks while it is read (a quote never closed, a cell past
    the csv module's limit) is unreadable, with the line where it broke."""
    try:
        for row in reader:
            commas[0] = 0
            yield row
    except csv.Error as exc:
        raise UnreadableFile(_("The CSV is malformed (near row %(row)s): %(error)s",
                               row=reader.line_num, error=str(exc))) from None


def _width(cells: list) -> int:
    """Columns up to the last one holding something (Excel pads a CSV's rows with commas)."""
    for index in range(len(cells) - 1, -1, -1):
        if cells[index] is not None:
            return index + 1
    return 0


def _numbered(rows, first: int, clean, limits: Limits) -> Sheet:
    """The first non-blank row is the header; the rest are numbered from the row after it.
    Stopped at the first row past `limits` (an .xlsx was measured already: this holds for a
    CSV, which is measured as it is read)."""
    rows = iter(rows)
    number = first
    last_row = limits.max_rows + 1 + limits.blank_rows
    for cells in rows:
        cells = clean(list(cells))
        if not _blank(cells):
            header = _header(cells)
            _within_columns(cells, number, limits)
            break
        number += 1
        if number > last_row:
            raise _too_large(limits, "rows", _("The file has more than %(most)s rows.",
                                               most=limits.max_rows))
    else:
        raise UnreadableFile(_("The file is empty: its first row should be the header"))

    data = []
    for offset, cells in enumerate(rows, start=1):
        if number + offset > last_row:
            raise _too_large(limits, "rows", _(
                "The file has more than %(most)s rows (more than %(all)s with the blank ones).",
                most=limits.max_rows, all=last_row))
        cells = clean(list(cells))
        if _blank(cells):
            continue
        if len(data) == limits.max_rows:
            raise _too_large(limits, "rows", _("The file has more than %(most)s rows.",
                                               most=limits.max_rows))
        _within_columns(cells, number + offset, limits)
        data.append((number + offset, cells))
    return Sheet(header, data)


def _within_columns(cells: list, number: int, limits: Limits) -> None:
    width = _width(cells)
    if width > limits.max_columns:
        raise _refused(limits, "columns", _(
            "Row %(row)s has %(width)s columns: a roster has at most %(columns)s columns.",
            row=number, width=width, columns=limits.max_columns))
