"""Reading a roster file as an office saves it (SPEC §10): an .xlsx workbook (its first sheet,
read with python-calamine, which streams a 100,000-row sheet in a second or two) or a .csv in
UTF-8 (with or without the BOM Excel adds) or GB18030 (what Chinese Excel writes by default).

The result is the header and the data rows, each with its row number as the spreadsheet shows
it (the header is row 1) and its raw cells: text, numbers as the file holds them, or None.
Blank rows are skipped but still counted; the rows are read whole (an import checks them all
before it writes any, and counts them for its limits and progress). No Flask, no database.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from python_calamine import CalamineError, CalamineWorkbook

from service.exceptions import DomainError

_ZIP = b"PK\x03\x04"  # an .xlsx is a zip archive


class UnreadableFile(DomainError):
    status, code, title = 422, "import_file_unreadable", "The file cannot be read"


@dataclass
class Sheet:
    """A header and the numbered rows under it."""

    header: list[str]
    rows: list[tuple[int, list]]


def read_sheet(data: bytes) -> Sheet:
    """The file's header and rows, whichever of the two formats it is (told by its bytes, not
    its name: offices rename files)."""
    if data.startswith(_ZIP):
        return _xlsx(data)
    return _csv(data)


def _blank(cells: list) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _header(cells: list) -> list[str]:
    return ["" if c is None else str(c) for c in cells]


def _xlsx(data: bytes) -> Sheet:
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        rows = sheet.iter_rows()  # from the sheet's first row, blank ones included
    except (CalamineError, ValueError, IndexError) as exc:
        raise UnreadableFile(f"不是可读取的 Excel 文件 (.xlsx)：{type(exc).__name__}") from None
    return _numbered(rows, 1, lambda cells: [None if c == "" else c for c in cells])


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("文件编码无法识别：请另存为 UTF-8 或 GB18030 编码的 CSV，或 .xlsx")


def _csv(data: bytes) -> Sheet:
    text = _decode(data)
    if "\x00" in text:
        raise UnreadableFile("文件含有空字符 (NUL)，不是 CSV 文本文件")
    reader = csv.reader(io.StringIO(text, newline=""))
    return _numbered(_checked(reader), 1, lambda cells: [c if c.strip() else None for c in cells])


def _checked(reader) -> Iterator[list[str]]:
    """The reader's rows; a CSV that breaks while it is read (a quote never closed, a cell past
    the csv module's limit) is unreadable, with the line where it broke."""
    try:
        yield from reader
    except csv.Error as exc:
        raise UnreadableFile(f"CSV 格式错误（第{reader.line_num}行附近）：{exc}") from None


def _numbered(rows, first: int, clean) -> Sheet:
    """The first non-blank row is the header; the rest are numbered from the row after it."""
    rows = iter(rows)
    number = first
    for cells in rows:
        cells = clean(list(cells))
        if not _blank(cells):
            header = _header(cells)
            break
        number += 1
    else:
        raise UnreadableFile("文件是空的：第一行应是表头")

    data = []
    for offset, cells in enumerate(rows, start=1):
        cells = clean(list(cells))
        if not _blank(cells):
            data.append((number + offset, cells))
    return Sheet(header, data)
