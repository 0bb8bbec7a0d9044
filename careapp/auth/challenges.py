"""Authentication steps in progress, kept on the server (see AuthChallenge).

The signed session cookie carries only a random token. What the step allows (who passed the
password, where to go next, which new key awaits its first code) is read from the row, which
expires, ends when used, and cannot be made up by whoever holds the signing key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update

from careapp.auth.models import AuthChallenge, User
from careapp.db import db, utcnow

LOGIN = "login"  # password accepted, second factor to come
ENROL = "enrol"  # a new TOTP key shown, waiting for its first code


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_challenge(user: User, purpose: str, *, target: str = "",
                   stepped_up: bool = False) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(AuthChallenge(token_hash=_hash(token), user_id=user.id, purpose=purpose,
                                 target=target[:2048], stepped_up=stepped_up))
    db.session.flush()
    return token


def current(token: object, purpose: str, *, max_age: dt.timedelta,
            now: dt.datetime | None = None) -> AuthChallenge | None:
    """The open challenge behind this token, if it is of this purpose, recent, not ended, and
    its account is still active."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    row = db.session.scalar(select(AuthChallenge).filter_by(token_hash=_hash(token),
                                                            purpose=purpose, ended_at=None))
    if row is None or not row.user.active:
        return None
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
    return row if (now or utcnow()) - created <= max_age else None


def end(challenge: AuthChallenge) -> bool:
    """End it once: False when another request ended it first (a form posted twice)."""
    result = db.session.execute(
        update(AuthChallenge).where(AuthChallenge.id == challenge.id,
                                    AuthChallenge.ended_at.is_(None))
        .values(ended_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount == 1


def end_all(user: User, purpose: str) -> None:
    db.session.execute(
        update(AuthChallenge).where(AuthChallenge.user_id == user.id,
                                    AuthChallenge.purpose == purpose,
                                    AuthChallenge.ended_at.is_(None))
        .values(ended_at=utcnow()).execution_options(synchronize_session=False))
