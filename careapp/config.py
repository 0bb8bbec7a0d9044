"""Settings: defaults < environment (CAREAPP_*) < overrides passed to create_app()."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """Raised at boot when the configuration cannot run safely."""


def _defaults(instance_path: Path) -> dict[str, Any]:
    return {
        "ENV_NAME": "development",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_path / 'careapp.sqlite'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SECRET_KEY": None,
        # A CISO may keep a long section open for hours: the token lives as long as the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "LANGUAGES": ["fr", "en"],
        "QUESTIONNAIRE_DIR": str(PROJECT_ROOT / "questionnaires"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MIN_PASSWORD_LENGTH": 12,
        # Failed logins counted in the audit log, over a sliding window.
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 30,
        "LOGIN_THROTTLE_MINUTES": 15,
        # Idle timeout (rolling, checked by the server on the signed cookie) and absolute
        # lifetime of a login (checked on its user_sessions row).
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=8),
        "SESSION_ABSOLUTE_LIFETIME": dt.timedelta(hours=12),
        # A questionnaire section posts a few kilobytes; refuse anything far larger (413).
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    }


ENV_KEYS = {
    "CAREAPP_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "CAREAPP_SECRET_KEY": "SECRET_KEY",
    "CAREAPP_ENV": "ENV_NAME",
    "CAREAPP_QUESTIONNAIRE_DIR": "QUESTIONNAIRE_DIR",
}


def build_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    config = _defaults(instance_path)
    for env_key, key in ENV_KEYS.items():
        if os.environ.get(env_key):
            config[key] = os.environ[env_key]
    config.update(overrides or {})
    _check(config, instance_path)
    return config


def _check(config: dict[str, Any], instance_path: Path) -> None:
    env = config["ENV_NAME"]
    if env not in {"development", "test", "production"}:
        raise ConfigError(f"CAREAPP_ENV inconnu : {env!r} (development, test ou production)")
    if not config.get("SECRET_KEY"):
        if env == "production":
            raise ConfigError("CAREAPP_SECRET_KEY est obligatoire en production.")
        config["SECRET_KEY"] = _dev_secret(instance_path)
    if env == "production":
        config["SESSION_COOKIE_SECURE"] = True


def _dev_secret(instance_path: Path) -> str:
    """A random key kept in instance/ so that dev sessions survive a restart."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
