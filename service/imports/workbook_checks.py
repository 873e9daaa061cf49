"""An .xlsx measured before python-calamine may touch it (issue 26): calamine would allocate the
sheet's whole rectangle, or a bomb's inflated gigabytes, and a worker would die. Read with the
standard library only and in bounded pieces: the zip's directory, each member's declared sizes,
then each member inflated once in chunks (its true size and CRC checked) while the parts
calamine parses go through expat, counting what calamine would build. What passes, calamine
reads (service/imports/reading.py). No Flask, no database."""

import io
import re
import struct
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from xml.parsers import expat

from service import deadline
from service.imports.limits import (
    EXCEL_COLUMNS,
    EXCEL_ROWS,
    Limits,
    MiB,
    UnreadableFile,
    _refused,
    _size,
    _too_large,
)
from service.messages import _

ZIP = b"PK\x03\x04"  # an .xlsx is a zip archive: its first member's header
_CHUNK = 256 * 1024  # compressed bytes inflated at a time
_PIECE = MiB  # the most inflated bytes held at a time
_RATIO_FLOOR = MiB  # smaller members compress as they like
_CENTRAL_ENTRY = 256  # bytes a member takes in the zip's directory, generously
_NOT_XLSX = (b"mimetype", b"content.xml", b"xl/workbook.bin", b"xl/_rels/workbook.bin.rels")
_REF = re.compile(r"([A-Za-z]*)([0-9]*)")
_ONE_TO_NINE = frozenset("123456789")


def check_workbook(data: bytes, limits: Limits) -> None:
    """Refuse an .xlsx that would cost calamine more than `limits` allow, reading it only with
    the standard library and in bounded pieces; calamine reads what passes."""
    _check_directory(data, limits)
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError,
            struct.error) as exc:
        raise UnreadableFile(_("Not a readable Excel file (.xlsx): %(error)s",
                               error=type(exc).__name__)) from None
    if len(members) > limits.max_members:
        raise _refused(limits, "members", _("The archive holds %(count)s files.",
                                            count=len(members)))
    by_name: dict[bytes, zipfile.ZipInfo] = {}
    total = 0
    for info in members:
        key = info.filename.encode("utf-8", "surrogateescape").lower()  # as calamine: ASCII
        if key in by_name:
            raise UnreadableFile(_("The archive holds two files of one name: %(name)s",
                                   name=info.filename[:80]))
        by_name[key] = info
        if info.flag_bits & 1 or info.compress_type not in (zipfile.ZIP_STORED,
                                                              zipfile.ZIP_DEFLATED):
            raise UnreadableFile(_("The file is encrypted, or compressed in a way Excel does "
                                   "not use"))
        if info.file_size >= _RATIO_FLOOR \
                and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1):
            raise _refused(limits, "compression_ratio", _(
                "%(name)s in the archive is compressed more than %(ratio)s times (a zip bomb?).",
                name=info.filename[:80], ratio=limits.max_compression_ratio))
        total += info.file_size
    if total > limits.max_inflated_bytes:
        raise _refused(limits, "inflated_bytes", _(
            "Inflated, it is larger than %(size)s (a zip bomb?).",
            size=_size(limits.max_inflated_bytes)))
    if any(name in by_name for name in _NOT_XLSX):
        raise UnreadableFile(_("Not an .xlsx file (it looks like .xlsb or .ods): save it as "
                               ".xlsx or .csv"))
    strings = by_name.get(b"xl/sharedstrings.xml")
    if strings is not None and strings.file_size > limits.max_shared_strings_bytes:
        raise _refused(limits, "shared_strings_bytes", _(
            "The shared strings (sharedStrings.xml) inflated are larger than %(size)s.",
            size=_size(limits.max_shared_strings_bytes)))

    # The parts calamine parses share one budget of elements (expat calls Python for each).
    left = limits.max_elements
    targets, first = _Targets(limits), _FirstSheet(limits)
    for name, part in ((b"xl/_rels/workbook.xml.rels", targets), (b"xl/workbook.xml", first)):
        if name not in by_name:
            raise UnreadableFile(_("No worksheet found: not an Excel file (.xlsx)"))
        left = _scan(data, by_name[name], part, left)
    sheet = _first_sheet(by_name, targets, first)
    lengths = array("Q")
    if strings is not None:
        left = _scan(data, strings, _Strings(lengths, limits), left)
    left = _scan(data, sheet, _Cells(lengths, limits), left)
    done = {by_name[b"xl/_rels/workbook.xml.rels"], by_name[b"xl/workbook.xml"], strings, sheet}
    styles = by_name.get(b"xl/styles.xml")
    for info in members:
        if info not in done:
            left = _scan(data, info, _Part(limits) if info is styles else None, left)


def _check_directory(data: bytes, limits: Limits) -> None:
    """The member count and the directory's size from the zip's last record, before Python's
    zipfile builds an object for each of a hundred thousand members."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or len(data) < end + 22:
        return  # zipfile says why it cannot read this
    entries, directory = struct.unpack("<HI", data[end + 10:end + 16])
    if entries > limits.max_members or directory > limits.max_members * _CENTRAL_ENTRY:
        raise _refused(limits, "members", _("The archive holds more than %(most)s files.",
                                            most=limits.max_members))


def _first_sheet(by_name: dict, targets: "_Targets", first: "_FirstSheet") -> zipfile.ZipInfo:
    """The member calamine reads as the first sheet: the first <sheet> of xl/workbook.xml,
    through its r:id in xl/_rels/workbook.xml.rels (names compared ignoring ASCII case)."""
    target = targets.found.get(first.rid) if first.rid is not None else None
    if target is None:
        raise UnreadableFile(_("The first worksheet is missing: not a readable Excel file "
                               "(.xlsx)"))
    path = target[1:] if target.startswith("/xl/") else \
        target if target.startswith("xl/") else "xl/" + target
    sheet = by_name.get(path.encode("utf-8", "surrogateescape").lower())
    if sheet is None:
        raise UnreadableFile(_("The first worksheet is missing: not a readable Excel file "
                               "(.xlsx)"))
    return sheet


def _inflated(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes, at most _PIECE at a time; unreadable unless they are exactly the
    size and CRC its directory entry declares, and the deflate stream ends there too (so no
    later reader inflates more than was measured)."""
    def broken(why: str) -> UnreadableFile:
        return UnreadableFile(_("%(name)s in the archive is damaged: %(why)s",
                                name=info.filename[:80], why=why))

    start = info.header_offset
    if data[start:start + 4] != ZIP or len(data) < start + 30:
        raise broken(_("its data is missing"))
    name, extra = struct.unpack("<HH", data[start + 26:start + 30])
    start += 30 + name + extra
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) < info.compress_size:
        raise broken(_("its data is incomplete"))
    size = crc = 0
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    try:
        for at in range(0, len(raw), _CHUNK if inflater else _PIECE):
            if inflater is None:
                pieces = [bytes(raw[at:at + _PIECE])]
            else:
                pieces = _pieces(inflater, raw[at:at + _CHUNK])
            for piece in pieces:
                size += len(piece)
                if size > info.file_size:
                    raise broken(_("its size is not the one declared"))
                crc = zlib.crc32(piece, crc)
                yield piece
        if inflater is not None and len(raw) and (not inflater.eof or inflater.unused_data):
            raise broken(_("its compressed data are not the ones declared"))
    except zlib.error:
        raise broken(_("it cannot be inflated")) from None
    if size != info.file_size or crc != info.CRC:
        raise broken(_("its size or checksum (CRC) is not the one declared"))


def _pieces(inflater, chunk) -> Iterator[bytes]:
    piece = inflater.decompress(chunk, _PIECE)
    yield piece
    while inflater.unconsumed_tail:
        yield inflater.decompress(inflater.unconsumed_tail, _PIECE)


def _scan(data: bytes, info: zipfile.ZipInfo, part: "_Part | None", left: int) -> int:
    """Inflate a member through (its size and CRC checked); an XML part calamine parses is
    fed to expat with `part`'s handlers, and refused when a stretch between two tags is longer
    than calamine should buffer, or past the `left` elements still allowed (returned less
    those this part had)."""
    if part is None:
        for _piece in _inflated(data, info):
            pass
        return left
    parser = expat.ParserCreate()
    part.attach(parser, info.filename)
    part.left = left
    fed = 0
    try:
        for piece in _inflated(data, info):
            deadline.check()  # a megabyte at a time: a request's budget holds here too
            part.feed(piece)
            parser.Parse(piece, False)
            fed += len(piece)
            part.pending(fed)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise UnreadableFile(_("%(name)s in the archive is not valid XML: %(error)s",
                               name=info.filename[:80],
                               error=expat.ErrorString(exc.code))) from None
    part.pending(fed)
    part.finish(fed)
    return part.left


class _Part:
    """An XML part as expat reads it: each start tag's offset is noted, so no stretch between
    two (a text, a tag with its attributes) may grow past max_string_bytes, which is what a
    streaming XML reader holds at once. A DOCTYPE (entities) has no place in an .xlsx."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.last = 0
        self.left = limits.max_elements

    def attach(self, parser, name: str) -> None:
        self.parser, self.name = parser, name
        parser.ordered_attributes = True
        parser.StartElementHandler = self._start
        parser.StartDoctypeDeclHandler = self._doctype

    def _doctype(self, *_args) -> None:
        raise UnreadableFile(_("%(name)s in the archive holds a DOCTYPE, which no Excel file "
                               "has", name=self.name[:80]))

    def _start(self, name: str, attributes: list) -> None:
        offset = self.parser.CurrentByteIndex
        self.pending(offset)
        self.last = offset
        self.left -= 1
        if self.left < 0:
            self.spent()
        self.start(name.rpartition(":")[2], attributes)

    def spent(self) -> None:
        raise _refused(self.limits, "elements", _(
            "The archive's XML holds more than %(most)s elements.",
            most=self.limits.max_elements))

    def pending(self, offset: int) -> None:
        if offset - self.last > self.limits.max_string_bytes:
            raise _refused(self.limits, "string_bytes", _(
                "%(name)s in the archive has a text or tag longer than %(size)s.",
                name=self.name[:80], size=_size(self.limits.max_string_bytes)))

    def feed(self, piece: bytes) -> None:
        pass

    def start(self, local: str, attributes: list) -> None:
        pass

    def finish(self, size: int) -> None:
        pass


def _attribute(attributes: list, key: str) -> str | None:
    """The first attribute named exactly `key` (as calamine matches them, prefix included)."""
    for index in range(0, len(attributes), 2):
        if attributes[index] == key:
            return attributes[index + 1]
    return None


class _Targets(_Part):
    """Relationship Id → Target (the last one of an Id wins, as in calamine's map). calamine
    takes a Target as written and expat decodes &#49; and &amp;: with either in the file, the
    two could name different sheets, so none may be there (no workbook's own rels has one)."""

    def __init__(self, limits: Limits):
        super().__init__(limits)
        self.found: dict[str, str] = {}

    def feed(self, piece: bytes) -> None:
        if b"&" in piece:
            raise UnreadableFile(_("No worksheet found: xl/_rels/workbook.xml.rels holds "
                                   "character references"))

    def start(self, local: str, attributes: list) -> None:
        if local == "Relationship":
            self.found[_attribute(attributes, "Id") or ""] = _attribute(attributes, "Target") \
                or ""


class _FirstSheet(_Part):
    """The r:id of the workbook's first <sheet>."""

    rid: str | None = None
    seen = False

    def start(self, local: str, attributes: list) -> None:
        if local == "sheet" and not self.seen:
            self.seen = True
            self.rid = _attribute(attributes, "r:id") or _attribute(attributes,
                                                                   "relationships:id")


class _Strings(_Part):
    """sharedStrings.xml: how many strings, and each one's length in bytes (an upper bound: from
    its <si> to the next), for _Cells to add up."""

    def __init__(self, lengths: array, limits: Limits):
        super().__init__(limits)
        self.lengths, self.at, self.count = lengths, None, 0

    def start(self, local: str, attributes: list) -> None:
        if local == "si":
            self.count += 1
            if self.count > self.limits.max_shared_strings:
                raise _refused(self.limits, "shared_strings", _(
                    "There are more than %(most)s shared strings.",
                    most=self.limits.max_shared_strings))
            self._close(self.last)
            self.at = self.last

    def _close(self, offset: int) -> None:
        if self.at is not None:
            self.lengths.append(offset - self.at)

    def finish(self, size: int) -> None:
        self._close(size)


class _Cells(_Part):
    """The first sheet, cell by cell as calamine places them (a <row r> sets the row, a row
    without one follows the last; a <c r> sets the column, a cell without one follows the
    last). Every reference must be one Excel can write; a cell with a value (any child
    element) must lie within max_columns and max_rows (+ blank_rows), at most max_rows rows
    under the header may hold values, and together they must stay within max_cells and
    max_text_bytes (a value's XML, and its shared string's length each time a cell names
    one)."""

    def __init__(self, lengths: array, limits: Limits):
        super().__init__(limits)
        self.lengths = lengths
        self.row, self.column = -1, 0  # the current row, the next cell's column (0-based)
        self.cell: tuple[int, int] | None = None  # the open cell, until it shows a value
        self.open = self.shared = False  # in a cell; its value indexes the shared strings
        self.value_at: int | None = None  # where the open cell's value began
        self.cells = self.widest = self.tallest = self.text = 0
        self.valued_row, self.valued_rows = -1, 0  # rows with a value (the header's too)
        self.digits: list[str] = []
        self.last_row = limits.max_rows + 1 + limits.blank_rows
        self.columns: dict[str, int] = {}  # column letters → 0-based index, as met
        self.ended = False  # past </sheetData>

    def _start(self, name: str, attributes: list) -> None:
        # One handler for the sheet's hundreds of thousands of tags, kept short: the common
        # <c r="B7" ...> is read through a cache of column letters.
        offset = self.parser.CurrentByteIndex
        if offset - self.last > self.limits.max_string_bytes:
            self.pending(offset)
        self.last = offset
        self.left -= 1
        if self.left < 0:
            self.spent()
        if self.ended:
            return
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c" or name == "row":
            if self.value_at is not None:
                self._value_ends(offset)
        if name == "c":
            ref = attributes[1] if attributes and attributes[0] == "r" \
                else _attribute(attributes, "r")
            if ref is None:
                self.cell = (max(self.row, 0), self.column)
            else:
                letters = ref.rstrip("0123456789")
                column, digits = self.columns.get(letters), ref[len(letters):]
                if column is not None and digits[:1] in _ONE_TO_NINE and len(digits) < 8 \
                        and int(digits) <= EXCEL_ROWS:
                    self.cell = (int(digits) - 1, column)
                else:
                    self.cell = self._reference(ref, _("cell"))
            self.column = self.cell[1] + 1
            self.open = True
            self.shared = "s" in attributes and _attribute(attributes, "t") == "s"
        elif name == "row":
            ref = _attribute(attributes, "r")
            self.row = self.row + 1 if ref is None else self._reference(ref, _("row"), True)[0]
            self.column, self.cell, self.open = 0, None, False
        elif self.open and (name == "v" or name == "is" or name == "f"):
            if self.cell is not None:
                row, column = self.cell
                self.cells += 1
                if row != self.valued_row:
                    self.valued_row, self.valued_rows = row, self.valued_rows + 1
                if column >= self.widest or row >= self.tallest \
                        or self.cells > self.limits.max_cells \
                        or self.valued_rows > self.limits.max_rows + 1:
                    self._count(row, column)
                self.cell, self.value_at = None, offset
            if name == "v" and self.shared:
                self.digits.clear()
                self.parser.CharacterDataHandler = self.digits.append
        elif name == "dimension":
            for part in (_attribute(attributes, "ref") or "").split(":")[:2]:
                self._reference(part, _("sheet range (dimension)"))

    def attach(self, parser, name: str) -> None:
        super().attach(parser, name)
        parser.EndElementHandler = self._end

    def _end(self, name: str) -> None:
        # calamine reads a cell's children until its </c>, and nothing after </sheetData>.
        if self.parser.CharacterDataHandler is not None:
            self._index()
        if name == "c" or name[-2:] == ":c":
            self.open = False
        elif name.rpartition(":")[2] == "sheetData":
            self.ended = True

    def _index(self) -> None:
        """The end of a shared-string cell's <v>: its string's length joins the text."""
        self.parser.CharacterDataHandler = None
        try:
            index = int("".join(self.digits))
        except ValueError:
            raise UnreadableFile(_("The worksheet has a shared string number that cannot be "
                                   "read")) from None
        if 0 <= index < len(self.lengths):
            self._add_text(self.lengths[index])

    def _value_ends(self, offset: int) -> None:
        if self.value_at is not None:
            self._add_text(offset - self.value_at)
            self.value_at = None

    def finish(self, size: int) -> None:
        self._value_ends(size)

    def _reference(self, ref: str, what: str, row_only: bool = False) -> tuple[int, int]:
        """(row, column), 0-based, of an A1 reference (a row's may be digits alone); refused
        when calamine could not read it or it lies beyond Excel's last row or column."""
        match = _REF.fullmatch(ref)
        digits = match[2].lstrip("0") if match else ""
        if not digits or not (match[1] or row_only):
            raise UnreadableFile(_("The worksheet has a %(what)s reference that cannot be "
                                   "read: “%(ref)s”", what=what, ref=ref[:20]))
        column = 0
        for letter in match[1][:4].upper():
            column = column * 26 + ord(letter) - 64
        if len(match[1]) > 3 or column > EXCEL_COLUMNS:
            raise _refused(self.limits, "columns", _(
                "The %(what)s reference “%(ref)s” lies past Excel's last column XFD: a roster "
                "has at most %(columns)s columns.", what=what, ref=ref[:20],
                columns=self.limits.max_columns))
        if len(digits) > 7 or int(digits) > EXCEL_ROWS:
            raise _refused(self.limits, "rows", _(
                "The %(what)s reference “%(ref)s” lies past Excel's last row %(last)s.",
                what=what, ref=ref[:20], last=EXCEL_ROWS), limit=EXCEL_ROWS)
        if match[1] and len(self.columns) < 2 * EXCEL_COLUMNS:
            self.columns[match[1]] = column - 1
        return int(digits) - 1, column - 1

    def _count(self, row: int, column: int) -> None:
        """A value at (row, column) past the last one's extent, or past max_cells values."""
        limits = self.limits
        if column + 1 > limits.max_columns:
            raise _refused(limits, "columns", _(
                "Column %(column)s of the worksheet holds values: a roster has at most "
                "%(columns)s columns.", column=column + 1, columns=limits.max_columns))
        if row + 1 > self.last_row or self.valued_rows > limits.max_rows + 1:
            raise _too_large(limits, "rows", _(
                "The file has more than %(most)s rows (row %(row)s holds values).",
                most=limits.max_rows, row=row + 1))
        self.widest, self.tallest = max(self.widest, column + 1), max(self.tallest, row + 1)
        if self.cells > limits.max_cells or self.widest * self.tallest > limits.max_cells:
            raise _refused(limits, "cells", _("The worksheet has more than %(most)s cells.",
                                              most=limits.max_cells))

    def _add_text(self, size: int) -> None:
        self.text += size
        if self.text > self.limits.max_text_bytes:
            raise _refused(self.limits, "text_bytes", _(
                "The worksheet's text is longer than %(size)s (a shared string counted at each "
                "cell that uses it).", size=_size(self.limits.max_text_bytes)))
