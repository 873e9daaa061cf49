"""The field client's files as the service serves them (SPEC §12): the page, its modules and
the service worker from the package, each with its media type, revalidated (no-cache + ETag,
304 when unchanged), the page under a policy that runs only its own scripts and calls only
this service; the service worker stamped with a version made from the files; nothing else
under /field/. The app's words match the service's, and its shell keeps within the budget
(issue 16: 150 KB of HTML, JS and CSS)."""

import re

import pytest

from service import field
from service.web import FIELD_POLICY

MEDIA = {"html": "text/html", "js": "text/javascript", "css": "text/css",
         "webmanifest": "application/manifest+json", "svg": "image/svg+xml"}


def test_the_page_is_served_under_the_field_policy(client):
    response = client.get("/field/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == FIELD_POLICY
    assert "'unsafe-inline'" not in FIELD_POLICY and "script-src 'self';" in FIELD_POLICY
    assert 'src="/field/app.js"' in response.get_data(as_text=True)
    assert client.get("/field").headers["Location"] == "/field/"


@pytest.mark.parametrize("name", sorted(field.FILES))
def test_every_file_has_its_type_and_is_revalidated(client, name):
    response = client.get(f"/field/{name}")
    assert response.status_code == 200
    assert response.mimetype == MEDIA[name.rsplit(".", 1)[1]]
    assert response.headers["Cache-Control"] == "no-cache"
    again = client.get(f"/field/{name}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_the_service_worker_carries_the_apps_version(client):
    response = client.get("/field/sw.js")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/field/"
    assert f"const VERSION = '{field.version()}';" in body and "__VERSION__" not in body
    # It keeps every file of the app, and only those.
    kept = re.search(r"const SHELL = \[(.*?)\];", body, re.S).group(1)
    assert sorted(re.findall(r"'(/field/[^']*)'", kept)) == sorted(
        ["/field/"] + [f"/field/{n}" for n in field.FILES if n != "index.html"])


@pytest.mark.parametrize("path", ["/field/nothing.js", "/field/__init__.py", "/field/..%2Fapi.py",
                                  "/field/static", "/field/" + "a" * 41])
def test_nothing_else_is_served(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_the_app_takes_its_labels_from_the_service():
    """SPEC §15: the one table, GET /api/v1/labels, kept for offline use; no table of its own
    (tests/unit/test_labels.py looks for one)."""
    assert "`${API}/labels`" in field.read("outbox.js").decode()
    assert "words.js" not in field.FILES


def test_every_label_the_spec_names_is_on_a_screen():
    """SPEC §12 names the fields and buttons a cadre sees; tests and screen readers find
    them by these words."""
    script = field.read("app.js").decode()
    for words in ("'用户名'", "'密码'", "'登录'", "'走访方式'", "'走访时间'", "'民情日记'",
                  "'帮扶情况'", "'连心卡编码'", "'保存'", "`待同步 ${count}`", "'同步'",
                  "'诉求类别'", "'诉求内容'", "'扫码'"):
        assert words in script, words


def test_the_app_shell_keeps_within_its_budget():
    """HTML, JS and CSS the phone fetches on its first visit: at most 150 KB uncompressed."""
    assert sum(len(field.read(name)) for name in field.SHELL) <= 150 * 1024
