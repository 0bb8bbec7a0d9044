"""Keeps the summary tables (careapp/rollups/models.py) equal to the indicators recomputed
from scratch.

Incremental: the packages announce their changes (careapp/events.py); the receivers here note
which campaign × scope × indicator kinds they touch, in the session, and recompute only those
just before the commit, inside the same transaction (a failure rolls both back; a rollback
forgets the pending work). An assessment touches its campaign over the establishment's region
and the nation; a register or roadmap change touches the campaigns covering the region.
Several announcements in one transaction (a submission regenerates the roadmap) cost one
recompute.

Full: `rebuild` (the `flask rollups refresh` command) recomputes every scope of a campaign.

A national campaign has the scope `national` and one per region with establishments; a
regional campaign only its region. Participation is stored without `late` (it depends on the
day you read it: `participation_as_of` adds it); the exercise share and overdue actions are
computed for the day of the refresh (`as_of`), so a daily `rollups refresh` keeps them current.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from careapp import events
from careapp.assessments.models import Assessment, Campaign
from careapp.db import db, utcnow
from careapp.organisations.models import Establishment
from careapp.rollups import indicators, loaders
from careapp.rollups.models import NATIONAL, RollupSummary

ASSESSMENT_KINDS = frozenset({"participation", "overall", "axes", "levels", "socle", "domains"})
REGISTER_KINDS = frozenset({"exercises", "plans"})
ROADMAP_KINDS = frozenset({"roadmap"})
KINDS = ASSESSMENT_KINDS | REGISTER_KINDS | ROADMAP_KINDS
_PENDING = "rollups_pending"


# -- computing ----------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN to None, keys to strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _row(table: pd.DataFrame, empty: dict[str, Any] | None = None) -> dict[str, Any]:
    """The scope's one row (`empty` when the scope has no establishment)."""
    if indicators.ALL not in table.index and empty is not None:
        return dict(empty)
    return _plain(table.loc[indicators.ALL].to_dict())


def _by_second_level(table: pd.DataFrame) -> dict[str, Any]:
    return {str(key[-1]): _plain(row.to_dict()) for key, row in table.iterrows()}


def compute(campaign: Campaign, scope: str, kinds: Iterable[str],
            today: dt.date | None = None) -> dict[str, Any]:
    """The payload of each of `kinds` for the campaign over the scope (pure indicators on the
    loaders' frames; each frame read once)."""
    today = today or dt.date.today()
    kinds = set(kinds)
    region = None if scope == NATIONAL else scope
    establishments = loaders.establishments_frame(campaign.id, region or campaign.region_code)
    out: dict[str, Any] = {}
    if "participation" in kinds:
        counts = _row(indicators.participation(establishments, campaign.deadline, today))
        counts.pop("late")
        out["participation"] = counts
    if "overall" in kinds:
        out["overall"] = _row(indicators.overall_distribution(establishments))
    if "axes" in kinds:
        out["axes"] = _by_second_level(indicators.axis_distribution(
            loaders.axis_scores_frame(campaign.id, region), establishments))
    if "levels" in kinds:
        out["levels"] = _row(indicators.level_distribution(establishments))
    if "socle" in kinds:
        out["socle"] = _row(indicators.socle_attainment(establishments))
    if "domains" in kinds:
        out["domains"] = _by_second_level(indicators.domain_readiness(
            loaders.domains_frame(campaign.id, region), establishments))
    if "exercises" in kinds:
        out["exercises"] = _row(indicators.exercise_share(
            loaders.exercises_frame(region, today), establishments, today),
            {"n": 0, "within_12_months": 0, "share": None})
    if "plans" in kinds:
        out["plans"] = _by_second_level(indicators.plans_by_kind(
            loaders.activities_frame(region), establishments))
    if "roadmap" in kinds:
        out["roadmap"] = _row(indicators.roadmap_progress_from_counts(
            loaders.roadmap_counts_frame(region, today), establishments),
            {"open": 0, "open_p1": 0, "overdue": 0})
    return out


def scopes_of(campaign: Campaign) -> list[str]:
    """A regional campaign: its region; a national one: the nation and each region with
    establishments."""
    if campaign.region_code is not None:
        return [campaign.region_code]
    regions = db.session.scalars(select(Establishment.region_code).distinct()
                                 .order_by(Establishment.region_code))
    return [NATIONAL, *regions]


def _lock(campaign_id: int) -> None:
    """Refreshes of one campaign take turns (PostgreSQL: the campaign row until the commit;
    SQLite serialises writers anyway): each computes on what the previous one committed."""
    db.session.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())


def store(campaign: Campaign, scope: str, kinds: Iterable[str],
          today: dt.date | None = None) -> None:
    """Recompute `kinds` of the campaign × scope and write them (insert or update); flushes."""
    today = today or dt.date.today()
    kinds = set(kinds)
    _lock(campaign.id)
    payloads = compute(campaign, scope, kinds, today)
    existing = {r.kind: r for r in db.session.scalars(select(RollupSummary).filter_by(
        campaign_id=campaign.id, scope=scope).where(RollupSummary.kind.in_(kinds)))}
    now = utcnow()
    for kind, payload in payloads.items():
        row = existing.get(kind)
        if row is None:
            db.session.add(RollupSummary(campaign_id=campaign.id, scope=scope, kind=kind,
                                         payload=payload, as_of=today, computed_at=now))
        else:
            row.payload, row.as_of, row.computed_at = payload, today, now
    db.session.flush()


def rebuild(campaign: Campaign, today: dt.date | None = None,
            progress: Any = None) -> int:
    """From scratch: every scope of the campaign, every kind; rows of scopes no longer
    covered go. Returns the number of scopes. `progress(n)` is called after each scope."""
    scopes = scopes_of(campaign)
    for row in db.session.scalars(select(RollupSummary).filter_by(campaign_id=campaign.id)):
        if row.scope not in scopes:
            db.session.delete(row)
    for scope in scopes:
        store(campaign, scope, KINDS, today)
        if progress is not None:
            progress(1)
    return len(scopes)


# -- reading ------------------------------------------------------------------------------

def summaries(campaign: Campaign, scope: str, kinds: Iterable[str]) -> dict[str, Any]:
    """The stored payloads of the campaign × scope; missing ones (a scope nothing has touched
    since the campaign was created) are computed and stored first (flushed: the caller
    commits)."""
    kinds = set(kinds)
    query = select(RollupSummary).filter_by(campaign_id=campaign.id, scope=scope)
    rows = {r.kind: r.payload for r in db.session.scalars(
        query.where(RollupSummary.kind.in_(kinds)))}
    if kinds - rows.keys():
        store(campaign, scope, kinds - rows.keys())
        rows = {r.kind: r.payload for r in db.session.scalars(
            query.where(RollupSummary.kind.in_(kinds)))}
    return rows


def participation_as_of(counts: dict[str, Any], deadline: dt.date,
                        today: dt.date | None = None) -> dict[str, Any]:
    """Stored participation counts with `late` for the day (indicators.participation's rule:
    not submitted and the deadline gone by)."""
    today = today or dt.date.today()
    late = counts["total"] - counts["submitted"] if today > deadline else 0
    return {**counts, "late": late}


# -- incremental: announcements noted, recomputed before the commit -------------------------

def _note(session: Session, campaign_id: int, scopes: Iterable[str], kinds: frozenset) -> None:
    pending = session.info.setdefault(_PENDING, {})
    for scope in scopes:
        pending.setdefault((campaign_id, scope), set()).update(kinds)


def _campaign_scopes(campaign: Campaign, region_code: str) -> list[str]:
    if campaign.region_code is None:
        return [region_code, NATIONAL]
    return [region_code] if campaign.region_code == region_code else []


@events.assessment_changed.connect
def _on_assessment(assessment: Assessment, **_: Any) -> None:
    campaign = assessment.campaign
    _note(db.session(), campaign.id,
          _campaign_scopes(campaign, assessment.establishment.region_code), ASSESSMENT_KINDS)


@events.campaign_opened.connect
def _on_campaign(campaign: Campaign, **_: Any) -> None:
    for scope in scopes_of(campaign):
        _note(db.session(), campaign.id, [scope], KINDS)


def _on_establishment(establishment: Establishment, kinds: frozenset) -> None:
    from careapp.assessments.services import campaigns_in

    for campaign in campaigns_in(establishment.region_code):
        _note(db.session(), campaign.id,
              _campaign_scopes(campaign, establishment.region_code), kinds)


@events.registers_changed.connect
def _on_registers(establishment: Establishment, **_: Any) -> None:
    _on_establishment(establishment, REGISTER_KINDS)


@events.roadmap_changed.connect
def _on_roadmap(establishment: Establishment, **_: Any) -> None:
    _on_establishment(establishment, ROADMAP_KINDS)


@event.listens_for(Session, "before_commit")
def _refresh_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    for (campaign_id, scope), kinds in sorted(pending.items()):
        campaign = session.get(Campaign, campaign_id)
        if campaign is not None:
            store(campaign, scope, kinds)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_PENDING, None)
