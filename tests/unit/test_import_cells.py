"""Reading roster files and cells as offices save them (SPEC §10): xlsx and csv in UTF-8 (with
and without BOM) and GB18030; Chinese or English headers; Excel's mangling of ID numbers refused
with a message, full-width digits and spaces normalised, labels or codes in coded columns."""

import io
from decimal import Decimal

import openpyxl
import pytest

from service.imports import rules
from service.imports.reading import UnreadableFile, read_sheet
from tests.words import en, zh

HEADER = ["村代码", "户主姓名", "身份证号", "联系电话", "家庭人口", "困难程度", "帮扶需求",
          "人均纯收入"]
ROW = ["140427100201", "张三", "140421198001011236", "13912345678", "3", "难度最大",
       "低收入增收、技能培训", "4500.5"]


def xlsx(rows: list[list], start_row: int = 1) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            sheet.cell(row=start_row + i, column=j + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], encoding: str) -> bytes:
    return "\r\n".join(",".join(map(str, r)) for r in rows).encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_every_encoding_chinese_excel_writes(encoding):
    sheet = read_sheet(csv_bytes([HEADER, ROW, ROW], encoding))
    assert sheet.header == HEADER
    assert [(n, cells) for n, cells in sheet.rows] == [(2, ROW), (3, ROW)]


def test_xlsx_rows_are_numbered_as_the_spreadsheet_shows_them():
    """Blank rows are skipped but counted; a sheet that starts lower keeps its numbers."""
    sheet = read_sheet(xlsx([HEADER, ROW, [None] * 8, ROW], start_row=3))
    assert sheet.header == HEADER
    numbers = [n for n, _ in sheet.rows]
    assert numbers == [4, 6]


def test_xlsx_numbers_arrive_as_numbers():
    row = [140427100201, "张三", 140421198001011236, 13912345678, 3, "难度最大", None, 4500.5]
    _, cells = read_sheet(xlsx([HEADER, row])).rows[0]
    assert cells[0] == 140427100201 and isinstance(cells[2], float) and cells[6] is None


@pytest.mark.parametrize("data", [b"", b"\n\n", b"\xff\xfe\x00\x00garbage",
                                  b"PK\x03\x04broken zip", b"a,b\nc,\x00",
                                  b'a,b\n"' + b"x" * 200_000 + b'",c'])
def test_what_cannot_be_read_is_refused_whole(data):
    with pytest.raises(UnreadableFile):
        sheet = read_sheet(data)
        list(sheet.rows)


def test_headers_in_chinese_or_english_full_width_or_spaced():
    header = ["村代码", " head_name ", "身份证号", "ＰＨＯＮＥ", "家庭 人口", "困难程度"]
    found, problems = rules.map_header(header, rules.HOUSEHOLD_COLUMNS)
    assert problems == []
    assert [found[i].field for i in sorted(found)] == [
        "village_code", "head_name", "id_number", "phone", "members", "difficulty"]


def test_header_problems_are_named():
    _, problems = rules.map_header(["村代码", "村代码", "备注"], rules.HOUSEHOLD_COLUMNS)
    problems = zh(problems)
    assert any("备注" in p for p in problems)
    assert any("两次" in p for p in problems)
    assert any("缺少" in p and "身份证号" in p for p in problems)


@pytest.mark.parametrize("cell", [1.404211980010112e17, 140421198001011236,
                                  "1.40421E+17", "1.404211980010112e+17"])
def test_an_id_number_excel_turned_into_a_number_is_refused_not_corrupted(cell):
    with pytest.raises(rules.CellProblem) as refused:
        rules.id_number(cell)
    assert "文本" in zh(refused.value.args[0])
    assert "text" in en(refused.value.args[0])


def test_an_id_number_is_normalised():
    assert rules.id_number(" １４０４２１１９８００１０１１２３x ") == "14042119800101123X"
    assert rules.id_number("140421 19800101 123X") == "14042119800101123X"
    assert rules.id_number(None) is None


def test_phones_and_codes_take_exact_numbers_and_full_width_digits():
    assert rules.digits(13912345678.0, "联系电话") == "13912345678"
    assert rules.digits("１３９-1234-5678", "联系电话") == "13912345678"
    with pytest.raises(rules.CellProblem):
        rules.digits(1.5, "联系电话")


def test_text_strips_every_kind_of_blank():
    assert rules.text("\u3000 张三\u00a0 ") == "张三"
    assert rules.text("   ") is None and rules.text(None) is None
    assert rules.text(3.0) == "3"


def test_counts_and_amounts():
    assert rules.whole_number("３", "家庭人口") == 3 and rules.whole_number(4.0, "x") == 4
    for bad in ("三", "3.5", 3.5, "-1"):
        with pytest.raises(rules.CellProblem):
            rules.whole_number(bad, "家庭人口")
    assert rules.amount("1,234.5", "人均纯收入") == Decimal("1234.50")
    assert rules.amount(4500, "x") == Decimal("4500.00")
    for bad in ("很多", "-5", "1e5"):
        with pytest.raises(rules.CellProblem):
            rules.amount(bad, "人均纯收入")


@pytest.mark.parametrize("cell, code", [("难度最大", "hardest"), ("最困难", "hardest"),
                                        ("难度较大", "harder"), ("一般困难", "easier"),
                                        ("Easier", "easier"), (" harder ", "harder")])
def test_difficulty_as_doc_003_words_printed_labels_or_codes(cell, code):
    assert rules.coded(cell, rules.DIFFICULTY_WORDS, "困难程度") == code


def test_an_unknown_label_names_the_allowed_ones():
    with pytest.raises(rules.CellProblem) as refused:
        rules.coded("很难", rules.DIFFICULTY_WORDS, "困难程度")
    assert "难度最大" in zh(refused.value.args[0])


def test_needs_lists_take_any_separator_and_each_need_once():
    assert rules.coded_list("低收入增收、技能培训,low_income；创业扶持", rules.NEED_WORDS,
                            "帮扶需求") == ["low_income", "skills_training", "entrepreneurship"]
    assert rules.coded_list(None, rules.NEED_WORDS, "帮扶需求") == []
    with pytest.raises(rules.CellProblem) as refused:
        rules.coded_list("修路", rules.NEED_WORDS, "帮扶需求")
    assert "修路" in zh(refused.value.args[0])


def test_ranks_by_label_or_code():
    assert rules.coded("副科级", rules.RANK_WORDS, "职级") == "deputy_section_chief"
    assert rules.coded("county_level", rules.RANK_WORDS, "职级") == "county_level"


@pytest.mark.parametrize("cell", ["\u202e三张", "张\u2028三", "张\n三", "\u200b", "张\x1b三"])
def test_a_name_cell_that_hides_or_reorders_what_is_printed_is_a_problem(cell):
    with pytest.raises(rules.CellProblem) as refused:
        rules.name(cell)
    assert "控制字符" in zh(refused.value.args[0])


def test_a_name_cell_is_read_as_text():
    assert rules.name("\u3000欧阳 明华 ") == "欧阳 明华"
    assert rules.name(None) is None
