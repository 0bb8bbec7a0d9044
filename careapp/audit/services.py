"""Recording audit events, and the rule that they are never changed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from careapp.audit.models import AuditEvent
from careapp.auth.models import User
from careapp.db import db

LOGIN_FAILED = "login.failure"


class AuditIntegrityError(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context: object, _instances: object) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditIntegrityError("le journal d'audit n'accepte que des ajouts")


def record(action: str, *, actor: User | str | None, object_type: str = "", object_id: object = "",
           region_code: str | None = None, establishment_id: int | None = None, ip: str = "",
           details: dict[str, Any] | None = None) -> AuditEvent:
    if isinstance(actor, User):
        actor_id, actor_name = actor.id, actor.email
    else:
        actor_id, actor_name = None, (actor or "")[:254]
    entry = AuditEvent(
        actor_id=actor_id, actor=actor_name, action=action, object_type=object_type,
        object_id=str(object_id or "")[:40], region_code=region_code,
        establishment_id=establishment_id, ip=ip[:45], details=bounded(details or {}),
    )
    db.session.add(entry)
    return entry


# One event stays small whatever it is given (the log only grows): each text of its details
# keeps its first DETAIL_TEXT_MAX characters followed by CUT, each list or mapping its first
# DETAIL_ITEMS_MAX items; should the whole still exceed DETAIL_BYTES_MAX of JSON, texts are cut
# shorter, and at last only the top-level keys remain. The full values stay in their tables.
DETAIL_TEXT_MAX = 500
DETAIL_ITEMS_MAX = 200
DETAIL_BYTES_MAX = 64 * 1024
CUT = "…"


def bounded(details: dict[str, Any]) -> dict[str, Any]:
    for text_max in (DETAIL_TEXT_MAX, 100, 20):
        small = _bounded(details, text_max, depth=0)
        if len(json.dumps(small, ensure_ascii=False, default=str).encode()) <= DETAIL_BYTES_MAX:
            return small
    keys = [str(key)[:40] for key in list(details)[:DETAIL_ITEMS_MAX]]
    return {"truncated": True, "keys": keys}


def _bounded(value: Any, text_max: int, depth: int) -> Any:
    if isinstance(value, str):
        return value if len(value) <= text_max else value[:text_max] + CUT
    if isinstance(value, dict | list | tuple) and depth >= 8:
        return CUT
    if isinstance(value, dict):
        items = list(value.items())
        kept = {_bounded(str(k), text_max, depth): _bounded(v, text_max, depth + 1)
                for k, v in items[:DETAIL_ITEMS_MAX]}
        if len(items) > DETAIL_ITEMS_MAX:
            kept[CUT] = len(items) - DETAIL_ITEMS_MAX  # how many were left out
        return kept
    if isinstance(value, list | tuple):
        kept_items = [_bounded(v, text_max, depth + 1) for v in value[:DETAIL_ITEMS_MAX]]
        return kept_items + [CUT] if len(value) > DETAIL_ITEMS_MAX else kept_items
    return value


# A successful login (second factor included) or an administrator's unlock starts an account's
# failure count afresh (careapp.auth.throttle).
LOGIN_UNLOCK = "login.unlock"
COUNT_RESETS = ("login.success", LOGIN_UNLOCK)


def login_failures(*, email: str | None = None, ip: str | None = None,
                   since: dt.datetime) -> tuple[int, dt.datetime | None]:
    """Failed logins (password or code) since `since` for an account or an address, and the
    time of the last one: stored in the database, so every worker sees the same count. For an
    account, only the failures after its last success or unlock count."""
    query = select(func.count(AuditEvent.id), func.max(AuditEvent.at)).where(
        AuditEvent.action == LOGIN_FAILED, AuditEvent.at >= since)
    if email is not None:
        reset = db.session.scalar(select(func.max(AuditEvent.at)).where(
            AuditEvent.action.in_(COUNT_RESETS), AuditEvent.actor == email,
            AuditEvent.at >= since))
        query = query.where(AuditEvent.actor == email)
        if reset is not None:
            query = query.where(AuditEvent.at > reset)
    if ip is not None:
        query = query.where(AuditEvent.ip == ip)
    count, last = db.session.execute(query).one()
    return count or 0, last


# Registers and roadmaps stay inside the establishment: the journal (administrators, ARS) shows
# who changed which register row and which fields, never the contents. The full before → after
# stays in the table for an investigation run on the database itself.
REGISTER_OBJECTS = frozenset({"crisis_exercises", "exercise_findings", "continuity_profiles",
                              "critical_activities", "roadmap_actions"})
REDACTED = "…"


def shown_details(event: AuditEvent) -> dict[str, Any]:
    if event.object_type not in REGISTER_OBJECTS and not event.action.startswith("roadmap."):
        return event.details or {}
    return {key: _redact(value) for key, value in (event.details or {}).items()}


def _redact(value: Any) -> Any:
    if isinstance(value, dict):  # field → value, or field → [before, after]: keep the names
        return dict.fromkeys(value, REDACTED)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value  # counts and ids
    return REDACTED
