"""Secrets kept encrypted at rest (TOTP keys): a column type that encrypts on write and
decrypts on read with the application's Fernet keys (CAREAPP_TOTP_KEYS).

MultiFernet: the first key encrypts, every listed key decrypts, so a key is rotated by putting
a new one first, running `flask --app careapp users rotate-totp-keys`, then dropping the old.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from flask import current_app
from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def box() -> MultiFernet:
    keys = current_app.config["TOTP_KEYS"]
    cached = current_app.extensions.get("careapp_totp_box")
    if cached is None or cached[0] != keys:
        cached = (keys, MultiFernet([Fernet(k) for k in keys]))
        current_app.extensions["careapp_totp_box"] = cached
    return cached[1]


class EncryptedString(TypeDecorator[str]):
    """Text encrypted with the app's keys; the database only ever holds the Fernet token."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return box().encrypt(str(value).encode()).decode("ascii")

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return box().decrypt(value.encode("ascii")).decode()


def rotate(token: str) -> str:
    """The same secret re-encrypted with the first key."""
    return box().rotate(token.encode("ascii")).decode("ascii")
