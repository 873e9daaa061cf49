"""Importing the household roster through the domain layer (SPEC §10), on the real database:
a good file imports exactly; a file with bad rows lists every one (row, column, message) and
writes nothing; a dry run writes nothing; importing the same file again is all unchanged; a
changed row updates its household and its new needs generate tasks as a PATCH would; the import
is audited."""

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from service.audit.models import AuditEvent
from service.households.models import Household
from service.imports.households import import_households
from service.imports.reading import read_sheet
from service.imports.rules import ImportRowsInvalid
from service.tasks.models import Task
from tests import factories
from tests.words import zh

HEADER = ["村代码", "户主姓名", "身份证号", "联系电话", "家庭人口", "困难程度", "帮扶需求",
          "人均纯收入"]
ENGLISH = ["village_code", "head_name", "id_number", "phone", "members", "difficulty", "needs",
           "income_per_capita"]


def id_numbers(count: int, start: int = 900_000) -> list[str]:
    # Far from the factories' own sequence, which other tests of the session advance.
    return [factories.valid_id_number(start + i) for i in range(count)]


def good_rows(village, count: int = 3) -> list[list]:
    return [[village.code, f"王{i}", number, f"1391234{i:04d}", 3, "难度较大",
             "低收入增收、技能培训", "4500.50"] for i, number in enumerate(id_numbers(count))]


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


@pytest.fixture
def ctx(session, world):
    return factories.context(session)


@pytest.mark.parametrize("make, header", [(csv_file, HEADER), (xlsx_file, HEADER),
                                          (csv_file, ENGLISH), (xlsx_file, ENGLISH)])
def test_a_good_file_imports_exactly(ctx, session, world, make, header):
    village = world.villages["a"]
    before = count(session, Household)
    result = import_households(ctx, read_sheet(make(good_rows(village), header)))
    assert factories.counts(result) == {
        "dry_run": False, "rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert count(session, Household) == before + 3
    stored = session.scalar(select(Household).where(Household.head_name == "王1"))
    assert stored.village_id == village.id and stored.difficulty == "harder"
    assert sorted(stored.needs) == ["low_income", "skills_training"]
    assert stored.phone == "13912340001" and str(stored.income_per_capita) == "4500.50"
    # Its needs generated their tasks, as the API's create does.
    assert count(session, Task) >= 6


def test_gb18030_csv_as_chinese_excel_saves_it(ctx, session, world):
    result = import_households(ctx, read_sheet(csv_file(good_rows(world.villages["a"]),
                                                        encoding="gb18030")))
    assert result["created"] == 3


def test_dry_run_writes_nothing_and_counts_the_same(ctx, session, world):
    households, events = count(session, Household), count(session, AuditEvent)
    result = import_households(ctx, read_sheet(csv_file(good_rows(world.villages["a"]))),
                               dry_run=True)
    assert factories.counts(result) == {
        "dry_run": True, "rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert count(session, Household) == households and count(session, AuditEvent) == events


def test_the_same_file_again_is_all_unchanged_and_a_changed_row_updates(ctx, session, world):
    rows = good_rows(world.villages["a"])
    import_households(ctx, read_sheet(xlsx_file(rows)))
    tasks = count(session, Task)
    assert import_households(ctx, read_sheet(xlsx_file(rows)))["unchanged"] == 3
    rows[0][4] = 5
    rows[0][6] = "低收入增收、技能培训、创业扶持"
    result = import_households(ctx, read_sheet(csv_file(rows)))
    assert (result["updated"], result["unchanged"]) == (1, 2)
    changed = session.scalar(select(Household).where(Household.id_number == rows[0][2]))
    assert changed.members == 5 and "entrepreneurship" in changed.needs
    assert count(session, Task) == tasks + 1  # the new need's task, as a PATCH makes it


def test_the_import_is_one_audit_event_with_its_counts_and_one_per_household(ctx, session,
                                                                              world):
    before = count(session, AuditEvent)
    import_households(ctx, read_sheet(csv_file(good_rows(world.villages["a"]))))
    summary = session.scalar(select(AuditEvent).where(AuditEvent.action == "import",
                                                      AuditEvent.record_type == "household"))
    assert summary.changes["created"] == [None, 3]
    creates = session.scalar(select(func.count()).where(
        AuditEvent.action == "create", AuditEvent.record_type == "household",
        AuditEvent.id > 0))
    assert creates >= 3 and count(session, AuditEvent) > before + 3


def test_every_kind_of_bad_row_is_listed_and_nothing_is_written(ctx, session, world):
    village = world.villages["a"]
    ok = id_numbers(30, start=901_000)
    taken = world.households["b1"].id_number
    bad = {
        2: [village.code, "", ok[0], "", 3, "难度较大", "", ""],                # empty name
        3: [village.code, "李四", 1.404211980010112e17, "", 3, "难度较大", "", ""],  # as number
        4: [village.code, "李四", "1.40421E+17", "", 3, "难度较大", "", ""],     # scientific
        5: [village.code, "李四", ok[1][:17] + ("0" if ok[1][17] != "0" else "1"), "", 3,
            "难度较大", "", ""],                                                 # check digit
        6: [village.code, "李四", "140421199902301234", "", 3, "难度较大", "", ""],  # 30 Feb
        7: [village.code, "李四", ok[2], "12345", 3, "难度较大", "", ""],        # phone
        8: [village.code, "李四", ok[3], "", 0, "难度较大", "", ""],             # members 0
        9: [village.code, "李四", ok[4], "", "三", "难度较大", "", ""],          # members text
        10: [village.code, "李四", ok[5], "", 3, "很难", "", ""],                # difficulty
        11: [village.code, "李四", ok[6], "", 3, "难度较大", "修路", ""],         # need
        12: ["999999999999", "李四", ok[7], "", 3, "难度较大", "", ""],         # no village
        13: [village.code, "李四", ok[8], "", 3, "难度较大", "", "很多"],         # income
        14: [village.code, "李四", ok[8], "", 3, "难度较大", "", ""],            # dup in file
        15: [village.code, "李" * 51, ok[9], "", 3, "难度较大", "", ""],         # name too long
        16: [village.code, "李四", ok[10], "", 3, "", "", ""],                  # no difficulty
        17: [village.code, "李四", ok[11], "", 3, "难度较大", "", "99999999"],   # income max
    }
    rows = [bad[n] for n in sorted(bad)] + [[village.code, "王五", taken, "", 3, "难度较大",
                                             "", ""]]
    before = count(session, Household), count(session, AuditEvent)
    with pytest.raises(ImportRowsInvalid) as refused:
        import_households(ctx, read_sheet(xlsx_file(rows)))
    listed = refused.value.extra["rows"]
    print(*listed, sep="\n")
    assert {p["row"] for p in listed} == set(bad)
    assert all(p["column"] in HEADER and p["message"] for p in listed), listed
    by_row = {p["row"]: zh(p) for p in listed}
    assert by_row[3]["column"] == "身份证号" and "文本" in by_row[3]["message"]
    assert by_row[14]["message"] == "与第13行重复"
    assert by_row[12]["column"] == "村代码"
    assert (count(session, Household), count(session, AuditEvent)) == before


def test_the_command_line_imports_checks_and_lists_bad_rows(app, world, session, tmp_path):
    """`flask --app service import-households FILE [--dry-run]`: the same checks; bad rows are
    listed on stderr with their row and column, and the exit status says so."""
    good = tmp_path / "roster.xlsx"
    good.write_bytes(xlsx_file(good_rows(world.villages["a"])))
    runner = app.test_cli_runner()
    before = count(session, Household)
    dry = runner.invoke(args=["import-households", str(good), "--dry-run", "--quiet"])
    assert dry.exit_code == 0, dry.output
    assert "3 created" in dry.output and count(session, Household) == before
    done = runner.invoke(args=["import-households", str(good), "--quiet"])
    assert done.exit_code == 0 and "3 created" in done.output
    assert count(session, Household) == before + 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file([[world.villages["a"].code, "李四", "1.40421E+17", "", 3,
                               "难度较大", "", ""]]))
    refused = runner.invoke(args=["import-households", str(bad), "--quiet"])
    assert refused.exit_code != 0
    assert "第2行 身份证号" in refused.output


def test_an_imported_household_is_stored_as_the_api_stores_one(ctx, session, world, admin):
    """The bulk writer leaves what households.create_household leaves: the household, its
    needs, a version row, the tasks its needs generate, and an audit event for each record
    with the same fields."""
    from service.history.models import HouseholdVersion

    village = world.villages["a"]
    by_api = admin.post("/api/v1/households", json={
        "village_id": village.id, "head_name": "王甲", "id_number": id_numbers(1, 902_000)[0],
        "phone": "13912340099", "members": 3, "difficulty": "harder",
        "needs": ["low_income", "skills_training"], "income_per_capita": 4500.5})
    assert by_api.status_code == 201, by_api.get_json()
    import_households(ctx, read_sheet(csv_file(good_rows(village, 1))))
    session.flush()
    imported = session.scalar(select(Household).where(Household.head_name == "王0"))
    made = session.get(Household, by_api.get_json()["id"])

    def stored(household):
        versions = session.scalars(select(HouseholdVersion).where(
            HouseholdVersion.household_id == household.id)).all()
        tasks = session.scalars(select(Task).where(Task.household_id == household.id)
                                .order_by(Task.category)).all()
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.record_type == "household",
            AuditEvent.record_id == str(household.id))).all()
        task_events = session.scalars(select(AuditEvent).where(
            AuditEvent.record_type == "task",
            AuditEvent.record_id.in_([str(t.id) for t in tasks]))).all()
        return {
            "needs": household.needs, "version": household.version,
            "card_code": len(household.card_code),
            "versions": [(v.village_id, v.head_name, v.difficulty) for v in versions],
            "tasks": [(t.category, t.source, t.status, t.due_on, t.description, t.version)
                      for t in tasks],
            "events": [(e.action, sorted(e.changes)) for e in events],
            "task_events": sorted((e.action, sorted(e.changes)) for e in task_events),
            "created_at": household.created_at is not None,
        }

    mine, theirs = stored(imported), stored(made)
    assert mine["versions"] == [(village.id, "王0", "harder")]
    theirs["versions"] = [(village.id, "王0", "harder")]  # the API's was named 王甲
    assert mine == theirs
    assert len(mine["tasks"]) == 2 and len(mine["task_events"]) == 2
    assert mine["events"] == [("create", ["card_code", "difficulty", "head_name", "id_number",
                                          "income_per_capita", "members", "needs", "phone",
                                          "village_id"])]
