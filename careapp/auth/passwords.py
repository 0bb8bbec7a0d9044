"""argon2id password hashing and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from careapp.messages import Msg

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

# Verifying against this hash when the account does not exist keeps timings alike.
_DUMMY_HASH = _hasher.hash("careapp-dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, min_length: int = 12) -> str | None:
    if len(password) < min_length:
        return Msg("Le mot de passe doit compter au moins %(count)s caractères.", count=min_length)
    return None
