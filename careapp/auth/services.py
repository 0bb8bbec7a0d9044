"""Account operations: the only code that changes users (it flushes, the caller commits)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from careapp.auth.models import ESTABLISHMENT_ROLES, REGIONAL_ROLES, Role, User
from careapp.auth.passwords import hash_password, password_problem, verify_password
from careapp.auth.sessions import end_all_sessions
from careapp.db import db
from careapp.messages import Msg
from careapp.organisations.models import Establishment

ADMIN_MIN_PASSWORD_LENGTH = 16  # ANSSI: longer passwords for the most powerful accounts


class AccountError(ValueError):
    pass


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    return user if ok and user is not None and user.active else None


def upsert_user(
    email: str,
    name: str,
    role: Role,
    password: str,
    *,
    region_code: str | None = None,
    establishments: list[Establishment] | None = None,
    min_length: int = 12,
) -> User:
    if role is Role.ADMIN:
        min_length = max(min_length, ADMIN_MIN_PASSWORD_LENGTH)
    problem = password_problem(password, min_length)
    if problem:
        raise AccountError(problem)
    if role in REGIONAL_ROLES and not region_code:
        raise AccountError("Un compte ARS ou GRADeS est rattaché à une région.")
    if role in ESTABLISHMENT_ROLES and not establishments:
        raise AccountError("Un compte d'établissement est rattaché à au moins un établissement.")
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if user is None:
        user = User(email=email.lower(), name=name, role=role, password_hash="")
        db.session.add(user)
    elif not verify_password(user.password_hash, password):
        end_all_sessions(user)  # a new password logs the account out everywhere
    user.name = name
    user.role = role
    user.password_hash = hash_password(password)
    user.region_code = region_code if role in REGIONAL_ROLES else None
    user.establishments = list(establishments or []) if role in ESTABLISHMENT_ROLES else []
    db.session.flush()
    return user


@dataclass(frozen=True)
class LoginAttempt:
    user: User | None
    throttled: bool = False


def attempt_login(email: str, password: str, ip: str, *, max_per_account: int = 5,
                  max_per_address: int = 30, window_minutes: int = 15) -> LoginAttempt:
    """Authenticate unless too many recent failures for this account or this address; every
    attempt goes to the audit log, which is also where the failures are counted (shared by
    all workers). The answer never tells whether the account exists."""
    from careapp.audit.services import LOGIN_FAILED, recent_failures, record

    email = email.strip().lower()
    if (recent_failures(email=email, minutes=window_minutes) >= max_per_account
            or recent_failures(ip=ip, minutes=window_minutes) >= max_per_address):
        record("login.throttled", actor=email, ip=ip)
        return LoginAttempt(None, throttled=True)
    user = authenticate(email, password)
    if user is None:
        record(LOGIN_FAILED, actor=email, ip=ip)
        return LoginAttempt(None)
    from careapp.auth import mfa

    second_step = user.totp_secret is not None or mfa.required(user)
    record("login.password_ok" if second_step else "login.success", actor=user, ip=ip)
    return LoginAttempt(user)


def change_password(user: User, current: str, new: str, ip: str = "") -> str:
    """Change the person's own password and end all their sessions; returns the token of a
    new session for the current browser. Raises AccountError with the reason otherwise."""
    from careapp.audit.services import record
    from careapp.auth.sessions import open_session

    if not verify_password(user.password_hash, current):
        raise AccountError(Msg("Mot de passe actuel incorrect."))
    if current == new:
        raise AccountError(Msg("Choisissez un mot de passe différent de l'actuel."))
    minimum = ADMIN_MIN_PASSWORD_LENGTH if user.role is Role.ADMIN else 12
    problem = password_problem(new, minimum)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    record("password.change", actor=user, ip=ip)
    return open_session(user, ip)
