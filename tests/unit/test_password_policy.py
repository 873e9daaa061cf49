"""What a password must be (service/users/rules.py): plain Python, no database."""

import pytest

from service.users.rules import common_passwords, password_problems

GOOD = ["demo-pass-2026",  # the demo county's logins (serve-demo, demo-data)
        "correct-horse-battery", "Tea at 7 in Huguan", "县委组织部联户2026", "xK9#mQ2$vL"]


@pytest.mark.parametrize("password", GOOD)
def test_good_passwords_pass(password):
    assert password_problems(password, "admin") == []


@pytest.mark.parametrize("username", ["admin", "unit1", "cadre1", "inspector"])
def test_the_demo_password_passes_for_every_demo_login(username):
    assert password_problems("demo-pass-2026", username) == []


def _says(password, username="someone"):
    return " ".join(password_problems(password, username))


@pytest.mark.parametrize("password", ["short-1", "x" * 8 + "1", "Ab1-" * 32 + "x"])
def test_length_is_10_to_128_characters(password):
    assert "10–128 characters" in _says(password)


def test_128_characters_are_allowed():
    assert password_problems("Ab1-" * 32, "someone") == []


@pytest.mark.parametrize("password", [" " * 10, "\t" * 12, " \u3000" * 6])
def test_only_whitespace_is_refused(password):
    assert "only spaces" in _says(password)


@pytest.mark.parametrize("password", ["8472951036", "zqxjvkwpmhty", "ZQXJVKWPMHTY",
                                      "!@#$%^&*()_+"])
def test_one_kind_of_character_is_refused(password):
    assert "two kinds of character" in _says(password)


@pytest.mark.parametrize("password", ["zqxjvkwpmh7", "ZQXJVKwpmh", "zqxj-vkwpm",
                                      "帮扶联系卡片2026"])
def test_two_kinds_of_character_are_enough(password):
    assert password_problems(password, "someone") == []


def test_a_passphrase_in_chinese_is_enough_alone():
    """Each character is one of thousands: NIST SP 800-63B asks for no composition rule."""
    assert password_problems("乡村振兴帮扶联系卡片", "someone") == []


@pytest.mark.parametrize("password, username", [
    ("Wang.Jianguo-2026", "wang.jianguo"), ("my-ADMIN-pass1", "admin"),
    ("unit1unit1unit1", "UNIT1")])
def test_a_password_containing_the_username_is_refused(password, username):
    assert "username" in _says(password, username)


@pytest.mark.parametrize("password", ["Password123", "qwertyuiop1", "1234567890",
                                      "iloveyou2026!", "!!Sunshine2026", "1qaz2wsx3edc"])
def test_common_passwords_and_their_decorations_are_refused(password):
    assert "most common passwords" in _says(password)


def test_the_common_list_is_shipped_lowercased_and_large():
    common = common_passwords()
    assert len(common) > 19_000
    assert "password" in common and "qwertyuiop" in common
    assert all(p == p.lower() for p in common)


def test_every_problem_is_listed_at_once():
    problems = password_problems("admin", "admin")
    assert len(problems) == 4  # too short, one kind, the username, and common
    assert len(password_problems("admin12345", "admin")) >= 2
