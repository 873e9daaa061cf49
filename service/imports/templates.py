"""The roster templates an office downloads and fills in (SPEC §10): an .xlsx whose first sheet
(the one an import reads) has the headers only, with drop-down lists for the coded columns and
every column formatted as text, so Excel keeps an ID number's 18 digits instead of turning them
into 1.40421E+17; the example row sits on a sheet of its own (示例, SPEC §15), so an untouched
template imports nothing, never a made-up 张三. Written with XlsxWriter; no database."""

import io

import xlsxwriter

from service.imports import rules
from service.labels.table import label, labels_of

# What the example row shows (a made-up household; the ID number's check digit is right).
HOUSEHOLD_EXAMPLE = {"village_code": "140427100201", "head_name": "张三",
                     "id_number": "14042119800101123X", "phone": "13912345678",
                     "members": "3", "difficulty": label("difficulty", "harder"),
                     "needs": "、".join((label("need", "low_income"),
                                        label("need", "skills_training"))),
                     "income_per_capita": "4500.50"}
CADRE_EXAMPLE = {"name": "李四", "unit": "县农业农村局", "rank": label("rank", "general"),
                 "phone": "13987654321", "skills": "农业技术、法律"}
HOUSEHOLD_NOTE = ("第1行是表头，请勿修改；从第2行起填写，填法见“示例”工作表（只导入本表）。"
                  "身份证号等列已设为文本格式，请直接粘贴文本。帮扶需求可填多项，用、分隔。")
CADRE_NOTE = ("第1行是表头，请勿修改；从第2行起填写，填法见“示例”工作表（只导入本表）。"
              "单位填系统中的单位全称；同一单位内按电话认人（没有电话的按姓名）。"
              "特长可填多项，用、分隔。")
EXAMPLE_SHEET = "示例"
# The coded columns' choices: the one table's labels (service/labels/table.py).
_DROPDOWNS = {"difficulty": labels_of("difficulty"), "rank": labels_of("rank")}
_NEED_LABELS = labels_of("need")
_WIDE = {"id_number": 20, "needs": 24, "unit": 24, "skills": 24}
MAX_ROWS = 100_000


def household_template() -> bytes:
    """The household roster template."""
    return _template("户信息", rules.HOUSEHOLD_COLUMNS, HOUSEHOLD_EXAMPLE, HOUSEHOLD_NOTE)


def cadre_template() -> bytes:
    """The cadre roster template."""
    return _template("干部名册", rules.CADRE_COLUMNS, CADRE_EXAMPLE, CADRE_NOTE)


def _template(title: str, columns: tuple[rules.Column, ...], example: dict, note: str) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    text = book.add_format({"num_format": "@"})
    head = book.add_format({"bold": True, "bg_color": "#FCE4D6", "num_format": "@"})
    sheet = book.add_worksheet(title)
    shown = book.add_worksheet(EXAMPLE_SHEET)  # never read by an import: only the first sheet
    if any(c.field == "needs" for c in columns):
        lists = book.add_worksheet("选项")
        lists.write_column(0, 0, _NEED_LABELS)
        lists.hide()
    for col, column in enumerate(columns):
        sheet.set_column(col, col, _WIDE.get(column.field, 12), text)
        sheet.write_string(0, col, column.header, head)
        shown.set_column(col, col, _WIDE.get(column.field, 12), text)
        shown.write_string(0, col, column.header, head)
        shown.write_string(1, col, example[column.field], text)
        choices = _DROPDOWNS.get(column.field)
        if choices:
            sheet.data_validation(1, col, MAX_ROWS, col, {
                "validate": "list", "source": choices, "error_type": "warning",
                "input_title": column.header, "input_message": "从列表中选择"})
        if column.field == "needs":
            # Several needs may share a cell, so the list suggests but does not refuse.
            sheet.data_validation(1, col, MAX_ROWS, col, {
                "validate": "list", "source": f"=选项!$A$1:$A${len(_NEED_LABELS)}",
                "error_type": "information", "input_title": column.header,
                "input_message": "可选一项，或填多项用、分隔"})
    sheet.write_comment(0, 0, note, {"x_scale": 3, "y_scale": 2})
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()
