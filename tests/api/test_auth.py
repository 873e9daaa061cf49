"""Login, bearer tokens, failed-login limits and revocation."""

import pytest

from tests.factories import PASSWORD

LOGIN = "/api/v1/auth/login"


def _login(api, username, password=PASSWORD):
    return api.post(LOGIN, json={"username": username, "password": password})


def test_login_returns_an_expiring_bearer_token_that_opens_me(world, anonymous, client):
    user = world.users["unit_admin"]
    body = _login(anonymous, user.username).json
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json["username"] == user.username and me.json["unit_id"] == world.units["a"].id
    assert "password" not in me.text and "password_hash" not in me.text


def test_wrong_password_and_unknown_user_get_the_same_401(world, anonymous):
    wrong = _login(anonymous, world.users["cadre"].username, "not-the-password")
    unknown = _login(anonymous, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["code"] == unknown.json["code"] == "unauthenticated"
    assert wrong.json["detail"] == unknown.json["detail"]
    assert wrong.mimetype == "application/problem+json"


def test_me_without_a_token_is_401(anonymous):
    response = anonymous.get("/api/v1/me")
    assert response.status_code == 401 and response.json["code"] == "unauthenticated"


def test_five_failures_for_a_username_from_one_address_refuse_that_pair_only(world, client):
    username = world.users["inspector"].username
    here, elsewhere = {"REMOTE_ADDR": "192.0.2.1"}, {"REMOTE_ADDR": "192.0.2.2"}
    for _ in range(5):
        assert client.post(LOGIN, json={"username": username, "password": "bad-password!"},
                           environ_base=here).status_code == 401
    refused = client.post(LOGIN, json={"username": username, "password": PASSWORD},
                          environ_base=here)  # from here even the right password waits
    assert refused.status_code == 429 and refused.json["code"] == "too_many_attempts"
    assert 1 <= int(refused.headers["Retry-After"]) <= 15 * 60
    # the owner, elsewhere, is not locked out; another account from here is not concerned
    assert client.post(LOGIN, json={"username": username, "password": PASSWORD},
                       environ_base=elsewhere).status_code == 200
    assert client.post(LOGIN, json={"username": world.users["cadre"].username,
                                    "password": PASSWORD}, environ_base=here).status_code == 200


def test_many_failures_from_one_client_are_refused(world, anonymous):
    for i in range(50):
        assert _login(anonymous, f"guess{i}", "bad-password!").status_code == 401
    refused = _login(anonymous, world.users["cadre"].username)
    assert refused.status_code == 429 and refused.json["code"] == "too_many_attempts"
    assert int(refused.headers["Retry-After"]) >= 1


def test_successful_logins_are_not_counted_as_failures(world, anonymous):
    username = world.users["cadre"].username
    for _ in range(8):
        assert _login(anonymous, username).status_code == 200


@pytest.mark.parametrize("change", [{"active": False}, {"password": "a-brand-new-password"}])
def test_deactivation_or_password_change_revokes_existing_tokens(world, admin, login_as, change):
    victim = world.users["unit_admin"]
    api = login_as(victim)
    assert api.get("/api/v1/me").status_code == 200
    assert admin.patch(f"/api/v1/users/{victim.id}", json=change).status_code == 200
    revoked = api.get("/api/v1/me")
    assert revoked.status_code == 401 and revoked.json["code"] == "unauthenticated"


def test_inactive_user_cannot_log_in(world, admin, anonymous):
    victim = world.users["inspector"]
    admin.patch(f"/api/v1/users/{victim.id}", json={"active": False})
    assert _login(anonymous, victim.username).status_code == 401


def test_new_password_works_and_old_one_does_not(world, admin, anonymous):
    user = world.users["cadre"]
    admin.patch(f"/api/v1/users/{user.id}", json={"password": "another-good-password"})
    assert _login(anonymous, user.username).status_code == 401
    assert _login(anonymous, user.username, "another-good-password").status_code == 200


def test_stored_password_is_an_argon2_hash(world, admin, session):
    from service.users.models import User

    created = admin.post("/api/v1/users", json={"username": "clerk", "password": "stored-secret-1",
                                                "role": "inspector"})
    assert created.status_code == 201
    stored = session.get(User, created.json["id"]).password_hash
    assert stored.startswith("$argon2id$") and "stored-secret-1" not in stored


@pytest.mark.parametrize("body, field", [
    ({"role": "unit_admin"}, "unit_id"),
    ({"role": "cadre"}, "cadre_id"),
    ({"role": "inspector", "unit_id": 1}, "unit_id"),
    ({"role": "county_admin", "password": "short"}, "password"),
    ({"role": "county_admin", "username": "no spaces"}, "username"),
    ({"role": "superuser"}, "role"),
])
def test_accounts_with_inconsistent_fields_are_refused(admin, body, field):
    payload = {"username": "newuser", "password": "long-enough-pw", **body}
    response = admin.post("/api/v1/users", json=payload)
    assert response.status_code == 422 and field in response.json["errors"]


def test_cadre_account_takes_its_unit_from_the_cadre(world, admin):
    cadre = world.cadres["b1"]
    body = admin.post("/api/v1/users", json={"username": "b1user", "password": "long-enough-pw",
                                             "role": "cadre", "cadre_id": cadre.id}).json
    assert body["unit_id"] == world.units["b"].id


def test_duplicate_username_is_409(world, admin):
    response = admin.post("/api/v1/users", json={
        "username": world.users["cadre"].username, "password": "long-enough-pw",
        "role": "inspector"})
    assert response.status_code == 409 and response.json["errors"] == {
        "username": ["已存在"]}
