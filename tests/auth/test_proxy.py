"""Behind a reverse proxy: CAREAPP_TRUSTED_PROXIES says how many proxies' X-Forwarded-For and
X-Forwarded-Proto to believe. Without it every client would share the proxy's address (one
address for the audit log and the login throttle); with it set wrongly, clients could forge
their address: 0 (the default) ignores the headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from careapp import create_app
from careapp.audit.models import AuditEvent
from careapp.audit.services import LOGIN_FAILED
from careapp.config import ConfigError
from careapp.db import db
from tests import factories
from tests.conftest import IsolatedClient, csrf_from
from tests.world import make_world

CLIENT, OTHER_CLIENT, PROXY = "203.0.113.7", "198.51.100.9", "10.0.0.2"


@pytest.fixture
def proxied(app: Flask) -> Iterator[Flask]:
    """The same database, served by an application configured for one trusted proxy."""
    behind = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "ENV_NAME": "test", "SECRET_KEY": "test-secret", "TESTING": True,
                         "TRUSTED_PROXIES": 1})
    behind.test_client_class = IsolatedClient
    yield behind
    with behind.app_context():
        db.engine.dispose()


def login_through_proxy(flask_app: Flask, email: str, password: str, forwarded_for: str | None):  # noqa: ANN201
    """A login posted by the proxy (TCP peer PROXY) on behalf of `forwarded_for`."""
    flask_app.test_client_class = IsolatedClient
    client = flask_app.test_client()
    # Behind the proxy the request is https: Flask-WTF then checks the Referer, as browsers send it
    headers = {"X-Forwarded-Proto": "https", "Referer": "https://localhost/connexion"}
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    environ = {"REMOTE_ADDR": PROXY}
    page = client.get("/connexion", headers=headers, environ_base=environ).get_data(as_text=True)
    return client.post("/connexion", headers=headers, environ_base=environ, data={
        "csrf_token": csrf_from(page), "email": email, "password": password})


def failures_from() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.ip).filter_by(action=LOGIN_FAILED)
                                   .order_by(AuditEvent.id)))


def test_without_trusted_proxies_forwarded_headers_are_ignored(app: Flask) -> None:
    make_world()
    assert app.config["TRUSTED_PROXIES"] == 0
    login_through_proxy(app, "rssi@test.fr", "not-the-password", forwarded_for=CLIENT)
    assert failures_from() == [PROXY]  # the TCP peer, whatever the header claims


def test_behind_one_proxy_the_real_client_is_recorded(proxied: Flask, app: Flask) -> None:
    make_world()
    # a client's own X-Forwarded-For is kept by the proxy on the left: only the rightmost
    # value, the one the trusted proxy appended, is believed
    login_through_proxy(proxied, "rssi@test.fr", "not-the-password",
                        forwarded_for=f"1.2.3.4, {CLIENT}")
    assert failures_from() == [CLIENT]
    ok = login_through_proxy(proxied, "rssi@test.fr", factories.PASSWORD, forwarded_for=CLIENT)
    assert ok.status_code == 302
    success = db.session.scalars(select(AuditEvent).filter_by(action="login.success")).one()
    assert success.ip == CLIENT


def test_behind_one_proxy_throttling_is_per_real_client(proxied: Flask, app: Flask) -> None:
    """A guesser's failures slow the guesser's address down, not everyone behind the proxy."""
    make_world()
    proxied.config["LOGIN_FIRST_DELAY_SECONDS"] = 120
    proxied.config["LOGIN_FREE_FAILURES_PER_ADDRESS"] = 3
    for n in range(3):
        login_through_proxy(proxied, f"guess{n}@test.fr", "not-the-password", CLIENT)
    assert login_through_proxy(proxied, "direction@test.fr", "not-the-password",
                               CLIENT).status_code == 200
    assert login_through_proxy(proxied, "direction@test.fr", factories.PASSWORD,
                               CLIENT).status_code == 429  # the guesser's address waits
    # another client behind the same proxy: not slowed, the same account logs in
    assert login_through_proxy(proxied, "direction@test.fr", factories.PASSWORD,
                               OTHER_CLIENT).status_code == 302
    assert set(failures_from()) == {CLIENT}


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "6", "un", "²"])
def test_a_wrong_proxy_count_refuses_to_boot(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREAPP_TRUSTED_PROXIES", value)
    with pytest.raises(ConfigError, match="CAREAPP_TRUSTED_PROXIES doit être le nombre"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "ENV_NAME": "test",
                    "SECRET_KEY": "test-secret"})


def test_the_proxy_count_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREAPP_TRUSTED_PROXIES", " 2 ")
    flask_app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "ENV_NAME": "test",
                            "SECRET_KEY": "test-secret"})
    assert flask_app.config["TRUSTED_PROXIES"] == 2
    assert type(flask_app.wsgi_app).__name__ == "ProxyFix"
