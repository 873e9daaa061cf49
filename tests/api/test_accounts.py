"""Accounts through HTTP: the password policy on create and change, logging out everywhere,
and a cadre's login following its cadre to another unit.

The `world` fixture: unit A holds village a, unit B holds village b; cadres a1, a2 in A and b1
in B; cadre a2 links no household (so it may move)."""

import pytest
from sqlalchemy import select

from service.audit.models import AuditEvent
from tests import factories
from tests.factories import PASSWORD

API = "/api/v1"
LOGIN = f"{API}/auth/login"
LOGOUT = f"{API}/auth/logout"


def _refused_password(response) -> list[str]:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "validation_failed"
    return response.json["errors"]["password"]


# --- the password policy ------------------------------------------------------------------


@pytest.mark.parametrize("password, says", [
    (" " * 10, "不能只有空格"),
    ("8472951036", "两类字符"),
    ("zqxjvkwpmhty", "两类字符"),
    ("my-clerk-secret", "用户名"),
    ("Password2026!", "最常见的密码"),
    ("short-1", "10–128 个字符"),
])
def test_a_new_account_with_a_weak_password_is_422(admin, password, says):
    response = admin.post(f"{API}/users", json={"username": "clerk", "password": password,
                                                 "role": "inspector"})
    assert says in " ".join(_refused_password(response))


def test_every_problem_is_named_at_once(admin):
    response = admin.post(f"{API}/users", json={"username": "clerk", "password": "clerk12345",
                                                 "role": "unit_admin"})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"password", "unit_id"}
    assert "用户名" in " ".join(response.json["errors"]["password"])


@pytest.mark.parametrize("password", ["demo-pass-2026", "correct-horse-battery",
                                      "县委组织部联户2026"])
def test_a_good_password_opens_the_account(admin, anonymous, password):
    created = admin.post(f"{API}/users", json={"username": "clerk", "password": password,
                                                "role": "inspector"})
    assert created.status_code == 201, created.json
    assert anonymous.post(LOGIN, json={"username": "clerk", "password": password}
                          ).status_code == 200


def test_a_password_change_to_a_weak_one_is_422_and_changes_nothing(world, admin, anonymous):
    user = world.users["cadre"]
    response = admin.patch(f"{API}/users/{user.id}", json={"password": "qwertyuiop1"})
    assert "最常见的密码" in " ".join(_refused_password(response))
    response = admin.patch(f"{API}/users/{user.id}", json={"password": f"x-{user.username}-1"})
    assert "用户名" in " ".join(_refused_password(response))
    assert anonymous.post(LOGIN, json={"username": user.username, "password": PASSWORD}
                          ).status_code == 200


# --- logout -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["county_admin", "unit_admin", "cadre", "inspector"])
def test_logout_revokes_every_token_of_the_account(world, client, anonymous, session, role):
    username = world.users[role].username
    tokens = [anonymous.post(LOGIN, json={"username": username, "password": PASSWORD}
                             ).json["access_token"] for _ in range(2)]  # two devices
    phone, office = ({"Authorization": f"Bearer {t}"} for t in tokens)
    assert client.get(f"{API}/me", headers=office).status_code == 200
    out = client.post(LOGOUT, headers=phone)
    assert out.status_code == 204 and out.get_data() == b""
    for headers in (phone, office):
        revoked = client.get(f"{API}/me", headers=headers)
        assert revoked.status_code == 401 and revoked.json["code"] == "unauthenticated"
    assert client.post(LOGOUT, headers=phone).status_code == 401
    # a fresh login works
    fresh = anonymous.post(LOGIN, json={"username": username, "password": PASSWORD})
    assert fresh.status_code == 200
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {fresh.json['access_token']}"})
    assert me.status_code == 200 and me.json["username"] == username
    # and the logout is on the audit trail, by the account itself
    session.expire_all()
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == "user", AuditEvent.record_id == str(world.users[role].id),
        AuditEvent.action == "update")).one()
    assert event.user_id == world.users[role].id and "token_version" in event.changes


def test_logout_needs_a_token(anonymous):
    response = anonymous.post(LOGOUT)
    assert response.status_code == 401 and response.json["code"] == "unauthenticated"


# --- a cadre's login follows its cadre ------------------------------------------------------


def test_a_cadres_login_follows_the_cadre_to_its_new_unit(world, session, admin, login_as):
    a2, unit_a, unit_b = world.cadres["a2"], world.units["a"], world.units["b"]
    account = factories.user(session, "cadre", cadre_=a2)
    session.commit()
    cadre = login_as(account)
    assert cadre.get(f"{API}/me").json["unit_id"] == unit_a.id
    held = cadre.get(f"{API}/village-assignments").json["items"]
    assert {a["unit_id"] for a in held} == {unit_a.id}

    moved = admin.patch(f"{API}/cadres/{a2.id}", json={"unit_id": unit_b.id})
    assert moved.status_code == 200, moved.json

    # The same token: the account's unit is read with the token check, from the cadre.
    assert cadre.get(f"{API}/me").json["unit_id"] == unit_b.id
    held = cadre.get(f"{API}/village-assignments").json["items"]
    assert {a["unit_id"] for a in held} == {unit_b.id}
    assert {a["village_id"] for a in held} == {world.villages["b"].id}
    assert admin.get(f"{API}/users/{account.id}").json["unit_id"] == unit_b.id
    listed = admin.get(f"{API}/users", query_string={"role": "cadre"}).json["items"]
    assert {u["unit_id"] for u in listed if u["id"] == account.id} == {unit_b.id}
    # The account can still be edited: its unit is taken from the cadre, not the stale copy.
    changed = admin.patch(f"{API}/users/{account.id}", json={"password": "a-new-secret-2026"})
    assert changed.status_code == 200, changed.json
    assert changed.json["unit_id"] == unit_b.id
