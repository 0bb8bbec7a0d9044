"""PDF downloads, each behind the rule of the page it comes from (the access matrix covers
them): the results page's report for whoever sees the results (the registers and roadmap only
for the establishment's members), the roadmap's PDF for its members."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, session
from flask_babel import force_locale
from flask_login import current_user

from careapp.assessments.models import Assessment
from careapp.auth.access import (
    can_see_register_summaries_of_region,
    can_view,
    get_region_or_404,
    get_registers_or_404,
    is_member,
)
from careapp.db import db
from careapp.reports import data, render
from careapp.reports.filters import roadmap_filters

bp = Blueprint("reports", __name__)


def _lang() -> str:
    return session.get("lang", "fr")


def pdf_response(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def report_filename(finess: str, campaign_id: int) -> str:
    return f"rapport-care-{finess}-{campaign_id}.pdf"


@bp.get("/evaluations/<int:assessment_id>/rapport.pdf")
def establishment(assessment_id: int) -> Response:
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or not can_view(current_user, assessment.establishment):
        abort(404)
    lang = _lang()
    report = data.establishment_report(
        assessment, lang, with_registers=is_member(current_user, assessment.establishment))
    rendered = render.render_establishment(report)
    return pdf_response(rendered.pdf, report_filename(assessment.establishment.finess_et,
                                                      assessment.campaign_id))


@bp.get("/etablissements/<int:establishment_id>/feuille-de-route.pdf")
def roadmap(establishment_id: int) -> Response:
    establishment = get_registers_or_404(establishment_id)
    lang = _lang()
    with force_locale(lang):
        filters, words = roadmap_filters(request.args)
    report = data.roadmap_report(establishment, filters, words, lang)
    rendered = render.render_roadmap(report)
    return pdf_response(rendered.pdf, f"feuille-de-route-care-{establishment.finess_et}.pdf")


@bp.get("/region/<code>/rapport.pdf")
def region(code: str) -> Response:
    """The regional report, behind the dashboard's rule: 403 for whoever sees no regional
    dashboard, 404 for a region outside the person's (or unknown); the campaign is the
    `campagne` parameter (404 when it does not concern the region) or the page's default.
    The establishment list only for the region's ARS."""
    from careapp.rollups.views import region_campaign_or_404

    selected = get_region_or_404(code)
    campaign = region_campaign_or_404(code, request.args.get("campagne"))
    report = data.region_report(
        campaign, selected, _lang(),
        with_establishments=can_see_register_summaries_of_region(current_user, code))
    rendered = render.render_region(report)
    return pdf_response(rendered.pdf, region_filename(code, campaign.id))


def region_filename(code: str, campaign_id: int) -> str:
    return f"rapport-regional-care-{code}-{campaign_id}.pdf"
