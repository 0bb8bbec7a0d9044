"""Passwords: argon2id with the library's recommended parameters, and the length policy."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from careapp.auth.models import Role
from careapp.auth.passwords import hash_password, password_problem, verify_password
from careapp.auth.services import AccountError, upsert_user


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
