"""Passwords: argon2id with the library's recommended parameters, and the policy: long enough,
not common or simple, not the person's name or address."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from careapp.auth.models import Role
from careapp.auth.passwords import hash_password, password_problem, verify_password
from careapp.auth.services import AccountError, upsert_user
from tests import factories


@pytest.mark.real_hashing
def test_production_hashes_are_argon2id_with_recommended_parameters() -> None:
    hashed = hash_password("une phrase de passe assez longue")
    assert hashed.startswith("$argon2id$")
    recommended = PasswordHasher()
    assert f"m={recommended.memory_cost},t={recommended.time_cost},p={recommended.parallelism}" in hashed
    assert verify_password(hashed, "une phrase de passe assez longue")
    assert not verify_password(hashed, "une autre phrase de passe")
    assert not verify_password(None, "une phrase de passe assez longue")
    assert not verify_password("pas un hash", "x")


def test_administrators_need_sixteen_characters(app) -> None:  # noqa: ANN001
    with pytest.raises(AccountError, match="au moins 16 caractères"):
        upsert_user("admin@test.fr", "Admin", Role.ADMIN, "quinze-caracter")
    assert upsert_user("admin@test.fr", "Admin", Role.ADMIN, "seize-caracteres").role is Role.ADMIN


def test_password_policy() -> None:
    assert password_problem("onze-carac") == "Le mot de passe doit compter au moins 12 caractères."
    assert password_problem("douze-caract") is None
    assert password_problem("quinze-caracter", min_length=16)


# -- common or easy passwords (ANSSI 2021: refuse what attackers try first) ----------------------

@pytest.mark.parametrize("password", [
    "aaaaaaaaaaaa", "abcdefghijkl", "123456789012", "azertyuiopqs", "Password1234",
    "motdepasse2026", "Azerty123456", "soleil123456", "qwertyuiop12", "abcabcabcabc",
])
def test_common_or_simple_passwords_are_refused_with_the_reason(password: str) -> None:
    problem = password_problem(password)
    assert problem is not None and problem.startswith("Mot de passe trop facile à deviner : il ")
    assert "Préférez une phrase de plusieurs mots peu courants." in problem


def test_the_reason_names_what_makes_the_password_easy() -> None:
    assert "répète" in password_problem("aaaaaaaaaaaa")
    assert "suite" in password_problem("abcdefghijkl")
    assert "mots de passe les plus courants" in password_problem("motdepasse2026")


@pytest.mark.parametrize("password", [
    "CaRE-demo-2026-essai",  # the demo accounts' password (careapp/demo.py)
    "correct-horse-battery-staple",  # tests/factories.py
    "une nouvelle phrase longue", "un tout nouveau mot de passe", "douze-caract",
])
def test_long_unusual_passwords_pass(password: str) -> None:
    assert password_problem(password) is None


def test_the_persons_name_or_address_is_refused() -> None:
    mine = ("Hélène Dupont", "h.dupont@chu-rennes.fr")
    for password in ("dupont-et-les-cyber-lapins", "Helene est une grande cavaliere",
                     "h.dupont et ses cavaliers"):
        assert password_problem(password, user_inputs=mine) == (
            "Le mot de passe ne doit contenir ni votre nom ni votre adresse électronique.")
    # the organisation's domain is not the person's: chu-rennes may appear
    assert password_problem("chu-rennes, pavillon des cavaliers", user_inputs=mine) is None
    assert password_problem("dupont-et-les-cyber-lapins") is None  # someone else's name


def test_very_long_passwords_are_judged_quickly_on_their_beginning() -> None:
    assert password_problem("correct-horse-battery-staple " * 8) is None
    assert password_problem("a" * 200) is not None


def test_the_policy_applies_to_accounts_and_password_changes(app, browser) -> None:  # noqa: ANN001
    from tests.world import login, make_world

    with pytest.raises(AccountError, match="trop facile à deviner"):
        upsert_user("rssi.x@test.fr", "RSSI X", Role.NATIONAL, "aaaaaaaaaaaaaaaa")
    with pytest.raises(AccountError, match="ni votre nom"):
        upsert_user("martin@test.fr", "Camille Martin", Role.NATIONAL, "martin-et-ses-huit-chats")
    world = make_world()
    login(browser, world, "editor")
    url = "/compte/mot-de-passe"
    for new, reason in (("aaaaaaaaaaaaaaaa", "trop facile à deviner : il répète"),
                        ("rssi et la grande maison", "ni votre nom")):
        page = browser.post(url, {"current": factories.PASSWORD, "new": new, "confirm": new},
                            page=url, follow_redirects=True).get_data(as_text=True)
        assert reason in page
    assert browser.login("rssi@test.fr", factories.PASSWORD).status_code == 302  # unchanged
