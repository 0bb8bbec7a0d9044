"""SQL reads for dashboards: one query per table shape, never ORM objects one by one."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from careapp.assessments.models import Assessment, AxisScore, Campaign, ScoreSnapshot
from careapp.db import db
from careapp.organisations.models import Establishment, Ght
from careapp.resilience.d2 import D2Readiness, d2_readiness
from careapp.resilience.indicators import ExerciseIndicators, exercise_indicators
from careapp.resilience.models import ContinuityProfile, CrisisExercise, CriticalActivity
from careapp.roadmap.models import RoadmapAction
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


def register_summaries(establishment_ids: list[int], today: dt.date | None = None
                       ) -> dict[int, RegisterSummary]:
    """Summaries of many establishments in four queries (one per register table)."""
    today = today or dt.date.today()
    if not establishment_ids:
        return {}

    def grouped(model: Any) -> dict[int, list[Any]]:
        groups: dict[int, list[Any]] = defaultdict(list)
        for row in db.session.scalars(
                select(model).where(model.establishment_id.in_(establishment_ids))):
            groups[row.establishment_id].append(row)
        return groups

    exercises = grouped(CrisisExercise)
    activities = grouped(CriticalActivity)
    actions = grouped(RoadmapAction)
    profiles = {p.establishment_id: p for p in db.session.scalars(
        select(ContinuityProfile).where(ContinuityProfile.establishment_id.in_(establishment_ids)))}
    return {
        eid: RegisterSummary(
            indicators=exercise_indicators(exercises.get(eid, []), today),
            d2=d2_readiness(profiles.get(eid), activities.get(eid, [])),
            roadmap=progress_of(actions.get(eid, []), today),
        )
        for eid in establishment_ids
    }
