"""The office console's files (SPEC §16) are served from the package at /office/: its page
with a policy that runs only its own scripts, its modules, the vendored lit-html with its
license recorded; nothing else under /office/."""

from pathlib import Path

from service.office import FILES

STATIC = Path(__file__).resolve().parents[2] / "service" / "office" / "static"


def test_the_page_and_every_file_are_served_with_their_types(anonymous):
    page = anonymous.get("/office/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "connect-src 'self'" in policy
    assert "unsafe-inline" not in policy
    for name, media_type in FILES.items():
        answer = anonymous.get(f"/office/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["Content-Type"] == media_type
        again = anonymous.get(f"/office/{name}", headers={"If-None-Match": answer.headers["ETag"]})
        assert again.status_code == 304


def test_the_address_without_its_slash_moves_and_nothing_else_is_served(anonymous):
    assert anonymous.get("/office").status_code == 308
    for name in ("vendor/VERSIONS", "vendor/lit-html.LICENSE", "../app.py", "nope.js",
                 "vendor/../app.js", "%00.js"):
        assert anonymous.get(f"/office/{name}").status_code in (404, 422), name


def test_the_vendored_library_says_its_version_and_license():
    assert "lit-html 3.3.3 (BSD-3-Clause)" in (STATIC / "vendor" / "VERSIONS").read_text()
    assert "Google LLC" in (STATIC / "vendor" / "lit-html.LICENSE").read_text()
    module = (STATIC / "vendor" / "lit-html.js").read_text()
    assert "SPDX-License-Identifier: BSD-3-Clause" in module


def test_the_console_keeps_no_translation_table():
    """Labels and messages come from the server (SPEC §15): no code → Chinese map in the
    console (a code as a key whose value is Chinese words, quoted or not)."""
    import re

    source = "".join((STATIC / name).read_text() for name in FILES if name.endswith(".js")
                     and not name.startswith("vendor/"))
    for code in ("hardest", "county_admin", "low_income", "home_visit", "overdue", "published",
                 "school_dropout", "phone", "resolved"):
        mapped = re.compile(rf"""["']?\b{code}["']?\s*:\s*["'`][^"'`]*[\u4e00-\u9fff]""")
        assert not mapped.search(source), code
    # The check finds such a table where there is one.
    assert re.compile(r"""["']?\bhardest["']?\s*:\s*["'`][^"'`]*[\u4e00-\u9fff]""").search(
        'const words = { hardest: "难度最大" };')
