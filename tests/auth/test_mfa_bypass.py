"""The second step of a login, taken out of order (issue #9, F1 and F3).

The pentest: with the password alone, opening the enrolment page instead of the code page
showed a fresh key, and its code replaced the owner's key and logged in. Each test here takes
the steps in another order and checks that the password alone never opens the account."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from careapp.audit.models import AuditEvent
from careapp.auth import challenges
from careapp.auth.models import AuthChallenge, User
from careapp.db import db
from tests import factories
from tests.auth.test_mfa import new_ars_without_key, password_step, send_code
from tests.conftest import csrf_from
from tests.world import make_world

ENROL = "/connexion/second-facteur"


def logged_in(browser) -> bool:  # noqa: ANN001
    return browser.client.get("/region/").status_code == 200


def secret_of(email: str) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(User).filter_by(email=email)).totp_secret


def test_the_password_alone_cannot_enrol_a_new_key_over_the_owners(app, browser) -> None:  # noqa: ANN001
    """The pentest's exact sequence: password, then the enrolment page instead of the code."""
    make_world()
    response = password_step(browser, "ars53@test.fr")
    assert response.headers["Location"].endswith("/connexion/code")
    page = browser.client.get(ENROL)
    assert page.status_code == 302 and page.headers["Location"].endswith("/connexion/code")
    # posting the code of a key of one's own choosing changes nothing either
    attacker_key = pyotp.random_base32()
    token = csrf_from(browser.client.get("/connexion/code").get_data(as_text=True))
    posted = browser.client.post(ENROL, data={"csrf_token": token,
                                              "code": pyotp.TOTP(attacker_key).now()})
    assert posted.status_code == 302 and posted.headers["Location"].endswith("/connexion/code")
    assert not logged_in(browser)
    assert secret_of("ars53@test.fr") == factories.TOTP_SECRET  # the owner's key is intact
    assert db.session.scalar(select(AuditEvent).filter_by(action="mfa.enable")) is None


def test_the_code_page_cannot_be_skipped(app, browser) -> None:  # noqa: ANN001
    make_world()
    password_step(browser, "ars53@test.fr")
    for page in ("/region/", "/", "/journal/", "/compte/second-facteur", "/compte/mot-de-passe"):
        response = browser.client.get(page)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"], page


def test_reloading_the_enrolment_page_keeps_one_key_and_it_works_once(app, browser) -> None:  # noqa: ANN001
    make_world()
    new_ars_without_key()
    password_step(browser, "ars.nouveau@test.fr")
    first = browser.client.get(ENROL).get_data(as_text=True)
    again = browser.client.get(ENROL).get_data(as_text=True)
    key = re.search(r"<code>([A-Z2-7]{32})</code>", first).group(1)
    assert key in again  # a reload shows the same key, kept on the server, not in the cookie
    assert key not in str(browser.client.get_cookie("session").value)
    done = browser.client.post(ENROL, data={"csrf_token": csrf_from(again),
                                            "code": pyotp.TOTP(key).now()})
    assert done.status_code == 200 and "Codes de secours" in done.get_data(as_text=True)
    assert secret_of("ars.nouveau@test.fr") == key
    # the pending login is spent: the enrolment page and the code page send back to the login
    assert browser.client.get(ENROL).status_code == 302
    event = db.session.scalar(select(AuditEvent).filter_by(action="mfa.enable"))
    assert event.region_code == "53"  # the ARS of the region sees it in the journal


def test_an_enrolment_started_before_the_owner_enrolled_cannot_replace_the_key(app) -> None:  # noqa: ANN001
    """Two browsers pass the password of an account without a key; one enrols; the other's
    enrolment (same key page, later code) must not replace it."""
    make_world()
    new_ars_without_key()
    from tests.conftest import Browser, IsolatedClient

    app.test_client_class = IsolatedClient
    owner, other = Browser(app.test_client()), Browser(app.test_client())
    password_step(owner, "ars.nouveau@test.fr")
    password_step(other, "ars.nouveau@test.fr")
    owner_page = owner.client.get(ENROL).get_data(as_text=True)
    other_page = other.client.get(ENROL).get_data(as_text=True)
    owner_key = re.search(r"<code>([A-Z2-7]{32})</code>", owner_page).group(1)
    other_key = re.search(r"<code>([A-Z2-7]{32})</code>", other_page).group(1)
    assert owner_key != other_key
    owner.client.post(ENROL, data={"csrf_token": csrf_from(owner_page),
                                   "code": pyotp.TOTP(owner_key).now()})
    late = other.client.post(ENROL, data={"csrf_token": csrf_from(other_page),
                                          "code": pyotp.TOTP(other_key).now()})
    assert late.status_code == 302 and late.headers["Location"].endswith("/connexion/code")
    assert secret_of("ars.nouveau@test.fr") == owner_key


def test_a_forged_pending_state_opens_nothing(app, browser) -> None:  # noqa: ANN001
    """F3: whoever holds the signing key can write any cookie. The old cookie said which user
    had passed the password; now it holds a token that must match a row on the server."""
    world = make_world()
    victim = world.users["ars"]
    for forged in ({"user": victim.id, "at": 10**10, "next": "/"}, "made-up-token",
                   victim.id, ""):
        with browser.client.session_transaction() as session:
            session["mfa_pending"] = forged
        for page in ("/connexion/code", ENROL):
            response = browser.client.get(page)
            assert response.status_code == 302, (forged, page)
            assert response.headers["Location"].endswith("/connexion"), (forged, page)
    assert not logged_in(browser)


def test_a_pending_login_belongs_to_its_account_only(app, browser) -> None:  # noqa: ANN001
    """Passing one's own password gives a pending login for one's own account: the code of
    another account's key does not complete it, and the token names no other account."""
    world = make_world()
    password_step(browser, "grades53@test.fr")
    wrong_account = pyotp.TOTP(pyotp.random_base32()).now()
    assert send_code(browser, wrong_account).status_code == 200
    assert not logged_in(browser)
    row = db.session.scalar(select(AuthChallenge).where(AuthChallenge.ended_at.is_(None)))
    assert row.user_id == world.users["grades"].id and row.purpose == challenges.LOGIN


def test_an_account_deactivated_between_password_and_code_cannot_log_in(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    password_step(browser, "ars53@test.fr")
    page = browser.client.get("/connexion/code").get_data(as_text=True)  # the form is open
    world.users["ars"].active = False
    db.session.commit()
    response = browser.client.post("/connexion/code", data={
        "csrf_token": csrf_from(page), "code": pyotp.TOTP(factories.TOTP_SECRET).now()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/connexion")
    assert not logged_in(browser)


def test_the_code_step_needs_an_enrolled_key(app, browser) -> None:  # noqa: ANN001
    """An ARS without a key who opens the code page instead of the enrolment: no way in."""
    make_world()
    new_ars_without_key()
    password_step(browser, "ars.nouveau@test.fr")
    response = browser.client.get("/connexion/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/connexion")
    posted = browser.client.post("/connexion/code", data={
        "csrf_token": browser.token("/connexion"), "code": "123456"})
    assert posted.status_code == 302
    assert not logged_in(browser)


def test_the_password_step_starts_a_new_session(app, browser) -> None:  # noqa: ANN001
    """Nothing planted in the session before the login survives it (no fixation)."""
    make_world()
    with browser.client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["lang"] = "en"
    password_step(browser, "ars53@test.fr")
    with browser.client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("lang") == "en"  # the interface language is kept
    send_code(browser, pyotp.TOTP(factories.TOTP_SECRET).now())
    with browser.client.session_transaction() as session:
        assert "planted" not in session and "mfa_pending" not in session


def test_a_code_page_posted_twice_logs_in_once(app, browser) -> None:  # noqa: ANN001
    make_world()
    password_step(browser, "ars53@test.fr")
    page = browser.client.get("/connexion/code").get_data(as_text=True)
    code = pyotp.TOTP(factories.TOTP_SECRET).now()
    first = browser.client.post("/connexion/code", data={"csrf_token": csrf_from(page),
                                                         "code": code})
    assert first.status_code == 302
    assert db.session.scalar(select(AuthChallenge)).ended_at is not None
