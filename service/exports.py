"""Lists as Excel downloads (SPEC §10, `?format=xlsx`): the same filters, scope and masking as
the JSON list, every row rather than a page. The household and cadre exports use the import
columns with the labels an office writes, so a file exported, edited and imported back
changes only what was edited (an unedited one imports as all unchanged).

Workbooks are written row by row (XlsxWriter's constant-memory mode) from the list read in
chunks, so memory stays flat however long the list. Text is always written as text: a cell
is never a formula, whatever a name or a diary begins with.
"""

import contextlib
import io
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import quote

import flask
import xlsxwriter
from sqlalchemy import func, select

from service import deadline
from service.api import xlsx_media_type
from service.context import Context
from service.exceptions import DomainError
from service.households.models import Household, HouseholdNeed
from service.households.rules import NEEDS
from service.labels.table import LABELS
from service.listing import Listing
from service.messages import _
from service.places.models import Village
from service.units.models import Unit
from service.web import heavy_work

# Through the API, one county's roster (100,000 households) in one workbook: written in about
# 8 s, within a request's budget (REQUEST_SECONDS). Longer lists go through the command line
# (`flask --app service export KIND FILE`), which has no budget and goes up to Excel's limit.
MAX_ROWS = 100_000
CLI_MAX_ROWS = 1_048_575
# A request exporting more rows than this takes a heavy-work slot (service/heavy.py); a
# village's or a unit's list is written in a blink and never waits for one.
SMALL_EXPORT_ROWS = 5_000
_CHUNK = 2_000

# The words an office reads, and that the import takes back: the one table of labels.
RANK_WORDS, DIFFICULTY_WORDS, NEED_WORDS = LABELS["rank"], LABELS["difficulty"], LABELS["need"]
KIND_WORDS, FLAG_WORDS = LABELS["visit_kind"], LABELS["visit_flag"]


class ExportTooLarge(DomainError):
    status, code, title = 422, "export_too_large", _("The list is too long for one workbook")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[object], object]  # a shown item → the cell (text, number, date or None)
    width: int = 12


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _words(codes: Iterable[str], words: dict[str, str]) -> str:
    return "、".join(words.get(c, c) for c in codes)


def _chunks(session, listing: Listing) -> Iterable[list]:
    """The list's items, shown, _CHUNK at a time (read as they are written)."""
    result = session.execute(listing.statement.execution_options(yield_per=_CHUNK))
    parts = result.partitions() if listing.rows else result.scalars().partitions()
    for part in parts:
        deadline.check()  # fetching a chunk of a server-side cursor sends no statement
        items = list(part)
        yield listing.present(items) if listing.present else items


def _households(session, listing: Listing) -> Iterable[list]:
    """The household list's rows as plain values with their needs (one query a chunk), shown
    as the JSON list shows them: as mapped objects with their needs, 100,000 households took
    more than half the export's time."""
    result = session.execute(listing.statement.with_only_columns(*Household.__table__.columns)
                             .execution_options(yield_per=_CHUNK))
    for part in result.partitions():
        deadline.check()
        needs: dict[int, set] = {}
        for household_id, need in session.execute(
                select(HouseholdNeed.household_id, HouseholdNeed.need)
                .where(HouseholdNeed.household_id.in_([r.id for r in part]))):
            needs.setdefault(household_id, set()).add(need)
        yield listing.present([
            SimpleNamespace(**r._mapping, needs=[n for n in NEEDS if n in needs.get(r.id, ())])
            for r in part])


def _count(session, listing: Listing) -> int:
    return session.scalar(select(func.count()).select_from(
        listing.statement.order_by(None).subquery()))


def workbook(title: str, columns: list[Column], chunks: Iterable[list], zone) -> bytes:
    """An .xlsx: a bold header row, then one row per item; text as text, numbers as numbers,
    dates as dates, times in the county's zone."""
    with tempfile.TemporaryDirectory() as scratch:
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {
            "constant_memory": True, "tmpdir": scratch, "strings_to_formulas": False,
            "strings_to_numbers": False, "strings_to_urls": False})
        head = book.add_format({"bold": True, "bg_color": "#FCE4D6"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        sheet = book.add_worksheet(title)
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width)
            sheet.write_string(0, col, column.header, head)
        sheet.freeze_panes(1, 0)
        number = 0
        for chunk in chunks:
            for item in chunk:
                number += 1
                for col, column in enumerate(columns):
                    value = column.value(item)
                    if value is None or value == "":
                        continue
                    if isinstance(value, str):
                        sheet.write_string(number, col, value)
                    elif isinstance(value, bool):
                        sheet.write_string(number, col, _yes(value))
                    elif isinstance(value, int | float | Decimal):
                        sheet.write_number(number, col, float(value))
                    elif isinstance(value, datetime):
                        sheet.write_datetime(number, col,
                                             value.astimezone(zone).replace(tzinfo=None), moment)
                    elif isinstance(value, date):
                        sheet.write_datetime(number, col, value, day)
                    else:  # pragma: no cover - every column gives one of the above
                        sheet.write_string(number, col, str(value))
        book.close()
        return out.getvalue()


def download(ctx: Context, listing: Listing, title: str, columns: list[Column],
             ascii_name: str, chinese_name: str, chunks: Iterable[list] | None = None
             ) -> flask.Response:
    """Every row of the list (or of `chunks`, the list read another way) as an .xlsx
    attachment; 422 `export_too_large` past MAX_ROWS through the API (CLI_MAX_ROWS from the
    command line, whose context has no caller)."""
    total = _count(ctx.session, listing)
    limit = CLI_MAX_ROWS if ctx.caller is None else MAX_ROWS
    if total > limit:
        raise ExportTooLarge(_("The list has %(total)s rows; one export holds at most "
                               "%(limit)s. Narrow it with the list's filters (month, unit_id, "
                               "village_id…), or export it on the server: %(command)s",
                               total=total, limit=limit,
                               command=f"flask --app service export {ascii_name} FILE.xlsx"),
                             limit_name="rows", limit=limit)
    if chunks is None:
        chunks = _chunks(ctx.session, listing)
    large = ctx.caller is not None and total > SMALL_EXPORT_ROWS
    with heavy_work() if large else contextlib.nullcontext():
        data = workbook(title, columns, chunks, ctx.clock.zone)
    return flask.Response(data, content_type=xlsx_media_type(), headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}.xlsx\"; "
                               f"filename*=UTF-8''{quote(chinese_name + '.xlsx')}"})


def _names(ctx: Context, model, column) -> dict[int, str]:
    return dict(ctx.session.execute(select(model.id, column)).all())


def households(ctx: Context, listing: Listing) -> flask.Response:
    """The household list in the roster's import columns."""
    codes = _names(ctx, Village, Village.code)
    columns = [
        Column("村代码", lambda h: codes[h["village_id"]], 14),
        Column("户主姓名", lambda h: h["head_name"]),
        Column("身份证号", lambda h: h["id_number"], 20),
        Column("联系电话", lambda h: h["phone"], 14),
        Column("家庭人口", lambda h: h["members"]),
        Column("困难程度", lambda h: DIFFICULTY_WORDS[h["difficulty"]]),
        Column("帮扶需求", lambda h: _words(h["needs"], NEED_WORDS), 24),
        Column("人均纯收入", lambda h: h["income_per_capita"]),
    ]
    return download(ctx, listing, "户信息", columns, "households", "建档立卡户",
                    _households(ctx.session, listing))


def cadres(ctx: Context, listing: Listing) -> flask.Response:
    """The cadre list in the roster's import columns."""
    units = _names(ctx, Unit, Unit.name)
    columns = [
        Column("姓名", lambda c: c.name),
        Column("单位", lambda c: units[c.unit_id], 24),
        Column("职级", lambda c: RANK_WORDS[c.rank]),
        Column("电话", lambda c: c.phone, 14),
        Column("特长", lambda c: "、".join(c.skills or []), 24),
    ]
    return download(ctx, listing, "干部名册", columns, "cadres", "干部名册")


def pairings(ctx: Context, listing: Listing) -> flask.Response:
    """The pairing list: who links whom, since when, and why an R4 exception."""
    units = _names(ctx, Unit, Unit.name)
    villages = _names(ctx, Village, Village.name)
    columns = [
        Column("编号", lambda p: p["id"], 8),
        Column("干部", lambda p: p["cadre_name"]),
        Column("干部编号", lambda p: p["cadre_id"], 8),
        Column("职级", lambda p: RANK_WORDS[p["cadre_rank"]]),
        Column("单位", lambda p: units.get(p["unit_id"]), 24),
        Column("户主", lambda p: p["household_head_name"]),
        Column("户编号", lambda p: p["household_id"], 8),
        Column("村", lambda p: villages.get(p["village_id"]), 16),
        Column("困难程度", lambda p: DIFFICULTY_WORDS[p["difficulty"]]),
        Column("开始日期", lambda p: p["started_on"]),
        Column("结束日期", lambda p: p["ended_on"]),
        Column("结束原因", lambda p: p["end_reason"], 20),
        Column("例外说明", lambda p: p["override_reason"], 20),
        Column("在联", lambda p: p["active"], 6),
    ]
    return download(ctx, listing, "包联关系", columns, "pairings", "包联关系")


def visits(ctx: Context, listing: Listing) -> flask.Response:
    """The visit list: when, how, what was heard and done, and what was flagged."""
    columns = [
        Column("编号", lambda v: v["id"], 38),
        Column("干部编号", lambda v: v["cadre_id"], 8),
        Column("户编号", lambda v: v["household_id"], 8),
        Column("包联编号", lambda v: v["pairing_id"], 8),
        Column("走访时间", lambda v: v["visited_at"], 17),
        Column("方式", lambda v: KIND_WORDS.get(v["kind"], v["kind"])),
        Column("面对面", lambda v: v["direct"], 6),
        Column("扫卡", lambda v: v["card_scanned"], 6),
        Column("民情日记", lambda v: v["diary"], 40),
        Column("帮扶内容", lambda v: v["help_given"], 30),
        Column("诉求数", lambda v: len(v["demand_ids"]), 6),
        Column("标记", lambda v: _words(v["flags"], FLAG_WORDS), 16),
        Column("更正次数", lambda v: v["revisions"], 6),
        Column("录入时间", lambda v: v["received_at"], 17),
    ]
    return download(ctx, listing, "走访记录", columns, "visits", "走访记录")
