"""Settings: defaults < environment (CAREAPP_*) < overrides passed to create_app()."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import tempfile
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
        # A CISO may keep a long section open for hours: a token lives as long as a login can
        # (SESSION_ABSOLUTE_LIFETIME); past it, forms keep the input (careapp/errors.py).
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        "WTF_CSRF_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "LANGUAGES": ["fr", "en"],
        "QUESTIONNAIRE_DIR": str(PROJECT_ROOT / "questionnaires"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MIN_PASSWORD_LENGTH": 12,
        # Login throttling (careapp.auth.throttle), from the failures in the audit log: after
        # the free failures, each attempt waits a delay doubling from the first to the maximum.
        "LOGIN_FREE_FAILURES_PER_ACCOUNT": 5,
        "LOGIN_FREE_FAILURES_PER_ADDRESS": 30,
        "LOGIN_FIRST_DELAY_SECONDS": 5,
        "LOGIN_MAX_DELAY_SECONDS": 900,
        "LOGIN_FAILURE_WINDOW_HOURS": 24,
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto headers are
        # trusted (CAREAPP_TRUSTED_PROXIES; 0: none, the client is the TCP peer).
        "TRUSTED_PROXIES": 0,
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
    "CAREAPP_TRUSTED_PROXIES": "TRUSTED_PROXIES",
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


def trusted_proxies(value: object) -> int:
    """The number of reverse proxies whose forwarding headers are trusted: an integer from 0
    to 5, refused at boot otherwise (a wrong count lets clients forge their address)."""
    text = str(value if value is not None else 0).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or int(text) > 5:
        raise ConfigError(
            f"CAREAPP_TRUSTED_PROXIES doit être le nombre de proxys de confiance devant "
            f"l'application, un entier de 0 à 5 (1 derrière un seul nginx), pas {text!r}.")
    return int(text)


def _check(config: dict[str, Any], instance_path: Path) -> None:
    env = config["ENV_NAME"]
    if env not in {"development", "test", "production"}:
        raise ConfigError(f"CAREAPP_ENV inconnu : {env!r} (development, test ou production)")
    config["TRUSTED_PROXIES"] = trusted_proxies(config.get("TRUSTED_PROXIES"))
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
    if not keys:
        raise ConfigError("CAREAPP_TOTP_KEYS ne contient aucune clé.")
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
    """A generated value kept in instance/ (0600 from its creation), outside production.

    Written to a private temporary file, then linked into place: link() never overwrites, so
    two processes starting together (test workers, gunicorn workers) agree on one value and
    neither ever reads a half-written file."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / name
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=instance_path, prefix=f".{name}.")  # created 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(make())
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            os.unlink(tmp)
    return path.read_text().strip()
