"""The /api/v1 endpoints: read-only, each acting as the token's person with the access rules
of the pages (careapp/auth/access.py): outside the person's scope 404, a visible object the
person may not read this way 403, exactly as the matching page answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, g
from flask_smorest import Blueprint
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from careapp.api import schemas
from careapp.api.auth import authenticate_request
from careapp.api.errors import json_error
from careapp.api.tokens import aware
from careapp.assessments.models import Assessment, Campaign
from careapp.assessments.services import results_of
from careapp.auth import access
from careapp.auth.models import Role, User
from careapp.db import db
from careapp.organisations.models import Establishment, Region
from careapp.rollups import refresh
from careapp.rollups.loaders import register_summaries
from careapp.rollups.models import NATIONAL

ERRORS = {401: "Jeton absent, inconnu, expiré ou révoqué",
          403: "Hors des droits du compte", 404: "Introuvable ou hors du périmètre du compte"}

campaigns_bp = Blueprint("api_campaigns", __name__, url_prefix="/api/v1",
                         description="Campagnes visibles par le compte")
aggregates_bp = Blueprint("api_aggregates", __name__, url_prefix="/api/v1",
                          description="Agrégats régionaux et nationaux (tableaux de bord)")
establishments_bp = Blueprint("api_establishments", __name__, url_prefix="/api/v1",
                              description="Établissements du périmètre du compte, leurs "
                                          "résultats et la synthèse de leurs registres")
BLUEPRINTS = (campaigns_bp, aggregates_bp, establishments_bp)

for _bp in BLUEPRINTS:
    _bp.before_request(authenticate_request)
    _bp.register_error_handler(HTTPException, json_error)  # any other error (422…) in JSON


def caller() -> User:
    return g.api_user


def campaign_dict(campaign: Campaign) -> dict[str, Any]:
    version = campaign.questionnaire_version
    return {"id": campaign.id, "name": campaign.name, "year": campaign.year,
            "region_code": campaign.region_code, "status": campaign.status.value,
            "opens_on": campaign.opens_on, "deadline": campaign.deadline,
            "questionnaire": f"{version.key}@{version.version}"}


def establishment_dict(e: Establishment) -> dict[str, Any]:
    return {"id": e.id, "finess_et": e.finess_et, "finess_ej": e.finess_ej, "name": e.name,
            "category": e.category, "sector": e.sector.value, "city": e.city,
            "region_code": e.region_code, "ght_code": e.ght.code if e.ght else None}


def _paginate(query: Any, pagination: Any) -> list[Any]:
    pagination.item_count = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery()))
    return list(db.session.scalars(query.offset(pagination.first_item)
                                   .limit(pagination.page_size)))


# -- campaigns ------------------------------------------------------------------------------

@campaigns_bp.get("/campaigns")
@campaigns_bp.response(200, schemas.CampaignSchema(many=True))
@campaigns_bp.alt_response(401, schema=schemas.ErrorSchema, description=ERRORS[401])
@campaigns_bp.paginate(page_size=50, max_page_size=500)
def campaigns(pagination_parameters: Any) -> list[dict[str, Any]]:
    """Campagnes visibles par le compte.

    Nationales, et régionales de sa région ; les plus récentes d'abord."""
    user = caller()
    query = select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())
    visible = [c for c in db.session.scalars(query) if access.can_see_campaign(user, c)]
    pagination_parameters.item_count = len(visible)
    start = pagination_parameters.first_item
    return [campaign_dict(c) for c in visible[start:start + pagination_parameters.page_size]]


# -- aggregates -----------------------------------------------------------------------------

def _summary(campaign: Campaign, scope: str, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    stored = refresh.summaries(campaign, scope, refresh.KINDS)
    db.session.commit()  # a scope read for the first time has just been stored
    out = {k: stored.get(k) for k in refresh.KINDS}
    out["participation"] = refresh.participation_as_of(stored["participation"],
                                                       campaign.deadline, today)
    return {"campaign": campaign_dict(campaign), "scope": scope, "as_of": today, **out}


@aggregates_bp.get("/regions/<string:code>/campaigns/<int:campaign_id>/summary")
@aggregates_bp.response(200, schemas.SummarySchema)
@aggregates_bp.alt_response(401, schema=schemas.ErrorSchema, description=ERRORS[401])
@aggregates_bp.alt_response(403, schema=schemas.ErrorSchema, description=ERRORS[403])
@aggregates_bp.alt_response(404, schema=schemas.ErrorSchema, description=ERRORS[404])
def region_summary(code: str, campaign_id: int) -> dict[str, Any]:
    """Agrégats d'une région pour une campagne.

    Participation avec les retards, score global, axes, niveaux, Socle Cyber, domaines,
    exercices, PCA/PRA, feuille de route : pour l'ARS
    et le GRADeS de la région, le niveau national et les administrateurs."""
    user = caller()
    allowed = access.visible_region_codes(user)
    if allowed == []:
        abort(403)  # as the regional page: establishment accounts see no dashboard
    region = db.session.get(Region, code) if len(code) <= 2 else None
    if region is None or (allowed is not None and code not in allowed):
        abort(404)
    campaign = db.session.get(Campaign, campaign_id)
    if (campaign is None or not access.can_see_campaign(user, campaign)
            or campaign.region_code not in (None, code)):
        abort(404)
    return _summary(campaign, code)


@aggregates_bp.get("/national/campaigns/<int:campaign_id>/summary")
@aggregates_bp.response(200, schemas.SummarySchema)
@aggregates_bp.alt_response(401, schema=schemas.ErrorSchema, description=ERRORS[401])
@aggregates_bp.alt_response(403, schema=schemas.ErrorSchema, description=ERRORS[403])
@aggregates_bp.alt_response(404, schema=schemas.ErrorSchema, description=ERRORS[404])
def national_summary(campaign_id: int) -> dict[str, Any]:
    """Agrégats nationaux d'une campagne nationale.

    Pour le niveau national et les administrateurs."""
    user = caller()
    if user.role not in {Role.NATIONAL, Role.ADMIN}:
        abort(403)
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.region_code is not None:
        abort(404)
    return _summary(campaign, NATIONAL)


# -- establishments -------------------------------------------------------------------------

@establishments_bp.get("/establishments")
@establishments_bp.response(200, schemas.EstablishmentSchema(many=True))
@establishments_bp.alt_response(401, schema=schemas.ErrorSchema, description=ERRORS[401])
@establishments_bp.paginate(page_size=50, max_page_size=500)
def establishments(pagination_parameters: Any) -> list[dict[str, Any]]:
    """Établissements du périmètre du compte.

    Paginés (en-tête X-Pagination), par nom."""
    query = access.visible_establishments(caller()).order_by(Establishment.id)
    return [establishment_dict(e) for e in _paginate(query, pagination_parameters)]


def _establishment(establishment_id: int) -> Establishment:
    establishment = db.session.get(Establishment, establishment_id)
    if establishment is None or not access.can_view(caller(), establishment):
        abort(404)
    return establishment


@establishments_bp.get("/establishments/<int:establishment_id>/results")
@establishments_bp.arguments(schemas.ResultsQuerySchema, location="query")
@establishments_bp.response(200, schemas.ResultsSchema)
@establishments_bp.alt_response(401, schema=schemas.ErrorSchema, description=ERRORS[401])
@establishments_bp.alt_response(404, schema=schemas.ErrorSchema, description=ERRORS[404])
def results(query: dict[str, Any], establishment_id: int) -> dict[str, Any]:
    """Résultats d'un établissement pour une campagne.

    Figés s'ils sont soumis, provisoires
    pour un brouillon, absents si l'évaluation n'est pas commencée. Pour qui voit la page des
    résultats de l'établissement."""
    establishment = _establishment(establishment_id)
    campaign = db.session.get(Campaign, query["campaign"])
    if (campaign is None or not access.can_see_campaign(caller(), campaign)
            or campaign.region_code not in (None, establishment.region_code)):
        abort(404)
    assessment = db.session.scalar(select(Assessment).filter_by(
        establishment_id=establishment.id, campaign_id=campaign.id))
    out: dict[str, Any] = {"establishment_id": establishment.id, "campaign_id": campaign.id,
                           "assessment_id": None, "status": "not_started"}
    if assessment is None:
        return out
    data = results_of(assessment)
    return {**out, "assessment_id": assessment.id, "status": assessment.status.value,
            "submitted_at": (aware(assessment.submitted_at)  # with its offset (RFC 3339)
                             if assessment.is_submitted and assessment.submitted_at else None),
            "scoring_version": data.get("scoring_version"), "overall": data.get("overall"),
            "overall_level": data.get("overall_level"),
            "overall_capped": data.get("overall_capped"),
            "axes": data.get("axes"), "socle": data.get("socle"), "domains": data.get("domains")}


@establishments_bp.get("/establishments/<int:establishment_id>/registers")
@establishments_bp.response(200, schemas.RegistersSchema)
@establishments_bp.alt_response(401, schema=schemas.ErrorSchema, description=ERRORS[401])
@establishments_bp.alt_response(403, schema=schemas.ErrorSchema, description=ERRORS[403])
@establishments_bp.alt_response(404, schema=schemas.ErrorSchema, description=ERRORS[404])
def registers(establishment_id: int) -> dict[str, Any]:
    """Synthèse des registres d'un établissement.

    Exercice de crise depuis moins de 12 mois, RETEX manquants, critères D2, feuille de
    route : pour les membres de l'établissement et l'ARS de sa
    région seulement."""
    establishment = _establishment(establishment_id)
    if not access.can_see_register_summary(caller(), establishment):
        abort(403)
    today = dt.date.today()
    s = register_summaries([establishment.id], today)[establishment.id]
    return {"establishment_id": establishment.id, "as_of": today,
            "exercise_within_12_months": s.indicators.within_12_months,
            "last_exercise_on": s.indicators.last_held_on,
            "days_since_last_exercise": s.indicators.days_since_last,
            "retex_missing": len(s.indicators.retex_missing),
            "d2_met": s.d2.met, "d2_total": s.d2.total, "d2_unknown": s.d2.unknown,
            "roadmap_open_by_priority": dict(s.roadmap.open_by_priority),
            "roadmap_by_status": dict(s.roadmap.by_status),
            "roadmap_overdue": s.roadmap.overdue, "roadmap_total": s.roadmap.total}
