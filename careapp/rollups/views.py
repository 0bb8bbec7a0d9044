from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from careapp.assessments.models import STATUS_LABELS
from careapp.assessments.services import campaigns_in, questionnaire_of_campaign
from careapp.auth.access import (
    can_reopen_in_region,
    can_see_register_summaries_of_region,
    visible_region_codes,
)
from careapp.db import db
from careapp.organisations.models import Establishment, Region
from careapp.rollups.loaders import region_status_rows, register_summaries

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
    # Registers stay inside establishments; the ARS of the region sees their summary.
    show_registers = can_see_register_summaries_of_region(current_user, selected.code)
    establishments = db.session.execute(
        select(Establishment.id, Establishment.name).where(Establishment.region_code == code)
        .order_by(Establishment.name)).all() if show_registers else []
    summaries = register_summaries([e.id for e in establishments])
    return render_template(
        "rollups/region.html", show_registers=show_registers, summaries=summaries,
        establishments=establishments, regions=regions, region=selected, campaigns=campaigns,
        campaign=campaign, rows=rows, counts=counts, status_labels=STATUS_LABELS,
        questionnaire=questionnaire_of_campaign(campaign) if campaign else None,
        may_reopen=can_reopen_in_region(current_user, selected.code),
    )

