from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, render_template, request
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from careapp.audit import labels
from careapp.audit.models import AuditEvent
from careapp.audit.presenting import Line, Words, describe
from careapp.audit.services import shown_details
from careapp.auth.models import Role, User
from careapp.db import db
from careapp.formtools import control_characters
from careapp.organisations.models import Establishment, Region

bp = Blueprint("audit", __name__, url_prefix="/journal")
PAGE_SIZE = 200
ACTION_MAX = 40  # the length of AuditEvent.action
PERSON_MAX = 254  # the length of AuditEvent.actor
DATE_YEARS = (2000, 2999)  # a date filter outside is a typing error (and far from overflows)


@dataclass(frozen=True)
class Row:
    """One event as the page shows it."""

    id: int
    when: str
    person: str
    email: str
    action: str
    label: str
    what: str
    establishment: str
    region_code: str
    region: str
    lines: list[Line]


@dataclass
class Filters:
    action: str = ""
    establishment: int | None = None
    person: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    before: int | None = None

    def args(self) -> dict[str, Any]:
        """The query string that keeps these filters (for the "plus anciens" link)."""
        values = {"action": self.action, "etablissement": self.establishment,
                  "personne": self.person, "du": self.since and self.since.isoformat(),
                  "au": self.until and self.until.isoformat()}
        return {k: v for k, v in values.items() if v}


def _ignored(name: str) -> None:
    flash(_("Filtre « %(name)s » ignoré : valeur non reconnue. Les autres filtres "
            "s'appliquent.", name=name), "warning")


def _date(name: str, label: str) -> dt.date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is not None and DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
        return day
    _ignored(label)
    return None


def _filters(establishments: dict[int, str]) -> Filters:
    """The filters of the query string; an invalid one is ignored with a message."""
    found = Filters()
    action = request.args.get("action", "")
    if control_characters(action, multiline=False) or len(action) > ACTION_MAX:
        # never an action name (PostgreSQL would even refuse a NUL): the filter is ignored
        flash(_("Filtre « Action » ignoré : il contient des caractères non autorisés ou plus "
                "de %(max)d caractères. Voici les derniers événements, sans filtre.",
                max=ACTION_MAX), "warning")
        action = ""
    found.action = action
    chosen = request.args.get("etablissement", "").strip()
    if chosen:
        # an establishment outside the person's scope is ignored like a wrong number
        if chosen.isascii() and chosen.isdigit() and int(chosen) in establishments:
            found.establishment = int(chosen)
        else:
            _ignored(_("Établissement"))
    person = request.args.get("personne", "").strip()
    if control_characters(person, multiline=False) or len(person) > PERSON_MAX:
        _ignored(_("Personne"))
        person = ""
    found.person = person
    found.since, found.until = _date("du", _("Du")), _date("au", _("Au"))
    before = request.args.get("avant", "").strip()
    if before:
        if before.isascii() and before.isdigit() and len(before) < 18:
            found.before = int(before)
        else:
            _ignored(_("Plus anciens"))
    return found


def _utc_start(day: dt.date) -> dt.datetime:
    """The UTC time (naive, as stored) at which `day` begins in the application's time zone."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def _like_prefix(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _value_words(key: str, value: Any) -> str | None:
    if key == "step" and isinstance(value, str):
        return str(labels.STEPS.get(value, value))
    return None


def _rows(found: list[Any], regions: dict[str, str]) -> list[Row]:
    words = Words(yes=_("oui"), no=_("non"))
    rows = []
    for event, establishment, user in found:
        def label(name: str, object_type: str = event.object_type) -> str:
            return str(labels.field_label(object_type, name))

        what = ""
        if event.object_type:
            what = str(labels.object_label(event.object_type))
            if event.object_id and event.object_type not in {"users", "establishments"}:
                what = f"{what} n° {event.object_id}" if event.object_id.isdigit() else (
                    f"{what} {event.object_id}")
        rows.append(Row(
            id=event.id,
            when=format_datetime(event.at, "medium"),  # the app's time zone, the person's locale
            person=user.name if user is not None else "",
            email=event.actor,
            action=event.action,
            label=str(labels.action_label(event.action)),
            what=what,
            establishment=establishment or "",
            region_code=event.region_code or "",
            region=regions.get(event.region_code or "", event.region_code or ""),
            lines=describe(shown_details(event), label, _value_words, words),
        ))
    return rows


@bp.get("/")
def index() -> str:
    """The audit log: everything for administrators, its region for an ARS."""
    if current_user.role not in {Role.ADMIN, Role.ARS}:
        abort(403)
    ars = current_user.role is Role.ARS
    visible = select(Establishment.id, Establishment.name).order_by(Establishment.name)
    if ars:
        visible = visible.where(Establishment.region_code == current_user.region_code)
    establishments = dict(db.session.execute(visible).all())
    regions = dict(db.session.execute(select(Region.code, Region.name)).all())
    found = _filters(establishments)

    query = (select(AuditEvent, Establishment.name, User)
             .outerjoin(Establishment, Establishment.id == AuditEvent.establishment_id)
             .outerjoin(User, User.id == AuditEvent.actor_id)
             .order_by(AuditEvent.id.desc()).limit(PAGE_SIZE + 1))
    if ars:  # whatever the filters, an ARS reads its region only
        query = query.where(AuditEvent.region_code == current_user.region_code)
    if found.action:
        query = query.where(AuditEvent.action == found.action)
    if found.establishment is not None:
        query = query.where(AuditEvent.establishment_id == found.establishment)
    if found.person:
        query = query.where(func.lower(AuditEvent.actor).like(_like_prefix(found.person),
                                                              escape="\\"))
    if found.since is not None:
        query = query.where(AuditEvent.at >= _utc_start(found.since))
    if found.until is not None:
        query = query.where(AuditEvent.at < _utc_start(found.until + dt.timedelta(days=1)))
    if found.before is not None:
        query = query.where(AuditEvent.id < found.before)
    events = db.session.execute(query).all()
    older = events[PAGE_SIZE - 1][0].id if len(events) > PAGE_SIZE else None
    kinds = sorted(((code, str(label)) for code, label in labels.ACTIONS.items()),
                   key=lambda kind: kind[1].lower())
    return render_template("audit/index.html", rows=_rows(events[:PAGE_SIZE], regions),
                           filters=found, establishments=establishments, kinds=kinds,
                           known=labels.ACTIONS, older=older, page_size=PAGE_SIZE)
