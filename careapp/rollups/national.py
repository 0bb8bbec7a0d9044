"""The national dashboard (national staff and administrators): the regions side by side for a
national campaign, the national distribution and the four national groups.

Figures come from the summary tables (careapp/rollups/refresh.py: careapp/rollups/indicators.py
on the establishment lines, kept current by every save), read in one query for the regions and
the nation, and the national groups from the establishment lines; nothing is rounded here
(the pages' filters and the export writers round once). A region without establishments has
no figure at all (None, shown as a dash), never zeros. The national groups are an aggregate
shown outside a region's ARS: a group of fewer than 5 submitted assessments is hidden, with
complementary suppression (careapp/rollups/suppression.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import select

from careapp.assessments.models import Campaign
from careapp.assessments.scoring import LEVEL_BOUNDS
from careapp.assessments.services import campaigns_in
from careapp.db import db
from careapp.organisations.models import Region
from careapp.rollups import indicators
from careapp.rollups.dashboard import commit_keeping_loaded
from careapp.rollups.exports import Column
from careapp.rollups.loaders import group_lines
from careapp.rollups.models import NATIONAL, RollupSummary
from careapp.rollups.suppression import apply_suppression, suppressed

BY = "region_code"
# The regions table's figures, in the order of the page's cells and of the export's columns.
FIGURES = ("total", "submitted", "draft", "not_started", "rate", "median", "q1", "q3", "n",
           "socle_median", "exercise_share", "d2_median", "d2_all_met_share", "retex_missing",
           "change_median", "change_n")


def national_campaigns() -> list[Campaign]:
    """The national campaigns, newest first."""
    return [c for c in campaigns_in(None) if c.region_code is None]


def chosen_campaign(campaigns: list[Campaign], wanted: int | None,
                    today: dt.date | None = None) -> Campaign | None:
    """The campaign asked for, else the national one in progress with data (the regional
    page's rule, counted over the nation)."""
    from careapp.rollups.views import default_campaign, started_in  # views import this module

    if not campaigns:
        return None
    found = next((c for c in campaigns if c.id == wanted), None)
    if found is not None:
        return found
    return default_campaign(campaigns, started_in(None, [c.id for c in campaigns]), today)


def _float(value: Any) -> float | None:
    """A plain float (numbers.py reads floats, not numpy scalars), None for no value."""
    return None if value is None or pd.isna(value) else float(value)


def _figures(stored: dict[str, Any]) -> dict[str, Any]:
    """A scope's cells from its stored summaries (careapp/rollups/refresh.py)."""
    participation = stored.get("participation") or {}
    total = int(participation.get("total") or 0)
    if not total:  # no establishment: no figure at all (dashes, not zeros)
        return dict.fromkeys(FIGURES)
    overall, socle = stored.get("overall") or {}, stored.get("socle") or {}
    d2, retex = stored.get("d2") or {}, stored.get("retex") or {}
    change = (stored.get("change") or {}).get("overall") or {}
    d2_n = int(d2.get("n") or 0)
    submitted = int(participation["submitted"])
    return {
        "total": total, "submitted": submitted, "draft": int(participation["draft"]),
        "not_started": int(participation["not_started"]),
        "rate": submitted / total * 100,
        "median": _float(overall.get("median")), "q1": _float(overall.get("q1")),
        "q3": _float(overall.get("q3")), "n": int(overall.get("n") or 0),
        "socle_median": _float(socle.get("median")),
        "exercise_share": _float((stored.get("exercises") or {}).get("share")),
        "d2_median": _float(d2.get("median")),
        "d2_all_met_share": int(d2.get("all_met") or 0) / d2_n * 100 if d2_n else None,
        "retex_missing": int(retex.get("with_missing") or 0),
        "change_median": _float(change.get("median_change")),
        "change_n": int(change["n"]) if change else None,
    }


def national_groups(establishments: pd.DataFrame) -> list[dict[str, Any]]:
    """The overall score's distribution in each of the four national groups (all four, in
    their order), with `hidden` True for a group under 5 and its complement."""
    frame = indicators.with_national_group(establishments)
    table = indicators.overall_distribution(frame, by=indicators.GROUP)
    table = table.reindex(list(indicators.NATIONAL_GROUPS))
    table["n"] = [int(n) if pd.notna(n) else 0 for n in table["n"]]
    table = table.astype(object).where(table.notna(), None)
    hidden = suppressed(table)
    shown = apply_suppression(table, hidden)
    result = []
    for group in indicators.NATIONAL_GROUPS:
        row = shown.loc[group]
        result.append({"group": group, "hidden": bool(hidden[group]),
                       "n": None if row["n"] is None else int(row["n"]),
                       **{k: _float(row[k]) for k in ("median", "q1", "q3")}})
    return result


KINDS = ("participation", "overall", "socle", "exercises", "d2", "retex", "change", "levels")


def stored_summaries(campaign: Campaign) -> dict[str, dict[str, Any]]:
    """scope → kind → payload of the campaign's stored summaries, in one query; scopes not
    stored yet are computed and stored first (flushed: the caller commits)."""
    from careapp.rollups import refresh  # refresh imports the loaders this module reads

    stored: dict[str, dict[str, Any]] = defaultdict(dict)
    for scope, kind, payload in db.session.execute(
            select(RollupSummary.scope, RollupSummary.kind, RollupSummary.payload)
            .where(RollupSummary.campaign_id == campaign.id, RollupSummary.kind.in_(KINDS))):
        stored[scope][kind] = payload
    for scope in refresh.scopes_of(campaign):
        if set(KINDS) - stored[scope].keys():
            stored[scope] = refresh.summaries(campaign, scope, KINDS)
    return dict(stored)


def dashboard(campaign: Campaign, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the national page shows for `campaign`: the regions and the nation from the
    stored summaries (one query), the national groups from the establishment lines (one
    query)."""
    regions = db.session.scalars(select(Region).order_by(Region.name)).all()
    stored = stored_summaries(campaign)
    rows = [{"code": r.code, "name": r.name, **_figures(stored.get(r.code, {}))}
            for r in regions]
    national = stored.get(NATIONAL, {})
    levels = {int(k) if str(k).isdigit() else k: n
              for k, n in (national.get("levels") or {}).items()}
    lines = group_lines(campaign)
    commit_keeping_loaded()  # scopes or lines read for the first time have just been stored
    change = national.get("change") or {}
    return {"rows": rows, "nation": _figures(national), "levels": levels,
            "groups": national_groups(lines),
            "previous": ({"id": change["previous_id"], "name": change["previous_name"],
                          "same_questionnaire": change["same_questionnaire"],
                          # like for like across versions (refresh.change): the basis to say
                          "common_questions": change.get("common_questions"),
                          "from_version": change.get("from_version"),
                          "to_version": change.get("to_version")}
                         if change else None)}


def regions_columns() -> list[Column]:
    """The export's columns: the region, then FIGURES in order."""
    return [
        Column(_("Code région"), width=8), Column(_("Région"), width=30),
        Column(_("Établissements"), "int"), Column(_("Soumises"), "int"),
        Column(_("Brouillons"), "int"), Column(_("Non commencées"), "int"),
        Column(_("Taux de participation (%)"), "number", width=14, below=(100,)),
        Column(_("Score global médian"), "number", width=14, below=LEVEL_BOUNDS),
        Column(_("1er quartile"), "number", below=LEVEL_BOUNDS),
        Column(_("3e quartile"), "number", below=LEVEL_BOUNDS),
        Column(_("Évaluations soumises (n)"), "int", width=14),
        Column(_("Socle Cyber médian (%)"), "number", width=14, below=(100,)),
        Column(_("Exercice de crise < 12 mois (%)"), "number", width=14, below=(100,)),
        Column(_("Critères D2 atteints (médiane)"), "number", width=14),
        Column(_("Tous critères D2 atteints (%)"), "number", width=14, below=(100,)),
        Column(_("Établissements avec RETEX manquant"), "int", width=14),
        Column(_("Évolution du score global médian"), "number", width=14),
        Column(_("Évaluations comparées (n)"), "int", width=14),
    ]


def regions_rows(data: dict[str, Any]) -> list[list[Any]]:
    """The regions table as export rows, then the nation as a last row."""
    rows = [[r["code"], r["name"], *(r[k] for k in FIGURES)] for r in data["rows"]]
    rows.append(["", _("France entière"), *(data["nation"][k] for k in FIGURES)])
    return rows
