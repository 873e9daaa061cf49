"""Rules are plain Python: no Flask, no SQLAlchemy, and they decide correctly."""

import ast
import pathlib
from datetime import date

import pytest

from service.cadres.rules import household_quota
from service.households.rules import (
    id_check_char,
    id_number_problem,
    mask_id_number,
    mask_phone,
)
from service.users.rules import role_link_problems

TODAY = date(2026, 11, 23)
SERVICE_DIR = pathlib.Path(__file__).resolve().parents[2] / "service"
RULE_FILES = sorted(SERVICE_DIR.rglob("rules.py"))


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.parent.name)
def test_rule_modules_import_neither_flask_nor_sqlalchemy(path):
    tree = ast.parse(path.read_text())
    imported = {n.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for n in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"flask", "sqlalchemy", "flask_smorest"}


def test_rule_files_exist():
    assert len(RULE_FILES) >= 3


@pytest.mark.parametrize("rank, quota", [("county_level", 2), ("section_chief", 2),
                                         ("deputy_section_chief", 2), ("general", 1)])
def test_quota_follows_rank(rank, quota):
    assert household_quota(rank) == quota


def test_unknown_rank_has_no_quota():
    with pytest.raises(ValueError):
        household_quota("mayor")


def test_published_example_id_number_is_valid():
    # The GB 11643 worked example: 11010519491231002X.
    assert id_check_char("11010519491231002") == "X"
    assert id_number_problem("11010519491231002X", TODAY) is None


@pytest.mark.parametrize("value, reason", [
    ("11010519491231002Y", "digit or X"),
    ("110105194912310021", "check digit"),
    ("110105198002300011", "not a real date"),
    ("1101051949123100", "digit or X"),
    ("110105203001010011", "out of range"),
])
def test_bad_id_numbers_are_explained(value, reason):
    assert reason in id_number_problem(value, TODAY)


def test_masks_keep_only_prefix_and_suffix():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_phone("13912345678") == "139****5678"


@pytest.mark.parametrize("role, unit, cadre, field", [
    ("unit_admin", None, None, "unit_id"),
    ("cadre", None, None, "cadre_id"),
    ("inspector", 1, None, "unit_id"),
    ("county_admin", None, 3, "cadre_id"),
])
def test_roles_need_their_links(role, unit, cadre, field):
    assert field in role_link_problems(role, unit, cadre)


def test_consistent_links_have_no_problems():
    assert role_link_problems("cadre", None, 3) == {}
    assert role_link_problems("unit_admin", 2, None) == {}


def test_rule_modules_load_without_flask_or_sqlalchemy():
    import subprocess
    import sys

    modules = [f"service.{p.parent.name}.rules" for p in RULE_FILES]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=SERVICE_DIR.parent, check=True).stdout.strip()
    assert out == "[]"



def test_days_overdue_counts_whole_days_past_the_limit():
    from datetime import UTC, date, datetime, timedelta

    from service.demands import rules as demand_rules
    from service.tasks import rules as task_rules

    today = date(2026, 12, 7)
    assert task_rules.days_overdue("open", False, date(2026, 12, 6), today) == 1
    assert task_rules.days_overdue("open", False, today, today) is None
    assert task_rules.days_overdue("done", False, date(2026, 11, 1), today) is None
    assert task_rules.days_overdue("open", True, date(2026, 11, 1), today) is None
    now = datetime(2026, 12, 7, 10, tzinfo=UTC)
    raised = now - timedelta(days=15, minutes=1)
    assert demand_rules.days_overdue("open", raised, now, 15, UTC) == 1  # ran out today
    assert demand_rules.days_overdue("open", now - timedelta(days=16), now, 15, UTC) == 1
    assert demand_rules.days_overdue("open", now - timedelta(days=17, hours=1), now, 15,
                                     UTC) == 2
    assert demand_rules.days_overdue("open", now - timedelta(days=15), now, 15, UTC) is None
    assert demand_rules.days_overdue("resolved", now - timedelta(days=40), now, 15,
                                     UTC) is None
