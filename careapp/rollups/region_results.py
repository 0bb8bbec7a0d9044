"""A region's establishment results for one campaign, as a table to download.

One row per establishment: identity, assessment status, frozen scores (overall, level, the
axes, Socle Cyber, CaRE domains) and, for the ARS of the region only, the registers summary
it already sees on /region/. Reads through the rollup loaders plus one query of its own (the
columns the regional page does not show); figures stay exact, the writers round them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from careapp.assessments.labels import DOMAIN_LABELS
from careapp.assessments.models import STATUS_LABELS, Assessment, Campaign, ScoreSnapshot
from careapp.assessments.scoring import DOMAINS, LEVEL_BOUNDS
from careapp.assessments.services import questionnaire_of_campaign
from careapp.db import db
from careapp.organisations.models import Establishment, Ght
from careapp.resilience.indicators import held_within_12_months
from careapp.rollups.exports import Column
from careapp.rollups.loaders import region_status_rows, register_summaries

PRIORITIES = ("P1", "P2", "P3")


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[list[Any]]


def _extras(region_code: str, campaign: Campaign) -> dict[int, dict[str, Any]]:
    """FINESS EJ, GHT name, overall level and each domain's rate and readiness, in one query
    (the domains read inside the snapshot's JSON by the database, not loaded whole)."""
    domain_columns = []
    for domain in DOMAINS:
        path = ScoreSnapshot.results[("domains", domain, "rate")]
        ready = ScoreSnapshot.results[("domains", domain, "ready")]
        domain_columns += [path.as_float().label(f"{domain}_rate"),
                           ready.as_boolean().label(f"{domain}_ready")]
    rows = db.session.execute(
        select(Establishment.id, Establishment.finess_ej, Ght.name.label("ght_name"),
               ScoreSnapshot.overall_level, *domain_columns)
        .outerjoin(Ght, Ght.id == Establishment.ght_id)
        .outerjoin(Assessment, (Assessment.establishment_id == Establishment.id)
                   & (Assessment.campaign_id == campaign.id))
        .outerjoin(ScoreSnapshot, ScoreSnapshot.assessment_id == Assessment.id)
        .where(Establishment.region_code == region_code)
    ).mappings().all()
    return {r["id"]: dict(r) for r in rows}


def _readiness(rate: float | None, ready: bool | None, submitted: bool) -> str | None:
    if not submitted:
        return None
    if rate is None:
        return _("Non évaluable")
    return _("Prêt") if ready else _("Non prêt")


def _yes_no(value: bool) -> str:
    return _("Oui") if value else _("Non")


def region_results(region_code: str, campaign: Campaign, *, with_registers: bool,
                   lang: str = "fr", today: dt.date | None = None) -> Table:
    """The table; `with_registers` only for whom may see the region's register summaries."""
    questionnaire = questionnaire_of_campaign(campaign)
    axes = [axis.id for axis in questionnaire.axes]
    columns = [
        Column(_("FINESS ET"), width=12), Column(_("FINESS EJ"), width=12),
        Column(_("Établissement"), width=40), Column(_("Catégorie"), width=10),
        Column(_("Code GHT"), width=14), Column(_("GHT"), width=30),
        Column(_("État"), width=14), Column(_("Soumise le"), "date", width=12),
        Column(_("Score global"), "number", below=LEVEL_BOUNDS),
        Column(_("Niveau global"), "int", width=8), Column(_("Niveau"), width=14),
        *(Column(_("Score %(axis)s", axis=axis), "number", below=LEVEL_BOUNDS) for axis in axes),
        Column(_("Socle Cyber atteint (%)"), "number", width=14, below=(100,)),
    ]
    for domain in DOMAINS:
        short = str(DOMAIN_LABELS[domain]).split(" — ")[0]
        columns += [Column(_("%(domain)s atteint (%%)", domain=short), "number", width=14,
                           below=(100,)),
                    Column(_("%(domain)s prêt", domain=short), width=14)]
    if with_registers:
        columns += [
            Column(_("Exercice < 12 mois"), width=10), Column(_("Dernier exercice le"), "date"),
            Column(_("Jours depuis le dernier"), "int"), Column(_("RETEX manquants"), "int"),
            Column(_("D2 atteints"), "int"), Column(_("D2 total"), "int"),
            Column(_("D2 inconnus"), "int"),
            *(Column(_("%(priority)s ouvertes", priority=p), "int") for p in PRIORITIES),
            Column(_("Actions en retard"), "int"),
        ]

    base = region_status_rows(region_code, campaign)
    extras = _extras(region_code, campaign)
    summaries = register_summaries([r["id"] for r in base], today) if with_registers else {}
    rows: list[list[Any]] = []
    for r in base:
        extra = extras[r["id"]]
        submitted = r["snapshot_id"] is not None
        level = extra["overall_level"]
        row: list[Any] = [
            r["finess_et"], extra["finess_ej"], r["name"], r["category"], r["ght_code"],
            extra["ght_name"], str(STATUS_LABELS[r["status"]]), r["submitted_at"],
            r["overall"], level,
            questionnaire.level_label(level, lang) if level is not None else None,
            *(r["axes"].get(axis) for axis in axes), r["socle_rate"],
        ]
        for domain in DOMAINS:
            rate, ready = extra[f"{domain}_rate"], extra[f"{domain}_ready"]
            row += [rate, _readiness(rate, ready, submitted)]
        if with_registers:
            s = summaries[r["id"]]
            row += [
                _yes_no(s.indicators.within_12_months), s.indicators.last_held_on,
                s.indicators.days_since_last, len(s.indicators.retex_missing),
                s.d2.met, s.d2.total, s.d2.unknown,
                *(s.roadmap.open_by_priority[p] for p in PRIORITIES), s.roadmap.overdue,
            ]
        rows.append(row)
    return Table(columns, rows)


# -- the ARS dashboard's tables (careapp/rollups/dashboard.py), from the establishment lines ---

def dashboard_table(frame: Any, *, with_registers: bool, today: dt.date) -> Table:
    """The establishment table as the dashboard shows it (all the filtered rows, in the
    page's order); the registers' columns only `with_registers`."""
    columns = [
        Column(_("Établissement"), width=40), Column(_("FINESS ET"), width=12),
        Column(_("Catégorie"), width=10), Column(_("Code GHT"), width=14),
        Column(_("État"), width=14), Column(_("Soumise le"), "date", width=12),
        Column(_("Score global"), "number", below=LEVEL_BOUNDS),
        Column(_("Socle Cyber atteint (%)"), "number", width=14, below=(100,)),
        Column(_("Évolution du score global depuis la campagne précédente"), "number",
               width=14),
    ]
    if with_registers:
        columns += [Column(_("Exercice < 12 mois"), width=10),
                    Column(_("Dernier exercice le"), "date"), Column(_("RETEX manquants"), "int"),
                    Column(_("D2 atteints"), "int"), Column(_("D2 total"), "int"),
                    Column(_("P1 ouvertes"), "int"), Column(_("Actions en retard"), "int")]
    labels = {None: STATUS_LABELS[None], "draft": _("Brouillon"), "submitted": _("Soumise")}
    rows: list[list[Any]] = []
    for r in frame.to_dict("records"):
        status = r["status"] if isinstance(r["status"], str) else None
        row = [r["name"], r["finess_et"], r["category"], r["ght_code"], str(labels[status]),
               _plain(r["submitted_at"]), _plain(r["overall"]), _plain(r["socle_rate"]),
               _plain(r.get("change"))]
        if with_registers:
            last = _plain(r["last_exercise_on"])
            row += [_yes_no(last is not None and held_within_12_months(last, today)), last,
                    int(r["retex_missing"] or 0), int(r["d2_met"] or 0), int(r["d2_total"] or 0),
                    int(r["open_p1"] or 0), int(r["overdue"] or 0)]
        rows.append(row)
    return Table(columns, rows)


def followup_table(follow_up: list[Any]) -> Table:
    """The « à relancer » list: one row per establishment, its reasons joined."""
    columns = [Column(_("Établissement"), width=40), Column(_("FINESS ET"), width=12),
               Column(_("Motifs"), width=90)]
    return Table(columns, [[f.name, f.finess_et, " ; ".join(str(r) for r in f.reasons)]
                           for f in follow_up])


def _plain(value: Any) -> Any:
    """None for pandas' missing values (NaN, NaT)."""
    import pandas as pd

    try:
        return None if value is None or pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def scores_table(questionnaire: Any, figures: dict[str, Any], lang: str = "fr") -> Table:
    """The « Scores des évaluations soumises » table: overall and each axis's median, quartiles
    and n, from the summaries."""
    from careapp.questionnaires.model import tr

    columns = [Column(_("Axe"), width=40), Column(_("Médiane"), "number", below=LEVEL_BOUNDS),
               Column(_("1er quartile"), "number", below=LEVEL_BOUNDS),
               Column(_("3e quartile"), "number", below=LEVEL_BOUNDS), Column("n", "int")]
    empty = {"n": 0, "median": None, "q1": None, "q3": None}
    rows = [[_("Global"), *(figures["overall"].get(k) for k in ("median", "q1", "q3", "n"))]]
    for axis in questionnaire.axes:
        a = figures["axes"].get(axis.id) or empty
        rows.append([f"{axis.id} — {tr(axis.title, lang)}",
                     *(a.get(k) for k in ("median", "q1", "q3", "n"))])
    return Table(columns, rows)
