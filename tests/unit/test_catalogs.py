"""The message catalogs (SPEC §15 "Chinese first"): every message the code marks has its
translation, each translation names the values its message names, and the compiled .mo files
the package ships are the .po files as they stand (babel.cfg says how to update them)."""

import io
import pathlib
import re
import tomllib

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = pathlib.Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "service" / "translations"
LOCALES = ("zh", "en")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _code_messages() -> set[str]:
    """Every msgid the code marks, found as `pybabel extract -F babel.cfg` finds them."""
    found = extract_from_dir(ROOT / "service", method_map=[("**.py", "python")],
                             keywords={"_": None, "N_": None}, comment_tags=())
    return {message if isinstance(message, str) else message[0]
            for _file, _line, message, _comments, _context in found}


def _catalog(locale: str):
    with open(CATALOGS / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po)


def _needs(locale: str, msgid: str) -> bool:
    """English messages need Chinese; Chinese labels need English."""
    return bool(CHINESE.search(msgid)) == (locale == "en")


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_of_the_code_has_its_translation(locale):
    catalog = _catalog(locale)
    wanted = {m for m in _code_messages() if _needs(locale, m)}
    assert len(wanted) > (200 if locale == "zh" else 0)
    missing = sorted(m for m in wanted if m not in catalog or not catalog[m].string
                     or catalog[m].fuzzy)
    assert missing == [], "translate these (babel.cfg says how)"


@pytest.mark.parametrize("locale", LOCALES)
def test_a_catalog_holds_only_what_the_code_says(locale):
    stale = sorted({m.id for m in _catalog(locale) if m.id} - _code_messages())
    assert stale == [], "pybabel update --ignore-obsolete drops these"


@pytest.mark.parametrize("locale", LOCALES)
def test_a_translation_names_the_values_its_message_names(locale):
    wrong = [m.id for m in _catalog(locale) if m.id and m.string
             and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))]
    assert wrong == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_shipped_mo_is_the_po_compiled(locale):
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(locale))
    shipped = (CATALOGS / locale / "LC_MESSAGES" / "messages.mo").read_bytes()
    assert compiled.getvalue() == shipped, "pybabel compile -d service/translations"


def test_the_wheel_carries_the_compiled_catalogs():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    data = config["tool"]["setuptools"]["package-data"]["service"]
    assert "translations/*/LC_MESSAGES/messages.mo" in data
