"""A clerk's whole month in the console (issue 28, SPEC §16), one screen after another in one
county, as the county office works it: import a roster with one bad row, fix it, import; see
the gaps; plan and apply; hand over a cadre; see overdue work; publish the month; open a
village's A4 page; read the bulletin and the evaluation and download their CSVs; print cards;
add a user; find an event in the audit. Then the same county as unit A's admin (its unit only,
no county action offered) and as the inspector (reads only).

Each screen's own tests (tests/browser/test_office_*.py) go deeper; this one proves they make
one month's work together, on the records the earlier steps made."""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.audit.models import AuditEvent
from service.disclosures.models import Disclosure
from service.households.models import Household
from service.pairings.models import Pairing
from service.tasks.models import Task
from service.users.models import User
from tests import factories
from tests.browser.office import (
    MARKS,
    clerk_world,
    desk_at,
    log_in,
    menu,
    open_screen,
    rows,
    serious_violations,
    serve,
)
from tests.clock import NOW

pytestmark = MARKS

HEADER = "村代码,户主姓名,身份证号,联系电话,家庭人口,困难程度,帮扶需求,人均纯收入"


def _world(session) -> dict:
    """The clerk's world, with a second cadre in unit B (to take over B's household) and an
    overdue task on household a1."""
    names = clerk_world(session)
    world = names["world"]
    b2 = factories.cadre(session, world.units["b"], name="接班人")
    session.add(Task(household_id=world.households["a1"].id, category="low_income",
                     source="manual", description="发展养殖增收",
                     due_on=NOW.date() - timedelta(days=5)))
    return {"code_a": world.villages["a"].code, "township": world.township.name,
            "village_a": world.villages["a"].name, "village_b": world.villages["b"].name,
            "unit_a": world.units["a"].name, "unit_b": world.units["b"].name,
            "b1": world.cadres["b1"].name, "b1_id": world.cadres["b1"].id, "b2_id": b2.id,
            "head_a1": world.households["a1"].head_name,
            "head_b1": world.households["b1"].head_name}


@pytest.fixture
def served(tmp_path, clock):
    with serve(tmp_path, clock, _world) as running:
        yield running


def roster(code: str, lines: list[tuple[str, int, str]]) -> bytes:
    body = [HEADER] + [f"{code},{name},{factories.valid_id_number(n)},,3,{difficulty},技能培训,"
                       "3000" for name, n, difficulty in lines]
    return "\r\n".join(body).encode("utf-8-sig")


def choose(page, name: str, data: bytes) -> None:
    page.get_by_label("花名册文件（.xlsx 或 .csv）").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data})


def scalar(engine, statement):
    with Session(engine) as session:
        return session.scalar(statement)


def downloaded(page, button: str) -> list[list[str]]:
    """The CSV a button downloads, read as Excel would (UTF-8 with BOM)."""
    with page.expect_download() as got:
        page.get_by_role("button", name=button).click()
    with open(got.value.path(), "rb") as file:
        data = file.read()
    assert data.startswith(b"\xef\xbb\xbf"), data[:10]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_clerks_month_then_a_unit_admins_and_an_inspectors(browser, served, clock,
                                                            axe_source):
    from playwright.sync_api import expect

    names, engine = served.names, served.engine
    last = (NOW.date().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    with desk_at(browser, served.url, clock) as desk:
        log_in(desk)

        # 花名册导入: one bad row found by the dry run, fixed, imported.
        open_screen(desk, "花名册导入")
        lines = [("钱富贵", 901, "难度较小"), ("孙小梅", 902, "不知道"),
                 ("李大牛", 903, "难度较大")]
        choose(desk, "三月花名册.csv", roster(names["code_a"], lines))
        desk.get_by_role("button", name="校验（试导入）").click()
        problems = desk.locator("table.imports-problems tbody tr")
        expect(problems).to_have_count(1)
        assert problems.first.locator("td").all_inner_texts()[:2] == ["3", "困难程度"]
        lines[1] = ("孙小梅", 902, "难度较小")
        choose(desk, "三月花名册（改）.csv", roster(names["code_a"], lines))
        desk.get_by_role("button", name="校验（试导入）").click()
        expect(desk.locator(".imports-counts")).to_contain_text("将新建 3 户")
        desk.get_by_role("button", name="导入", exact=True).click()
        desk.get_by_role("dialog").get_by_role("button", name="导入").click()
        created = desk.get_by_role("table", name="新建的农户")
        expect(created.locator("tbody tr")).to_have_count(3)
        assert scalar(engine, select(func.count()).select_from(Household).where(
            Household.head_name.in_(["钱富贵", "孙小梅", "李大牛"]))) == 3

        # 两个全覆盖: the new households are among those with needs and no cadre.
        open_screen(desk, "两个全覆盖")
        gaps = desk.locator("section.coverage-section", has=desk.get_by_role(
            "heading", name=re.compile("有帮扶需求但没有包联干部的农户")))
        for head in ("钱富贵", "孙小梅", "李大牛"):
            expect(gaps).to_contain_text(head)
        assert serious_violations(desk, axe_source) == []

        # 包联方案: a plan for the county, applied after its confirmation.
        before = scalar(engine, select(func.count()).select_from(Pairing))
        open_screen(desk, "包联方案")
        desk.get_by_role("button", name="制定方案").click()
        expect(desk.get_by_role("heading", name=re.compile(r"方案 #\d+：全县"))).to_be_visible()
        desk.get_by_role("button", name="应用方案").click()
        dialog = desk.get_by_role("dialog")
        expect(dialog).to_contain_text("将新建")
        dialog.get_by_role("button", name=re.compile(r"新建 \d+ 条联户")).click()
        expect(desk.locator(".plan-done")).to_contain_text("新建")
        assert scalar(engine, select(func.count()).select_from(Pairing)) > before

        # 交接: unit B's cadre hands its household to the other cadre of unit B.
        open_screen(desk, "交接")
        desk.goto(f"{served.url}/office/#/handover?cadre_id={names['b1_id']}")
        expect(desk.get_by_role("heading", name=re.compile(f"交出：{names['b1']}"))) \
            .to_be_visible()
        desk.get_by_role("radio", name=re.compile("接班人（")).check()
        desk.get_by_label("交接原因").fill("工作调动")
        desk.get_by_role("button", name="交接…").click()
        expect(desk.get_by_role("dialog")).to_contain_text(names["head_b1"])
        desk.get_by_role("dialog").get_by_role("button", name="移交 1 户").click()
        expect(desk.locator(".plan-done")).to_contain_text("已将 1 户联系户移交给 接班人。")
        assert scalar(engine, select(Pairing.cadre_id).where(
            Pairing.ended_on.is_(None), Pairing.cadre_id.in_([names["b1_id"],
                                                                names["b2_id"]]))) == \
            names["b2_id"]

        # 逾期: household a1's task, five days late, under unit A.
        open_screen(desk, "逾期")
        assert rows(desk, "table.overdue") == [names["head_a1"]]
        expect(desk.locator("table.overdue tbody tr").first).to_contain_text("5 天")
        expect(desk.locator("table.overdue tbody tr").first).to_contain_text(names["unit_a"])

        # 每月公示: last month published for both villages, after its confirmation.
        open_screen(desk, "每月公示")
        expect(desk.get_by_role("heading", name=f"{last} 各村公示情况")).to_be_visible()
        desk.get_by_role("button", name="公示本月").click()
        desk.get_by_role("dialog").get_by_role("button", name="公示 2 个村").click()
        expect(desk.get_by_role("heading", name=f"{last} 公示结果")).to_be_visible()
        assert scalar(engine, select(func.count()).select_from(Disclosure).where(
            Disclosure.month == last)) == 2
        # A village's A4 page, to print: the published notice, names masked.
        village = f"{names['township']}{names['village_a']}"
        with desk.expect_popup() as opened:
            desk.get_by_role("link", name=f"A4 公示页：{village}").click()
        notice = opened.value
        notice.wait_for_load_state()
        assert names["village_a"] in notice.content()
        assert names["head_a1"] not in notice.content()  # 张三 → 张*
        notice.close()

        # 情况通报 and 年度考核, with their CSVs.
        open_screen(desk, "情况通报")
        expect(desk.locator("table.data tbody")).to_contain_text(names["unit_a"])
        bulletin = downloaded(desk, "下载 CSV")
        assert len(bulletin) == 1 + 2  # a header and the two units
        open_screen(desk, "年度考核")
        evaluation = downloaded(desk, "下载 CSV")
        assert len(evaluation) >= 2 and len(evaluation[0]) > 5

        # 连心卡: village a's cards, opened to print.
        open_screen(desk, "连心卡")
        desk.get_by_label("村").select_option(label=names["village_a"])
        desk.get_by_role("button", name="查看").click()
        cards_title = re.compile(f"{names['village_a']}：\\d+ 张连心卡")
        expect(desk.get_by_role("heading", name=cards_title)).to_be_visible()
        with desk.expect_popup() as opened:
            desk.get_by_role("button", name="打印连心卡").click()
        cards = opened.value
        cards.wait_for_url(re.compile("^blob:"))
        cards.wait_for_load_state()
        assert cards.url.startswith("blob:") and names["village_a"] in cards.content()
        cards.close()

        # 用户: a new admin for unit B.
        open_screen(desk, "用户")
        desk.get_by_role("button", name="新建账号").click()
        form = desk.locator(".users-panel")
        form.get_by_label("用户名").fill("unit_b.admin")
        form.get_by_label("角色").select_option(label="单位管理员")
        form.get_by_label("单位").select_option(label=names["unit_b"])
        form.get_by_label("初始密码").fill(factories.PASSWORD)
        form.get_by_role("button", name="新建").click()
        expect(desk.locator("table.users")).to_contain_text("unit_b.admin")
        new_user = scalar(engine, select(User.id).where(User.username == "unit_b.admin"))

        # 审计: the new account's event, found by its record.
        open_screen(desk, "审计")
        desk.get_by_label("记录类型").select_option(label="账号")
        desk.get_by_label("记录编号").fill(str(new_user))
        desk.get_by_role("button", name="查找").click()
        trail = desk.locator("table.audit tbody tr")
        expect(trail).to_have_count(1)
        expect(trail.first).to_contain_text("unit_b.admin")
        expect(trail.first).to_contain_text("clerk")
        assert scalar(engine, select(func.count()).select_from(AuditEvent).where(
            AuditEvent.record_type == "user", AuditEvent.record_id == str(new_user))) == 1
        assert serious_violations(desk, axe_source) == []
        desk.get_by_role("button", name="退出").click()

        # Unit A's admin: its unit only, no county action offered.
        log_in(desk, "unit_a")
        assert "花名册导入" not in menu(desk) and "用户" not in menu(desk)
        open_screen(desk, "农户")
        expect(desk.locator("table.data")).not_to_contain_text(names["village_b"])
        open_screen(desk, "每月公示")
        expect(desk.get_by_role("button", name="公示本月")).to_have_count(0)
        expect(desk.locator("table.data tbody")).not_to_contain_text(names["village_b"])
        open_screen(desk, "逾期")
        assert rows(desk, "table.overdue") == [names["head_a1"]]
        desk.get_by_role("button", name="退出").click()

        # The inspector: reads only.
        log_in(desk, "inspector")
        assert menu(desk) == ["首页", "农户", "两个全覆盖", "逾期", "每月公示", "情况通报",
                              "审计"]
        open_screen(desk, "农户")
        desk.get_by_role("link", name=names["head_a1"]).click()
        expect(desk.get_by_role("heading", name="农户详情", level=1)).to_be_visible()
        expect(desk.get_by_role("button", name="修改信息")).to_have_count(0)
        expect(desk.get_by_role("button", name="结束包联")).to_have_count(0)
        open_screen(desk, "每月公示")
        expect(desk.get_by_role("button", name="公示本月")).to_have_count(0)
        expect(desk.get_by_role("button", name=re.compile("发布更正"))).to_have_count(0)
        assert serious_violations(desk, axe_source) == []
