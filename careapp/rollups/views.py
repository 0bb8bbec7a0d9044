from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from careapp.assessments.models import STATUS_LABELS, Assessment, Campaign, CampaignStatus
from careapp.assessments.services import campaigns_in, questionnaire_of_campaign
from careapp.auth.access import (
    can_reopen_in_region,
    can_see_register_summaries_of_region,
    visible_region_codes,
)
from careapp.db import db
from careapp.organisations.models import Establishment, Region
from careapp.rollups import table

bp = Blueprint("rollups", __name__, url_prefix="/region")


@bp.get("/")
def region() -> str:
    allowed = visible_region_codes(current_user)
    if allowed == []:
        abort(403)
    regions = db.session.scalars(select(Region).order_by(Region.name)).all()
    if allowed is not None:
        regions = [r for r in regions if r.code in allowed]
    code = request.args.get("code")
    if not code and allowed is None:  # national staff and administrators choose a region
        return _region_chooser(regions)
    code = code or regions[0].code
    selected = next((r for r in regions if r.code == code), None)
    if selected is None:
        abort(404)
    campaigns = campaigns_in(selected.code)
    campaign = chosen_campaign(selected.code, campaigns)
    errors: list[Any] = []
    if request.args.get("campagne") and (
            campaign is None or str(campaign.id) != request.args.get("campagne")):
        errors.append(_l("Campagne inconnue : la campagne par défaut est affichée."))
    context: dict[str, Any] = {}
    if campaign is not None:
        context = _dashboard_context(selected.code, campaign)
        errors += context["board"].filters.errors
    return render_template(
        "rollups/region.html", regions=regions, region=selected, campaigns=campaigns,
        campaign=campaign, errors=errors, status_labels=STATUS_LABELS,
        questionnaire=questionnaire_of_campaign(campaign) if campaign else None, **context)


def chosen_campaign(region_code: str, campaigns: list[Campaign]) -> Campaign | None:
    """The `campagne` parameter when it is one of the region's campaigns, else the default."""
    if not campaigns:
        return None
    wanted = request.args.get("campagne", type=int)
    campaign = next((c for c in campaigns if c.id == wanted), None)
    if campaign is None:
        campaign = default_campaign(campaigns, started_in(region_code,
                                                          [c.id for c in campaigns]))
    return campaign


def started_in(region_code: str | None, campaign_ids: list[int]) -> dict[int, int]:
    """campaign id → assessments (any status) of the region's establishments (the nation's
    when `region_code` is None): what loaders.participation_by_region sums, in one query
    grouped by campaign only instead of every region × campaign × status."""
    query = (select(Assessment.campaign_id, func.count())
             .join(Establishment, Establishment.id == Assessment.establishment_id)
             .where(Assessment.campaign_id.in_(campaign_ids))
             .group_by(Assessment.campaign_id))
    if region_code is not None:
        query = query.where(Establishment.region_code == region_code)
    return {campaign_id: n for campaign_id, n in db.session.execute(query)}


def _dashboard_context(region_code: str, campaign: Campaign) -> dict[str, Any]:
    from careapp.reporting import charts
    from careapp.rollups import dashboard, loaders

    today = dt.date.today()
    lang = _lang()
    show_registers = can_see_register_summaries_of_region(current_user, region_code)
    figures = dashboard.headline(campaign, region_code, today)
    frame, comparison = dashboard.with_change(loaders.page_lines(campaign, region_code),
                                              campaign, region_code)
    # summaries or lines read for the first time have just been stored
    dashboard.commit_keeping_loaded()
    board = dashboard.build(frame, request.args, campaign, with_registers=show_registers,
                            today=today, comparison=comparison)
    questionnaire = questionnaire_of_campaign(campaign)
    levels = dashboard.level_rows(questionnaire, figures["levels"], lang)
    last_day = max([campaign.deadline, min(today, campaign.deadline + dt.timedelta(days=60)),
                    *(day for day, _ in board.timeline)])
    return {
        "board": board, "figures": figures, "show_registers": show_registers,
        "may_reopen": can_reopen_in_region(current_user, region_code),
        "synthesis": figures, "levels": levels, "today": today,
        "page_links": table.page_links(board.page.number, board.page.pages),
        "axes_chart": charts.axis_distribution_svg(questionnaire, figures["axes"],
                                                   figures["overall"], lang),
        "levels_chart": charts.levels_svg(levels),
        "participation_chart": charts.participation_svg(
            board.timeline, board.total, min([campaign.opens_on,
                                              *(d for d, _ in board.timeline)]),
            campaign.deadline, last_day),
    }


def _lang() -> str:
    locale = get_locale()
    return locale.language if locale else "fr"


def region_campaign_or_404(code: str, wanted: str | None) -> Campaign:
    """The campaign a region's download or report is about: the `campagne` parameter (404 when
    it does not concern the region) or, as on the page, default_campaign."""
    campaigns = campaigns_in(code)
    if wanted is not None:
        campaign = next((c for c in campaigns if str(c.id) == wanted), None)
    elif campaigns:
        campaign = default_campaign(campaigns, started_in(code, [c.id for c in campaigns]))
    else:
        campaign = None
    if campaign is None:
        abort(404)
    return campaign


def default_campaign(campaigns: list[Campaign], started: dict[int, int],
                     today: dt.date | None = None) -> Campaign:
    """The campaign a region's page opens on: among the campaigns covering the region (newest
    first), the first in progress (open, opened) with assessments there; else the first with
    assessments; else the first in progress; else the newest. Never an empty campaign when
    another has data."""
    today = today or dt.date.today()

    def in_progress(c: Campaign) -> bool:
        return c.status is CampaignStatus.OPEN and c.opens_on <= today

    for wanted in (lambda c: in_progress(c) and started.get(c.id, 0) > 0,
                   lambda c: started.get(c.id, 0) > 0, in_progress):
        found = next((c for c in campaigns if wanted(c)), None)
        if found is not None:
            return found
    return campaigns[0]


def synthesis(region_code: str, campaign: Campaign, today: dt.date | None = None
              ) -> dict[str, Any]:
    """The "Synthèse régionale" figures, read from the summary tables (careapp/rollups/
    refresh.py keeps them equal to careapp/rollups/indicators.py on the stored snapshots)."""
    from careapp.rollups import refresh

    stored = refresh.summaries(campaign, region_code,
                               ("participation", "overall", "axes", "levels", "socle"))
    db.session.commit()  # a scope read for the first time has just been stored
    return {
        "participation": refresh.participation_as_of(stored["participation"], campaign.deadline,
                                                     today),
        "overall": stored["overall"], "axes": stored["axes"], "socle": stored["socle"],
        "levels": {int(k) if k.isdigit() else k: n for k, n in stored["levels"].items()},
    }


def _region_chooser(regions: list[Region]) -> str:
    """National staff and administrators land on the national dashboard (national.py)."""
    from careapp.rollups import national

    campaigns = national.national_campaigns()
    campaign = national.chosen_campaign(campaigns, request.args.get("campagne", type=int))
    return render_template("rollups/national.html", campaigns=campaigns, campaign=campaign,
                           data=national.dashboard(campaign) if campaign else None,
                           questionnaire=questionnaire_of_campaign(campaign) if campaign else None,
                           regions=regions)

