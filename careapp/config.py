"""Settings: defaults < environment (CAREAPP_*) < overrides passed to create_app()."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable
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
    "CAREAPP_TOTP_KEYS": "TOTP_KEYS",
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
    elif env == "production" and not strong_enough(str(config["SECRET_KEY"])):
        raise ConfigError(
            "CAREAPP_SECRET_KEY est trop faible : il faut au moins 32 octets aléatoires, par "
            "exemple la sortie de « python3 -c 'import secrets; print(secrets.token_hex(32))' ».")
    config["TOTP_KEYS"] = _totp_keys(config, env, instance_path)
    if env == "production":
        config["SESSION_COOKIE_SECURE"] = True


def strong_enough(key: str) -> bool:
    """At least 256 bits by a cautious estimate: 4 bits a character for a hex key, 6 for a
    base64 one, nothing for a key with almost no distinct characters ('aaaa…', '0123…')."""
    if len(set(key)) < 10:
        return False
    per_char = 4 if all(c in "0123456789abcdefABCDEF" for c in key) else 6
    return len(key) * per_char >= 256


def _totp_keys(config: dict[str, Any], env: str, instance_path: Path) -> list[str]:
    """Fernet keys for the TOTP secrets at rest: the first encrypts, all decrypt (rotation)."""
    from cryptography.fernet import Fernet

    raw = config.get("TOTP_KEYS")
    if not raw:
        if env == "production":
            raise ConfigError(
                "CAREAPP_TOTP_KEYS est obligatoire en production (clé Fernet, p. ex. la sortie "
                "de « python3 -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())' »).")
        raw = _instance_file(instance_path, "totp_keys", lambda: Fernet.generate_key().decode())
    keys = [k.strip() for k in raw.split(",") if k.strip()] if isinstance(raw, str) else list(raw)
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError("CAREAPP_TOTP_KEYS : une clé n'est pas une clé Fernet valide "
                              "(32 octets en base64 url-safe, séparées par des virgules).") from None
    return keys


def _dev_secret(instance_path: Path) -> str:
    """A random key kept in instance/ so that dev sessions survive a restart."""
    return _instance_file(instance_path, "secret_key", lambda: secrets.token_hex(32))


def _instance_file(instance_path: Path, name: str, make: Callable[[], str]) -> str:
    """A generated value kept in instance/ (0600 from its creation), outside production."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made earlier, or by another worker at the same moment
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
    return path.read_text().strip()
