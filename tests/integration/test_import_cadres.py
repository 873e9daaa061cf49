"""Importing the cadre roster through the domain layer (SPEC §10), on the real database: a good
file imports exactly (xlsx and csv, Chinese and English headers, GB18030); the same file again
is all unchanged; a changed row updates its cadre (matched by 电话 within the 单位, by 电话 and
姓名 where a phone is shared, by 姓名 where there is no phone); a dry run writes nothing; a file
with bad rows lists every one (row, column, message) and writes nothing; the import is audited;
the command line does the same.

The `world` fixture: unit A holds cadres a1 (general, paired with household a1) and a2
(section_chief), unit B holds b1; every factory cadre has phone 13800000000, so a1 and a2 share
one phone in unit A and are told apart by name."""

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from service.audit.models import AuditEvent
from service.cadres.models import Cadre
from service.imports.cadres import import_cadres
from service.imports.reading import read_sheet
from service.imports.rules import ImportRowsInvalid
from tests import factories
from tests.words import zh

HEADER = ["姓名", "单位", "职级", "电话", "特长"]
ENGLISH = ["name", "unit", "rank", "phone", "skills"]
SHARED_PHONE = "13800000000"  # every factory cadre's


def good_rows(unit) -> list[list]:
    """Three new cadres of `unit`: a mobile, a landline, no phone; labels and a code."""
    return [["张伟", unit.name, "正科级", "13911110001", "农业技术、法律"],
            ["李娜", unit.name, "一般干部", "0931-8123456", ""],
            ["王强", unit.name, "deputy_section_chief", "", "电商；养殖，种植"]]


def csv_file(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    return "\r\n".join(",".join(map(str, r)) for r in [header, *rows]).encode(encoding)


def xlsx_file(rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def last_event_id(session) -> int:
    return session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))


def cadres_of(session, unit) -> dict[str, Cadre]:
    """The unit's cadres by name, as stored now (the import detaches what it loaded)."""
    session.expire_all()
    return {c.name: c for c in session.scalars(select(Cadre).where(Cadre.unit_id == unit.id))}


def stored(cadre: Cadre) -> tuple:
    return cadre.name, cadre.rank, cadre.phone, cadre.skills


@pytest.fixture
def ctx(session, world):
    return factories.context(session)


@pytest.mark.parametrize("make, header", [(csv_file, HEADER), (xlsx_file, HEADER),
                                          (csv_file, ENGLISH), (xlsx_file, ENGLISH)])
def test_a_good_file_imports_exactly(ctx, session, world, make, header):
    unit = world.units["b"]
    before = count(session, Cadre)
    result = import_cadres(ctx, read_sheet(make(good_rows(unit), header)))
    assert factories.counts(result) == {
        "dry_run": False, "rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert count(session, Cadre) == before + 3
    new = cadres_of(session, unit)
    assert stored(new["张伟"]) == ("张伟", "section_chief", "13911110001", ["农业技术", "法律"])
    assert stored(new["李娜"]) == ("李娜", "general", "0931-8123456", [])
    assert stored(new["王强"]) == ("王强", "deputy_section_chief", None, ["电商", "养殖", "种植"])
    assert {c.unit_id for c in new.values()} == {unit.id}


def test_gb18030_csv_as_chinese_excel_saves_it(ctx, session, world):
    data = csv_file(good_rows(world.units["a"]), encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really GB18030, not UTF-8 by accident
    result = import_cadres(ctx, read_sheet(data))
    assert factories.counts(result) == {
        "dry_run": False, "rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert stored(cadres_of(session, world.units["a"])["张伟"]) == (
        "张伟", "section_chief", "13911110001", ["农业技术", "法律"])


def test_a_phone_excel_stored_as_a_number_and_full_width_text_are_read(ctx, session, world):
    unit = world.units["b"]
    rows = [["赵一", unit.name, "一般干部", 13911110011, ""],
            ["赵二", unit.name, "一般干部", "１３９ １１１１ ００１２", ""]]
    assert import_cadres(ctx, read_sheet(xlsx_file(rows)))["created"] == 2
    new = cadres_of(session, unit)
    assert (new["赵一"].phone, new["赵二"].phone) == ("13911110011", "13911110012")


def test_dry_run_writes_nothing_and_counts_the_same(ctx, session, world):
    cadres, events = count(session, Cadre), count(session, AuditEvent)
    rows = [*good_rows(world.units["a"]),
            [world.cadres["b1"].name, world.units["b"].name, "正科级", SHARED_PHONE, ""]]
    result = import_cadres(ctx, read_sheet(xlsx_file(rows)), dry_run=True)
    assert factories.counts(result) == {
        "dry_run": True, "rows": 4, "created": 3, "updated": 1, "unchanged": 0}
    assert (count(session, Cadre), count(session, AuditEvent)) == (cadres, events)
    assert cadres_of(session, world.units["b"])[world.cadres["b1"].name].rank == "general"


def test_the_same_file_again_is_all_unchanged_and_changed_rows_update(ctx, session, world):
    unit = world.units["b"]
    rows = good_rows(unit)
    import_cadres(ctx, read_sheet(xlsx_file(rows)))
    ids = {name: c.id for name, c in cadres_of(session, unit).items()}
    total = count(session, Cadre)
    assert factories.counts(import_cadres(ctx, read_sheet(csv_file(rows)))) == {
        "dry_run": False, "rows": 3, "created": 0, "updated": 0, "unchanged": 3}
    rows[0][0] = "张伟伟"  # a new name under the same phone: the same cadre, renamed
    rows[1][2] = "副科级"  # a rank
    rows[2][4] = "电商"  # fewer skills (no phone: matched by name)
    rows.append([world.cadres["b1"].name, unit.name, "一般干部", SHARED_PHONE, ""])  # as stored
    result = import_cadres(ctx, read_sheet(xlsx_file(rows)))
    assert factories.counts(result) == {
        "dry_run": False, "rows": 4, "created": 0, "updated": 3, "unchanged": 1}
    assert count(session, Cadre) == total
    now = cadres_of(session, unit)
    assert (now["张伟伟"].id, stored(now["张伟伟"])) == (
        ids["张伟"], ("张伟伟", "section_chief", "13911110001", ["农业技术", "法律"]))
    assert "张伟" not in now
    assert (now["李娜"].id, now["李娜"].rank) == (ids["李娜"], "deputy_section_chief")
    assert (now["王强"].id, now["王强"].skills) == (ids["王强"], ["电商"])


def test_cadres_sharing_a_phone_are_told_apart_by_name(ctx, session, world):
    """a1 and a2 of unit A share 13800000000: unit A's roster exported and imported back is
    unchanged; a third name under that phone is a new cadre, not a rename of either."""
    unit, a1, a2 = world.units["a"], world.cadres["a1"], world.cadres["a2"]
    roster = [[a1.name, unit.name, "一般干部", SHARED_PHONE, ""],
              [a2.name, unit.name, "正科级", SHARED_PHONE, ""]]
    assert factories.counts(import_cadres(ctx, read_sheet(xlsx_file(roster)))) == {
        "dry_run": False, "rows": 2, "created": 0, "updated": 0, "unchanged": 2}
    # One of them alone: the phone is shared in the unit, so the name still decides.
    assert import_cadres(ctx, read_sheet(csv_file(roster[1:])))["unchanged"] == 1
    # Changes reach the cadre of that name only.
    roster[1][4] = "调解"
    assert import_cadres(ctx, read_sheet(csv_file(roster)))["updated"] == 1
    now = cadres_of(session, unit)
    assert (now[a1.name].skills, now[a2.name].skills) == ([], ["调解"])
    result = import_cadres(ctx, read_sheet(csv_file(
        [["孙新", unit.name, "一般干部", SHARED_PHONE, ""]])))
    assert (result["created"], result["updated"]) == (1, 0)
    now = cadres_of(session, unit)
    assert (now[a1.name].id, now[a2.name].id) == (a1.id, a2.id)
    assert now["孙新"].phone == SHARED_PHONE


def test_a_phone_shared_by_rows_of_the_file_is_told_apart_by_name(ctx, session, world):
    """b1 is unit B's only cadre with 13800000000; a file giving that phone to b1 and to a
    newcomer keeps b1 as it is and adds the newcomer (not a rename of b1)."""
    unit, b1 = world.units["b"], world.cadres["b1"]
    result = import_cadres(ctx, read_sheet(xlsx_file(
        [["新同事", unit.name, "一般干部", SHARED_PHONE, ""],
         [b1.name, unit.name, "一般干部", SHARED_PHONE, "驾驶"]])))
    assert factories.counts(result) == {
        "dry_run": False, "rows": 2, "created": 1, "updated": 1, "unchanged": 0}
    now = cadres_of(session, unit)
    assert (now[b1.name].id, now[b1.name].skills) == (b1.id, ["驾驶"])
    assert (now["新同事"].phone, now["新同事"].id != b1.id) == (SHARED_PHONE, True)


def test_a_file_without_the_phone_column_matches_by_name(ctx, session, world):
    unit, a1 = world.units["a"], world.cadres["a1"]
    header = ["姓名", "单位", "职级"]
    assert factories.counts(import_cadres(ctx, read_sheet(csv_file(
        [[a1.name, unit.name, "一般干部"]], header)))) == {
        "dry_run": False, "rows": 1, "created": 0, "updated": 0, "unchanged": 1}
    result = import_cadres(ctx, read_sheet(csv_file([[a1.name, unit.name, "副科级"]], header)))
    assert (result["updated"], result["created"]) == (1, 0)
    now = cadres_of(session, unit)[a1.name]
    assert (now.id, now.rank, now.phone, now.skills) == (
        a1.id, "deputy_section_chief", SHARED_PHONE, [])


def test_a_row_without_a_phone_matches_a_cadre_without_one_by_name(ctx, session, world):
    unit = world.units["b"]
    phoneless = factories.cadre(session, unit, name="钱无电话", phone=None)
    session.commit()
    result = import_cadres(ctx, read_sheet(xlsx_file(
        [["钱无电话", unit.name, "一般干部", "", "驾驶"]])))
    assert factories.counts(result) == {
        "dry_run": False, "rows": 1, "created": 0, "updated": 1, "unchanged": 0}
    now = cadres_of(session, unit)["钱无电话"]
    assert (now.id, now.phone, now.skills) == (phoneless.id, None, ["驾驶"])


def test_the_import_is_one_audit_event_with_its_counts_and_one_per_cadre(ctx, session, world):
    unit, b1 = world.units["b"], world.cadres["b1"]
    since = last_event_id(session)
    rows = [*good_rows(unit), [b1.name, unit.name, "副科级", SHARED_PHONE, ""]]
    import_cadres(ctx, read_sheet(xlsx_file(rows)))
    events = session.scalars(select(AuditEvent).where(AuditEvent.id > since)
                             .order_by(AuditEvent.id)).all()
    new_ids = {str(c.id) for name, c in cadres_of(session, unit).items() if name != b1.name}
    cadre_events = [(e.action, e.record_type) for e in events if e.record_type == "cadre"]
    assert sorted(cadre_events) == [("create", "cadre")] * 3 + [("import", "cadre")] + [
        ("update", "cadre")]
    assert {e.record_id for e in events if e.action == "create"} == new_ids
    update = next(e for e in events if e.action == "update")
    assert update.record_id == str(b1.id)
    assert update.changes["rank"] == ["general", "deputy_section_chief"]
    summary = next(e for e in events if e.action == "import")
    assert summary.record_id is None
    assert summary.changes == {"rows": [None, 4], "created": [None, 3], "updated": [None, 1],
                               "unchanged": [None, 0]}
    assert summary.actor == "cli"


def test_progress_reaches_the_number_of_rows(ctx, session, world):
    unit, b1 = world.units["b"], world.cadres["b1"]
    seen: list[int] = []
    rows = [*good_rows(unit), [b1.name, unit.name, "一般干部", SHARED_PHONE, ""]]
    import_cadres(ctx, read_sheet(xlsx_file(rows)), progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 4


def with_two_active_pairings(session, world) -> Cadre:
    """Cadre a2 (section chief, quota 2) paired with household a2 and one more in village a."""
    a2 = world.cadres["a2"]
    factories.pair(session, a2, world.households["a2"])
    factories.pair(session, a2, factories.household(session, world.villages["a"]))
    session.commit()
    return a2


def test_every_kind_of_bad_row_is_listed_and_nothing_is_written(ctx, session, world):
    a, b = world.units["a"], world.units["b"]
    a2 = with_two_active_pairings(session, world)
    for _ in range(2):  # two stored cadres of one name without a phone: a row cannot choose
        factories.cadre(session, b, name="周同名", phone=None)
    session.commit()
    bad = {  # row → (the row, the column its problem is in)
        2: (["", a.name, "一般干部", "13911112002", ""], "姓名"),
        3: (["李" * 51, a.name, "一般干部", "13911112003", ""], "姓名"),
        4: (["吴一", "不存在的单位", "一般干部", "13911112004", ""], "单位"),
        5: (["吴二", a.name, "处长", "13911112005", ""], "职级"),
        6: (["吴三", a.name, "一般干部", "12345", ""], "电话"),
        7: (["吴四", a.name, "一般干部", "8123456", ""], "电话"),  # no area code
        8: (["吴五", a.name, "一般干部", "13911112008", "技" * 31], "特长"),
        9: (["吴六", a.name, "一般干部", "13911112009",
             "、".join(f"特长{i}" for i in range(21))], "特长"),
        11: (["吴七", a.name, "一般干部", "13911112010", ""], "姓名"),  # repeats row 10
        12: ([a2.name, a.name, "一般干部", SHARED_PHONE, ""], "职级"),  # quota 1 < 2 pairings
        13: (["吴八", a.name, "", "13911112013", ""], "职级"),
        14: (["吴九", "", "一般干部", "13911112014", ""], "单位"),
        15: (["周同名", b.name, "一般干部", "", ""], "姓名"),
        16: (["吴十", a.name, "一般干部", 1.5, ""], "电话"),  # a number Excel mangled
    }
    good = {10: ["吴七", a.name, "一般干部", "13911112010", ""],
            17: ["吴十一", a.name, "副科级", "13911112017", "农业技术"]}
    rows = [good[n] if n in good else bad[n][0] for n in range(2, 18)]
    before = count(session, Cadre), count(session, AuditEvent)
    with pytest.raises(ImportRowsInvalid) as refused:
        import_cadres(ctx, read_sheet(xlsx_file(rows)))
    listed = refused.value.extra["rows"]
    assert [(p["row"], p["column"]) for p in listed] == [(n, bad[n][1]) for n in sorted(bad)]
    assert all(p["message"] for p in listed)
    by_row = {p["row"]: zh(p["message"]) for p in listed}
    assert by_row[2] == "不能为空" and by_row[13] == "不能为空" and by_row[14] == "不能为空"
    assert by_row[3] == "不能超过50个字"
    assert by_row[4] == "单位“不存在的单位”不存在或不在您的范围内"
    assert by_row[9] == "最多20项"
    assert by_row[11] == "与第10行重复：同一单位、姓名和电话都相同"
    assert by_row[12] == "改为一般干部后只能包联1户，该干部现包联2户：请先交接"
    assert by_row[15].startswith("本单位已有2名干部与此相同")
    assert "处长" in by_row[5] and "一般干部" in by_row[5]
    assert (count(session, Cadre), count(session, AuditEvent)) == before
    assert cadres_of(session, a)[a2.name].rank == "section_chief"


def test_a_rank_change_within_the_quota_is_taken(ctx, session, world):
    """a1 (general) holds one household: 副科级 (quota 2) is fine; a2 with two pairings may be
    promoted but not demoted."""
    a, a1 = world.units["a"], world.cadres["a1"]
    a2 = with_two_active_pairings(session, world)
    result = import_cadres(ctx, read_sheet(xlsx_file(
        [[a1.name, a.name, "副科级", SHARED_PHONE, ""],
         [a2.name, a.name, "县级领导", SHARED_PHONE, ""]])))
    assert (result["updated"], result["unchanged"]) == (2, 0)
    now = cadres_of(session, a)
    assert (now[a1.name].rank, now[a2.name].rank) == ("deputy_section_chief", "county_level")


@pytest.mark.parametrize("header, message", [
    (["姓名", "单位", "电话"], "缺少必需的列：职级"),
    (["姓名", "单位", "职级", "备注"], "未知的列“备注”"),
    (["姓名", "单位", "职级", "name"], "列“姓名”出现了两次"),
])
def test_a_bad_header_is_row_1_column_biao_tou(ctx, session, world, header, message):
    before = count(session, Cadre), count(session, AuditEvent)
    rows = [["吴一", world.units["a"].name, "一般干部", "x"][:len(header)]]
    with pytest.raises(ImportRowsInvalid) as refused:
        import_cadres(ctx, read_sheet(csv_file(rows, header)))
    assert zh(refused.value.extra["rows"]) == [{"row": 1, "column": "表头", "message": message}]
    assert (count(session, Cadre), count(session, AuditEvent)) == before


def test_the_command_line_imports_checks_and_lists_bad_rows(app, world, session, tmp_path):
    """`flask --app service import-cadres FILE [--dry-run] [--quiet]`: the same checks; bad
    rows listed with their row and column; the exit status says so."""
    unit = world.units["b"]
    good = tmp_path / "cadres.xlsx"
    good.write_bytes(xlsx_file(good_rows(unit)))
    runner = app.test_cli_runner()
    before = count(session, Cadre)
    dry = runner.invoke(args=["import-cadres", str(good), "--dry-run", "--quiet"])
    assert dry.exit_code == 0, dry.output
    assert "dry run, nothing written: 3 rows, 3 created, 0 updated, 0 unchanged" in dry.output
    assert count(session, Cadre) == before
    done = runner.invoke(args=["import-cadres", str(good), "--quiet"])
    assert done.exit_code == 0, done.output
    assert "imported: 3 rows, 3 created, 0 updated, 0 unchanged" in done.output
    assert count(session, Cadre) == before + 3
    again = runner.invoke(args=["import-cadres", str(good), "--quiet"])
    assert "3 unchanged" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file([["吴一", unit.name, "一般干部", "12345", ""],
                              ["吴二", "没有这个单位", "一般干部", "", ""]]))
    refused = runner.invoke(args=["import-cadres", str(bad), "--quiet"])
    assert refused.exit_code == 1
    assert "第2行 电话" in refused.output and "第3行 单位" in refused.output
    assert count(session, Cadre) == before + 3
