"""TOTP second factor: mandatory for regional, national and admin accounts, optional for others;
a code works once; recovery codes shown once and each usable once."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
from sqlalchemy import select

from careapp.auth import challenges
from careapp.auth.models import RecoveryCode, Role
from careapp.auth.services import upsert_user
from careapp.db import db, utcnow
from tests import factories
from tests.conftest import csrf_from
from tests.world import make_world


def password_step(browser, email: str):  # noqa: ANN001, ANN201
    browser.client.post("/deconnexion", data={"csrf_token": browser.token()})
    return browser.client.post("/connexion", data={
        "csrf_token": browser.token("/connexion"), "email": email,
        "password": factories.PASSWORD})


def new_ars_without_key(email: str = "ars.nouveau@test.fr") -> str:
    """An ARS account that has not enrolled its second factor yet."""
    upsert_user(email, "Nouvel ARS", Role.ARS, factories.PASSWORD, region_code="53")
    db.session.commit()
    return email


def send_code(browser, code: str):  # noqa: ANN001, ANN201
    page = browser.client.get("/connexion/code").get_data(as_text=True)
    return browser.client.post("/connexion/code", data={"csrf_token": csrf_from(page),
                                                        "code": code})


def test_an_ars_needs_a_code_and_a_code_works_once(app, browser) -> None:  # noqa: ANN001
    make_world()
    response = password_step(browser, "ars53@test.fr")
    assert response.headers["Location"].endswith("/connexion/code")
    assert browser.client.get("/region/").status_code == 302  # not logged in yet
    wrong = send_code(browser, "000000")
    assert wrong.status_code == 200 and "Code incorrect ou déjà utilisé." in wrong.get_data(as_text=True)
    code = pyotp.TOTP(factories.TOTP_SECRET).now()
    assert send_code(browser, code).status_code == 302
    assert browser.client.get("/region/").status_code == 200
    # the same code again (a replay) is refused
    password_step(browser, "ars53@test.fr")
    assert "Code incorrect ou déjà utilisé." in send_code(browser, code).get_data(as_text=True)


def test_the_code_step_expires_and_cannot_be_reached_without_a_password(app, browser,  # noqa: ANN001
                                                                         monkeypatch) -> None:
    make_world()
    assert browser.client.get("/connexion/code").headers["Location"].endswith("/connexion")
    password_step(browser, "ars53@test.fr")
    assert browser.client.get("/connexion/code").status_code == 200
    later = utcnow() + dt.timedelta(seconds=301)
    monkeypatch.setattr(challenges, "utcnow", lambda: later)
    response = browser.client.get("/connexion/code")  # five minutes after the password
    assert response.headers["Location"].endswith("/connexion")


def test_first_login_of_an_ars_enrols_then_recovery_codes_work_once(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    new_ars_without_key()
    response = password_step(browser, "ars.nouveau@test.fr")
    assert response.headers["Location"].endswith("/connexion/second-facteur")
    page = browser.client.get("/connexion/second-facteur").get_data(as_text=True)
    assert "<svg" in page  # the QR code, drawn by the server
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    shown = browser.client.post("/connexion/second-facteur", data={
        "csrf_token": csrf_from(page), "code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", shown.get_data(as_text=True))
    assert len(codes) == 10
    assert browser.client.get("/region/").status_code == 200  # logged in
    assert db.session.scalar(select(RecoveryCode).filter_by(used_at=None)) is not None
    # a lost phone: a recovery code replaces the app's code, once
    password_step(browser, "ars.nouveau@test.fr")
    assert send_code(browser, codes[0]).status_code == 302
    password_step(browser, "ars.nouveau@test.fr")
    assert "Code incorrect ou déjà utilisé." in send_code(browser, codes[0]).get_data(as_text=True)
    del world


def test_an_rssi_logs_in_without_a_second_factor_but_may_add_one(app, browser) -> None:  # noqa: ANN001
    make_world()
    response = password_step(browser, "rssi@test.fr")
    assert response.headers["Location"].endswith("/")  # straight in
    assert browser.client.get("/connexion/second-facteur").status_code == 302  # no login pending
    page = browser.client.get("/compte/second-facteur")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
