"""TOTP keys at rest and codes used once (issue #9, F6 and F11, and the all-digit recovery
code): encrypted in the database, rotated by a command, and never accepted twice, even by two
requests racing on PostgreSQL."""

from __future__ import annotations

import hashlib

import pyotp
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from careapp.auth import mfa
from careapp.auth.models import RecoveryCode, User
from careapp.db import db
from tests import factories
from tests.concurrency import race
from tests.world import make_world


class Refused(Exception):
    pass


def raw_secret(email: str) -> str:
    return db.session.execute(text("SELECT totp_secret FROM users WHERE email = :e"),
                              {"e": email}).scalar_one()


def test_the_database_holds_only_an_encrypted_key(app) -> None:  # noqa: ANN001
    make_world()
    stored = raw_secret("ars53@test.fr")
    assert factories.TOTP_SECRET not in stored and stored.startswith("gAAAA")  # a Fernet token
    assert Fernet(app.config["TOTP_KEYS"][0]).decrypt(stored.encode()).decode() == \
        factories.TOTP_SECRET
    db.session.expire_all()
    assert db.session.scalar(select(User).filter_by(email="ars53@test.fr")).totp_secret == \
        factories.TOTP_SECRET


def test_keys_rotate_without_losing_a_secret(app) -> None:  # noqa: ANN001
    make_world()
    old_key = app.config["TOTP_KEYS"][0]
    new_key = Fernet.generate_key().decode()
    app.config["TOTP_KEYS"] = [new_key, old_key]  # the new key first: it encrypts from now on
    result = app.test_cli_runner().invoke(args=["users", "rotate-totp-keys"])
    assert result.exit_code == 0 and "rechiffrée" in result.output
    stored = raw_secret("ars53@test.fr")
    assert Fernet(new_key).decrypt(stored.encode()).decode() == factories.TOTP_SECRET
    app.config["TOTP_KEYS"] = [new_key]  # the old key can go
    db.session.expire_all()
    assert db.session.scalar(select(User).filter_by(email="ars53@test.fr")).totp_secret == \
        factories.TOTP_SECRET


def test_the_same_code_in_two_racing_requests_passes_once(app) -> None:  # noqa: ANN001
    world = make_world()
    user_id = world.users["ars"].id
    code = pyotp.TOTP(factories.TOTP_SECRET).now()

    def read() -> User:
        return db.session.get(User, user_id)

    def write(_name: str, user: User) -> None:
        if not mfa.verify(user, code):
            raise Refused

    outcomes = race(app, read, write)
    assert sorted(outcomes.values()) in (["Refused", "saved"], ["OperationalError", "saved"])


def test_the_same_recovery_code_in_two_racing_requests_passes_once(app) -> None:  # noqa: ANN001
    world = make_world()
    user_id = world.users["ars"].id
    db.session.add(RecoveryCode(user_id=user_id,
                                code_hash=hashlib.sha256(b"abcdef012345").hexdigest()))
    db.session.commit()

    def read() -> User:
        return db.session.get(User, user_id)

    def write(_name: str, user: User) -> None:
        if not mfa.verify(user, "abcdef-012345"):
            raise Refused

    outcomes = race(app, read, write)
    assert sorted(outcomes.values()) in (["Refused", "saved"], ["OperationalError", "saved"])
    assert db.session.scalar(select(RecoveryCode)).used_at is not None


def test_an_all_digit_recovery_code_still_works(app) -> None:  # noqa: ANN001
    """token_hex gives an all-digit code in about 3.5 % of enrolments: it must work too."""
    world = make_world()
    user = world.users["ars"]
    db.session.add(RecoveryCode(user_id=user.id,
                                code_hash=hashlib.sha256(b"123456789012").hexdigest()))
    db.session.commit()
    assert mfa.verify(user, "123456-789012")
    assert not mfa.verify(user, "123456-789012")  # once


def test_a_code_of_an_earlier_step_is_refused_after_a_later_one(app) -> None:  # noqa: ANN001
    world = make_world()
    user = world.users["ars"]
    totp = pyotp.TOTP(factories.TOTP_SECRET)
    import time

    now = time.time()
    assert mfa.verify(user, totp.at(now), now=now)
    assert not mfa.verify(user, totp.at(now - 30), now=now)  # an older step, still in the drift
