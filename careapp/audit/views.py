from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from careapp.audit.models import AuditEvent
from careapp.audit.services import shown_details
from careapp.auth.models import Role
from careapp.db import db
from careapp.formtools import control_characters

bp = Blueprint("audit", __name__, url_prefix="/journal")
PAGE_SIZE = 200
ACTION_MAX = 40  # the length of AuditEvent.action


@bp.get("/")
def index() -> str:
    """The audit log: everything for administrators, its region for an ARS."""
    if current_user.role not in {Role.ADMIN, Role.ARS}:
        abort(403)
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)
    if current_user.role is Role.ARS:
        query = query.where(AuditEvent.region_code == current_user.region_code)
    action = request.args.get("action", "")
    if control_characters(action, multiline=False) or len(action) > ACTION_MAX:
        # never an action name (PostgreSQL would even refuse a NUL): the filter is ignored
        flash(_("Filtre « Action » ignoré : il contient des caractères non autorisés ou plus "
                "de %(max)d caractères. Voici les derniers événements, sans filtre.",
                max=ACTION_MAX), "warning")
        action = ""
    if action:
        query = query.where(AuditEvent.action == action)
    return render_template("audit/index.html", events=db.session.scalars(query).all(),
                           action=action, page_size=PAGE_SIZE, shown_details=shown_details)
