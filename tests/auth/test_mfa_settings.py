"""Changing or removing one's second factor (issue #9, F2): password and a current code
first, the other sessions ended, and the change in the journal of the account's ARS."""

from __future__ import annotations

import re

import pyotp
from flask.testing import FlaskClient
from sqlalchemy import select

from careapp.audit.models import AuditEvent
from careapp.auth.models import User
from careapp.db import db
from tests import factories
from tests.conftest import Browser, IsolatedClient, csrf_from
from tests.world import make_world

SETTINGS = "/compte/second-facteur"


def new_browser(app) -> Browser:  # noqa: ANN001
    app.test_client_class = IsolatedClient
    return Browser(app.test_client())


def secret_of(email: str) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(User).filter_by(email=email)).totp_secret


def step_up(browser: Browser, *, action: str = "replace", password: str = factories.PASSWORD,
            code: str | None = None):  # noqa: ANN201
    page = browser.client.get(SETTINGS).get_data(as_text=True)
    return browser.client.post(SETTINGS, data={
        "csrf_token": csrf_from(page), "action": action, "password": password,
        "code": code or fresh_code()})


def fresh_code() -> str:
    user = db.session.scalar(select(User).filter_by(email="ars53@test.fr"))
    user.totp_last_step = None  # the login just used this step's code
    db.session.commit()
    return pyotp.TOTP(factories.TOTP_SECRET).now()


def still_logged_in(client: FlaskClient) -> bool:
    return client.get("/region/").status_code == 200


def test_a_logged_in_session_alone_cannot_replace_the_key(app, browser) -> None:  # noqa: ANN001
    make_world()
    browser.login("ars53@test.fr", factories.PASSWORD)
    page = browser.client.get(SETTINGS).get_data(as_text=True)
    assert "<svg" not in page and not re.search(r"<code>[A-Z2-7]{32}</code>", page)
    assert "Le second facteur de votre compte est actif." in page
    # a code for a key of one's own, posted straight away, enrols nothing
    posted = browser.client.post(SETTINGS, data={
        "csrf_token": csrf_from(page), "code": pyotp.TOTP(pyotp.random_base32()).now()})
    assert posted.status_code == 200
    assert secret_of("ars53@test.fr") == factories.TOTP_SECRET


def test_a_wrong_password_or_code_changes_nothing_and_counts_as_a_failure(app, browser) -> None:  # noqa: ANN001
    make_world()
    browser.login("ars53@test.fr", factories.PASSWORD)
    wrong_password = step_up(browser, password="not-the-password-at-all")
    assert "Mot de passe ou code incorrect." in wrong_password.get_data(as_text=True)
    wrong_code = step_up(browser, code="000000")
    assert "Mot de passe ou code incorrect." in wrong_code.get_data(as_text=True)
    assert "<svg" not in wrong_code.get_data(as_text=True)
    assert secret_of("ars53@test.fr") == factories.TOTP_SECRET
    failures = db.session.scalars(select(AuditEvent).filter_by(action="login.failure")).all()
    assert [f.details.get("step") for f in failures] == ["mfa-change", "mfa-change"]


def test_replacing_the_key_asks_for_password_and_code_and_ends_other_sessions(app) -> None:  # noqa: ANN001
    make_world()
    laptop, phone = new_browser(app), new_browser(app)
    laptop.login("ars53@test.fr", factories.PASSWORD)
    phone.login("ars53@test.fr", factories.PASSWORD)
    assert still_logged_in(phone.client)
    confirmed = step_up(laptop)
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith(SETTINGS)
    page = laptop.client.get(SETTINGS).get_data(as_text=True)
    assert "Remplacer le second facteur" in page
    new_key = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    assert secret_of("ars53@test.fr") == factories.TOTP_SECRET  # unchanged until confirmed
    done = laptop.client.post(SETTINGS, data={"csrf_token": csrf_from(page),
                                              "code": pyotp.TOTP(new_key).now()})
    assert done.status_code == 200 and "Codes de secours" in done.get_data(as_text=True)
    assert secret_of("ars53@test.fr") == new_key
    assert still_logged_in(laptop.client)
    assert not still_logged_in(phone.client)  # the other session ended
    event = db.session.scalar(select(AuditEvent).filter_by(action="mfa.replace"))
    assert event.region_code == "53"
    # the ARS of the region reads it in the journal
    reader = new_browser(app)
    user = db.session.scalar(select(User).filter_by(email="ars53@test.fr"))
    user.totp_last_step = None
    db.session.commit()
    response = reader.client.post("/connexion", data={
        "csrf_token": reader.token("/connexion"), "email": "ars53@test.fr",
        "password": factories.PASSWORD})
    code_page = reader.client.get("/connexion/code").get_data(as_text=True)
    reader.client.post("/connexion/code", data={"csrf_token": csrf_from(code_page),
                                                 "code": pyotp.TOTP(new_key).now()})
    assert response.status_code == 302
    assert "mfa.replace" in reader.client.get("/journal/").get_data(as_text=True)


def test_an_ars_cannot_remove_a_required_second_factor(app, browser) -> None:  # noqa: ANN001
    make_world()
    browser.login("ars53@test.fr", factories.PASSWORD)
    page = browser.client.get(SETTINGS).get_data(as_text=True)
    assert 'value="disable"' not in page
    refused = step_up(browser, action="disable")
    assert refused.status_code == 200
    assert secret_of("ars53@test.fr") == factories.TOTP_SECRET


def test_an_rssi_removes_an_optional_second_factor_with_password_and_code(app) -> None:  # noqa: ANN001
    world = make_world()
    rssi = world.users["editor"]
    rssi.totp_secret = factories.TOTP_SECRET
    db.session.commit()
    laptop, other = new_browser(app), new_browser(app)
    laptop.login("rssi@test.fr", factories.PASSWORD)
    other.login("rssi@test.fr", factories.PASSWORD)
    rssi = db.session.scalar(select(User).filter_by(email="rssi@test.fr"))
    rssi.totp_last_step = None
    db.session.commit()
    page = laptop.client.get(SETTINGS).get_data(as_text=True)
    assert 'value="disable"' in page
    done = laptop.client.post(SETTINGS, data={
        "csrf_token": csrf_from(page), "action": "disable", "password": factories.PASSWORD,
        "code": pyotp.TOTP(factories.TOTP_SECRET).now()})
    assert done.status_code == 302
    assert secret_of("rssi@test.fr") is None
    assert laptop.client.get("/etablissements/").status_code == 200
    assert other.client.get("/etablissements/").status_code == 302
    event = db.session.scalar(select(AuditEvent).filter_by(action="mfa.disable"))
    assert event.region_code == world.own.region_code  # the establishment's ARS sees it


def test_a_recovery_code_may_stand_for_the_current_code(app, browser) -> None:  # noqa: ANN001
    """A lost phone: the password and a recovery code let the person enrol a new one."""
    make_world()
    browser.login("ars53@test.fr", factories.PASSWORD)
    step_up(browser)  # replace once, to get recovery codes
    page = browser.client.get(SETTINGS).get_data(as_text=True)
    key = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    shown = browser.client.post(SETTINGS, data={"csrf_token": csrf_from(page),
                                                "code": pyotp.TOTP(key).now()})
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", shown.get_data(as_text=True))
    page = browser.client.get(SETTINGS).get_data(as_text=True)
    confirmed = browser.client.post(SETTINGS, data={
        "csrf_token": csrf_from(page), "action": "replace", "password": factories.PASSWORD,
        "code": codes[0]})
    assert confirmed.status_code == 302
    assert "Remplacer le second facteur" in browser.client.get(SETTINGS).get_data(as_text=True)


def test_an_optional_first_enrolment_from_the_account_page(app, browser) -> None:  # noqa: ANN001
    make_world()
    browser.login("rssi@test.fr", factories.PASSWORD)
    page = browser.client.get(SETTINGS).get_data(as_text=True)
    key = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    assert key in browser.client.get(SETTINGS).get_data(as_text=True)  # stable on reload
    wrong = browser.client.post(SETTINGS, data={"csrf_token": csrf_from(page), "code": "000000"})
    assert "Code incorrect" in wrong.get_data(as_text=True)
    assert secret_of("rssi@test.fr") is None
    done = browser.client.post(SETTINGS, data={"csrf_token": csrf_from(page),
                                               "code": pyotp.TOTP(key).now()})
    assert "Codes de secours" in done.get_data(as_text=True)
    assert secret_of("rssi@test.fr") == key
    # done: the page now asks for the password and a code before any change
    assert "Le second facteur de votre compte est actif." in browser.client.get(
        SETTINGS).get_data(as_text=True)


def test_guessing_the_password_on_the_change_page_is_slowed_like_a_login(app, browser) -> None:  # noqa: ANN001
    """A stolen session cookie must not become an unthrottled password oracle."""
    make_world()
    browser.login("ars53@test.fr", factories.PASSWORD)
    for _ in range(app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT"]):
        assert step_up(browser, password="wrong-password-guess").status_code == 200
    right = step_up(browser)  # now even the right password and code wait
    assert right.status_code == 429
    assert "Trop de tentatives" in right.get_data(as_text=True)
    assert "<svg" not in browser.client.get(SETTINGS).get_data(as_text=True)


def test_an_enrolment_page_opened_before_a_key_existed_cannot_replace_it(app) -> None:  # noqa: ANN001
    """Two tabs of one RSSI without a key: one enrols; the other tab's older key page must not
    then replace the new key without the password and a code."""
    make_world()
    first, second = new_browser(app), new_browser(app)
    first.login("rssi@test.fr", factories.PASSWORD)
    second.login("rssi@test.fr", factories.PASSWORD)
    old_page = first.client.get(SETTINGS).get_data(as_text=True)
    old_key = re.search(r"<code>([A-Z2-7]{32})</code>", old_page).group(1)
    page = second.client.get(SETTINGS).get_data(as_text=True)
    key = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    second.client.post(SETTINGS, data={"csrf_token": csrf_from(page),
                                       "code": pyotp.TOTP(key).now()})
    assert secret_of("rssi@test.fr") == key
    late = first.client.post(SETTINGS, data={"csrf_token": csrf_from(old_page),
                                             "code": pyotp.TOTP(old_key).now()})
    assert late.status_code == 200 and "Codes de secours" not in late.get_data(as_text=True)
    assert secret_of("rssi@test.fr") == key


def test_a_first_enrolment_never_writes_over_a_key(app) -> None:  # noqa: ANN001
    """The service's own guard, whatever the view checked before."""
    import pytest

    from careapp.auth import mfa

    world = make_world()
    other_key = pyotp.random_base32()
    with pytest.raises(mfa.AlreadyEnrolled):
        mfa.enable(world.users["ars"], other_key, pyotp.TOTP(other_key).now())
    db.session.rollback()
    assert secret_of("ars53@test.fr") == factories.TOTP_SECRET
    assert mfa.enable(world.users["ars"], other_key, pyotp.TOTP(other_key).now(), replacing=True)
    assert secret_of("ars53@test.fr") == other_key
