"""TOTP second factor: enrolment with a locally rendered QR code, one-time recovery codes,
and codes that cannot be used twice."""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import select

from careapp.auth.models import MFA_ROLES, RecoveryCode, User
from careapp.db import db, utcnow

ISSUER = "careapp CaRE"
RECOVERY_CODES = 10


def required(user: User) -> bool:
    return user.role in MFA_ROLES


def new_secret() -> str:
    return pyotp.random_base32()


def qr_svg(user: User, secret: str) -> Markup:
    """The provisioning QR code as inline SVG, drawn here (no image service, no CDN)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    # segno writes the SVG from the URI alone: it holds no user-supplied markup.
    return Markup(segno.make(uri, error="m").svg_inline(scale=5, dark="#000091"))  # noqa: S704


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _totp_step(secret: str, code: str, after: int | None, now: float) -> int | None:
    """The time step the code belongs to (±1 step of drift), if later than `after`."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(int(now))
    for step in (current - 1, current, current + 1):
        if (after is None or step > after) and secrets.compare_digest(
                totp.generate_otp(step), code):
            return step
    return None


def enable(user: User, secret: str, code: str, now: float | None = None) -> list[str] | None:
    """Turn TOTP on if `code` proves the person holds `secret`; return the recovery codes
    (shown once), or None when the code is wrong."""
    step = _totp_step(secret, _normalise(code), None, now or time.time())
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_last_step = step
    for old in db.session.scalars(select(RecoveryCode).filter_by(user_id=user.id)):
        db.session.delete(old)
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(_normalise(c)))
                       for c in codes)
    db.session.flush()
    return codes


def verify(user: User, code: str, now: float | None = None) -> bool:
    """A current TOTP code not used before, or an unused recovery code (then spent)."""
    code = _normalise(code)
    if user.totp_secret and code.isdigit():
        step = _totp_step(user.totp_secret, code, user.totp_last_step, now or time.time())
        if step is not None:
            user.totp_last_step = step
            return True
        return False
    recovery = db.session.scalar(select(RecoveryCode).filter_by(
        user_id=user.id, code_hash=_hash(code), used_at=None))
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    return True
