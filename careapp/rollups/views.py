from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from careapp.assessments.models import STATUS_LABELS
from careapp.assessments.services import campaigns_in, questionnaire_of_campaign
from careapp.auth.access import can_reopen_in_region, visible_region_codes
from careapp.db import db
from careapp.organisations.models import Region
from careapp.rollups.loaders import region_status_rows

bp = Blueprint("rollups", __name__, url_prefix="/region")


@bp.get("/")
def region() -> str:
    allowed = visible_region_codes(current_user)
    if allowed == []:
        abort(403)
    regions = db.session.scalars(select(Region).order_by(Region.name)).all()
    if allowed is not None:
        regions = [r for r in regions if r.code in allowed]
    code = request.args.get("code") or regions[0].code
    selected = next((r for r in regions if r.code == code), None)
    if selected is None:
        abort(404)
    campaigns = campaigns_in(selected.code)
    campaign = None
    if campaigns:
        wanted = request.args.get("campagne", type=int)
        campaign = next((c for c in campaigns if c.id == wanted), campaigns[0])
    rows = region_status_rows(selected.code, campaign) if campaign else []
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for row in rows:
        counts[row["status"]] += 1
    return render_template(
        "rollups/region.html", regions=regions, region=selected, campaigns=campaigns,
        campaign=campaign, rows=rows, counts=counts, status_labels=STATUS_LABELS,
        questionnaire=questionnaire_of_campaign(campaign) if campaign else None,
        may_reopen=can_reopen_in_region(current_user, selected.code),
    )

