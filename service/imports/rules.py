"""The roster columns (SPEC §10) and how a cell an office typed, or Excel mangled, becomes a
value: headers in Chinese or as the API's field names; labels or codes in coded columns;
full-width digits and stray spaces normalised; an ID number that Excel turned into a number
refused with a message that says how to fix it, never silently corrupted.

Each reader takes the raw cell (text, a number as the file holds it, or None) and returns the
value, or raises CellProblem with a message for the office that typed it (shown in Chinese
unless the request asks for English). A message quotes at most QUOTED characters of a cell.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from service.cadres.rules import RANKS
from service.edges import BLANKS, is_printable_name
from service.exceptions import DomainError
from service.households.rules import DIFFICULTIES, NEEDS
from service.labels.table import codes_by_label
from service.messages import Message, _


class ImportRowsInvalid(DomainError):
    """Any bad row refuses the whole file: its problems, each with its row (as the spreadsheet
    numbers it, the header being row 1), column and message, given in row order. The answer
    lists the first LISTED (a message of ours quotes at most QUOTED characters of a cell; any
    other text is cut at MESSAGE_CHARS), and `rows_total` says how many there are in all, so a
    file bad in every row answers in a few kilobytes."""

    status, code, title = 422, "import_rows_invalid", _("Some rows cannot be imported")
    LISTED = 100
    MESSAGE_CHARS = 200

    def __init__(self, rows: list[dict], total: int | None = None):
        total = len(rows) if total is None else total
        listed = [{**p, "message": _cut(p["message"], self.MESSAGE_CHARS)}
                  for p in rows[:self.LISTED]]
        super().__init__(self.summary(total, len(listed)))
        self.extra = {"rows": listed, "rows_total": total}
        self.problems = rows  # all that were kept, for the command line to print

    @staticmethod
    def summary(total: int, listed: int) -> Message:
        """How many problems there are, and how many of them are listed."""
        if total > listed:
            return _("%(total)s errors; nothing was imported: correct them and import again. "
                     "(The first %(listed)s are listed.)", total=total, listed=listed)
        return _("%(total)s errors; nothing was imported: correct them and import again.",
                 total=total)


def _cut(text: str, most: int) -> str:
    if isinstance(text, Message):  # bounded already: it quotes at most QUOTED characters
        return text
    return text if len(text) <= most else text[:most - 1] + "…"


QUOTED = 40


def quoted(value: str) -> str:
    """A cell's text as a message quotes it: at most QUOTED characters."""
    return value if len(value) <= QUOTED else value[:QUOTED - 1] + "…"


class CellProblem(ValueError):
    """Why a cell cannot be taken: its one argument is the message shown to the office."""


@dataclass(frozen=True)
class Column:
    """A roster column: the API's field name and the header an office writes."""

    field: str
    header: str
    required: bool = True


HOUSEHOLD_COLUMNS = (
    Column("village_code", "村代码"),
    Column("head_name", "户主姓名"),
    Column("id_number", "身份证号"),
    Column("phone", "联系电话", required=False),
    Column("members", "家庭人口"),
    Column("difficulty", "困难程度"),
    Column("needs", "帮扶需求", required=False),
    Column("income_per_capita", "人均纯收入", required=False),
)
CADRE_COLUMNS = (
    Column("name", "姓名"),
    Column("unit", "单位"),
    Column("rank", "职级"),
    Column("phone", "电话", required=False),
    Column("skills", "特长", required=False),
)

# A coded cell holds the label the service prints (the one table, service/labels/table.py:
# doc 003's 难度最大/难度较大/难度较小 for difficulty) or the code. The difficulty words the
# disclosures printed before there was one table are still read, so a roster filled from an old
# notice imports; nothing prints them any more, and a refusal does not suggest them.
FORMER_WORDS = {"最困难": "hardest", "较困难": "harder", "一般困难": "easier"}
DIFFICULTY_WORDS = {**codes_by_label("difficulty"), **FORMER_WORDS,
                    **{code: code for code in DIFFICULTIES}}
NEED_WORDS = {**codes_by_label("need"), **{code: code for code in NEEDS}}
RANK_WORDS = {**codes_by_label("rank"), **{code: code for code in RANKS}}


def _suggested(words: dict[str, str]) -> str:
    """The labels a refusal lists: the printed ones, not the codes or former words."""
    return "、".join(w for w in words if not w.isascii() and w not in FORMER_WORDS)

_LIST_SEPARATORS = re.compile(r"[、,，;；/|\s]+")
_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?[eE][+-]?[0-9]+")


def header_key(text: str) -> str:
    """A header as compared: full-width folded, spaces gone, English in lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


def map_header(header: list[str], columns: tuple[Column, ...]) -> tuple[dict[int, Column],
                                                                          list[str]]:
    """{cell index: column} for the header's known columns, and what is wrong with the header
    (unknown, repeated or missing columns)."""
    names = {header_key(c.header): c for c in columns}
    names.update({header_key(c.field): c for c in columns})
    found: dict[int, Column] = {}
    problems = []
    for index, text in enumerate(header):
        if not header_key(text):
            continue
        column = names.get(header_key(text))
        if column is None:
            problems.append(_("Unknown column “%(name)s”", name=quoted(text.strip())))
        elif column in found.values():
            problems.append(_("Column “%(name)s” appears twice", name=column.header))
        else:
            found[index] = column
    missing = [c.header for c in columns if c.required and c not in found.values()]
    if missing:
        problems.append(_("Required columns are missing: %(names)s", names="、".join(missing)))
    return found, problems


def text(cell) -> str | None:
    """A text cell, with surrounding spaces (ASCII, no-break and ideographic) removed; a
    number typed in a text column is read as the number's digits."""
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    value = str(cell).strip(BLANKS)
    return value or None


def name(cell) -> str | None:
    """A name (户主姓名, 姓名, 单位), as the API takes one: text with a visible character and no
    control, line-separator or bidi-override character (they would reach printed notices)."""
    value = text(cell)
    if value is not None and not is_printable_name(value):
        raise CellProblem(_("holds control characters, line breaks or characters that change "
                            "the direction of text, or only invisible characters"))
    return value


def digits(cell, what: str) -> str | None:
    """A code made of digits (and letters): full-width folded, inner spaces removed. A whole
    number stored by Excel is taken when it is exact (phones, village codes: under 2**53)."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise CellProblem(_("%(what)s should be text", what=what))
    if isinstance(cell, float):
        if not cell.is_integer() or abs(cell) >= 2**53:
            raise CellProblem(_("%(what)s was stored by Excel as a number and may have lost "
                                "digits: set the column to text and type it again", what=what))
        cell = int(cell)
    value = re.sub(r"[\s\u3000-]+", "", unicodedata.normalize("NFKC", str(cell)))
    return value.upper() or None


def id_number(cell) -> str | None:
    """An 18-character resident ID as text. A number cell, or text in scientific notation
    (1.40421E+17, what a CSV saved by Excel holds), has lost its last digits: refused."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        raise CellProblem(_("The ID number was stored by Excel as a number (its last digits "
                            "are lost): set the column to text, type it again and import"))
    value = digits(cell, "身份证号")
    if value is not None and _SCIENTIFIC.fullmatch(value):
        raise CellProblem(_("The ID number is in scientific notation (such as 1.40421E+17) and "
                            "its last digits are lost: set the column to text, type it again "
                            "and import"))
    return value


def whole_number(cell, what: str) -> int | None:
    """A count: a whole number cell, or digits."""
    if cell is None:
        return None
    if isinstance(cell, float):
        if not cell.is_integer():
            raise CellProblem(_("%(what)s should be a whole number", what=what))
        return int(cell)
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(cell)))
    if not re.fullmatch(r"[0-9]{1,6}", value):
        raise CellProblem(_("%(what)s should be a whole number", what=what))
    return int(value)


def amount(cell, what: str) -> Decimal | None:
    """Yuan, to the fen: a number cell, or digits with an optional point and thousands
    separators (1,234.50)."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise CellProblem(_("%(what)s should be an amount", what=what))
    value = unicodedata.normalize("NFKC", str(cell)).replace(",", "").replace("元", "").strip()
    if not re.fullmatch(r"[0-9]{1,9}(\.[0-9]+)?", value):
        raise CellProblem(_("%(what)s should be an amount in yuan, such as 4500 or 4500.50",
                            what=what))
    try:
        return Decimal(value).quantize(Decimal("0.01"))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise CellProblem(_("%(what)s should be an amount", what=what)) from None


def coded(cell, words: dict[str, str], what: str) -> str | None:
    """A coded column: one of its labels or codes."""
    value = text(cell)
    if value is None:
        return None
    code = words.get(value) or words.get(value.lower())
    if code is None:
        raise CellProblem(_("%(what)s “%(value)s” is not recognised; it should be one of: "
                            "%(labels)s", what=what, value=quoted(value),
                            labels=_suggested(words)))
    return code


def coded_list(cell, words: dict[str, str], what: str) -> list[str]:
    """A list of labels or codes separated by 、 , ; or spaces; each once."""
    value = text(cell)
    if value is None:
        return []
    codes = []
    for item in _LIST_SEPARATORS.split(value):
        if not item:
            continue
        code = words.get(item) or words.get(item.lower())
        if code is None:
            raise CellProblem(_("%(what)s “%(value)s” is not recognised; it should be one of: "
                                "%(labels)s (several separated by 、)", what=what,
                                value=quoted(item), labels=_suggested(words)))
        if code not in codes:
            codes.append(code)
    return codes


_WORK_PHONE_CHARS = re.compile(r"[\s\u3000]+")


def work_phone(cell, what: str) -> str | None:
    """A cadre's work phone: a mobile, or a landline with its area code (0931-8123456), kept
    with its hyphen; full-width folded, spaces removed."""
    if cell is None:
        return None
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        return digits(cell, what)
    value = _WORK_PHONE_CHARS.sub("", unicodedata.normalize("NFKC", str(cell)))
    return value or None


_TEXT_LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")


def text_list(cell) -> list[str]:
    """Free words separated by 、 , ; or line breaks (a cadre's skills), each once, in order."""
    value = text(cell)
    if value is None:
        return []
    items = []
    for item in _TEXT_LIST_SEPARATORS.split(value):
        item = item.strip(BLANKS)
        if item and item not in items:
            items.append(item)
    return items
