"""Keeps the summary tables (careapp/rollups/models.py) equal to the indicators recomputed
from scratch.

Incremental: the packages announce their changes (careapp/events.py); the receivers here note
which campaign × scope × indicator kinds they touch, in the session, and recompute only those
just before the commit, inside the same transaction (a failure rolls both back; a rollback
forgets the pending work). An assessment touches its campaign over the establishment's region
and the nation; a register or roadmap change touches the campaigns covering the region.
Several announcements in one transaction (a submission regenerates the roadmap) cost one
recompute.

Two tables. The establishment lines (EstablishmentRollup, `store_lines`): one row per campaign
× establishment it covers, the snapshot's figures and the registers' summary. The scope
summaries (RollupSummary, `store`): computed by the pure indicators from those lines (one query
of a few thousand small rows), plus the activities for `plans`. Before the commit, the noted
lines are rewritten first (an assessment: its establishment's line of its campaign; a register
or roadmap change: the establishment's line of every campaign covering it; a campaign opened:
all its lines), then the noted scope kinds. A submission at national scale thus rewrites one
line and recomputes the kinds from the lines instead of re-reading every snapshot and register
(bench/bench_refresh.py). Kinds `d2` and `retex` summarise the lines' registers columns;
`change` compares with the previous campaign of the same scope kind (`previous_campaign`), so
an assessment change also notes `change` for the campaigns opened after its own.

Full: `rebuild` (the `flask rollups refresh` command) recomputes a campaign's lines in one pass
(compute_lines over the whole campaign: one query per register, joined by campaign and region,
no list of ids), then every scope of it from one read of those lines (compute_scopes: a national
campaign's regions are the national frames grouped by region, the indicators' `by`), and writes
all the summary rows in one multi-row insert. compute() per scope stays for the incremental
path; a test and bench/bench_refresh.py check both give the same payloads.

A national campaign has the scope `national` and one per region with establishments; a
regional campaign only its region. Participation is stored without `late` (it depends on the
day you read it: `participation_as_of` adds it); the exercise share, the last exercise, RETEX
missing and overdue actions are computed for the day of the refresh (`as_of`, on the lines and
the summaries), so a daily `rollups refresh` keeps them current.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session

from careapp import events
from careapp.assessments.models import Assessment, AxisScore, Campaign, ScoreSnapshot
from careapp.db import db, utcnow
from careapp.organisations.models import Establishment
from careapp.rollups import crossversion, indicators, loaders
from careapp.rollups.models import NATIONAL, EstablishmentRollup, RollupSummary

ASSESSMENT_KINDS = frozenset({"participation", "overall", "axes", "levels", "socle", "domains",
                              "change"})
REGISTER_KINDS = frozenset({"exercises", "plans", "d2", "retex"})
ROADMAP_KINDS = frozenset({"roadmap"})
KINDS = ASSESSMENT_KINDS | REGISTER_KINDS | ROADMAP_KINDS
_PENDING = "rollups_pending"
_LINES = "rollup_lines_pending"  # campaign id -> establishment ids, or None for all


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


def frames_from_lines(lines: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The indicators' frames (establishments, axis scores, domains, exercises, roadmap counts)
    from the establishment lines (loaders.establishment_rollups_frame): the same figures as
    the loaders' frames, in one small query instead of re-reading snapshots and registers."""
    establishments = lines[["establishment_id", "name", "region_code", "category", "sector",
                            "ght_code", "assessment_id", "status", "submitted_at", "overall",
                            "overall_level", "socle_rate"]]
    axes, domains = [], []
    for eid, line_axes, line_domains in zip(lines["establishment_id"], lines["axes"],
                                            lines["domains"], strict=True):
        axes.extend((eid, axis, score, None) for axis, score in (line_axes or {}).items())
        domains.extend((eid, domain, state) for domain, state in (line_domains or {}).items())
    held = lines[lines["last_exercise_on"].notna()]
    counts = lines[lines["open_actions"].map(int) > 0]
    return {
        "establishments": establishments,
        "axes": pd.DataFrame(axes, columns=loaders.AXIS_COLUMNS, dtype=object),
        "domains": pd.DataFrame(domains, columns=["establishment_id", "domain", "state"],
                                dtype=object),
        "exercises": pd.DataFrame({"establishment_id": held["establishment_id"],
                                   "last_held_on": held["last_exercise_on"]}, dtype=object),
        "roadmap": pd.DataFrame({"establishment_id": counts["establishment_id"],
                                 "open": counts["open_actions"].map(int),
                                 "open_p1": counts["open_p1"].map(int),
                                 "overdue": counts["overdue"].map(int)}),
    }


def previous_campaign(campaign: Campaign) -> Campaign | None:
    """The campaign a year-over-year comparison reads: the most recent other campaign of the
    same scope kind (national, or the same region) opened before this one."""
    query = (select(Campaign).where(Campaign.id != campaign.id,
                                    Campaign.opens_on < campaign.opens_on)
             .order_by(Campaign.opens_on.desc(), Campaign.id.desc()).limit(1))
    query = query.where(Campaign.region_code.is_(None) if campaign.region_code is None
                        else Campaign.region_code == campaign.region_code)
    return db.session.scalar(query)


def later_campaigns(campaign: Campaign) -> list[Campaign]:
    """The campaigns whose comparison may read this one (same scope kind, opened after)."""
    query = select(Campaign).where(Campaign.id != campaign.id,
                                   Campaign.opens_on >= campaign.opens_on)
    query = query.where(Campaign.region_code.is_(None) if campaign.region_code is None
                        else Campaign.region_code == campaign.region_code)
    return list(db.session.scalars(query))


_UNSET: Any = object()


def change(campaign: Campaign, current: pd.DataFrame, region: str | None,
           previous: Campaign | None = _UNSET, before: pd.DataFrame | None = None,
           common: CommonFrames | None = _UNSET) -> dict[str, Any]:
    """Year over year on the establishments submitted in both campaigns: `overall` and each
    axis of `axes` as indicators.change_since_previous (n, median_previous, median_current,
    median_change, median_delta), with the previous campaign's `previous_id`,
    `previous_name` and `n` (submitted in both with an overall score). {} when there is no
    previous campaign. `previous`, `before` (its lines over the scope) and `common` (the
    like-for-like frames) when the caller has read them already (rebuild).

    Same questionnaire version (`same_questionnaire`): the snapshots' scores (a campaign's
    version never changes). Another version with a mapping from the previous one to this one:
    like for like (common_frames: the comparable questions, both sides scored by this
    version's rules), marked `basis` "common" with `common_questions` (how many scored ones)
    and the two versions, and, for a region, `deltas` (establishment id -> change: the ARS
    table's « Évolution » reads them here, not from the raw answers). Without a mapping: n is
    0 and there is no figure."""
    if previous is _UNSET:
        previous = previous_campaign(campaign)
    if previous is None:
        return {}
    out: dict[str, Any] = {"previous_id": previous.id, "previous_name": previous.name,
                           "same_questionnaire": previous.questionnaire_version_id
                           == campaign.questionnaire_version_id,
                           "n": 0, "overall": None, "axes": {}}
    if not out["same_questionnaire"]:
        if common is _UNSET:
            common = common_frames(campaign, previous, region)
        if common is None:
            return out
        out.update(common.header)
        out = _with_change(out, indicators.change_since_previous(common.now, common.before,
                                                                 "overall"),
                           indicators.axes_change_since_previous(common.now, common.before),
                           indicators.ALL)
        if region is not None:
            deltas = indicators.per_establishment_change(common.now, common.before)["delta"]
            out["deltas"] = {str(int(k)): float(v) for k, v in deltas.items()}
        return out
    if before is None:
        before = loaders.establishment_rollups_frame(previous.id, region)
    return _with_change(out, indicators.change_since_previous(current, before, "overall"),
                        indicators.axes_change_since_previous(current, before), indicators.ALL)


@dataclass(frozen=True)
class CommonFrames:
    """The like-for-like scores of the establishments submitted in both campaigns, as frames
    shaped like the establishment lines (establishment_id, region_code, status, overall,
    axes) so that the same indicators compute the change; `header` marks the payload."""

    now: pd.DataFrame
    before: pd.DataFrame
    header: dict[str, Any]

    def of_region(self, region: str) -> CommonFrames:
        return CommonFrames(self.now[self.now["region_code"] == region],
                            self.before[self.before["region_code"] == region], self.header)


_COMMON_COLUMNS = ["establishment_id", "region_code", "status", "overall", "axes"]


def common_frames(campaign: Campaign, previous: Campaign, region: str | None
                  ) -> CommonFrames | None:
    """Like-for-like frames of the campaign against a previous campaign on another version
    (crossversion.py), None without a mapping from the previous version to this one: each
    establishment submitted in both, its previous answers translated and its current ones
    restricted to the common questions, both scored by this version's rules."""
    from careapp.questionnaires import registry

    old, new = previous.questionnaire_version, campaign.questionnaire_version
    mapping = (registry.mapping_between(new.key, old.version, new.version)
               if old.key == new.key else None)
    if mapping is None:
        return None
    questionnaire = registry.model_of(new)
    basis = crossversion.common_basis(mapping, questionnaire)
    now_of = loaders.submissions(campaign.id, region)
    before_of = loaders.submissions(previous.id, region)
    both = sorted(now_of.keys() & before_of.keys())
    tag = (new.content_hash, old.content_hash, basis.fingerprint)

    def previous_scores(answers: dict[str, Any], on: dt.date | None
                        ) -> crossversion.CommonScores:
        return crossversion.common_scores(questionnaire, basis, crossversion.translate_previous(
            mapping, basis, answers), on)

    def current_scores(answers: dict[str, Any], on: dt.date | None
                       ) -> crossversion.CommonScores:
        return crossversion.common_scores(questionnaire, basis, answers, on)

    before = _side_scores(("previous", *tag), previous.id, region, basis.sources.values(),
                          {e: before_of[e] for e in both}, previous_scores)
    now = _side_scores(("current", *tag), campaign.id, region, basis.sources.keys(),
                       {e: now_of[e] for e in both}, current_scores)
    rows_now = [(e, now_of[e].region_code, "submitted", now[e].overall, dict(now[e].axes))
                for e in both]
    rows_before = [(e, now_of[e].region_code, "submitted", before[e].overall,
                    dict(before[e].axes)) for e in both]
    header = {"basis": "common", "common_questions": basis.scored,
              "from_version": old.version, "to_version": new.version}
    return CommonFrames(pd.DataFrame(rows_now, columns=_COMMON_COLUMNS, dtype=object),
                        pd.DataFrame(rows_before, columns=_COMMON_COLUMNS, dtype=object),
                        header)


# Like-for-like scores of submitted assessments, by (side, both versions' content hashes, the
# mapping's fingerprint, assessment id, revision, submission time). Rescoring a nation's two
# campaigns takes seconds (bench/RESULTS.md), and every submission recomputes the national
# `change`: a submitted assessment's answers are frozen until its row changes (reopening raises
# its revision), a stored version's content never changes, and an edited mapping file changes
# the fingerprint, so a score under the same key is the same score. Only the establishments
# whose key is new are read and scored. Per process, least recently used first out beyond
# _SCORES_MAX; refreshes run per request in a threaded server, so every read or write of the
# cache holds _SCORES_LOCK (the reading and scoring of the missing ones do not).
_SCORES: OrderedDict[tuple[Any, ...], crossversion.CommonScores] = OrderedDict()
_SCORES_LOCK = threading.Lock()
_SCORES_MAX = 50_000
_BY_IDS_MAX = 500  # more missing than this: read the campaign's answers by a join, not ids


def _side_scores(tag: tuple[Any, ...], campaign_id: int, region: str | None,
                 question_ids: Iterable[str], submitted: dict[int, loaders.Submission],
                 score_of: Any) -> dict[int, crossversion.CommonScores]:
    keys = {e: (*tag, s.assessment_id, s.revision, s.submitted_at)
            for e, s in submitted.items()}
    out: dict[int, crossversion.CommonScores] = {}
    with _SCORES_LOCK:  # hits first: marked recently used before anything is evicted
        for e, k in keys.items():
            hit = _SCORES.get(k)
            if hit is not None:
                _SCORES.move_to_end(k)
                out[e] = hit
    missing = [e for e in submitted if e not in out]
    if missing:
        ids = ([submitted[e].assessment_id for e in missing] if len(missing) <= _BY_IDS_MAX
               else None)
        answers = loaders.submitted_answers(campaign_id, region, question_ids, ids)
        scored = {e: score_of(answers.get(e, {}), submitted[e].submitted_on) for e in missing}
        out.update(scored)
        with _SCORES_LOCK:  # then the new ones, then the oldest out
            for e, value in scored.items():
                _SCORES[keys[e]] = value
                _SCORES.move_to_end(keys[e])
            while len(_SCORES) > _SCORES_MAX:
                _SCORES.popitem(last=False)
    return out


def _with_change(out: dict[str, Any], overall: pd.DataFrame, axes: pd.DataFrame,
                 key: str) -> dict[str, Any]:
    """change()'s payload `out` with the figures of the group `key` of the overall and axes
    tables (one group: ALL and axes by axis_id; grouped: by key then axis_id)."""
    if key in overall.index:
        out["overall"] = _plain(overall.loc[key].to_dict())
        out["n"] = out["overall"]["n"]
    if axes.index.nlevels > 1:
        axes = axes.xs(key, level=0) if key in axes.index.get_level_values(0) else axes.iloc[:0]
    out["axes"] = {str(axis): _plain(row.to_dict()) for axis, row in axes.iterrows()}
    return out


def compute(campaign: Campaign, scope: str, kinds: Iterable[str],
            today: dt.date | None = None) -> dict[str, Any]:
    """The payload of each of `kinds` for the campaign over the scope: pure indicators on the
    frames of the establishment lines (read once; missing lines computed first), and the
    activities frame for `plans`."""
    today = today or dt.date.today()
    region = None if scope == NATIONAL else scope
    lines = loaders.establishment_rollups_frame(campaign.id, region or campaign.region_code)
    return _compute(campaign, lines, set(kinds), today, region or campaign.region_code,
                    lambda: loaders.activities_frame(region))


def _compute(campaign: Campaign, lines: pd.DataFrame, kinds: set[str], today: dt.date,
             region: str | None, activities: Any, previous: Campaign | None = _UNSET,
             before: pd.DataFrame | None = None, common: Any = _UNSET) -> dict[str, Any]:
    """compute() on the scope's lines; `activities()` reads the activities frame."""
    frames = frames_from_lines(lines)
    establishments = frames["establishments"]
    out: dict[str, Any] = {}
    if "participation" in kinds:
        counts = _row(indicators.participation(establishments, campaign.deadline, today))
        counts.pop("late")
        out["participation"] = counts
    if "overall" in kinds:
        out["overall"] = _row(indicators.overall_distribution(establishments))
    if "axes" in kinds:
        out["axes"] = _by_second_level(indicators.axis_distribution(
            frames["axes"], establishments))
    if "levels" in kinds:
        out["levels"] = _row(indicators.level_distribution(establishments))
    if "socle" in kinds:
        out["socle"] = _row(indicators.socle_attainment(establishments))
    if "domains" in kinds:
        out["domains"] = _by_second_level(indicators.domain_states(
            frames["domains"], establishments))
    if "exercises" in kinds:
        out["exercises"] = _row(indicators.exercise_share(
            frames["exercises"], establishments, today), _NO_EXERCISE)
    if "plans" in kinds:
        out["plans"] = _by_second_level(indicators.plans_by_kind(activities(), establishments))
    if "roadmap" in kinds:
        out["roadmap"] = _row(indicators.roadmap_progress_from_counts(
            frames["roadmap"], establishments), _NO_ACTION)
    if "d2" in kinds:
        out["d2"] = _row(indicators.d2_distribution(lines))
    if "retex" in kinds:
        out["retex"] = _row(indicators.retex_missing(lines))
    if "change" in kinds:
        out["change"] = change(campaign, lines, region, previous, before, common)
    return out


_NO_EXERCISE = {"n": 0, "within_12_months": 0, "share": None}
_NO_ACTION = {"open": 0, "open_p1": 0, "overdue": 0}
_BY = "region_code"


def _per_region(table: pd.DataFrame, regions: list[str], alone: Any) -> dict[str, Any]:
    """One row per region of an indicator grouped by region (`_row` of each); a region
    without a row (nothing to count there) computed alone (`alone(region)`), as its own
    scope would be, so that an empty scope keeps its own empty figures."""
    return {r: _plain(table.loc[r].to_dict()) if r in table.index else alone(r)
            for r in regions}


def _per_region_second(table: pd.DataFrame, regions: list[str], alone: Any
                       ) -> dict[str, Any]:
    """`_by_second_level` of each region of an indicator grouped by region × a second key."""
    out: dict[str, dict[str, Any]] = {}
    for key, row in table.iterrows():
        out.setdefault(key[0], {})[str(key[-1])] = _plain(row.to_dict())
    return {r: out[r] if r in out else alone(r) for r in regions}


def compute_scopes(campaign: Campaign, today: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """Every kind of every scope of the campaign (scopes_of): the same payloads as compute()
    on each scope, from one read of the campaign's lines (and of the activities and the
    previous campaign's lines). A national campaign's regions come from the national frames
    grouped by region (the indicators' `by`); a region an indicator has no row for (e.g.
    nothing submitted there) is computed alone on its slice of the lines."""
    today = today or dt.date.today()
    scopes = scopes_of(campaign)
    lines = loaders.establishment_rollups_frame(campaign.id, campaign.region_code)
    read: dict[str, pd.DataFrame] = {}

    def activities() -> pd.DataFrame:
        if "activities" not in read:
            read["activities"] = loaders.activities_frame(campaign.region_code)
        return read["activities"]

    previous = previous_campaign(campaign)
    before = None
    common: CommonFrames | None = None  # another version: the like-for-like scores, once
    if previous is not None and previous.questionnaire_version_id \
            == campaign.questionnaire_version_id:
        before = loaders.establishment_rollups_frame(previous.id, campaign.region_code)
    elif previous is not None:
        common = common_frames(campaign, previous, campaign.region_code)
    if campaign.region_code is not None:
        return {scope: _compute(campaign, lines, set(KINDS), today, scope, activities,
                                previous, before, common) for scope in scopes}
    out = {NATIONAL: _compute(campaign, lines, set(KINDS), today, None, activities,
                              previous, before, common)}
    regions = [s for s in scopes if s != NATIONAL]
    if not regions:  # no establishment at all: the nation's empty figures only
        return out
    in_region = {r: (lines["region_code"] == r).to_numpy() for r in regions}
    sliced: dict[str, pd.DataFrame] = {}

    def lines_of(region: str) -> pd.DataFrame:
        if region not in sliced:
            sliced[region] = lines[in_region[region]]
        return sliced[region]

    def before_of(region: str) -> pd.DataFrame | None:
        return None if before is None else before[before["region_code"] == region]

    def alone(kind: str) -> Any:
        return lambda region: _compute(campaign, lines_of(region), {kind}, today, region,
                                       activities, previous, before_of(region))[kind]

    frames = frames_from_lines(lines)
    est = frames["establishments"]
    by = {r: {} for r in regions}
    table: dict[str, dict[str, Any]] = {}
    participation = indicators.participation(est, campaign.deadline, today, by=_BY)
    table["participation"] = _per_region(participation.drop(columns="late"), regions,
                                         alone("participation"))
    table["overall"] = _per_region(indicators.overall_distribution(est, by=_BY), regions,
                                   alone("overall"))
    table["axes"] = _per_region_second(indicators.axis_distribution(
        frames["axes"], est, by=_BY), regions, alone("axes"))
    table["levels"] = _per_region(indicators.level_distribution(est, by=_BY), regions,
                                  alone("levels"))
    table["socle"] = _per_region(indicators.socle_attainment(est, by=_BY), regions,
                                 alone("socle"))
    table["domains"] = _per_region_second(indicators.domain_states(
        frames["domains"], est, by=_BY), regions, alone("domains"))
    table["exercises"] = _per_region(indicators.exercise_share(
        frames["exercises"], est, today, by=_BY), regions, alone("exercises"))
    table["plans"] = _per_region_second(indicators.plans_by_kind(
        activities(), est, by=_BY), regions, alone("plans"))
    table["roadmap"] = _per_region(indicators.roadmap_progress_from_counts(
        frames["roadmap"], est, by=_BY), regions, alone("roadmap"))
    table["d2"] = _per_region(indicators.d2_distribution(lines, by=_BY), regions, alone("d2"))
    table["retex"] = _per_region(indicators.retex_missing(lines, by=_BY), regions,
                                 alone("retex"))
    if previous is None:
        table["change"] = dict.fromkeys(regions, {})
    elif before is None:  # another questionnaire: like for like, or no figure (change())
        table["change"] = {r: change(campaign, lines_of(r), r, previous, None,
                                     None if common is None else common.of_region(r))
                           for r in regions}
    else:
        overall = indicators.change_since_previous(lines, before, "overall", by=_BY)
        axes = indicators.axes_change_since_previous(lines, before, by=_BY)
        table["change"] = {r: _with_change(
            {"previous_id": previous.id, "previous_name": previous.name,
             "same_questionnaire": True, "n": 0, "overall": None, "axes": {}},
            overall, axes, r) for r in regions}
    for kind, payloads in table.items():
        for region, payload in payloads.items():
            by[region][kind] = payload
    out.update(by)
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


REBUILD_STEPS = ("lignes des établissements", "indicateurs", "écriture")


def rebuild(campaign: Campaign, today: dt.date | None = None,
            progress: Any = None) -> int:
    """From scratch: the campaign's lines, then every scope × kind (compute_scopes), all the
    summary rows written in one go (the campaign's rows deleted, then one multi-row insert).
    Returns the number of scopes. `progress(1)` is called after each of REBUILD_STEPS."""
    today = today or dt.date.today()
    _lock(campaign.id)
    store_lines(campaign, today=today)
    if progress is not None:
        progress(1)
    payloads = compute_scopes(campaign, today)
    if progress is not None:
        progress(1)
    db.session.execute(delete(RollupSummary).where(RollupSummary.campaign_id == campaign.id),
                       execution_options={"synchronize_session": "fetch"})
    now = utcnow()
    rows = [{"campaign_id": campaign.id, "scope": scope, "kind": kind, "payload": payload,
             "as_of": today, "computed_at": now}
            for scope, kinds in payloads.items() for kind, payload in kinds.items()]
    if rows:
        db.session.execute(insert(RollupSummary.__table__), rows)
    if progress is not None:
        progress(1)
    return len(payloads)


# -- establishment lines (establishment_rollups) --------------------------------------------

def _covers(campaign: Campaign, region_code: str | None) -> str | None | bool:
    """The region filter of the campaign's establishments within `region_code` (None: the
    nation), or False when the campaign covers none of them."""
    if campaign.region_code is None:
        return region_code
    if region_code is not None and region_code != campaign.region_code:
        return False
    return campaign.region_code


def compute_lines(campaign: Campaign, region_code: str | None = None,
                  establishment_ids: Iterable[int] | None = None,
                  today: dt.date | None = None) -> list[dict[str, Any]]:
    """The establishment_rollups rows of the campaign for the establishments it covers within
    `region_code` (None: all), or only `establishment_ids`: the snapshot's figures as stored,
    each domain's readiness (indicators.readiness), and the registers' summary of
    loaders.register_figures (register_summaries' figures: D2 met/judged/unknown, last
    exercise held on or before `today`, exercises held without their RETEX past the due
    delay, open / open P1 / overdue / overdue P1 actions). Six queries; for a whole scope
    they select by campaign and region (joins), for a few establishments by their ids."""
    today = today or dt.date.today()
    region = _covers(campaign, region_code)
    if region is False:
        return []
    # Only the snapshot's `domains` (a JSON path): its whole results weigh ~100 times more.
    query = (select(Establishment.id, Establishment.region_code, Assessment.id,
                    Assessment.status, Assessment.submitted_at, ScoreSnapshot.id,
                    ScoreSnapshot.overall, ScoreSnapshot.overall_level,
                    ScoreSnapshot.socle_rate, ScoreSnapshot.results["domains"])
             .outerjoin(Assessment, (Assessment.establishment_id == Establishment.id)
                        & (Assessment.campaign_id == campaign.id))
             .outerjoin(ScoreSnapshot, ScoreSnapshot.assessment_id == Assessment.id)
             .order_by(Establishment.id))
    if region is not None:
        query = query.where(Establishment.region_code == region)
    ids = None if establishment_ids is None else sorted(set(establishment_ids))
    if ids is not None:
        if not ids:
            return []
        query = query.where(Establishment.id.in_(ids))
    rows = db.session.execute(query).all()
    axes: dict[int, dict[str, Any]] = {}
    if any(r[5] is not None for r in rows):
        axis_query = select(AxisScore.snapshot_id, AxisScore.axis_id, AxisScore.score)
        if ids is not None:  # a few establishments: their snapshots
            axis_query = axis_query.where(AxisScore.snapshot_id.in_(
                [r[5] for r in rows if r[5] is not None]))
        else:  # the whole scope: the campaign's snapshots, by a join (not thousands of ids)
            axis_query = (axis_query.join(ScoreSnapshot, ScoreSnapshot.id == AxisScore.snapshot_id)
                          .join(Assessment, Assessment.id == ScoreSnapshot.assessment_id)
                          .where(Assessment.campaign_id == campaign.id))
            if region is not None:
                axis_query = axis_query.join(
                    Establishment, Establishment.id == Assessment.establishment_id).where(
                    Establishment.region_code == region)
        for snapshot_id, axis_id, score in db.session.execute(axis_query):
            axes.setdefault(snapshot_id, {})[axis_id] = score
    registers = loaders.register_figures(ids, today, region)
    empty = loaders.empty_register_figures(today)
    now = utcnow()
    lines = []
    readiness = indicators.readiness
    for (eid, code, assessment_id, status, submitted_at, snapshot_id, overall, level,
         socle, results_domains) in rows:
        r = registers.get(eid, empty)
        domains = {str(d): readiness(int(x.get("met") or 0), int(x.get("total") or 0))
                   for d, x in sorted((results_domains or {}).items())}
        lines.append({
            "campaign_id": campaign.id, "establishment_id": eid, "region_code": code,
            "assessment_id": assessment_id,
            "status": None if status is None else str(getattr(status, "value", status)),
            "submitted_at": submitted_at, "overall": overall, "overall_level": level,
            "socle_rate": socle, "axes": dict(sorted(axes.get(snapshot_id, {}).items())),
            "domains": domains, "d2_met": r.d2_met, "d2_total": r.d2_total,
            "d2_unknown": r.d2_unknown, "last_exercise_on": r.last_exercise_on,
            "retex_missing": r.retex_missing, "open_actions": r.open_actions,
            "open_p1": r.open_p1, "overdue": r.overdue,
            "overdue_p1": r.overdue_p1, "as_of": today, "computed_at": now})
    return lines


def store_lines(campaign: Campaign, region_code: str | None = None,
                establishment_ids: Iterable[int] | None = None,
                today: dt.date | None = None) -> int:
    """Recompute and write (delete, then one multi-row insert) the campaign's lines for the
    establishments of compute_lines; flushes. Returns the number of lines written."""
    ids = None if establishment_ids is None else list(establishment_ids)
    _lock(campaign.id)
    lines = compute_lines(campaign, region_code, ids, today)
    db.session.flush()
    stale = delete(EstablishmentRollup).where(EstablishmentRollup.campaign_id == campaign.id)
    if ids is not None:
        stale = stale.where(EstablishmentRollup.establishment_id.in_(ids))
    elif region_code is not None:
        stale = stale.where(EstablishmentRollup.region_code == region_code)
    db.session.execute(stale, execution_options={"synchronize_session": False})
    if lines:
        db.session.execute(insert(EstablishmentRollup.__table__), lines)
    return len(lines)


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


def _note_lines(session: Session, campaign_id: int, establishment_id: int | None) -> None:
    pending = session.info.setdefault(_LINES, {})
    if establishment_id is None:
        pending[campaign_id] = None
    elif campaign_id not in pending or pending[campaign_id] is not None:
        pending.setdefault(campaign_id, set()).add(establishment_id)


def _campaign_scopes(campaign: Campaign, region_code: str) -> list[str]:
    if campaign.region_code is None:
        return [region_code, NATIONAL]
    return [region_code] if campaign.region_code == region_code else []


@events.assessment_changed.connect
def _on_assessment(assessment: Assessment, **_: Any) -> None:
    campaign, session = assessment.campaign, db.session()
    region = assessment.establishment.region_code
    _note_lines(session, campaign.id, assessment.establishment_id)
    _note(session, campaign.id, _campaign_scopes(campaign, region), ASSESSMENT_KINDS)
    for later in later_campaigns(campaign):  # their year over year reads this campaign
        _note(session, later.id, _campaign_scopes(later, region), frozenset({"change"}))


@events.campaign_opened.connect
def _on_campaign(campaign: Campaign, **_: Any) -> None:
    session = db.session()
    _note_lines(session, campaign.id, None)
    for scope in scopes_of(campaign):
        _note(session, campaign.id, [scope], KINDS)
    for later in later_campaigns(campaign):
        for scope in scopes_of(later):
            _note(session, later.id, [scope], frozenset({"change"}))


def _on_establishment(establishment: Establishment, kinds: frozenset) -> None:
    from careapp.assessments.services import campaigns_in

    session = db.session()
    for campaign in campaigns_in(establishment.region_code):
        _note_lines(session, campaign.id, establishment.id)
        _note(session, campaign.id, _campaign_scopes(campaign, establishment.region_code), kinds)


@events.establishments_changed.connect
def _on_establishments(region_codes: frozenset[str], **_: Any) -> None:
    """An import adds or moves establishments: every figure of the regions concerned counts
    them (an establishment with no register counts as having no exercise), so every kind of
    those scopes and the campaigns' lines are recomputed (an import is rare)."""
    from careapp.assessments.services import campaigns_in

    session = db.session()
    for code in sorted(region_codes):
        for campaign in campaigns_in(code):
            _note_lines(session, campaign.id, None)
            _note(session, campaign.id, _campaign_scopes(campaign, code), KINDS)


@events.registers_changed.connect
def _on_registers(establishment: Establishment, **_: Any) -> None:
    _on_establishment(establishment, REGISTER_KINDS)


@events.roadmap_changed.connect
def _on_roadmap(establishment: Establishment, **_: Any) -> None:
    _on_establishment(establishment, ROADMAP_KINDS)


@event.listens_for(Session, "before_commit")
def _refresh_pending(session: Session) -> None:
    lines = session.info.pop(_LINES, None) or {}
    for campaign_id, establishment_ids in sorted(lines.items()):
        campaign = session.get(Campaign, campaign_id)
        if campaign is not None:
            store_lines(campaign, establishment_ids=establishment_ids)
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
    session.info.pop(_LINES, None)
