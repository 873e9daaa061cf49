"""Bounded roster files (issue 26): a file is measured against its Limits before anything large
is built from it. An .xlsx is checked with the standard library before calamine reads it (one
cell at XFD1048576 made calamine allocate hundreds of GB; a deflate bomb or a 1 GiB shared
string exhausted a worker); a CSV is read as a stream and stopped at the first row past a
limit. Each refusal names its `limit_name` and `limit`. An import's problems are listed up to
100 (the first in row order) with `rows_total`, however many rows are bad.

The hostile files are built here by hand (a small zip writer: the bombs' deflate streams are
made by repeating one fully flushed block, so a 1 GiB member costs a fraction of a second to
build); tests/api/test_hostile_uploads.py sends the same files through the API.
"""

import functools
import io
import random
import struct
import time
import zlib
from dataclasses import dataclass, replace

import openpyxl
import pytest

from service.imports.reading import (
    COMMAND_LINE,
    UPLOAD,
    TooLarge,
    UnreadableFile,
    UploadRefused,
    read_sheet,
)
from service.imports.rows import Problems, problem, refuse_if_any
from service.imports.rules import ImportRowsInvalid
from tests.words import zh

HEADER = ["村代码", "户主姓名", "身份证号", "联系电话", "家庭人口", "困难程度", "帮扶需求",
          "人均纯收入"]
GiB = 1 << 30

# --- a zip written by hand ------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A zip member as stored: its bytes (deflated unless `method` is 0), CRC and size."""

    name: str
    stored: bytes
    crc: int
    size: int
    method: int = 8


def member(name: str, content: bytes | str) -> Member:
    content = content.encode() if isinstance(content, str) else content
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Member(name, deflate.compress(content) + deflate.flush(), zlib.crc32(content),
                  len(content))


def repeated(name: str, head: bytes, block: bytes, times: int, tail: bytes) -> Member:
    """head + block × times + tail, deflated without deflating it all: after a full flush the
    compressor starts afresh, so each further block compresses to the same bytes."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    middle = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.compress(tail) + deflate.flush()
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    return Member(name, start + middle * times + end, zlib.crc32(tail, crc),
                  len(head) + len(block) * times + len(tail))


def archive(members: list[Member], declared: dict[str, int] | None = None) -> bytes:
    """A zip of `members`; `declared` makes the headers lie about a member's inflated size."""
    out, directory = io.BytesIO(), io.BytesIO()
    for m in members:
        size = (declared or {}).get(m.name, m.size)
        name = m.name.encode()
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, m.method, 0, 0x21, m.crc,
                              len(m.stored), size, len(name), 0) + name + m.stored)
        directory.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, m.method,
                                    0, 0x21, m.crc, len(m.stored), size, len(name), 0, 0, 0, 0,
                                    0, offset) + name)
    start, entries = out.tell(), min(len(members), 0xFFFF)
    out.write(directory.getvalue())
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, entries, entries,
                          len(directory.getvalue()), start, 0))
    return out.getvalue()


RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxml'
        'formats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxml'
            'formats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="户" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                 'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                 'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 'worksheet" Target="{target}"/></Relationships>')
SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
              b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"
STRINGS_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main">')


def workbook(rows: bytes | Member = b"", strings: bytes | Member | None = None,
             extra: tuple[Member, ...] = (), declared: dict[str, int] | None = None,
             target: str = "worksheets/sheet1.xml") -> bytes:
    """An .xlsx with the parts calamine reads: the sheet's <sheetData> holds `rows` (or the
    sheet is the given member), and sharedStrings.xml holds `strings`' <si>s."""
    sheet = rows if isinstance(rows, Member) else member("xl/worksheets/sheet1.xml",
                                                         SHEET_HEAD + rows + SHEET_TAIL)
    parts = [member("[Content_Types].xml", "<Types/>"), member("_rels/.rels", RELS),
             member("xl/workbook.xml", WORKBOOK),
             member("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(target=target)), sheet]
    if strings is not None:
        parts.append(strings if isinstance(strings, Member) else member(
            "xl/sharedStrings.xml", STRINGS_HEAD + strings + b"</sst>"))
    return archive(parts + list(extra), declared)


def text_cell(ref: str, text: str = "x") -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def one_cell_at(ref: str) -> bytes:
    """A 1-2 kB workbook whose only value lies at `ref`."""
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return workbook(b'<row r="1">' + text_cell("A1", "村代码") + b"</row>"
                    + f'<row r="{row}">'.encode() + text_cell(ref) + b"</row>")


def roster_rows(count: int, first: int = 2) -> bytes:
    """A header row, then `count` rows of two cells."""
    header = b'<row r="1">' + text_cell("A1", "村代码") + text_cell("B1", "户主姓名") + b"</row>"
    return header + b"".join(f'<row r="{n}">'.encode() + text_cell(f"A{n}", "140427100201")
                    + text_cell(f"B{n}", f"王{n}") + b"</row>"
                    for n in range(first, first + count))


# The hostile files of issue 26, each built once for the session.

@functools.cache
def deflate_bomb() -> bytes:
    """8 million rows (208 MB of sheet) in about half a megabyte."""
    sheet = repeated("xl/worksheets/sheet1.xml", SHEET_HEAD,
                     b"<row><c><v>1</v></c></row>" * 10_000, 800, SHEET_TAIL)
    return workbook(sheet)


@functools.cache
def huge_shared_string() -> bytes:
    """One shared string of 1 GiB, declared and real, in about a megabyte."""
    strings = repeated("xl/sharedStrings.xml", STRINGS_HEAD + b"<si><t>", b"a" * (1 << 20),
                       1024, b"</t></si></sst>")
    return workbook(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>', strings)


@functools.cache
def lying_member() -> bytes:
    """A sheet of 2 million rows (52 MB) whose headers declare 1,000 bytes."""
    sheet = repeated("xl/worksheets/sheet1.xml", SHEET_HEAD,
                     b"<row><c><v>1</v></c></row>" * 10_000, 200, SHEET_TAIL)
    return workbook(sheet, declared={"xl/worksheets/sheet1.xml": 1_000})


@functools.cache
def many_members(count: int = 100_000) -> bytes:
    """A zip of 100,000 empty members (and a workbook's parts)."""
    empty = Member("", b"", 0, 0, method=0)
    return archive([replace(empty, name=f"m/{i}") for i in range(count)])


def wide_csv_header(size: int = 2 * 1024 * 1024) -> bytes:
    """A 2 MB header of made-up column names."""
    names, length, i = [], 0, 0
    while length < size:
        name = f"列{i}"
        names.append(name)
        length += len(name.encode()) + 1
        i += 1
    return (",".join(HEADER + names) + "\r\n").encode()


def long_csv(rows: int) -> bytes:
    line = "140427100201,王五,140421198001011236,,3,难度较大,,\r\n"
    return (",".join(HEADER) + "\r\n" + line * rows).encode()


HOSTILE = {
    # name: (file, refusal, limit_name)
    "one cell at XFD1048576": (lambda: one_cell_at("XFD1048576"), UploadRefused, "columns"),
    "one cell at A99999999999": (lambda: one_cell_at("A99999999999"), UploadRefused, "rows"),
    "one cell at ZZZZZZ2": (lambda: one_cell_at("ZZZZZZ2"), UploadRefused, "columns"),
    "a deflate bomb of 8 million rows": (deflate_bomb, UploadRefused, "compression_ratio"),
    "a 1 GiB shared string": (huge_shared_string, UploadRefused, "compression_ratio"),
    "a member whose declared size lies": (lying_member, UnreadableFile, None),
    "a zip of 100,000 members": (many_members, UploadRefused, "members"),
    "a CSV with a 2 MB header": (wide_csv_header, UploadRefused, "columns"),
    "a CSV of 25,000 rows": (lambda: long_csv(25_000), TooLarge, "rows"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_each_hostile_file_is_refused_at_once_naming_its_limit(name):
    make, refusal, limit_name = HOSTILE[name]
    data = make()
    started = time.perf_counter()
    with pytest.raises(refusal) as refused:
        read_sheet(data, UPLOAD)
    elapsed = time.perf_counter() - started
    print(f"{name}: {len(data):,} bytes refused in {elapsed:.3f} s: {zh(refused.value.detail)}")
    assert refused.value.extra.get("limit_name") == limit_name
    if limit_name:
        assert isinstance(refused.value.extra["limit"], int)
    assert elapsed < 5  # about a tenth of a second; generous for a shared machine


def test_the_command_line_refuses_the_same_shapes():
    for make in (lambda: one_cell_at("XFD1048576"), deflate_bomb, huge_shared_string):
        with pytest.raises(UploadRefused):
            read_sheet(make(), COMMAND_LINE)


# --- each limit of an .xlsx on its own ------------------------------------------------------

def test_a_bomb_that_passes_the_ratio_is_stopped_at_the_row_limit_as_it_streams():
    """With the ratio check out of the way, the 8-million-row sheet is still stopped at its
    20,002nd row with a value (the header and one past the limit), not read through."""
    limits = replace(UPLOAD, max_compression_ratio=10**6, max_inflated_bytes=GiB)
    started = time.perf_counter()
    with pytest.raises(TooLarge) as refused:
        read_sheet(deflate_bomb(), limits)
    assert time.perf_counter() - started < 5
    assert refused.value.extra == {"limit_name": "rows", "limit": 20_000}
    assert "20002" in zh(refused.value.detail)


def test_the_total_inflated_size_and_the_shared_strings_size_are_limited():
    data = huge_shared_string()
    with pytest.raises(UploadRefused) as refused:
        read_sheet(data, replace(UPLOAD, max_compression_ratio=10**6))
    assert refused.value.extra["limit_name"] == "inflated_bytes"
    with pytest.raises(UploadRefused) as refused:
        read_sheet(data, replace(UPLOAD, max_compression_ratio=10**6, max_inflated_bytes=2 * GiB))
    assert refused.value.extra["limit_name"] == "shared_strings_bytes"


def test_a_stretch_of_text_longer_than_a_reader_should_buffer_is_refused():
    noise = random.Random(26).randbytes(1 << 20).hex()  # 2 MiB that hardly compress
    data = workbook(b'<row r="1">' + text_cell("A1", noise) + b"</row>")
    with pytest.raises(UploadRefused) as refused:
        read_sheet(data)
    assert refused.value.extra == {"limit_name": "string_bytes", "limit": 1 << 20}


def test_too_many_shared_strings():
    strings = b"<si><t>x</t></si>" * 11
    with pytest.raises(UploadRefused) as refused:
        read_sheet(workbook(b"", strings), replace(UPLOAD, max_shared_strings=10))
    assert refused.value.extra == {"limit_name": "shared_strings", "limit": 10}


def test_a_shared_string_counts_each_time_a_cell_names_it():
    """A 200 kB string named by 400 cells is 80 MB of text once calamine copies it."""
    strings = b"<si><t>" + b"x" * 200_000 + b"</t></si>"
    cells = b"".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>'.encode()
                     for n in range(1, 401))
    with pytest.raises(UploadRefused) as refused:
        read_sheet(workbook(cells, strings))
    assert refused.value.extra["limit_name"] == "text_bytes"
    few = b"".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>'.encode()
                   for n in range(1, 11))
    assert read_sheet(workbook(few, strings)).header == ["x" * 200_000]


def test_cells_without_a_reference_are_placed_as_calamine_places_them():
    wide = b"<row>" + b"<c><v>1</v></c>" * 65 + b"</row>"
    with pytest.raises(UploadRefused) as refused:
        read_sheet(workbook(wide))
    assert refused.value.extra == {"limit_name": "columns", "limit": 64}
    tall = b"<row><c><v>1</v></c></row>" * 21_002
    with pytest.raises(TooLarge) as refused:
        read_sheet(workbook(tall))
    assert refused.value.extra == {"limit_name": "rows", "limit": 20_000}


def test_empty_cells_far_away_cost_nothing_and_are_let_through():
    """Cells with a style and no value (an office's borders) are skipped by calamine too."""
    rows = (b'<row r="1">' + text_cell("A1", "村代码") + b"</row><row r=\"2\">"
            + text_cell("A2", "1") + b'<c r="BZ2" s="1"/></row><row r="900000"><c r="A900000" '
            b's="1"/></row>')
    sheet = read_sheet(workbook(rows))
    assert sheet.header == ["村代码"] and [n for n, _ in sheet.rows] == [2]


def test_a_value_is_what_calamine_reads_inside_a_cell_before_sheetdata_ends():
    """An empty cell far away, then (after </sheetData>) an Excel 2010 drop-down list's
    <xm:f>, is no value; a <v> after some other child of a cell is one."""
    rows = (b'<row r="1">' + text_cell("A1", "村代码") + b'</row><row r="60000">'
            b'<c r="BZ60000" s="1"/></row>')
    extension = (b'<extLst><ext xmlns:x14="urn:x14" xmlns:xm="urn:xm"><x14:dataValidations>'
                 b'<x14:dataValidation><x14:formula1><xm:f>\xe9\x80\x89\xe9\xa1\xb9!$A$1'
                 b'</xm:f></x14:formula1></x14:dataValidation></x14:dataValidations></ext>'
                 b'</extLst>')
    sheet = member("xl/worksheets/sheet1.xml", SHEET_HEAD + rows + b"</sheetData>" + extension
                   + b"</worksheet>")
    assert read_sheet(workbook(sheet)).header == ["村代码"]
    with pytest.raises(UploadRefused) as refused:
        read_sheet(workbook(b'<row r="1"><c r="XFD1"><extLst/><v>1</v></c></row>'))
    assert refused.value.extra["limit_name"] == "columns"


def test_the_elements_expat_hands_to_python_are_limited():
    """Empty cells cost calamine nothing, but each is a call into Python here."""
    with pytest.raises(UploadRefused) as refused:
        read_sheet(workbook(b"<row>" + b"<c/>" * 2_000 + b"</row>"),
                   replace(UPLOAD, max_elements=1_000))
    assert refused.value.extra == {"limit_name": "elements", "limit": 1_000}


def test_the_cells_and_area_limits():
    limits = replace(UPLOAD, max_cells=100)
    with pytest.raises(UploadRefused) as refused:
        read_sheet(workbook(roster_rows(59)), limits)  # 120 values
    assert refused.value.extra == {"limit_name": "cells", "limit": 100}
    sparse = b'<row r="1">' + text_cell("A1") + b'</row><row r="60">' + text_cell("B60") \
        + b"</row>"
    with pytest.raises(UploadRefused):
        read_sheet(workbook(sparse), limits)  # 2 values, but 60 × 2 cells for calamine


@pytest.mark.parametrize("ref, limit_name", [("A1:XFD1048577", "rows"),
                                             ("A1:ZZZZ1", "columns")])
def test_a_dimension_beyond_excel_is_refused(ref, limit_name):
    dimension = f'<dimension ref="{ref}"/><sheetData>'.encode()
    sheet = member("xl/worksheets/sheet1.xml", SHEET_HEAD.replace(b"<sheetData>", dimension)
                   + text_cell("A1") + SHEET_TAIL)
    with pytest.raises(UploadRefused) as refused:
        read_sheet(workbook(sheet))
    assert refused.value.extra["limit_name"] == limit_name


@pytest.mark.parametrize("build, why", [
    (lambda: workbook(b"", extra=(member("mimetype", "x"),)), ".ods"),
    (lambda: workbook(b"", extra=(member("XL/WORKBOOK.XML", WORKBOOK),)), "重名"),
    (lambda: workbook(b"", target="worksheets/sheet&#49;.xml"), "转义"),
    (lambda: workbook(b"", target="worksheets/missing.xml"), "找不到"),
    (lambda: workbook(b'<row r="1"><c r="1A"><v>1</v></c></row>'), "无法识别"),
    (lambda: workbook(b'<row r="0"><c><v>1</v></c></row>'), "无法识别"),
    (lambda: archive([replace(member("xl/workbook.xml", WORKBOOK), method=12)]), "压缩方式"),
    (lambda: workbook(b'<row><c><v>1</v></c>'), "XML"),
    (lambda: workbook(member("xl/worksheets/sheet1.xml", SHEET_HEAD.replace(
        b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "b">]><worksheet') + SHEET_TAIL)), "DOCTYPE"),
    (lambda: workbook(b"", declared={"xl/workbook.xml": 10}), "损坏"),
])
def test_what_calamine_might_read_otherwise_is_unreadable(build, why):
    with pytest.raises(UnreadableFile) as refused:
        read_sheet(build())
    assert why in zh(refused.value.detail)


def test_a_bad_crc_or_deflate_data_past_the_declared_end_is_unreadable():
    good = member("xl/worksheets/sheet1.xml", SHEET_HEAD + text_cell("A1") + SHEET_TAIL)
    with pytest.raises(UnreadableFile) as refused:
        read_sheet(workbook(replace(good, crc=good.crc ^ 1)))
    assert "校验码" in zh(refused.value.detail)
    # The same first bytes, declared and checksummed as such, with more deflate data after.
    longer = member(good.name, SHEET_HEAD + text_cell("A1") + SHEET_TAIL + b" " * 5000)
    cut = replace(longer, crc=good.crc, size=good.size)
    with pytest.raises(UnreadableFile) as refused:
        read_sheet(workbook(cut))
    assert "不符" in zh(refused.value.detail)
    with pytest.raises(UnreadableFile) as refused:
        read_sheet(workbook(replace(good, stored=good.stored + b"more")))
    assert "压缩数据" in zh(refused.value.detail)


def test_a_lying_member_is_refused_without_inflating_it_all():
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as refused:
        read_sheet(lying_member())
    assert "实际大小" in zh(refused.value.detail)
    assert time.perf_counter() - started < 5


def test_the_zip_directory_is_measured_before_zipfile_reads_it():
    with pytest.raises(UploadRefused) as refused:
        read_sheet(many_members(1_001))
    assert refused.value.extra == {"limit_name": "members", "limit": 1_000}


# --- workbooks offices and the service write still read --------------------------------------

def test_an_openpyxl_workbook_with_shared_strings_and_numbers_reads():
    book = openpyxl.Workbook()
    for row in [HEADER, ["140427100201", "张三", "14042119800101123X", 13912345678, 3, "难度最大",
                         "低收入增收", 4500.5]] * 3:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    sheet = read_sheet(out.getvalue())
    assert sheet.header == HEADER and len(sheet.rows) == 5


def test_a_roster_of_20000_rows_reads_and_one_more_is_413():
    assert len(read_sheet(workbook(roster_rows(20_000))).rows) == 20_000
    with pytest.raises(TooLarge) as refused:
        read_sheet(workbook(roster_rows(20_001)))
    assert refused.value.extra == {"limit_name": "rows", "limit": 20_000}
    assert len(read_sheet(workbook(roster_rows(20_001)), COMMAND_LINE).rows) == 20_001


# --- CSV ------------------------------------------------------------------------------------

def test_a_csv_is_stopped_at_the_first_row_past_the_limit():
    started = time.perf_counter()
    with pytest.raises(TooLarge) as refused:
        read_sheet(long_csv(150_000))  # 8.7 MB
    assert time.perf_counter() - started < 5
    assert refused.value.extra == {"limit_name": "rows", "limit": 20_000}
    assert len(read_sheet(long_csv(20_000)).rows) == 20_000


def test_blank_csv_lines_count_towards_the_rows_a_file_may_run_to():
    with pytest.raises(TooLarge):
        read_sheet(",".join(HEADER).encode() + b"\r\n" * 30_000 + b"a,b\r\n")
    assert len(read_sheet(long_csv(3) + b"\r\n" * 900).rows) == 3


def test_csv_columns_are_counted_to_the_last_filled_one():
    padded = (",".join(HEADER) + "," * 100 + "\r\n1,2" + "," * 100 + "\r\n").encode()
    assert len(read_sheet(padded).header) == len(HEADER) + 100
    wide = (",".join(HEADER) + "," * 60 + "x\r\n").encode()
    with pytest.raises(UploadRefused) as refused:
        read_sheet(wide)
    assert refused.value.extra == {"limit_name": "columns", "limit": 64}


def test_a_record_spanning_lines_cannot_grow_past_the_separator_limit():
    """Quotes opened and closed across lines add cells to one record, line after line."""
    line = '",' + "ab," * 500 + '"\n'
    with pytest.raises(UploadRefused) as refused:
        read_sheet(b"a,b\n" + b'x,"' + line.encode() * 5)
    assert refused.value.extra["limit_name"] == "columns"


def test_a_gb18030_file_is_read_again_from_the_start():
    data = long_csv(5).decode().replace("王五", "王五" * 3).encode("gb18030")
    assert len(read_sheet(data).rows) == 5


def test_the_file_size_is_checked_first():
    with pytest.raises(TooLarge) as refused:
        read_sheet(b"x" * (UPLOAD.max_bytes + 1))
    assert refused.value.extra == {"limit_name": "bytes", "limit": UPLOAD.max_bytes}


# --- problems: the first 100 in row order, and how many -------------------------------------

def test_problems_keep_the_first_in_row_order_and_count_them_all():
    problems = Problems()
    for row in range(30_000, 1, -1):  # found last row first, as a second pass may
        problems.append(problem(row, "村代码", "不存在"))
    problems.append(problem(2, "家庭人口", "不能为空"))
    assert len(problems) == 29_999 + 1
    kept = problems.in_order()
    assert len(kept) == Problems.KEPT
    assert [p["row"] for p in kept[:3]] == [2, 2, 3]
    assert [p["column"] for p in kept[:2]] == ["村代码", "家庭人口"]  # as found within a row


def test_the_refusal_lists_100_and_says_how_many():
    problems = Problems()
    for n in range(5_001, 1, -1):
        problems.append(problem(n, "备注", "很长" * 1000))
    with pytest.raises(ImportRowsInvalid) as refused:
        refuse_if_any(problems)
    extra = refused.value.extra
    assert extra["rows_total"] == 5_000 and len(extra["rows"]) == 100
    assert [p["row"] for p in extra["rows"]] == list(range(2, 102))
    assert all(len(p["message"]) <= ImportRowsInvalid.MESSAGE_CHARS for p in extra["rows"])
    assert "5000 处错误" in zh(refused.value.detail) and "列出前100处" in zh(refused.value.detail)
    assert len(refused.value.problems) == 5_000  # for the command line
