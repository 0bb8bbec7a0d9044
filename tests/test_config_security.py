"""Production refuses to boot with a weak signing key or without a TOTP encryption key
(issue #9, F3 and F11); pages are never cached (F10)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from careapp.config import ConfigError, build_config, strong_enough
from tests import factories
from tests.world import make_world

GOOD = {"ENV_NAME": "production", "SECRET_KEY": secrets.token_hex(32),
        "TOTP_KEYS": Fernet.generate_key().decode()}


# Fixed values: xdist workers must collect the same parameters. Random-looking ones made once
# with secrets.token_hex / token_urlsafe.
HEX_16 = "9f2c4e1ab07d33c85e6f1a2b4c9d0e7f"
URLSAFE_24 = "q3ZrT8kLmN1pW6xYcV2bH9jDfGsA0eUi"
HEX_32 = "4be1d9a07c3f52e86b1d0a9c7e3f5b28d6a4c1e0f9b7d3a5c8e2f1b0a9d7c6e5"
URLSAFE_32 = "Xk3vQ9mZ2rT7wYbN5cLpJ8hGdF4sA1eU6iO0nM3qR7t"
URLSAFE_64 = "pL9mN2bV7cX4zQ1wE8rT5yU3iO6aS0dF2gH9jK4lZ7xC1vB5nM8qW3eR6tY0uI2oP5aS8dF1gH4jK7lZ0xC3vB6nM9q"


@pytest.mark.parametrize("key", ["dev", "test-secret", "change-me-please", "a" * 64,
                                 "0123456789" * 3, HEX_16, URLSAFE_24])
def test_production_refuses_a_weak_secret_key(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError, match="trop faible"):
        build_config(tmp_path, {**GOOD, "SECRET_KEY": key})


@pytest.mark.parametrize("key", [HEX_32, URLSAFE_32, URLSAFE_64])
def test_production_accepts_32_random_bytes(tmp_path: Path, key: str) -> None:
    assert strong_enough(key)
    assert build_config(tmp_path, {**GOOD, "SECRET_KEY": key})["SECRET_KEY"] == key


def test_production_needs_a_valid_totp_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CAREAPP_TOTP_KEYS est obligatoire"):
        build_config(tmp_path, {**GOOD, "TOTP_KEYS": ""})
    with pytest.raises(ConfigError, match="clé Fernet"):
        build_config(tmp_path, {**GOOD, "TOTP_KEYS": "not-a-key"})
    two = f"{Fernet.generate_key().decode()}, {Fernet.generate_key().decode()}"
    assert len(build_config(tmp_path, {**GOOD, "TOTP_KEYS": two})["TOTP_KEYS"]) == 2


def test_outside_production_keys_are_generated_private(tmp_path: Path) -> None:
    config = build_config(tmp_path, {"ENV_NAME": "development"})
    assert len(config["TOTP_KEYS"]) == 1
    for name in ("secret_key", "totp_keys"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    assert build_config(tmp_path, {"ENV_NAME": "development"})["TOTP_KEYS"] == config["TOTP_KEYS"]


def test_pages_are_not_stored_by_caches(app, browser) -> None:  # noqa: ANN001
    make_world()
    assert browser.client.get("/connexion").headers["Cache-Control"] == "no-store"
    browser.login("rssi@test.fr", factories.PASSWORD)
    for page in ("/etablissements/", "/compte/second-facteur", "/compte/mot-de-passe"):
        assert browser.client.get(page).headers["Cache-Control"] == "no-store", page
    static = browser.client.get("/static/css/app.css")
    static.close()  # a file response: close it, as the server would
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


def _keys_seen(instance: str) -> tuple[str, list[str]]:
    config = build_config(Path(instance), {"ENV_NAME": "development"})
    return config["SECRET_KEY"], config["TOTP_KEYS"]


def test_processes_starting_together_agree_on_one_generated_key(tmp_path: Path) -> None:
    """A fresh checkout: test workers (or gunicorn workers) create instance/ keys at the same
    moment. None may read a half-written file, and all must get the same keys."""
    from concurrent.futures import ProcessPoolExecutor

    for attempt in range(5):
        instance = tmp_path / f"instance{attempt}"
        with ProcessPoolExecutor(max_workers=6) as pool:
            seen = list(pool.map(_keys_seen, [str(instance)] * 12))
        assert len(set(secret for secret, _ in seen)) == 1
        assert len({tuple(keys) for _, keys in seen}) == 1 and seen[0][1]
        assert sorted(p.name for p in instance.iterdir()) == ["secret_key", "totp_keys"]
