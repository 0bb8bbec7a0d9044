"""Server-side login sessions.

The signed cookie carries a random token; the `user_sessions` row says whether that login is
still valid. Idle timeout: Flask's permanent session, re-signed on every request and refused by
the server past PERMANENT_SESSION_LIFETIME. Absolute lifetime and revocation: the row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update

from careapp.auth.models import User, UserSession
from careapp.db import db, utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: User, ip: str = "") -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_hash(token), user_id=user.id, ip=ip[:45]))
    return token


def is_valid(token: str | None, user_id: int, *, lifetime: dt.timedelta,
             now: dt.datetime | None = None) -> bool:
    if not token:
        return False
    row = db.session.scalar(select(UserSession).filter_by(token_hash=_hash(token)))
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return False
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
    return (now or utcnow()) - created < lifetime


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(update(UserSession).where(
            UserSession.token_hash == _hash(token), UserSession.ended_at.is_(None)
        ).values(ended_at=utcnow()))


def end_all_sessions(user: User) -> None:
    """Log out everywhere (a password change)."""
    db.session.execute(update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    ).values(ended_at=utcnow()))
