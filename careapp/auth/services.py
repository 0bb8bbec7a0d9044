"""Account operations: the only code that changes users (it flushes, the caller commits)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext, ngettext
from sqlalchemy import func, select

from careapp.auth import throttle
from careapp.auth.models import ESTABLISHMENT_ROLES, REGIONAL_ROLES, Role, User
from careapp.auth.passwords import hash_password, password_problem, verify_password
from careapp.auth.sessions import end_all_sessions
from careapp.db import db, utcnow
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
    problem = password_problem(password, min_length, user_inputs=(name, email))
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
    wait: float = 0.0  # seconds to wait when the attempt was refused unchecked (throttled)

    @property
    def throttled(self) -> bool:
        return self.wait > 0


def throttle_policy() -> throttle.Policy:
    config = current_app.config
    return throttle.Policy(
        free_per_account=int(config["LOGIN_FREE_FAILURES_PER_ACCOUNT"]),
        free_per_address=int(config["LOGIN_FREE_FAILURES_PER_ADDRESS"]),
        first_delay=float(config["LOGIN_FIRST_DELAY_SECONDS"]),
        max_delay=float(config["LOGIN_MAX_DELAY_SECONDS"]),
        window=dt.timedelta(hours=float(config["LOGIN_FAILURE_WINDOW_HOURS"])))


def login_wait(email: str, ip: str, *, now: dt.datetime | None = None) -> float:
    """Seconds before this account may try again from this address (0: now), from the
    failures in the audit log (careapp.auth.throttle has the rule)."""
    from careapp.audit.services import login_failures

    policy = throttle_policy()
    now = now or utcnow()
    since = now - policy.window
    email = email.strip().lower()
    account = throttle.Failures(*login_failures(email=email, since=since))
    address = throttle.Failures(*login_failures(ip=ip, since=since))
    return throttle.login_wait(account, address, now, policy)


def too_many_attempts(seconds: float) -> str:
    """The refusal, telling how long to wait (in the person's language)."""
    count, unit = throttle.rounded_wait(seconds)
    if unit == "seconds":
        wait = ngettext("%(num)s seconde", "%(num)s secondes", count)
    else:
        wait = ngettext("%(num)s minute", "%(num)s minutes", count)
    return gettext("Trop de tentatives : réessayez dans %(wait)s.", wait=wait)


def attempt_login(email: str, password: str, ip: str) -> LoginAttempt:
    """Authenticate unless this account must still wait after its recent failures (growing
    delays, careapp.auth.throttle). The wait is decided before the password is checked, so a
    refusal says nothing about it; every attempt goes to the audit log, which is also where the
    failures are counted (shared by all workers). The answer never tells whether the account
    exists: unknown addresses are counted and delayed the same way."""
    from careapp.audit.services import LOGIN_FAILED, record

    email = email.strip().lower()
    wait = login_wait(email, ip)
    if wait > 0:
        record("login.throttled", actor=email, ip=ip, details={"wait": math.ceil(wait)})
        return LoginAttempt(None, wait=wait)
    user = authenticate(email, password)
    if user is None:
        record(LOGIN_FAILED, actor=email, ip=ip)
        return LoginAttempt(None)
    from careapp.auth import mfa

    second_step = user.totp_secret is not None or mfa.required(user)
    record("login.password_ok" if second_step else "login.success", actor=user, ip=ip)
    return LoginAttempt(user)


def unlock(email: str, *, by: str = "cli") -> User:
    """Lift an account's login delays: its earlier failures no longer count (an audit event,
    so every worker sees it at once). Raises AccountError for an unknown address."""
    from careapp.audit.services import LOGIN_UNLOCK, record

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise AccountError(Msg("Aucun compte n'a cette adresse."))
    record(LOGIN_UNLOCK, actor=user, object_type="users", object_id=user.id,
           details={"by": by})
    db.session.flush()
    return user


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
    problem = password_problem(new, minimum, user_inputs=(user.name, user.email))
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    record("password.change", actor=user, ip=ip)
    return open_session(user, ip)
