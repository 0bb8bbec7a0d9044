"""Server-side sessions: logout and password changes end them, timeouts are enforced."""

from __future__ import annotations

import datetime as dt
import time

from careapp.auth import sessions
from careapp.auth.models import UserSession
from careapp.auth.services import upsert_user
from careapp.db import db
from tests import factories
from tests.conftest import Browser
from tests.world import login, make_world


def logged_in(response) -> bool:  # noqa: ANN001
    return response.status_code == 200


def test_a_cookie_copied_before_logout_is_dead_after_it(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    login(browser, world, "editor")
    stolen = browser.client.get_cookie("session").value
    assert logged_in(browser.client.get("/etablissements/"))
    browser.post("/deconnexion")
    browser.client.set_cookie("session", stolen)
    response = browser.client.get("/etablissements/")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert db.session.query(UserSession).filter(UserSession.ended_at.is_not(None)).count() == 1


def test_each_login_gets_a_new_session(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    login(browser, world, "editor")
    first = browser.client.get_cookie("session").value
    login(browser, world, "editor")
    second = browser.client.get_cookie("session").value
    assert first != second
    assert db.session.query(UserSession).count() == 2


def test_a_new_password_logs_out_everywhere(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    other = Browser(app.test_client())
    login(browser, world, "editor")
    login(other, world, "editor")
    upsert_user("rssi@test.fr", "RSSI", factories.Role.EDITOR, "un tout nouveau mot de passe",
                establishments=[world.own])
    db.session.commit()
    for client in (browser.client, other.client):
        assert client.get("/etablissements/").status_code == 302


def test_absolute_lifetime(app, browser, monkeypatch) -> None:  # noqa: ANN001
    world = make_world()
    login(browser, world, "editor")
    later = sessions.utcnow() + dt.timedelta(hours=12, minutes=1)
    monkeypatch.setattr(sessions, "utcnow", lambda: later)
    assert browser.client.get("/etablissements/").status_code == 302


def test_idle_timeout_is_checked_by_the_server(app, browser, monkeypatch) -> None:  # noqa: ANN001
    world = make_world()
    login(browser, world, "editor")
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 7 * 3600)
    assert logged_in(browser.client.get("/etablissements/"))  # 7 h idle: still in (re-signed)
    monkeypatch.setattr(time, "time", lambda: real_time() + 7 * 3600 + 8 * 3600 + 60)
    assert browser.client.get("/etablissements/").status_code == 302  # then 8 h 1 min idle


def test_changing_ones_password_keeps_this_browser_and_ends_the_others(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    other = Browser(app.test_client())
    login(browser, world, "editor")
    login(other, world, "editor")
    url = "/compte/mot-de-passe"
    wrong = browser.post(url, {"current": "pas le bon", "new": "une nouvelle phrase longue",
                               "confirm": "une nouvelle phrase longue"}, page=url,
                         follow_redirects=True)
    assert "Mot de passe actuel incorrect." in wrong.get_data(as_text=True)
    short = browser.post(url, {"current": factories.PASSWORD, "new": "court",
                               "confirm": "court"}, page=url, follow_redirects=True)
    assert "au moins 12 caractères" in short.get_data(as_text=True)
    done = browser.post(url, {"current": factories.PASSWORD, "new": "une nouvelle phrase longue",
                              "confirm": "une nouvelle phrase longue"}, page=url)
    assert done.status_code == 302
    assert logged_in(browser.client.get("/etablissements/"))  # this browser stays in
    assert other.client.get("/etablissements/").status_code == 302  # the other one is out
    assert browser.login("rssi@test.fr", "une nouvelle phrase longue").status_code == 302
