from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careapp.auth.encryption import EncryptedString
from careapp.db import db, str_enum, utcnow
from careapp.organisations.models import Establishment, Region


class Role(enum.StrEnum):
    EDITOR = "editor"  # RSSI: fills and submits for their establishments
    READER = "reader"  # director: reads results of their establishments
    ARS = "ars"  # ARS correspondent: one region
    GRADES = "grades"  # GRADeS: one region, read-only
    NATIONAL = "national"  # national staff: everything, read-only
    ADMIN = "admin"


# Translated when displayed (lazy), so that the English interface gets English labels.
ROLE_LABELS = {
    Role.EDITOR: _l("RSSI (saisie)"),
    Role.READER: _l("Direction (lecture)"),
    Role.ARS: _l("Correspondant ARS"),
    Role.GRADES: "GRADeS",
    Role.NATIONAL: _l("Niveau national"),
    Role.ADMIN: _l("Administrateur"),
}

ESTABLISHMENT_ROLES = frozenset({Role.EDITOR, Role.READER})
# Accounts that see more than one establishment need a second factor (TOTP).
MFA_ROLES = frozenset({Role.ARS, Role.GRADES, Role.NATIONAL, Role.ADMIN})
REGIONAL_ROLES = frozenset({Role.ARS, Role.GRADES})

memberships = Table(
    "memberships",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("establishment_id", ForeignKey("establishments.id", ondelete="CASCADE"),
           primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        str_enum(Role, 20)
    )
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Encrypted at rest with CAREAPP_TOTP_KEYS: a copy of the database alone opens no account.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString(255))
    totp_last_step: Mapped[int | None]  # a code is accepted once: later steps only

    region: Mapped[Region | None] = relationship()
    establishments: Mapped[list[Establishment]] = relationship(
        secondary=memberships, order_by=Establishment.name
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserSession(db.Model):
    """A login, known to the server: logout or a password change ends it for good, and it
    cannot outlive its absolute lifetime. The cookie holds a random token; only its hash is
    stored."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]
    ip: Mapped[str] = mapped_column(String(45), default="")


class RecoveryCode(db.Model):
    """One-time codes shown once at TOTP enrolment; only their hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None]


class AuthChallenge(db.Model):
    """An authentication step in progress, known to the server: a password accepted with the
    second factor still to come (purpose "login"), or a new TOTP key waiting for its first code
    (purpose "enrol"). The cookie holds a random token and only its hash is stored, so a forged
    cookie opens nothing, even signed with the application's key."""

    __tablename__ = "auth_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    target: Mapped[str] = mapped_column(String(2048), default="")
    candidate_secret: Mapped[str | None] = mapped_column(EncryptedString(255))
    # An enrolment that replaces an existing key: password and current code were checked.
    stepped_up: Mapped[bool] = mapped_column(default=False)
    ended_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()
