"""Two people saving the same crisis exercise at the same moment, in two real database
sessions (both databases): exactly one write lands, the other writes nothing (not even its
audit row or its roadmap refresh) and is told the exercise changed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from careapp.audit.models import AuditEvent
from careapp.auth.models import User
from careapp.db import db
from careapp.locking import StaleRecord
from careapp.resilience import services
from careapp.resilience.models import (
    CrisisExercise,
    ExerciseStatus,
    ExerciseType,
    KitLevel,
    Scenario,
)
from tests.concurrency import race
from tests.world import make_world


def test_two_concurrent_saves_of_an_exercise_one_wins_one_is_told(app) -> None:  # noqa: ANN001
    world = make_world()
    editor = world.users["editor"]
    exercise = services.save_exercise(world.own, None, {
        "status": ExerciseStatus.PLANNED, "held_on": dt.date.today() + dt.timedelta(days=30),
        "type": ExerciseType.TABLETOP, "kit_level": KitLevel.BEGINNER,
        "scenario": Scenario.RANSOMWARE, "functions": []}, editor, None)
    db.session.commit()
    exercise_id, editor_id, seen = exercise.id, editor.id, exercise.revision

    def read() -> CrisisExercise:
        mine = db.session.get(CrisisExercise, exercise_id)
        assert mine.revision == seen
        return mine

    def write(name: str, mine: CrisisExercise) -> None:
        services.save_exercise(mine.establishment, mine, {"objectives": f"Objectifs de {name}"},
                               db.session.get(User, editor_id), seen)

    outcomes = race(app, read, write)
    assert sorted(outcomes.values()) == ["StaleDataError", "saved"], outcomes
    winner = "A" if outcomes["A"] == "saved" else "B"

    db.session.expire_all()
    saved = db.session.get(CrisisExercise, exercise_id)
    assert (saved.objectives, saved.revision) == (f"Objectifs de {winner}", seen + 1)
    updates = db.session.scalars(select(AuditEvent).filter_by(action="exercise.update")).all()
    assert [u.details["changes"]["objectives"][1] for u in updates] == [f"Objectifs de {winner}"]

    with pytest.raises(StaleRecord):  # the loser's retry, as the view does on reloading
        services.save_exercise(world.own, saved, {"objectives": "perdant"}, editor, seen)
    db.session.rollback()
    assert db.session.get(CrisisExercise, exercise_id).objectives == f"Objectifs de {winner}"
