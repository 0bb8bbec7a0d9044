from __future__ import annotations

import secrets

import pytest
from cryptography.fernet import Fernet

from careapp import create_app
from careapp.config import ConfigError


def test_production_refuses_to_boot_without_a_secret_key(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("CAREAPP_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="CAREAPP_SECRET_KEY"):
        create_app({"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_environment_settings_are_read_and_overrides_win(monkeypatch) -> None:
    monkeypatch.setenv("CAREAPP_DATABASE_URL", "sqlite:////tmp/from-env.sqlite")
    monkeypatch.setenv("CAREAPP_SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/from-env.sqlite"
    assert app.config["SECRET_KEY"] == "from-env"
    assert create_app({"SECRET_KEY": "override"}).config["SECRET_KEY"] == "override"


def test_production_cookies_are_secure_and_hsts_is_sent(monkeypatch) -> None:
    monkeypatch.setenv("CAREAPP_SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("CAREAPP_TOTP_KEYS", Fernet.generate_key().decode())
    app = create_app({"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    headers = app.test_client().get("/sante").headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_health_needs_no_login_and_pages_do(client) -> None:
    assert client.get("/sante").get_json() == {"status": "ok"}
    response = client.get("/etablissements/")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_security_headers(client) -> None:
    headers = client.get("/connexion").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_csrf_is_enforced(client) -> None:
    response = client.post("/connexion", data={"email": "a@b.fr", "password": "x" * 12})
    assert response.status_code == 400
