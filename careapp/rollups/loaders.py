"""SQL reads for dashboards: one query per table shape, never ORM objects one by one."""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import case, func, select

from careapp.assessments.models import Assessment, AxisScore, Campaign, ScoreSnapshot
from careapp.db import db
from careapp.organisations.models import Establishment, Ght
from careapp.resilience.d2 import D2Readiness, d2_readiness
from careapp.resilience.indicators import ExerciseIndicators, exercise_indicators
from careapp.resilience.models import (
    PROFILE_FIELDS,
    ActivityKind,
    ContinuityProfile,
    CrisisExercise,
    CriticalActivity,
    ExerciseStatus,
    PlanStatus,
)
from careapp.roadmap.models import OPEN_STATUSES, ActionStatus, Priority, RoadmapAction
from careapp.roadmap.services import Progress, progress_of


def region_status_rows(region_code: str, campaign: Campaign) -> list[dict[str, Any]]:
    """Every establishment of the region with its assessment status and scores."""
    rows = db.session.execute(
        select(
            Establishment.id, Establishment.name, Establishment.finess_et,
            Establishment.category, Ght.code.label("ght_code"),
            Assessment.id.label("assessment_id"), Assessment.status, Assessment.submitted_at,
            ScoreSnapshot.id.label("snapshot_id"), ScoreSnapshot.overall,
            ScoreSnapshot.socle_rate, ScoreSnapshot.completeness,
        )
        .outerjoin(Ght, Ght.id == Establishment.ght_id)
        .outerjoin(Assessment, (Assessment.establishment_id == Establishment.id)
                   & (Assessment.campaign_id == campaign.id))
        .outerjoin(ScoreSnapshot, ScoreSnapshot.assessment_id == Assessment.id)
        .where(Establishment.region_code == region_code)
        .order_by(Establishment.name)
    ).mappings().all()
    snapshot_ids = [r["snapshot_id"] for r in rows if r["snapshot_id"] is not None]
    axes: dict[int, dict[str, float | None]] = {}
    if snapshot_ids:
        for snapshot_id, axis_id, score in db.session.execute(
            select(AxisScore.snapshot_id, AxisScore.axis_id, AxisScore.score)
            .where(AxisScore.snapshot_id.in_(snapshot_ids))
        ):
            axes.setdefault(snapshot_id, {})[axis_id] = score
    return [dict(r, axes=axes.get(r["snapshot_id"], {})) for r in rows]


@dataclass(frozen=True)
class RegisterSummary:
    """An establishment's exercise status, D2 readiness and roadmap progress (read-only view)."""

    indicators: ExerciseIndicators
    d2: D2Readiness
    roadmap: Progress


@dataclass(frozen=True)
class _Exercise:
    id: int
    held_on: dt.date
    retex_on: dt.date | None
    status: str

    @property
    def is_held(self) -> bool:
        return self.status == ExerciseStatus.HELD.value


@dataclass(frozen=True)
class _Activity:
    kind: ActivityKind
    name: str
    most_critical: bool
    bia_done: bool
    pca_status: PlanStatus
    pra_status: PlanStatus
    last_test_on: dt.date | None


# What d2_readiness reads of an activity, in _Activity's order.
_ACTIVITY_COLUMNS = (CriticalActivity.kind, CriticalActivity.name, CriticalActivity.most_critical,
                     CriticalActivity.bia_done, CriticalActivity.pca_status,
                     CriticalActivity.pra_status, CriticalActivity.last_test_on)


def register_summaries(establishment_ids: list[int], today: dt.date | None = None
                       ) -> dict[int, RegisterSummary]:
    """Summaries of many establishments in four queries: plain columns, and the roadmap
    counted by the database (a region may hold tens of thousands of actions)."""
    today = today or dt.date.today()
    if not establishment_ids:
        return {}
    exercises: dict[int, list[_Exercise]] = defaultdict(list)
    for eid, *columns in db.session.execute(
            select(CrisisExercise.establishment_id, CrisisExercise.id, CrisisExercise.held_on,
                   CrisisExercise.retex_on, CrisisExercise.status)
            .where(CrisisExercise.establishment_id.in_(establishment_ids))):
        exercises[eid].append(_Exercise(*columns[:3], status=str(columns[3].value)))
    activities: dict[int, list[_Activity]] = defaultdict(list)
    for eid, *columns in db.session.execute(
            select(CriticalActivity.establishment_id, *_ACTIVITY_COLUMNS)
            .where(CriticalActivity.establishment_id.in_(establishment_ids))):
        activities[eid].append(_Activity(*columns))
    profiles = {p.establishment_id: p for p in db.session.scalars(
        select(ContinuityProfile).where(ContinuityProfile.establishment_id.in_(establishment_ids)))}
    roadmaps = _roadmap_counts(establishment_ids, today)
    return {
        eid: RegisterSummary(
            indicators=exercise_indicators(exercises.get(eid, []), today),
            d2=d2_readiness(profiles.get(eid), activities.get(eid, []), today=today),
            roadmap=roadmaps.get(eid) or progress_of([], today),
        )
        for eid in establishment_ids
    }


@dataclass(frozen=True)
class RegisterFigures:
    """The registers' figures an establishment line stores (what RegisterSummary gives, without
    the objects only shown on a page)."""

    d2_met: int
    d2_total: int
    d2_unknown: int
    last_exercise_on: dt.date | None
    retex_missing: int
    open_actions: int
    open_p1: int
    overdue: int
    overdue_p1: int




def _among(query: Any, column: Any, establishment_ids: list[int] | None,
           region_code: str | None) -> Any:
    """The rows of the given establishments, or (None) of every establishment of the region
    (None: the nation), by a join instead of a list of thousands of ids."""
    if establishment_ids is not None:
        return query.where(column.in_(establishment_ids))
    if region_code is None:
        return query
    return query.join(Establishment, Establishment.id == column).where(
        Establishment.region_code == region_code)


def register_figures(establishment_ids: list[int] | None, today: dt.date,
                     region_code: str | None = None) -> dict[int, RegisterFigures]:
    """register_summaries' figures for the lines, in one pass per register: the given
    establishments, or (None) every establishment of `region_code` (None: the nation).
    Profiles are read as plain rows (d2_readiness only reads attributes), the roadmap counted
    by the database (roadmap_counts_frame's rule), establishments without a row get the
    empty registers' figures. Keyed by establishment id; only establishments with at least
    one register row or profile appear, see `empty_register_figures`."""
    if establishment_ids is not None and not establishment_ids:
        return {}
    exercises: dict[int, list[_Exercise]] = defaultdict(list)
    for eid, *columns in db.session.execute(_among(
            select(CrisisExercise.establishment_id, CrisisExercise.id, CrisisExercise.held_on,
                   CrisisExercise.retex_on, CrisisExercise.status),
            CrisisExercise.establishment_id, establishment_ids, region_code)):
        exercises[eid].append(_Exercise(*columns[:3], status=str(columns[3].value)))
    activities: dict[int, list[_Activity]] = defaultdict(list)
    for eid, *columns in db.session.execute(_among(
            select(CriticalActivity.establishment_id, *_ACTIVITY_COLUMNS),
            CriticalActivity.establishment_id, establishment_ids, region_code)):
        activities[eid].append(_Activity(*columns))
    profiles = {row.establishment_id: row for row in db.session.execute(_among(
        select(ContinuityProfile.establishment_id,
               *(getattr(ContinuityProfile, c) for c in PROFILE_FIELDS)),
        ContinuityProfile.establishment_id, establishment_ids, region_code))}
    is_open = RoadmapAction.status.in_(OPEN_STATUSES)
    roadmaps = {eid: (int(n), int(p1 or 0), int(late or 0), int(late_p1 or 0))
                for eid, n, p1, late, late_p1 in db.session.execute(_among(
                    select(RoadmapAction.establishment_id, *_roadmap_sums(today))
                    .where(is_open).group_by(RoadmapAction.establishment_id),
                    RoadmapAction.establishment_id, establishment_ids, region_code))}
    out = {}
    for eid in {*exercises, *activities, *profiles, *roadmaps}:
        out[eid] = _figures(profiles.get(eid), activities.get(eid, []),
                            exercises.get(eid, []), roadmaps.get(eid, (0, 0, 0, 0)), today)
    return out


def _roadmap_sums(today: dt.date) -> tuple[Any, ...]:
    """Over open actions (the caller's filter): count, P1, due before `today`, both
    (indicators.roadmap_counts' rule)."""
    p1 = RoadmapAction.priority == Priority.P1
    late = RoadmapAction.due_on < today
    return (func.count(), func.sum(case((p1, 1), else_=0)), func.sum(case((late, 1), else_=0)),
            func.sum(case((p1 & late, 1), else_=0)))


def _figures(profile: Any, activities: list[_Activity], exercises: list[_Exercise],
             roadmap: tuple[int, int, int, int], today: dt.date) -> RegisterFigures:
    d2 = d2_readiness(profile, activities, today=today)
    held = exercise_indicators(exercises, today)
    return RegisterFigures(d2.met, d2.total, d2.unknown, held.last_held_on,
                           len(held.retex_missing), *roadmap)


def empty_register_figures(today: dt.date) -> RegisterFigures:
    """The figures of an establishment with no register row, no profile and no action."""
    return _figures(None, [], [], (0, 0, 0, 0), today)


def _roadmap_counts(establishment_ids: list[int], today: dt.date) -> dict[int, Progress]:
    is_open = RoadmapAction.status.in_([ActionStatus.TODO, ActionStatus.IN_PROGRESS])
    rows = db.session.execute(
        select(RoadmapAction.establishment_id, RoadmapAction.status, RoadmapAction.priority,
               func.count(),
               func.sum(case((is_open & (RoadmapAction.due_on < today), 1), else_=0)),
               func.sum(case((is_open & RoadmapAction.gap_closed, 1), else_=0)))
        .where(RoadmapAction.establishment_id.in_(establishment_ids))
        .group_by(RoadmapAction.establishment_id, RoadmapAction.status, RoadmapAction.priority))
    counts: dict[int, dict[str, Any]] = {}
    for eid, status, priority, count, overdue, proposed in rows:
        c = counts.setdefault(eid, {
            "by_status": {s.value: 0 for s in ActionStatus},
            "open_by_priority": {p.value: 0 for p in Priority},
            "overdue": 0, "proposed_done": 0, "total": 0})
        c["by_status"][status.value] += count
        if status in (ActionStatus.TODO, ActionStatus.IN_PROGRESS):
            c["open_by_priority"][priority.value] += count
        c["overdue"] += overdue or 0
        c["proposed_done"] += proposed or 0
        c["total"] += count
    return {eid: Progress(**c) for eid, c in counts.items()}


# -- frames for careapp/rollups/indicators.py (one query per frame shape) ---------------------

ESTABLISHMENT_COLUMNS = ["establishment_id", "name", "region_code", "category", "sector",
                         "ght_code", "assessment_id", "status", "submitted_at", "overall",
                         "overall_level", "socle_rate", "scoring_version"]
AXIS_COLUMNS = ["establishment_id", "axis_id", "score", "level"]
DOMAIN_COLUMNS = ["establishment_id", "domain", "met", "total"]
ACTIVITY_COLUMNS = ["establishment_id", "kind", "pca_status", "pra_status"]
EXERCISE_COLUMNS = ["establishment_id", "last_held_on"]
ROADMAP_COLUMNS = ["establishment_id", "priority", "status", "due_on"]
ROADMAP_COUNT_COLUMNS = ["establishment_id", "open", "open_p1", "overdue", "overdue_p1"]


def _value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _frame(rows: Any, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([[_value(v) for v in row] for row in rows], columns=columns,
                        dtype=object)


def _in_scope(query: Any, region_code: str | None) -> Any:
    return query if region_code is None else query.where(Establishment.region_code == region_code)


def establishment_columns() -> tuple[Any, ...]:
    """What a row of the establishments frame selects (ESTABLISHMENT_COLUMNS, in order)."""
    return (Establishment.id, Establishment.name, Establishment.region_code,
            Establishment.category, Establishment.sector, Ght.code, Assessment.id,
            Assessment.status, Assessment.submitted_at, ScoreSnapshot.overall,
            ScoreSnapshot.overall_level, ScoreSnapshot.socle_rate, ScoreSnapshot.scoring_version)


def establishments_frame(campaign_id: int, region_code: str | None = None) -> pd.DataFrame:
    """Every establishment of the scope (a region, or the nation) with its assessment of the
    campaign: status (None: not started) and the snapshot's figures as stored (exact since
    scoring 2.0, rounded to 0.1 by 1.0)."""
    rows = db.session.execute(_in_scope(
        select(*establishment_columns())
        .outerjoin(Ght, Ght.id == Establishment.ght_id)
        .outerjoin(Assessment, (Assessment.establishment_id == Establishment.id)
                   & (Assessment.campaign_id == campaign_id))
        .outerjoin(ScoreSnapshot, ScoreSnapshot.assessment_id == Assessment.id)
        .order_by(Establishment.name, Establishment.id), region_code))
    return _frame(rows, ESTABLISHMENT_COLUMNS)


def _snapshots(campaign_id: int, region_code: str | None) -> Any:
    return _in_scope(
        select(Establishment.id)
        .join(Assessment, Assessment.establishment_id == Establishment.id)
        .join(ScoreSnapshot, ScoreSnapshot.assessment_id == Assessment.id)
        .where(Assessment.campaign_id == campaign_id), region_code)


def axis_scores_frame(campaign_id: int, region_code: str | None = None) -> pd.DataFrame:
    """The stored axis scores and levels of the campaign's snapshots (long: one row an axis)."""
    rows = db.session.execute(
        _snapshots(campaign_id, region_code)
        .add_columns(AxisScore.axis_id, AxisScore.score, AxisScore.level)
        .join(AxisScore, AxisScore.snapshot_id == ScoreSnapshot.id)
        .order_by(Establishment.id, AxisScore.axis_id))
    return _frame(rows, AXIS_COLUMNS)


def domains_frame(campaign_id: int, region_code: str | None = None) -> pd.DataFrame:
    """Each snapshot's CaRE domain ratios (met, total) as stored in its results."""
    rows = []
    for eid, results in db.session.execute(
            _snapshots(campaign_id, region_code).add_columns(ScoreSnapshot.results)
            .order_by(Establishment.id)):
        for domain, ratio in sorted(((results or {}).get("domains") or {}).items()):
            rows.append((eid, domain, int(ratio.get("met") or 0), int(ratio.get("total") or 0)))
    return _frame(rows, DOMAIN_COLUMNS)


def activities_frame(region_code: str | None = None) -> pd.DataFrame:
    rows = db.session.execute(_in_scope(
        select(CriticalActivity.establishment_id, CriticalActivity.kind,
               CriticalActivity.pca_status, CriticalActivity.pra_status)
        .join(Establishment, Establishment.id == CriticalActivity.establishment_id),
        region_code))
    return _frame(rows, ACTIVITY_COLUMNS)


def exercises_frame(region_code: str | None = None, today: dt.date | None = None
                    ) -> pd.DataFrame:
    """The date of the last exercise held (not after today) of each establishment that has one."""
    today = today or dt.date.today()
    rows = db.session.execute(_in_scope(
        select(CrisisExercise.establishment_id, func.max(CrisisExercise.held_on))
        .join(Establishment, Establishment.id == CrisisExercise.establishment_id)
        .where(CrisisExercise.status == ExerciseStatus.HELD, CrisisExercise.held_on <= today),
        region_code).group_by(CrisisExercise.establishment_id))
    return _frame(rows, EXERCISE_COLUMNS)


def roadmap_frame(region_code: str | None = None) -> pd.DataFrame:
    rows = db.session.execute(_in_scope(
        select(RoadmapAction.establishment_id, RoadmapAction.priority, RoadmapAction.status,
               RoadmapAction.due_on)
        .join(Establishment, Establishment.id == RoadmapAction.establishment_id), region_code))
    return _frame(rows, ROADMAP_COLUMNS)


def roadmap_counts_frame(region_code: str | None, today: dt.date) -> pd.DataFrame:
    """indicators.roadmap_counts computed by the database: one row per establishment with open
    actions instead of one per action (a national refresh read 111,511 actions in 0.8 s)."""
    is_open = RoadmapAction.status.in_(OPEN_STATUSES)
    rows = db.session.execute(_in_scope(
        select(RoadmapAction.establishment_id, *_roadmap_sums(today))
        .join(Establishment, Establishment.id == RoadmapAction.establishment_id)
        .where(is_open).group_by(RoadmapAction.establishment_id), region_code))
    return _frame(rows, ROADMAP_COUNT_COLUMNS)


def participation_by_region(campaign_ids: list[int]) -> dict[tuple[str, int], dict[str, int]]:
    """(region, campaign) → assessments per status, and region → establishments (key 0)."""
    counts: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for code, total in db.session.execute(
            select(Establishment.region_code, func.count()).group_by(Establishment.region_code)):
        counts[(code, 0)]["total"] = total
    if campaign_ids:
        for code, campaign_id, status, n in db.session.execute(
                select(Establishment.region_code, Assessment.campaign_id, Assessment.status,
                       func.count())
                .join(Assessment, Assessment.establishment_id == Establishment.id)
                .where(Assessment.campaign_id.in_(campaign_ids))
                .group_by(Establishment.region_code, Assessment.campaign_id, Assessment.status)):
            counts[(code, campaign_id)][_value(status)] = n
    return dict(counts)


ROLLUP_COLUMNS = ["establishment_id", "name", "finess_et", "region_code", "category", "sector",
                  "ght_code", "assessment_id", "status", "submitted_at", "overall",
                  "overall_level", "socle_rate", "axes", "domains", "d2_met", "d2_total",
                  "d2_unknown", "last_exercise_on", "retex_missing", "open_actions", "open_p1",
                  "overdue", "overdue_p1"]


def _rollups_query(campaign_id: int, region_code: str | None) -> Any:
    from careapp.rollups.models import EstablishmentRollup as Line

    return _in_scope(
        select(Establishment.id, Establishment.name, Establishment.finess_et,
               Establishment.region_code, Establishment.category, Establishment.sector,
               Ght.code, Line.assessment_id, Line.status, Line.submitted_at, Line.overall,
               Line.overall_level, Line.socle_rate, Line.axes, Line.domains, Line.d2_met,
               Line.d2_total, Line.d2_unknown, Line.last_exercise_on, Line.retex_missing,
               Line.open_actions, Line.open_p1, Line.overdue, Line.overdue_p1, Line.id)
        .outerjoin(Ght, Ght.id == Establishment.ght_id)
        .outerjoin(Line, (Line.establishment_id == Establishment.id)
                   & (Line.campaign_id == campaign_id))
        .order_by(Establishment.name, Establishment.id), region_code)


def establishment_rollups_frame(campaign_id: int, region_code: str | None = None
                                ) -> pd.DataFrame:
    """One row per establishment the campaign covers within the scope (a region, or the nation
    when `region_code` is None; a regional campaign only covers its region), ordered by name,
    read from the `establishment_rollups` table joined with Establishment and Ght in one query.
    Lines not stored yet are computed and stored first (flushed: the caller commits), then read.

    Columns (dtype object; None for no value):
    * establishment_id (int), name, finess_et, region_code, category, sector, ght_code (None
      outside a GHT): the establishment as it is now;
    * assessment_id (int | None), status (None = not started, "draft", "submitted"),
      submitted_at (datetime | None);
    * overall (float | None, exact), overall_level (int 0-3 | None), socle_rate (percent,
      exact | None), axes ({axis_id: exact score | None}; {} without a snapshot), domains
      ({"D1"…"D4", "HOSPICONNECT": "ready" | "not_ready" | "not_assessable"}): the frozen
      snapshot's figures (a draft or reopened assessment has none);
    * d2_met, d2_total, d2_unknown (int): the D2 checklist of careapp/resilience/d2.py;
    * last_exercise_on (date | None): the last crisis exercise held, not after the line's day;
    * retex_missing (int): exercises held whose RETEX is missing past its due delay;
    * open_actions, open_p1, overdue, overdue_p1 (int): open roadmap actions, open P1 actions,
      open actions due before the line's day, open P1 actions due before it
      (indicators.roadmap_counts' rule).
    """
    from careapp.rollups import refresh

    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        return pd.DataFrame(columns=ROLLUP_COLUMNS, dtype=object)
    scope = region_code or campaign.region_code
    if campaign.region_code is not None and scope != campaign.region_code:
        return pd.DataFrame(columns=ROLLUP_COLUMNS, dtype=object)
    rows = db.session.execute(_rollups_query(campaign_id, scope)).all()
    missing = [row[0] for row in rows if row[-1] is None]
    if missing:
        refresh.store_lines(campaign, scope, missing if len(missing) < len(rows) else None)
        rows = db.session.execute(_rollups_query(campaign_id, scope)).all()
    return _frame((row[:-1] for row in rows), ROLLUP_COLUMNS)


# The columns of the establishment lines the page reads (table, filters, follow-up, timeline).
PAGE_COLUMNS = ["establishment_id", "name", "finess_et", "category", "ght_code",
                "assessment_id", "status", "submitted_at", "overall", "socle_rate", "d2_met",
                "d2_total", "d2_unknown", "last_exercise_on", "retex_missing", "open_p1",
                "overdue", "overdue_p1"]


def page_lines(campaign: Campaign, region_code: str) -> pd.DataFrame:
    """establishment_rollups_frame restricted to PAGE_COLUMNS (the ARS dashboard), in one
    narrow query: the full lines decode each line's axes and domains JSON, which the page never
    shows (the downloads do). Same rows in the same order (name, id); lines not stored yet: the
    full read, which stores them first (flushed: the caller commits)."""
    from careapp.rollups.models import EstablishmentRollup as Line

    if campaign.region_code is not None and region_code != campaign.region_code:
        return pd.DataFrame(columns=PAGE_COLUMNS, dtype=object)
    rows = db.session.execute(
        select(Establishment.id, Establishment.name, Establishment.finess_et,
               Establishment.category, Ght.code, Line.assessment_id, Line.status,
               Line.submitted_at, Line.overall, Line.socle_rate, Line.d2_met, Line.d2_total,
               Line.d2_unknown, Line.last_exercise_on, Line.retex_missing, Line.open_p1,
               Line.overdue, Line.overdue_p1, Line.id)
        .outerjoin(Ght, Ght.id == Establishment.ght_id)
        .outerjoin(Line, (Line.establishment_id == Establishment.id)
                   & (Line.campaign_id == campaign.id))
        .where(Establishment.region_code == region_code)
        .order_by(Establishment.name, Establishment.id)).all()
    if any(row[-1] is None for row in rows):
        return establishment_rollups_frame(campaign.id, region_code)[PAGE_COLUMNS]
    # No enum among these columns (status is stored as text): the values as read.
    return pd.DataFrame([tuple(row[:-1]) for row in rows], columns=PAGE_COLUMNS, dtype=object)


GROUP_COLUMNS = ["sector", "ght_code", "status", "overall"]


def group_lines(campaign: Campaign) -> pd.DataFrame:
    """The columns national_groups reads (sector, ght_code, status, overall) of the national
    campaign's submitted assessments (the only rows national_groups counts), from the stored
    establishment lines in one narrow query: the full lines of the nation
    (establishment_rollups_frame: 3,000 rows, each line's axes and domains JSON decoded) were
    most of the national page's time. Lines not stored yet (one query says whether any is
    missing): the full read, which stores them first (flushed: the caller commits).
    """
    from careapp.rollups.models import EstablishmentRollup as line

    joined = ((line.establishment_id == Establishment.id) & (line.campaign_id == campaign.id))
    missing = db.session.execute(
        select(Establishment.id).outerjoin(line, joined).where(line.id.is_(None)).limit(1)
    ).first()
    if missing is not None:
        return establishment_rollups_frame(campaign.id)[GROUP_COLUMNS]
    rows = db.session.execute(
        select(Establishment.sector, Ght.code, line.status, line.overall)
        .join(line, joined).outerjoin(Ght, Ght.id == Establishment.ght_id)
        .where(line.status == "submitted")).all()
    return pd.DataFrame([(_value(sector), ght, status, overall)
                         for sector, ght, status, overall in rows],
                        columns=GROUP_COLUMNS, dtype=object)


CHANGE_COLUMNS = ["establishment_id", "status", "overall"]


def overall_lines(campaign: Campaign, region_code: str) -> pd.DataFrame:
    """The columns indicators.per_establishment_change reads (establishment_id, status,
    overall) of the campaign's lines over the region, in one narrow query (the ARS table's
    « Évolution » reads the previous campaign's this way: no per-row query, no JSON decoded).
    Lines not stored yet: the full read, which stores them first (flushed: the caller
    commits)."""
    from careapp.rollups.models import EstablishmentRollup as Line

    if campaign.region_code is not None and region_code != campaign.region_code:
        return pd.DataFrame(columns=CHANGE_COLUMNS, dtype=object)
    rows = db.session.execute(
        select(Establishment.id, Line.status, Line.overall, Line.id)
        .outerjoin(Line, (Line.establishment_id == Establishment.id)
                   & (Line.campaign_id == campaign.id))
        .where(Establishment.region_code == region_code)
        .order_by(Establishment.id)).all()
    if any(row[-1] is None for row in rows):
        return establishment_rollups_frame(campaign.id, region_code)[CHANGE_COLUMNS]
    return pd.DataFrame([tuple(row[:-1]) for row in rows], columns=CHANGE_COLUMNS, dtype=object)


@dataclass(frozen=True)
class Submission:
    """A submitted assessment, identified down to its last change (`revision` rises with
    every change of the row: a reopening, a resubmission), so that what was computed from its
    frozen answers can be reused as long as these four values stay the same."""

    assessment_id: int
    revision: int
    submitted_at: dt.datetime | None
    region_code: str

    @property
    def submitted_on(self) -> dt.date | None:
        at = self.submitted_at
        return at.date() if isinstance(at, dt.datetime) else at


def submissions(campaign_id: int, region_code: str | None) -> dict[int, Submission]:
    """Establishment id -> its submitted assessment of the campaign, within the region (None:
    the nation). One query, no answer read."""
    from careapp.assessments.models import AssessmentStatus

    query = (select(Assessment.establishment_id, Assessment.id, Assessment.revision,
                    Assessment.submitted_at, Establishment.region_code)
             .join(Establishment, Establishment.id == Assessment.establishment_id)
             .where(Assessment.campaign_id == campaign_id,
                    Assessment.status == AssessmentStatus.SUBMITTED))
    if region_code is not None:
        query = query.where(Establishment.region_code == region_code)
    return {eid: Submission(aid, revision, at, code)
            for eid, aid, revision, at, code in db.session.execute(query)}


def submitted_answers(campaign_id: int, region_code: str | None, question_ids: Iterable[str],
                      assessment_ids: Iterable[int] | None = None
                      ) -> dict[int, dict[str, Any]]:
    """Establishment id -> its answers ({question id: RawAnswer}) to `question_ids` in its
    submitted assessment of the campaign, within the region (None: the nation), or only in
    `assessment_ids` (a few: the others are known already). One query; only the questions
    asked for (the like-for-like comparison reads its common questions, not every answer)."""
    from careapp.assessments.answers import RawAnswer
    from careapp.assessments.models import Answer, AssessmentStatus

    query = (select(Assessment.establishment_id, Answer.question_id, Answer.state,
                    Answer.value, Answer.justification)
             .join(Answer, Answer.assessment_id == Assessment.id)
             .join(Establishment, Establishment.id == Assessment.establishment_id)
             .where(Assessment.campaign_id == campaign_id,
                    Assessment.status == AssessmentStatus.SUBMITTED,
                    Answer.question_id.in_(sorted(set(question_ids)))))
    if region_code is not None:
        query = query.where(Establishment.region_code == region_code)
    if assessment_ids is not None:
        query = query.where(Assessment.id.in_(sorted(set(assessment_ids))))
    out: dict[int, dict[str, Any]] = {}
    for eid, qid, state, value, justification in db.session.execute(query):
        out.setdefault(eid, {})[qid] = RawAnswer(state, value, justification or "")
    return out
