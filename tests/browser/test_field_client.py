"""The field client (SPEC §12) in a real browser, as a cadre uses it on a phone with poor
signal: log in; see the households; go offline; log visits; reload with no network (the app
and the queue are there); come back online (they sync, and the server holds each exactly
once, even when the first answer is lost); a batch with one bad visit (it stays, with the
reason in Chinese, to be corrected; the others land); an expired token (the queue survives a
new login and is sent after).

Playwright drives Debian's chromium (`apt-get install -y chromium fonts-noto-cjk`), at
360 × 740 with a touch screen, in the county's time zone; the browser's clock starts at the
suite's clock. The service runs in this process on a database of its own. Screenshots of each
screen go to test-artifacts/field/ (their paths are printed at the end of the run)."""

import os
import shutil
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from service import create_app, field, migrate
from service.db import make_engine
from service.visits.models import Visit
from tests import factories
from tests.clock import WORLD_BUILT

pytestmark = [
    pytest.mark.slow,  # independent of the date: not in .ci/run's date passes
    # The service here runs on a SQLite database of its own: once, in the SQLite pass.
    pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                       reason="runs once, in the SQLite pass (its service has a database "
                              "of its own)"),
]

KEEP_RECORDING = "登录已过期：可以照常记走访，记录保存在本机；点“重新登录”后发送。"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"  # .ci/run: a missing browser fails
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "field"
SCREENSHOTS: list[str] = []  # printed by conftest's terminal summary

if CHROMIUM is None and REQUIRED:
    raise RuntimeError("REQUIRE_BROWSER=1 but there is no chromium: apt-get install chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="the field client's browser tests need Debian's chromium "
    "(apt-get install -y chromium fonts-noto-cjk); .ci/run installs it and never skips them")


class Served:
    def __init__(self, engine, household_ids, card_codes):
        self.url, self.engine = None, engine
        self.household_ids, self.card_codes = household_ids, card_codes
        self.lose_answers = 0  # batches to store and then answer 502, as a proxy would
        self.lost = 0
        self.hang = threading.Event()  # set: a batch is held, never answered, until released
        self.released = threading.Event()

    def wrap(self, wsgi_app):
        """The app behind a proxy that, when told, loses the answer to a stored batch."""
        def app(environ, start_response):
            if self.hang.is_set() and environ["PATH_INFO"] == "/api/v1/visits/batch":
                self.released.wait(timeout=60)  # the phone gives up long before
                start_response("504 Gateway Timeout", [("Content-Type", "text/plain")])
                return [b"never stored"]
            if self.lose_answers and environ["PATH_INFO"] == "/api/v1/visits/batch":
                self.lose_answers -= 1
                body = b"".join(wsgi_app(environ, lambda *a, **k: lambda data: None))
                assert body  # the service answered; the phone never hears it
                self.lost += 1
                start_response("502 Bad Gateway", [("Content-Type", "text/plain")])
                return [b"upstream timed out"]
            return wsgi_app(environ, start_response)
        return app

    def visits(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(Visit))


@pytest.fixture
def served(tmp_path, clock):
    """The service on a free port: cadre `field1` (正科级) paired with two households."""
    url = f"sqlite:///{tmp_path / 'field.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        with clock.at(WORLD_BUILT):
            world = factories.small_world(session)
            cadre = world.cadres["a2"]  # section chief: two households of the harder kind
            first = factories.household(session, world.villages["a"], head_name="张德福",
                                        difficulty="harder")
            second = world.households["a2"]
            second.head_name = "李秀兰"
            factories.pair(session, cadre, first)
            factories.pair(session, cadre, second)
            factories.user(session, "cadre", cadre_=cadre, username="field1")
            session.commit()
        served = Served(engine, [first.id, second.id], [first.card_code, second.card_code])
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "field-test-" + "k" * 40,
                      "PASSWORD_HASH_FAST": True,
                      "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'limits.sqlite'}"})
    server = make_server("127.0.0.1", 0, served.wrap(app.wsgi_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.url = f"http://127.0.0.1:{server.server_port}"
    yield served
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["db"].engine.dispose()
    engine.dispose()


@pytest.fixture
def phone(browser, served, clock):
    """A page at 360 × 740 with the app open; the browser's clock two minutes behind the
    service's (a phone's clock is never exactly right; visits are never in the future)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.clock.install(time=clock.now() - timedelta(minutes=2))
    page = context.new_page()
    page.set_default_timeout(30_000)  # a busy CI machine
    page.goto(f"{served.url}/field/")
    yield page
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    SCREENSHOTS.append(str(path))


def log_in(page) -> None:
    page.get_by_label("用户名").fill("field1")
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="我的联系户").wait_for()
    # the heading shows before the first sync has answered: wait for the households it brings
    page.get_by_role("button", name="张德福").wait_for()


def pending(page, count: int) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#pending")).to_have_text(f"待同步 {count}")


def until(page, script: str, seconds: float = 15) -> None:
    """Poll a script in the page until it is true (page.wait_for_function polls with the
    page's timers, which the installed clock replaces)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"never true: {script}"
        time.sleep(0.1)


def offline_ready(page) -> None:
    """Wait until the service worker has kept every file of the app (its page as /field/)."""
    until(page, """async () => {
        const registration = await navigator.serviceWorker.getRegistration('/field/');
        const keys = await caches.keys();
        if (!registration || !registration.active || !keys.length) return false;
        const cache = await caches.open(keys[0]);
        return (await cache.keys()).length >= FILES;
    }""".replace("FILES", str(len(field.FILES))))


def queued(page) -> int:
    """Visits in the phone's outbox (IndexedDB), whatever screen it shows."""
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open('shuangbao-field');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
            const count = open.result.transaction('outbox').objectStore('outbox').count();
            count.onsuccess = () => resolve(count.result);
        };
    })""")


def log_visit(page, head_name: str, kind: str, diary: str, card_code: str = "") -> None:
    page.get_by_role("button", name=head_name).click()
    page.get_by_label("走访方式").select_option(label=kind)
    page.get_by_label("民情日记").fill(diary)
    page.get_by_label("帮扶情况").fill("讲了产业补贴政策")
    if card_code:
        page.get_by_label("连心卡编码").fill(card_code)
    page.get_by_role("button", name="保存").click()
    page.get_by_role("heading", name="我的联系户").wait_for()


@needs_chromium
def test_visits_logged_offline_survive_a_reload_and_sync_exactly_once(phone, served):
    from playwright.sync_api import expect

    shot(phone, "1-login")
    log_in(phone)
    expect(phone.get_by_role("button", name="张德福")).to_be_visible()
    expect(phone.get_by_role("button", name="李秀兰")).to_be_visible()
    offline_ready(phone)
    shot(phone, "2-households")

    phone.context.set_offline(True)
    expect(phone.locator("#net")).to_have_text("离线")
    log_visit(phone, "张德福", "入户走访", "家里两口人在外打工，老人身体还好")
    pending(phone, 1)
    phone.get_by_role("button", name="李秀兰").click()
    shot(phone, "3-visit-form")
    phone.get_by_role("button", name="返回").click()
    log_visit(phone, "李秀兰", "民情恳谈", "想学种植技术")
    log_visit(phone, "张德福", "同劳动", "一起收了半亩玉米")
    pending(phone, 3)
    assert served.visits() == 0

    phone.reload()  # no network: the service worker opens the app, IndexedDB has the queue
    phone.get_by_role("heading", name="我的联系户").wait_for()
    pending(phone, 3)
    expect(phone.get_by_role("button", name="李秀兰")).to_be_visible()
    shot(phone, "4-offline-queue")
    assert served.visits() == 0

    # Back online, the first answer is lost on the way (the service has stored the visits;
    # the proxy in front of it answers 502): the phone keeps them and sends them again on
    # 同步, and nothing doubles.
    served.lose_answers = 1
    phone.context.set_offline(False)
    expect(phone.locator("#notice")).to_have_text("服务器正忙：3条记录已保存在本机，稍后自动重试")
    assert served.lost == 1 and served.visits() == 3
    pending(phone, 3)
    phone.get_by_role("button", name="同步", exact=True).click()
    pending(phone, 0)
    expect(phone.locator("#notice")).to_contain_text("3条服务器已有")
    assert served.visits() == 3
    phone.get_by_role("button", name="同步", exact=True).click()  # once more: nothing to send
    expect(phone.locator("#notice")).to_have_text("已同步")
    assert served.visits() == 3


@needs_chromium
def test_a_bad_visit_in_a_batch_stays_with_its_reason_and_the_others_land(phone, served):
    from playwright.sync_api import expect

    log_in(phone)
    offline_ready(phone)
    phone.context.set_offline(True)
    log_visit(phone, "张德福", "入户走访", "看了新修的厕所")
    log_visit(phone, "李秀兰", "入户走访", "孩子已回学校", card_code="AAAA BBBB CCCC DDDD")
    log_visit(phone, "李秀兰", "电话联系", "电话问了病情")
    pending(phone, 3)
    phone.context.set_offline(False)
    expect(phone.locator("#notice")).to_contain_text("已发送2条，1条被退回")
    pending(phone, 1)
    assert served.visits() == 2

    phone.locator("#pending").click()
    rejected = phone.locator("ul.outbox li.rejected")
    expect(rejected).to_have_count(1)
    expect(rejected).to_contain_text("被退回：连心卡编码与该户的连心卡不符，请核对")
    expect(rejected).to_contain_text("李秀兰")
    shot(phone, "5-outbox-rejected")

    rejected.get_by_role("button", name="修改").click()
    expect(phone.get_by_label("民情日记")).to_have_value("孩子已回学校")
    phone.get_by_label("连心卡编码").fill(served.card_codes[1])  # the right card this time
    phone.get_by_role("button", name="保存").click()
    pending(phone, 0)
    assert served.visits() == 3
    with Session(served.engine) as session:
        assert session.scalar(select(func.count()).where(Visit.card_scanned.is_(True))) == 1


@needs_chromium
def test_an_expired_login_keeps_the_queue_and_sends_it_after_the_next(phone, served, clock):
    from playwright.sync_api import expect

    log_in(phone)
    offline_ready(phone)
    phone.context.set_offline(True)
    log_visit(phone, "张德福", "入户走访", "问了低保材料")
    pending(phone, 1)
    clock.advance(hours=9)  # the token (8 hours) has expired while the phone was away
    phone.clock.fast_forward("09:00:00")  # the phone's own clock went on too
    phone.context.set_offline(False)
    # Told, and the list stays: only sending needs the password.
    expect(phone.locator("#notice")).to_have_text(KEEP_RECORDING)
    expect(phone.get_by_role("button", name="张德福")).to_be_visible()
    assert served.visits() == 0
    assert queued(phone) == 1
    phone.reload()  # told again after a reload; the queue is still on the phone
    expect(phone.locator("#notice")).to_have_text(KEEP_RECORDING)
    assert queued(phone) == 1
    phone.locator("#relogin").click()
    expect(phone.get_by_role("alert")).to_contain_text("登录已过期")
    shot(phone, "6-login-again")
    log_in(phone)
    pending(phone, 0)
    assert served.visits() == 1


@needs_chromium
def test_saving_twice_in_a_hurry_keeps_one_visit(phone, served):
    """A double tap on 保存 (or a slow phone) stores the visit once."""
    from playwright.sync_api import expect

    log_in(phone)
    phone.context.set_offline(True)
    phone.get_by_role("button", name="张德福").click()
    phone.get_by_label("民情日记").fill("点了两次保存")
    phone.get_by_role("button", name="保存").dblclick()
    phone.get_by_role("heading", name="我的联系户").wait_for()
    pending(phone, 1)
    assert queued(phone) == 1
    phone.context.set_offline(False)
    pending(phone, 0)
    expect(phone.locator("#notice")).to_contain_text("已发送1条")
    assert served.visits() == 1


@needs_chromium
def test_an_expired_login_never_throws_away_a_form_being_filled_in(phone, served, clock):
    """The login runs out while the cadre is typing: the form stays; saving it keeps the
    visit on the phone and then asks for the password; after the login it is sent."""
    from playwright.sync_api import expect

    log_in(phone)
    phone.get_by_role("button", name="李秀兰").click()
    phone.get_by_label("民情日记").fill("正在写的日记，不能丢")
    clock.advance(hours=9)
    phone.clock.fast_forward("09:00:00")  # the phone's own clock went on too
    phone.get_by_role("button", name="同步", exact=True).click()
    expect(phone.locator("#relogin")).to_be_visible()
    expect(phone.get_by_label("民情日记")).to_have_value("正在写的日记，不能丢")
    phone.get_by_role("button", name="保存").click()
    expect(phone.locator("#notice")).to_have_text("已保存在本机：点“重新登录”后发送")
    assert queued(phone) == 1 and served.visits() == 0
    phone.locator("#relogin").click()
    log_in(phone)
    pending(phone, 0)
    assert served.visits() == 1


@needs_chromium
def test_a_hung_server_is_given_up_and_a_later_visit_is_still_sent(phone, served):
    """SPEC §17 "never stuck": a send that never answers is given up after 20 s, says so, and
    holds nothing: the next visit and 同步 go through, and nothing is lost or doubled."""
    from playwright.sync_api import expect

    log_in(phone)
    served.hang.set()
    log_visit(phone, "张德福", "入户走访", "问了孩子上学的事")
    expect(phone.locator("#notice")).to_have_text("已保存，正在发送…")
    phone.clock.fast_forward(21_000)  # the phone's timers: 21 seconds later
    expect(phone.locator("#notice")).to_have_text(
        "服务器20秒没有回应：1条记录已保存在本机，稍后自动重试")
    pending(phone, 1)
    served.hang.clear()
    served.released.set()
    log_visit(phone, "李秀兰", "民情恳谈", "想学种植技术")
    pending(phone, 0)
    assert served.visits() == 2


@needs_chromium
def test_a_failure_with_nothing_waiting_does_not_say_something_is_kept(phone, served):
    from playwright.sync_api import expect

    log_in(phone)
    phone.route("**/api/v1/sync*", lambda route: route.fulfill(status=503, body="busy"))
    phone.get_by_role("button", name="同步", exact=True).click()
    expect(phone.locator("#notice")).to_have_text("服务器正忙，稍后自动重试")


@needs_chromium
def test_choosing_a_phone_call_says_before_saving_that_it_is_not_direct_contact(phone, served):
    from playwright.sync_api import expect

    log_in(phone)
    phone.get_by_role("button", name="张德福").click()
    hint = phone.locator("#kind-hint")
    expect(hint).to_have_text("")
    phone.get_by_label("走访方式").select_option(label="电话联系")
    expect(hint).to_have_text("电话联系不算直接联系：本月的直接走访仍需入户或当面见到群众。")
    phone.get_by_label("走访方式").select_option(label="入户走访")
    expect(hint).to_have_text("")


@pytest.mark.parametrize("phone_off, words", [(timedelta(days=1), "约24小时（手机快）"),
                                              (-timedelta(days=8), "约8天（手机慢）")])
@needs_chromium
def test_a_phone_whose_clock_is_wrong_is_told_and_the_visit_takes_the_servers_time(
        browser, served, clock, phone_off, words):
    """SPEC §17 "the phone's clock": a day ahead (the visit would be refused as in the future)
    or eight days behind (it would be misdated and flagged as entered late), the cadre is
    warned, and the visit's default time is the server's."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.clock.install(time=clock.now() + phone_off)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{served.url}/field/")
        log_in(page)
        warning = page.locator("#clock")
        expect(warning).to_have_text(
            f"手机时间与服务器相差{words}：走访时间按服务器时间填写，请把手机时间调准。")
        log_visit(page, "张德福", "入户走访", "问了今年的收成")
        pending(page, 0)
        with Session(served.engine) as session:
            visit = session.scalars(select(Visit)).one()
        assert abs(visit.visited_at - clock.now()) < timedelta(minutes=5)
        assert not visit.flag_late_entry
    finally:
        context.close()


@needs_chromium
def test_location_is_waited_for_five_seconds_at_most_and_said(phone, served):
    """SPEC §17: 附带当前位置 waits at most 5 s for a fix, shows that it waits, and saves without
    one, saying so; with a fix, the visit carries it."""
    from playwright.sync_api import expect

    log_in(phone)
    # A fix that never comes: the phone's location service is asked and says nothing.
    phone.evaluate("""() => { navigator.geolocation.getCurrentPosition = () => {}; }""")
    phone.get_by_role("button", name="张德福").click()
    phone.get_by_label("民情日记").fill("在地里见到的")
    phone.get_by_label("附带当前位置").check()
    phone.get_by_role("button", name="保存").click()
    expect(phone.locator("#locating")).to_have_text("正在获取位置（最多等5秒）…")
    assert queued(phone) == 0  # still waiting: nothing saved yet
    phone.clock.fast_forward(5_500)
    phone.get_by_role("heading", name="我的联系户").wait_for()
    pending(phone, 0)
    with Session(served.engine) as session:
        visit = session.scalars(select(Visit)).one()
    assert visit.latitude is None

    # With a fix, the visit carries it.
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 35.6, "longitude": 104.1, "accuracy": 20})
    phone.reload()
    phone.get_by_role("button", name="李秀兰").click()
    phone.get_by_label("民情日记").fill("在家门口")
    phone.get_by_label("附带当前位置").check()
    phone.get_by_role("button", name="保存").click()
    phone.get_by_role("heading", name="我的联系户").wait_for()
    pending(phone, 0)
    with Session(served.engine) as session:
        located = session.scalars(select(Visit).where(
            Visit.household_id == served.household_ids[1])).one()
    assert round(located.latitude, 1) == 35.6 and located.accuracy_m == 20


@needs_chromium
def test_the_month_at_a_glance_says_who_is_still_to_visit(phone, served):
    """SPEC §17: a month in which the cadre visits one of two households directly — the list
    says 1/2 and names the other; a phone call does not count; it works offline from the
    outbox, and after sending from what /sync brought back."""
    from playwright.sync_api import expect

    log_in(phone)
    month = phone.locator("#month")
    expect(month).to_have_text("本月已直接走访 0/2户，还没走访：李秀兰、张德福")
    phone.context.set_offline(True)
    log_visit(phone, "李秀兰", "电话联系", "电话里问了身体")
    expect(month).to_have_text("本月已直接走访 0/2户，还没走访：李秀兰、张德福")
    log_visit(phone, "张德福", "入户走访", "看了新盖的牛棚")
    expect(month).to_have_text("本月已直接走访 1/2户，还没走访：李秀兰")
    zhang = phone.get_by_role("button", name="张德福")
    expect(zhang).to_contain_text("本月直接走访1次")
    expect(phone.get_by_role("button", name="李秀兰")).to_contain_text("本月还没有直接走访")
    phone.context.set_offline(False)
    pending(phone, 0)
    phone.reload()  # from what /sync brought: the visits are the server's now
    phone.get_by_role("heading", name="我的联系户").wait_for()
    expect(month).to_have_text("本月已直接走访 1/2户，还没走访：李秀兰")
    expect(zhang).to_contain_text("本月直接走访1次")
    shot(phone, "7-month-at-a-glance")


@needs_chromium
def test_a_households_page_has_its_history_and_its_phone_one_tap_away(phone, served):
    """SPEC §17: the cadre's own visits to the household, newest first, kept for reading
    offline (the waiting ones said), and the household's phone as a tel: link."""
    from playwright.sync_api import expect

    with Session(served.engine) as session:
        from service.households.models import Household

        session.get(Household, served.household_ids[0]).phone = "13912345678"
        session.commit()
    log_in(phone)
    log_visit(phone, "张德福", "入户走访", "看了新盖的牛棚")
    pending(phone, 0)
    phone.context.set_offline(True)
    log_visit(phone, "张德福", "电话联系", "电话里问了饲料")
    phone.get_by_role("button", name="张德福").click()
    history = phone.locator("#history li")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("电话联系（不算直接联系） · 待发送")
    expect(history.nth(1)).to_contain_text("看了新盖的牛棚")
    expect(phone.get_by_role("link", name="拨打电话 13912345678")).to_have_attribute(
        "href", "tel:13912345678")


@needs_chromium
def test_an_expired_login_offline_still_records_and_sends_after_the_password(
        phone, served, clock):
    """SPEC §17 "offline after expiry": the login has run out and the phone has no signal; the
    app opens, lists the households and keeps three visits; back online it asks for the
    password only to send them, and a cadre at the login screen may go back to recording."""
    from playwright.sync_api import expect

    log_in(phone)
    offline_ready(phone)
    clock.advance(hours=9)
    phone.clock.fast_forward("09:00:00")
    phone.context.set_offline(True)
    phone.reload()  # the app opens with no signal and an expired login
    phone.get_by_role("heading", name="我的联系户").wait_for()
    log_visit(phone, "张德福", "入户走访", "一")
    log_visit(phone, "李秀兰", "民情恳谈", "二")
    log_visit(phone, "张德福", "同劳动", "三")
    pending(phone, 3)
    phone.context.set_offline(False)  # back online, the app tries to send and is told
    expect(phone.locator("#notice")).to_have_text(KEEP_RECORDING)
    phone.get_by_role("button", name="同步", exact=True).click()  # asks for the password
    expect(phone.get_by_role("alert")).to_contain_text("登录已过期")
    phone.get_by_role("button", name="返回，继续记走访").click()  # not now: back to work
    expect(phone.get_by_role("heading", name="我的联系户")).to_be_visible()
    pending(phone, 3)
    assert served.visits() == 0
    phone.locator("#relogin").click()
    log_in(phone)
    pending(phone, 0)
    assert served.visits() == 3
