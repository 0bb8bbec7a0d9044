"""Personal API tokens: creation (shown once, stored as a SHA-256 hash), revocation, and the
check of a `Bearer` token on each API request. Services flush; the caller commits."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import func, select

from careapp.api.models import ApiToken
from careapp.audit.services import record
from careapp.auth import mfa
from careapp.auth.models import User
from careapp.db import db, utcnow
from careapp.messages import Msg

LIFETIMES = (30, 90, 365)  # days a new token lives; the form proposes these only
DEFAULT_LIFETIME = 90
MAX_ACTIVE = 10  # unrevoked, unexpired tokens per person
NAME_MAX = 120
PREFIX_LENGTH = 12  # "care_" and 7 random characters: tells tokens apart, opens nothing
SCHEME = "care_"
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most once a minute


class TokenError(Exception):
    """A refused creation or revocation, with its message (translated when shown)."""

    def __init__(self, message: Msg) -> None:
        super().__init__(str(message))
        self.message = message


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes (stored in UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def is_active(token: ApiToken, now: dt.datetime | None = None) -> bool:
    return token.revoked_at is None and aware(token.expires_at) > (now or utcnow())


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).filter_by(user_id=user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def active_count(user: User, now: dt.datetime | None = None) -> int:
    return db.session.scalar(select(func.count(ApiToken.id)).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > (now or utcnow()))) or 0


def may_create(user: User) -> bool:
    """Accounts that must use a second factor need one enrolled to create a token."""
    return not mfa.required(user) or bool(user.totp_secret)


def _region_of(user: User) -> str | None:
    if user.region_code:
        return user.region_code
    return user.establishments[0].region_code if user.establishments else None


def create(user: User, name: str, lifetime_days: int, ip: str = "",
           now: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new token and its secret (to show once). Raises TokenError when refused."""
    now = now or utcnow()
    if not may_create(user):
        raise TokenError(Msg("Activez d'abord le second facteur de votre compte : il est "
                             "exigé pour créer un jeton d'API."))
    if lifetime_days not in LIFETIMES:
        raise TokenError(Msg("Durée de validité non proposée."))
    if active_count(user, now) >= MAX_ACTIVE:
        raise TokenError(Msg("Vous avez déjà %(n)s jetons actifs : révoquez-en un avant d'en "
                             "créer un autre.", n=MAX_ACTIVE))
    secret = SCHEME + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:PREFIX_LENGTH],
                     token_hash=hash_token(secret), created_at=now,
                     expires_at=now + dt.timedelta(days=lifetime_days))
    db.session.add(token)
    db.session.flush()
    record("api_token.create", actor=user, object_type="api_tokens", object_id=token.id,
           region_code=_region_of(user), ip=ip,
           details={"name": name, "prefix": token.prefix,
                    "expires_at": token.expires_at.isoformat()})
    db.session.flush()
    return token, secret


def own_token(user: User, token_id: int) -> ApiToken | None:
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user.id else None


def revoke(user: User, token: ApiToken, ip: str = "") -> bool:
    """Revokes one of the person's tokens; False when it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    record("api_token.revoke", actor=user, object_type="api_tokens", object_id=token.id,
           region_code=_region_of(user), ip=ip,
           details={"name": token.name, "prefix": token.prefix})
    db.session.flush()
    return True


def authenticate(secret: str | None, now: dt.datetime | None = None) -> User | None:
    """The active person a token belongs to, or None (unknown, expired, revoked token, or an
    inactive account). Notes the use, at most once a minute (flushed: the caller commits)."""
    if not secret or not secret.startswith(SCHEME) or len(secret) > 200:
        return None
    now = now or utcnow()
    token = db.session.scalar(select(ApiToken).filter_by(token_hash=hash_token(secret)))
    if token is None or not is_active(token, now) or not token.user.active:
        return None
    if token.last_used_at is None or now - aware(token.last_used_at) >= TOUCH_EVERY:
        token.last_used_at = now
        db.session.flush()
    return token.user
