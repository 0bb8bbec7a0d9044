"""PDF downloads, each behind the rule of the page it comes from (the access matrix covers
them): the results page's report for whoever sees the results (the registers and roadmap only
for the establishment's members), the roadmap's PDF for its members."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, session
from flask_babel import force_locale
from flask_login import current_user

from careapp.assessments.models import Assessment
from careapp.auth.access import can_view, get_registers_or_404, is_member
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
