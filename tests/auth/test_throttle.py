"""Login throttling: growing delays per account, an address slowed without locking out the
people who log in correctly from it, the second-factor step under the same rule, and the
administrator's unlock (careapp/auth/throttle.py for the rule, the audit log for the counts)."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from sqlalchemy import select

from careapp.audit.models import AuditEvent
from careapp.audit.services import LOGIN_FAILED, record
from careapp.auth import services as account_services
from careapp.auth.services import attempt_login, login_wait
from careapp.auth.throttle import Failures, Policy, delay, may_try_now, remaining, rounded_wait
from careapp.auth.throttle import login_wait as policy_wait
from careapp.db import db, utcnow
from tests import factories
from tests.conftest import csrf_from
from tests.world import make_world

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
POLICY = Policy()  # 5 free failures per account, 30 per address, 5 s doubling to 15 min
WRONG = "not-the-password"


def ago(seconds: float) -> dt.datetime:
    return NOW - dt.timedelta(seconds=seconds)


# -- the rule alone ------------------------------------------------------------------------------

def test_delays_double_after_the_free_failures_up_to_the_cap() -> None:
    waits = [delay(n, free=5, first=5, cap=900) for n in range(0, 16)]
    assert waits[:5] == [0, 0, 0, 0, 0]  # five free failures
    assert waits[5:14] == [5, 10, 20, 40, 80, 160, 320, 640, 900]
    assert waits[14:] == [900, 900]
    assert delay(10_000, free=5, first=5, cap=900) == 900  # no overflow, ever


def test_the_wait_runs_from_the_last_failure() -> None:
    five = Failures(5, ago(3))
    assert remaining(five, NOW, free=5, first=5, cap=900) == pytest.approx(2)
    assert remaining(Failures(5, ago(5)), NOW, free=5, first=5, cap=900) == 0  # exactly over
    assert remaining(Failures(4, ago(0)), NOW, free=5, first=5, cap=900) == 0  # still free
    assert remaining(Failures(0, None), NOW, free=5, first=5, cap=900) == 0
    naive = Failures(5, ago(3).replace(tzinfo=None))  # as SQLite gives it back
    assert remaining(naive, NOW, free=5, first=5, cap=900) == pytest.approx(2)


def test_an_address_in_its_delay_leaves_one_free_failure_per_account() -> None:
    calm, slowed = Failures(29, ago(1)), Failures(30, ago(1))
    account = Failures(1, ago(1))
    assert policy_wait(account, calm, NOW, POLICY) == 0  # 1 of 5 free failures
    assert policy_wait(account, slowed, NOW, POLICY) == pytest.approx(4)  # 5 s after the 1st
    # an account without failures is never refused, whatever the address
    assert may_try_now(Failures(), slowed, NOW, POLICY)
    # the address's own delay runs out too: 30 failures → 5 s after the last one
    assert policy_wait(account, Failures(30, ago(6)), NOW, POLICY) == 0


def test_the_wait_is_told_rounded_up() -> None:
    assert rounded_wait(0.2) == (1, "seconds")
    assert rounded_wait(5) == (5, "seconds")
    assert rounded_wait(59.5) == (1, "minutes")
    assert rounded_wait(90) == (2, "minutes")
    assert rounded_wait(900) == (15, "minutes")


# -- through the login page ----------------------------------------------------------------------

def post_login(client, email: str, password: str, ip: str = "127.0.0.1"):  # noqa: ANN001, ANN201
    """The login form posted from `ip` (logging out first when logged in)."""
    page = client.get("/connexion")
    if page.status_code == 302:
        token = csrf_from(client.get("/compte/mot-de-passe").get_data(as_text=True))
        client.post("/deconnexion", data={"csrf_token": token})
        page = client.get("/connexion")
    return client.post("/connexion", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                           "email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_after_five_failures_even_the_right_password_waits_and_is_told_how_long(
        app, client) -> None:  # noqa: ANN001
    make_world()
    app.config["LOGIN_FIRST_DELAY_SECONDS"] = 120  # no race with a slow machine
    for _ in range(5):
        response = post_login(client, "rssi@test.fr", WRONG)
        assert response.status_code == 200
        assert "Adresse ou mot de passe incorrect." in text(response)
    right = post_login(client, "rssi@test.fr", factories.PASSWORD)
    wrong = post_login(client, "rssi@test.fr", WRONG)
    for refused in (right, wrong):  # the same answer: nothing said about the password
        assert refused.status_code == 429
        assert "Trop de tentatives : réessayez dans 2 minutes." in text(refused)
        assert "Adresse ou mot de passe incorrect." not in text(refused)
    assert actions().count(LOGIN_FAILED) == 5  # refused attempts are not failures
    assert actions().count("login.throttled") == 2


def test_four_failures_are_free_and_a_success_starts_the_count_afresh(app, client) -> None:  # noqa: ANN001
    make_world()
    app.config["LOGIN_FIRST_DELAY_SECONDS"] = 120
    for _ in range(4):
        post_login(client, "rssi@test.fr", WRONG)
    assert post_login(client, "rssi@test.fr", factories.PASSWORD).status_code == 302
    for _ in range(4):  # four more: still free, the success reset the count
        assert post_login(client, "rssi@test.fr", WRONG).status_code == 200
    assert post_login(client, "rssi@test.fr", WRONG).status_code == 200  # the fifth is checked
    assert post_login(client, "rssi@test.fr", factories.PASSWORD).status_code == 429


def test_the_delay_runs_out_and_then_doubles(app, client, monkeypatch) -> None:  # noqa: ANN001
    make_world()
    app.config["LOGIN_FIRST_DELAY_SECONDS"] = 60
    for _ in range(5):
        post_login(client, "rssi@test.fr", WRONG)
    assert login_wait("rssi@test.fr", "127.0.0.1") == pytest.approx(60, abs=5)
    later = utcnow() + dt.timedelta(seconds=61)
    monkeypatch.setattr(account_services, "utcnow", lambda: later)
    assert post_login(client, "rssi@test.fr", WRONG).status_code == 200  # checked: 6th failure
    monkeypatch.undo()  # back to the real time: 120 s from the 6th failure
    assert login_wait("rssi@test.fr", "127.0.0.1") == pytest.approx(120, abs=5)
    refused = post_login(client, "rssi@test.fr", factories.PASSWORD)
    assert refused.status_code == 429 and "réessayez dans 2 minutes" in text(refused)


def test_unknown_accounts_are_counted_and_delayed_the_same_way(app, client) -> None:  # noqa: ANN001
    make_world()
    app.config["LOGIN_FIRST_DELAY_SECONDS"] = 120
    for _ in range(5):
        assert "Adresse ou mot de passe incorrect." in text(post_login(client, "nobody@test.fr",
                                                                       WRONG))
    refused = post_login(client, "nobody@test.fr", WRONG)
    assert refused.status_code == 429 and "Trop de tentatives" in text(refused)
    assert post_login(client, "rssi@test.fr", factories.PASSWORD).status_code == 302  # others go on


def test_the_counts_come_from_the_audit_log_shared_by_every_worker(app) -> None:  # noqa: ANN001
    make_world()
    app.config["LOGIN_FIRST_DELAY_SECONDS"] = 120
    for _ in range(7):  # as another worker would have written them
        record(LOGIN_FAILED, actor="rssi@test.fr", ip="192.0.2.1")
    db.session.commit()
    assert login_wait("rssi@test.fr", "198.51.100.7") == pytest.approx(480, abs=2)  # 120 × 2²
    attempt = attempt_login("rssi@test.fr", factories.PASSWORD, "198.51.100.7")
    assert attempt.user is None and attempt.throttled and attempt.wait > 470


# -- a busy address ------------------------------------------------------------------------------

def test_a_slowed_address_still_lets_correct_logins_in(app) -> None:  # noqa: ANN001
    """Thirty failures from one address (a guesser behind a hospital's NAT): the people behind
    it still log in; an account with a failure from there must wait before the next try; the
    same account from elsewhere is not slowed."""
    make_world()
    app.config["LOGIN_FIRST_DELAY_SECONDS"] = 120
    nat, home = "203.0.113.10", "198.51.100.20"
    for n in range(30):
        attempt_login(f"guess{n}@test.fr", WRONG, nat)
    db.session.commit()
    assert attempt_login("rssi@test.fr", factories.PASSWORD, nat).user is not None  # let in
    assert attempt_login("direction@test.fr", WRONG, nat).user is None  # one failure...
    db.session.commit()
    refused = attempt_login("direction@test.fr", factories.PASSWORD, nat)
    assert refused.throttled and refused.user is None  # ...then a wait, password unchecked
    assert attempt_login("direction@test.fr", factories.PASSWORD, home).user is not None
    # an address under the threshold gives each account its five free failures
    assert attempt_login("national@test.fr", WRONG, home).user is None
    db.session.commit()
    assert not attempt_login("national@test.fr", factories.PASSWORD, home).throttled


# -- the second-factor step ----------------------------------------------------------------------

def password_step(client) -> None:  # noqa: ANN001
    response = post_login(client, "ars53@test.fr", factories.PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/connexion/code")


def send_code(client, code: str):  # noqa: ANN001, ANN201
    page = client.get("/connexion/code").get_data(as_text=True)
    return client.post("/connexion/code", data={"csrf_token": csrf_from(page), "code": code})


def wrong_code() -> str:
    right = pyotp.TOTP(factories.TOTP_SECRET).now()
    return f"{(int(right) + 500_000) % 1_000_000:06d}"


def test_wrong_codes_count_as_failures_and_the_fifth_is_still_checked(app, client) -> None:  # noqa: ANN001
    make_world()
    app.config["LOGIN_FIRST_DELAY_SECONDS"] = 120
    password_step(client)
    for _ in range(5):  # exactly the free failures: every one is checked and answered
        response = send_code(client, wrong_code())
        assert response.status_code == 200 and "Code incorrect ou déjà utilisé." in text(response)
    refused = send_code(client, pyotp.TOTP(factories.TOTP_SECRET).now())  # right code, too late
    assert refused.status_code == 429
    assert "Trop de tentatives : réessayez dans 2 minutes." in text(refused)
    assert client.get("/region/").status_code == 302  # not logged in
    failures = db.session.scalars(select(AuditEvent).filter_by(action=LOGIN_FAILED)).all()
    assert [(f.actor, f.details.get("step")) for f in failures] == [("ars53@test.fr", "code")] * 5
    # the password step now waits too: the same throttle
    assert post_login(client, "ars53@test.fr", factories.PASSWORD).status_code == 429


def test_four_wrong_codes_then_the_right_one_logs_in(app, client) -> None:  # noqa: ANN001
    make_world()
    app.config["LOGIN_FIRST_DELAY_SECONDS"] = 120
    password_step(client)
    for _ in range(4):
        assert send_code(client, wrong_code()).status_code == 200
    response = send_code(client, pyotp.TOTP(factories.TOTP_SECRET).now())
    assert response.status_code == 302
    assert client.get("/region/").status_code == 200


def test_a_right_password_does_not_reset_the_code_failures(app, client) -> None:  # noqa: ANN001
    """Someone who has the password but not the phone cannot start the count afresh by
    typing the password again: only a complete login (or an unlock) resets it."""
    make_world()
    app.config["LOGIN_FIRST_DELAY_SECONDS"] = 120
    for _ in range(5):
        password_step(client)
        assert send_code(client, wrong_code()).status_code == 200
    assert post_login(client, "ars53@test.fr", factories.PASSWORD).status_code == 429


# -- the administrator's unlock ------------------------------------------------------------------

def test_an_administrator_unlocks_an_account_from_the_command_line(app, client) -> None:  # noqa: ANN001
    make_world()
    app.config["LOGIN_FIRST_DELAY_SECONDS"] = 600
    for _ in range(6):
        post_login(client, "rssi@test.fr", WRONG)
    assert post_login(client, "rssi@test.fr", factories.PASSWORD).status_code == 429
    result = app.test_cli_runner().invoke(args=["users", "unlock", "RSSI@test.fr"])
    assert result.exit_code == 0, result.output
    assert "débloqué" in result.output
    event = db.session.scalars(select(AuditEvent).filter_by(action="login.unlock")).one()
    assert event.actor == "rssi@test.fr" and event.details == {"by": "cli"}
    assert login_wait("rssi@test.fr", "127.0.0.1") == 0
    for _ in range(5):  # the failures before the unlock no longer count: five free again
        assert post_login(client, "rssi@test.fr", WRONG).status_code == 200
    assert post_login(client, "rssi@test.fr", factories.PASSWORD).status_code == 429
    unknown = app.test_cli_runner().invoke(args=["users", "unlock", "nobody@test.fr"])
    assert unknown.exit_code == 1 and "Aucun compte" in unknown.output
