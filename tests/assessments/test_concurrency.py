"""Two people saving the same section at the same moment, in two real database sessions.

Both read the assessment at the same revision; both write. The row's version check
(UPDATE … WHERE revision = the one read) lets exactly one through; the other is told the
section changed and writes nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from careapp.assessments import services
from careapp.assessments.models import Answer, Assessment
from careapp.db import db
from tests.concurrency import race
from tests.world import answer_input, make_world


def test_two_concurrent_saves_of_a_section_one_wins_one_is_told(app) -> None:  # noqa: ANN001
    world = make_world()
    assessment = services.start_assessment(world.campaign, world.own, world.users["editor"])
    db.session.commit()
    assessment_id, editor_id = assessment.id, world.users["editor"].id
    section = services.questionnaire_of(assessment).sections[0]
    seen = assessment.revision
    levels = {"A": 3, "B": 1}

    def read() -> tuple[Assessment, object]:
        mine = db.session.get(Assessment, assessment_id)
        _ = [a.question_id for a in mine.answers]  # both load what they will compare
        return mine, db.session.get(type(world.users["editor"]), editor_id)

    def write(name: str, loaded: tuple[Assessment, object]) -> None:
        mine, user = loaded
        inputs = {q.id: answer_input(q, levels[name]) for q in section.questions}
        first = section.questions[0].id
        inputs[first] = services.AnswerInput("answered", inputs[first].value, "",
                                             f"saisi par {name}")
        services.save_section(mine, section, inputs, user, seen_revision=seen)

    outcomes = race(app, read, write)
    assert sorted(outcomes.values()) == ["StaleDataError", "saved"], outcomes
    winner = "A" if outcomes["A"] == "saved" else "B"
    comments = set(db.session.scalars(select(Answer.comment).where(Answer.comment != "")))
    assert comments == {f"saisi par {winner}"}  # nothing of the loser was written
    # The loser's retry (what the view does) is told the section changed: StaleSection.
    db.session.expire_all()
    retry = db.session.get(Assessment, assessment_id)
    with pytest.raises(services.StaleSection):
        services.save_section(retry, section, {}, world.users["editor"], seen_revision=seen)
