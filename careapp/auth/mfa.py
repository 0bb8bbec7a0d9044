"""TOTP second factor: enrolment with a locally rendered QR code, one-time recovery codes,
and codes that cannot be used twice."""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy import delete, or_, update
from sqlalchemy.orm.attributes import set_committed_value

from careapp.auth import encryption
from careapp.auth.models import MFA_ROLES, RecoveryCode, User
from careapp.db import db, utcnow

ISSUER = "careapp CaRE"
RECOVERY_CODES = 10
TOTP_DIGITS = 6


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


class AlreadyEnrolled(RuntimeError):
    """The account got a second factor meanwhile: a first enrolment never replaces one."""


def enable(user: User, secret: str, code: str, now: float | None = None, *,
           replacing: bool = False) -> list[str] | None:
    """Turn TOTP on if `code` proves the person holds `secret`; return the recovery codes
    (shown once), or None when the code is wrong. A first enrolment (`replacing` False) only
    writes over an empty key, checked in the UPDATE itself: two enrolments racing, or a login
    whose password alone was checked, can never overwrite the owner's key."""
    step = _totp_step(secret, _normalise(code), None, now or time.time())
    if step is None:
        return None
    condition = [User.id == user.id]
    if not replacing:
        condition.append(User.totp_secret.is_(None))
    result = db.session.execute(update(User).where(*condition).values(
        totp_secret=secret, totp_last_step=step).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise AlreadyEnrolled(user.email)
    db.session.refresh(user)
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(_normalise(c)))
                       for c in codes)
    db.session.flush()
    return codes


def disable(user: User) -> None:
    db.session.execute(update(User).where(User.id == user.id).values(
        totp_secret=None, totp_last_step=None).execution_options(synchronize_session=False))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.refresh(user)


def verify(user: User, code: str, now: float | None = None) -> bool:
    """A current TOTP code not used before, or an unused recovery code (then spent).

    Six digits are a TOTP code; anything else is a recovery code (twelve characters, so an
    all-digit recovery code is still one). Single use is decided by a conditional UPDATE, so
    that two requests racing with the same code cannot both pass."""
    code = _normalise(code)
    if len(code) == TOTP_DIGITS and code.isdigit():
        if not user.totp_secret:
            return False
        step = _totp_step(user.totp_secret, code, user.totp_last_step, now or time.time())
        if step is None:
            return False
        claimed = db.session.execute(update(User).where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        ).values(totp_last_step=step).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            return False
        set_committed_value(user, "totp_last_step", step)
        return True
    if not user.totp_secret:
        return False
    spent = db.session.execute(update(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code),
        RecoveryCode.used_at.is_(None),
    ).values(used_at=utcnow()).execution_options(synchronize_session=False))
    return spent.rowcount == 1


def rotate_keys() -> int:
    """Re-encrypt every stored TOTP key with the first of CAREAPP_TOTP_KEYS (after a new key
    was put first); returns how many were rewritten. The old key can then be dropped."""
    count = 0
    for name, column in (("users", "totp_secret"), ("auth_challenges", "candidate_secret")):
        table = sa.table(name, sa.column("id", sa.Integer), sa.column(column, sa.String))
        rows = db.session.execute(sa.select(table.c.id, table.c[column])
                                  .where(table.c[column].is_not(None))).all()
        for row_id, token in rows:
            db.session.execute(table.update().where(table.c.id == row_id)
                               .values({column: encryption.rotate(token)}))
            count += 1
    return count
