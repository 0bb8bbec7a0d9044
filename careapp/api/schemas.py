"""Marshmallow schemas of every API response (the OpenAPI document is generated from them).

Figures are dumped exact (never rounded, never strings): a score 61.111… stays 61.111…; a
missing figure is null. Dates and times are ISO 8601."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields


class Num(fields.Number):
    """A JSON number as computed: an int stays an int, a float a float (no rounding)."""

    num_type = float

    def _format_num(self, value: Any) -> Any:
        if isinstance(value, bool):
            return int(value)
        return value if isinstance(value, int | float) else float(value)

    def _validated(self, value: Any) -> Any:
        return self._format_num(value)


def _d(text: str) -> dict[str, str]:
    return {"description": text}


class ErrorSchema(ma.Schema):
    code = fields.Integer(required=True, metadata=_d("Code HTTP"))
    status = fields.String(metadata=_d("Nom de l'erreur"))
    message = fields.String(required=True, metadata=_d("Message en français"))
    errors = fields.Dict(metadata=_d("Détail des paramètres refusés"))


class CampaignSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata=_d("Nom de la campagne"))
    year = fields.Integer(required=True)
    region_code = fields.String(allow_none=True,
                                metadata=_d("Région d'une campagne régionale, null si nationale"))
    status = fields.String(required=True, metadata=_d("open ou closed"))
    opens_on = fields.Date(required=True, metadata=_d("Ouverture (ISO 8601)"))
    deadline = fields.Date(required=True, metadata=_d("Date limite (ISO 8601)"))
    questionnaire = fields.String(
        required=True, metadata=_d("Version du questionnaire, par exemple care@1.0.0"))


class EstablishmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    finess_et = fields.String(required=True)
    finess_ej = fields.String(required=True)
    name = fields.String(required=True)
    category = fields.String(required=True)
    sector = fields.String(required=True)
    city = fields.String()
    region_code = fields.String(required=True)
    ght_code = fields.String(allow_none=True)


class DistributionSchema(ma.Schema):
    n = fields.Integer(metadata=_d("Nombre de valeurs"))
    median = Num(allow_none=True, metadata=_d("Médiane exacte"))
    q1 = Num(allow_none=True, metadata=_d("Premier quartile"))
    q3 = Num(allow_none=True, metadata=_d("Troisième quartile"))


class SocleSchema(DistributionSchema):
    full_share = Num(allow_none=True, metadata=_d("Part (%) atteignant 100 % du Socle Cyber"))


class ParticipationSchema(ma.Schema):
    total = fields.Integer(metadata=_d("Établissements concernés"))
    not_started = fields.Integer()
    draft = fields.Integer()
    submitted = fields.Integer()
    submitted_late = fields.Integer(metadata=_d("Soumises après la date limite"))
    late = fields.Integer(metadata=_d("Non soumises, date limite passée (au jour de la requête)"))


class ExercisesSchema(ma.Schema):
    n = fields.Integer()
    within_12_months = fields.Integer(metadata=_d("Avec un exercice de crise depuis moins de "
                                                  "12 mois"))
    share = Num(allow_none=True, metadata=_d("Part (%) avec un exercice de moins de 12 mois"))


class RoadmapCountsSchema(ma.Schema):
    open = fields.Integer(metadata=_d("Actions ouvertes"))
    open_p1 = fields.Integer(metadata=_d("Actions P1 ouvertes"))
    overdue = fields.Integer(metadata=_d("Actions ouvertes en retard"))


class SummarySchema(ma.Schema):
    campaign = fields.Nested(CampaignSchema, required=True)
    scope = fields.String(required=True, metadata=_d("Code de la région, ou « national »"))
    as_of = fields.Date(required=True, metadata=_d("Jour du calcul de « late »"))
    participation = fields.Nested(ParticipationSchema)
    overall = fields.Nested(DistributionSchema, metadata=_d("Score global des évaluations "
                                                            "soumises"))
    axes = fields.Dict(keys=fields.String(), values=fields.Nested(DistributionSchema),
                       metadata=_d("Score par axe"))
    levels = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata=_d("Nombre d'évaluations par niveau de maturité, et n"))
    socle = fields.Nested(SocleSchema)
    domains = fields.Dict(keys=fields.String(),
                          values=fields.Dict(keys=fields.String(), values=fields.Integer()),
                          metadata=_d("Domaines CaRE : nombre prêts, non prêts, non évaluables"))
    exercises = fields.Nested(ExercisesSchema)
    plans = fields.Dict(keys=fields.String(),
                        values=fields.Dict(keys=fields.String(), values=Num(allow_none=True)),
                        metadata=_d("PCA/PRA formalisés et testés, par type d'activité "
                                    "critique"))
    roadmap = fields.Nested(RoadmapCountsSchema)


class AxisResultSchema(ma.Schema):
    score = Num(allow_none=True, metadata=_d("Score exact (0 à 100)"))
    level = fields.Integer(allow_none=True)
    provisional = fields.Boolean()
    coverage = Num(allow_none=True)


class RatioSchema(ma.Schema):
    met = fields.Integer()
    total = fields.Integer()
    dont_know = fields.Integer()
    rate = Num(allow_none=True, metadata=_d("Part (%) atteinte, null si non évaluable"))
    ready = fields.Boolean()


class ResultsSchema(ma.Schema):
    establishment_id = fields.Integer(required=True)
    campaign_id = fields.Integer(required=True)
    assessment_id = fields.Integer(allow_none=True)
    status = fields.String(required=True,
                           metadata=_d("not_started, draft (résultats provisoires) ou "
                                       "submitted (résultats figés)"))
    submitted_at = fields.DateTime(allow_none=True)
    scoring_version = fields.String(allow_none=True)
    overall = Num(allow_none=True)
    overall_level = fields.Integer(allow_none=True)
    overall_capped = fields.Boolean(allow_none=True)
    axes = fields.Dict(keys=fields.String(), values=fields.Nested(AxisResultSchema),
                       allow_none=True)
    socle = fields.Nested(RatioSchema, allow_none=True)
    domains = fields.Dict(keys=fields.String(), values=fields.Nested(RatioSchema),
                          allow_none=True)


class RegistersSchema(ma.Schema):
    establishment_id = fields.Integer(required=True)
    as_of = fields.Date(required=True)
    exercise_within_12_months = fields.Boolean(required=True)
    last_exercise_on = fields.Date(allow_none=True)
    days_since_last_exercise = fields.Integer(allow_none=True)
    retex_missing = fields.Integer(required=True, metadata=_d("Exercices tenus sans RETEX"))
    d2_met = fields.Integer(required=True)
    d2_total = fields.Integer(required=True)
    d2_unknown = fields.Integer(required=True)
    roadmap_open_by_priority = fields.Dict(keys=fields.String(), values=fields.Integer())
    roadmap_by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    roadmap_overdue = fields.Integer(required=True)
    roadmap_total = fields.Integer(required=True)


class ResultsQuerySchema(ma.Schema):
    campaign = fields.Integer(required=True, validate=ma.validate.Range(min=1, max=2**31 - 1),
                              metadata=_d("Identifiant de la campagne"))
