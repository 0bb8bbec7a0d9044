from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from careapp.assessments import services as assessment_services
from careapp.auth.access import (
    can_edit,
    can_see_register_summary,
    get_establishment_or_404,
    is_member,
    visible_establishments,
)
from careapp.db import db
from careapp.rollups.loaders import register_summaries

bp = Blueprint("organisations", __name__, url_prefix="/etablissements")


@bp.get("/")
def index() -> str:
    establishments = db.session.scalars(visible_establishments(current_user)).all()
    return render_template("organisations/index.html", establishments=establishments)


@bp.get("/<int:establishment_id>")
def show(establishment_id: int) -> str:
    establishment = get_establishment_or_404(establishment_id)
    rows = [
        (campaign, assessment_services.find_assessment(campaign, establishment))
        for campaign in assessment_services.campaigns_for(establishment)
    ]
    may_edit = can_edit(current_user, establishment)
    editable_ids = {a.id for _, a in rows if a is not None and may_edit
                    and assessment_services.open_for_input(a)}
    member = is_member(current_user, establishment)
    summary = (register_summaries([establishment.id])[establishment.id]
               if can_see_register_summary(current_user, establishment) else None)
    return render_template("organisations/show.html", establishment=establishment, rows=rows,
                           can_edit=may_edit, editable_ids=editable_ids, member=member,
                           summary=summary)
