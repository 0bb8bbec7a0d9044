"""Reading and changing the registers: every change is checked against the revision the form
was opened at, audit-logged with its before → after values, and refreshes the roadmap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from careapp import events
from careapp.assessments.answers import RawAnswer
from careapp.audit.services import record
from careapp.auth.models import User
from careapp.db import db
from careapp.locking import changes, check_revision, values_of
from careapp.organisations.models import Establishment
from careapp.questionnaires import registry
from careapp.questionnaires.model import Questionnaire
from careapp.resilience.crosscheck import Contradiction, Fact, contradictions, register_facts
from careapp.resilience.d2 import D2Readiness, d2_readiness
from careapp.resilience.indicators import ExerciseIndicators, exercise_indicators
from careapp.resilience.models import PROFILE_FIELDS as PROFILE_FIELDS
from careapp.resilience.models import (
    ContinuityProfile,
    CrisisExercise,
    CriticalActivity,
    ExerciseFinding,
)

EXERCISE_FIELDS = ("status", "held_on", "type", "kit_level", "scenario", "scenario_detail",
                   "functions", "duration_hours", "objectives", "retex_on", "retex_summary")
ACTIVITY_FIELDS = ("kind", "name", "most_critical", "bia_done", "rto_hours", "rpo_hours",
                   "degraded_procedure", "pca_status", "pra_status", "last_test_on",
                   "last_test_result")


@dataclass(frozen=True)
class Registers:
    """Everything the registers say about one establishment on one day."""

    exercises: list[CrisisExercise]
    indicators: ExerciseIndicators
    profile: ContinuityProfile | None
    activities: list[CriticalActivity]
    d2: D2Readiness
    facts: dict[str, Fact]


def exercises_of(establishment: Establishment) -> list[CrisisExercise]:
    return list(db.session.scalars(
        select(CrisisExercise).filter_by(establishment_id=establishment.id)
        .order_by(CrisisExercise.held_on.desc(), CrisisExercise.id.desc())))


def profile_of(establishment: Establishment) -> ContinuityProfile | None:
    return db.session.scalar(select(ContinuityProfile).filter_by(establishment_id=establishment.id))


def activities_of(establishment: Establishment) -> list[CriticalActivity]:
    return list(db.session.scalars(
        select(CriticalActivity).filter_by(establishment_id=establishment.id)
        .order_by(CriticalActivity.kind, CriticalActivity.name)))


def registers_of(establishment: Establishment, today: dt.date | None = None) -> Registers:
    today = today or dt.date.today()
    exercises = exercises_of(establishment)
    profile = profile_of(establishment)
    activities = activities_of(establishment)
    indicators = exercise_indicators(exercises, today)
    return Registers(
        exercises=exercises, indicators=indicators, profile=profile, activities=activities,
        d2=d2_readiness(profile, activities, today=today),
        facts=register_facts(indicators, profile, activities, has_exercises=bool(exercises)),
    )


def _audit(action: str, obj: Any, establishment: Establishment, user: User,
           details: dict[str, Any]) -> None:
    record(action, actor=user, object_type=type(obj).__tablename__, object_id=obj.id,
           region_code=establishment.region_code, establishment_id=establishment.id,
           details=details)


def _apply(obj: Any, data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, list[Any]]:
    before = values_of(obj, fields)
    for name in fields:
        if name in data and getattr(obj, name) != data[name]:
            setattr(obj, name, data[name])
    return changes(before, values_of(obj, fields))


def _refresh_roadmap(establishment: Establishment, user: User) -> None:
    from careapp.roadmap.services import regenerate  # the roadmap reads the registers

    db.session.flush()
    events.registers_changed.send(establishment)
    regenerate(establishment, user)


def _save_row(model: type[Any], name: str, fields: tuple[str, ...], establishment: Establishment,
              row: Any, data: dict[str, Any], user: User, seen: int | None) -> Any:
    """Create a register row, or update it if the form saw its current revision; audit it
    (after, or before → after) and refresh the roadmap."""
    if row is None:
        row = model(establishment_id=establishment.id, updated_by_id=user.id, **data)
        db.session.add(row)
        db.session.flush()
        _audit(f"{name}.create", row, establishment, user, {"after": values_of(row, fields)})
    else:
        check_revision(row, seen)
        changed = _apply(row, data, fields)
        if changed:
            row.updated_by_id = user.id
            _audit(f"{name}.update", row, establishment, user, {"changes": changed})
    _refresh_roadmap(establishment, user)
    return row


def save_exercise(establishment: Establishment, exercise: CrisisExercise | None,
                  data: dict[str, Any], user: User, seen: int | None) -> CrisisExercise:
    return _save_row(CrisisExercise, "exercise", EXERCISE_FIELDS, establishment, exercise, data,
                     user, seen)


def delete_exercise(establishment: Establishment, exercise: CrisisExercise, user: User) -> None:
    _audit("exercise.delete", exercise, establishment, user,
           {"before": values_of(exercise, EXERCISE_FIELDS),
            "findings": [f.text for f in exercise.findings]})
    db.session.delete(exercise)
    _refresh_roadmap(establishment, user)


def add_finding(establishment: Establishment, exercise: CrisisExercise, text: str,
                user: User) -> ExerciseFinding:
    finding = ExerciseFinding(exercise=exercise, text=text)
    db.session.add(finding)
    db.session.flush()
    _audit("finding.create", finding, establishment, user,
           {"exercise_id": exercise.id, "text": text})
    return finding


def delete_finding(establishment: Establishment, finding: ExerciseFinding, user: User) -> None:
    _audit("finding.delete", finding, establishment, user,
           {"exercise_id": finding.exercise_id, "text": finding.text,
            "action_id": finding.action_id})
    db.session.delete(finding)


def save_profile(establishment: Establishment, data: dict[str, Any], user: User,
                 seen: int | None) -> ContinuityProfile:
    return _save_row(ContinuityProfile, "continuity", PROFILE_FIELDS, establishment,
                     profile_of(establishment), data, user, seen)


def save_activity(establishment: Establishment, activity: CriticalActivity | None,
                  data: dict[str, Any], user: User, seen: int | None) -> CriticalActivity:
    return _save_row(CriticalActivity, "activity", ACTIVITY_FIELDS, establishment, activity,
                     data, user, seen)


def delete_activity(establishment: Establishment, activity: CriticalActivity, user: User) -> None:
    _audit("activity.delete", activity, establishment, user,
           {"before": values_of(activity, ACTIVITY_FIELDS)})
    db.session.delete(activity)
    _refresh_roadmap(establishment, user)


@dataclass(frozen=True)
class Consistency:
    """What the registers say next to the questions that ask the same thing."""

    facts: dict[str, Fact]  # question id → the register's fact
    contradictions: list[Contradiction]


def consistency(establishment: Establishment, questionnaire: Questionnaire,
                answers: Mapping[str, RawAnswer], today: dt.date | None = None) -> Consistency:
    checks = [c for c in registry.crosschecks(questionnaire.key)
              if questionnaire.has_question(c.question_id)]
    if not checks:
        return Consistency({}, [])
    facts = registers_of(establishment, today).facts
    return Consistency(
        facts={c.question_id: facts[c.fact] for c in checks},
        contradictions=contradictions(checks, answers, facts),
    )
