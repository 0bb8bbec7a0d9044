"""One gap, one action (issue 13): every pair of origins that states one gap gives one action
naming both, with the highest priority; people's edits are kept through a merge and when an
establishment moves to a questionnaire version that split the question; the priority rule's
worked examples; the short list the page shows first."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from flask import current_app
from sqlalchemy import select

from careapp.assessments.answers import ANSWERED
from careapp.assessments.scoring import QuestionResult
from careapp.db import db
from careapp.messages import Msg
from careapp.resilience.d2 import CheckItem, D2Readiness, Readiness
from careapp.resilience.indicators import exercise_indicators
from careapp.roadmap import services as roadmap
from careapp.roadmap.generate import SAME_GAP, generate, question_priority
from careapp.roadmap.models import ActionStatus, Origin, Priority, RoadmapAction
from tests import factories
from tests.world import submitted_assessment

TODAY = dt.date(2026, 11, 23)
P1, P2, P3 = Priority.P1, Priority.P2, Priority.P3
IN_ORDER_EXERCISES: list = []


# -- the priority rule: worked examples ------------------------------------------------------------

@pytest.mark.parametrize(("weight", "gap", "domains", "socle", "priority", "rank"), [
    (3, 1, ("D2",), True, P1, 9.0),  # 3 × 1 × 2 × 1.5: the P1 boundary
    (3, 1, ("D2",), False, P2, 6.0),  # the same gap outside the socle
    (2, 1, (), True, P3, 3.0),  # an IT charter (SEN-06, v1 socle) one level short
    (2, 2, (), True, P2, 6.0),  # ... two levels short
    (3, 2, (), True, P1, 9.0),  # GOV-01 at level 0
    (3, 3, (), False, P1, 9.0),  # a heavy measure wholly absent, no domain
    (2, 2, (), False, P2, 4.0),  # the P2 boundary
    (2, 1, ("HOSPICONNECT",), False, P2, 4.0),  # HospiConnect counts as a funding domain
    (1, 1, ("D4",), False, P3, 2.0),
    (1, 2, (), False, P3, 2.0),
])
def test_question_priority_worked_examples(weight: int, gap: int, domains: tuple[str, ...],
                                           socle: bool, priority: Priority, rank: float) -> None:
    assert question_priority(weight, gap, domains, socle) == (priority, rank)


def test_a_funding_domain_outranks_a_charter_at_the_same_gap() -> None:
    # EDR (OPS-12, D4, weight 2) vs an IT charter (SEN-06, weight 2, socle in v1): 8 > 6
    assert question_priority(2, 2, ("D4",), False)[1] > question_priority(2, 2, (), True)[1]


# -- every pair of origins stating one gap -----------------------------------------------------------

def _model(version: str):  # noqa: ANN202
    return current_app.extensions["careapp.questionnaires"][("care", version)].model


def _question_result(questionnaire, question_id: str) -> QuestionResult:  # noqa: ANN001
    q = questionnaire.question(question_id)
    return QuestionResult(q.id, q.axis_id, True, ANSWERED, 0, None, q.weight, q.socle,
                          q.target_level)


def _pair_version(question_id: str) -> str:
    v1 = {q.id for q in _model("1.0.0").questions}
    return "1.0.0" if question_id in v1 else "2.0.0"


@pytest.mark.parametrize("index", range(18))
def test_every_same_gap_pair_makes_one_action_naming_both_origins(app, index: int) -> None:  # noqa: ANN001
    assert len(SAME_GAP) == 18
    pair = SAME_GAP[index]
    questionnaire = _model(_pair_version(pair.question_id))
    results = {pair.question_id: _question_result(questionnaire, pair.question_id)}
    kind, item_id = pair.key.split(":", 1)
    if kind == "d2":
        readiness = D2Readiness((CheckItem(item_id, "objective", Msg(f"libellé {item_id}"),
                                           Readiness.NOT_MET, Msg("preuve")),))
        exercises = [factories_exercise()]
    else:
        readiness, exercises = D2Readiness(()), []
    proposals = generate(questionnaire, results, exercise_indicators(exercises, TODAY),
                         exercises, readiness)
    assert [p.key for p in proposals] == [f"question:{pair.question_id}"]
    merged = proposals[0]
    assert merged.aliases == (pair.key,)
    assert [(k, r) for k, r, _ in merged.origins] == [("question", pair.question_id),
                                                      (kind, item_id if kind == "d2" else "yearly")]
    # the highest priority of its parts (the question at level 0 is P1 here for socle ones)
    question_alone = generate(questionnaire, results, exercise_indicators(exercises, TODAY),
                              exercises, D2Readiness(()))
    parts = [p for p in question_alone if p.key.startswith("question:")]
    assert merged.priority == min(parts[0].priority, P2 if kind == "d2" else P1)
    assert pair.reason


def factories_exercise():  # noqa: ANN201
    from tests.fakes import Exercise
    return Exercise(1, TODAY - dt.timedelta(days=60), TODAY - dt.timedelta(days=50))


def test_ops_28_of_v1_absorbs_both_restore_and_monitoring(app) -> None:  # noqa: ANN001
    questionnaire = _model("1.0.0")
    results = {"OPS-28": _question_result(questionnaire, "OPS-28")}
    readiness = D2Readiness(tuple(
        CheckItem(i, "objective", Msg(i), Readiness.NOT_MET, Msg("preuve"))
        for i in ("restore_test", "backup_monitoring")))
    exercises = [factories_exercise()]
    proposals = generate(questionnaire, results, exercise_indicators(exercises, TODAY),
                         exercises, readiness)
    assert [p.key for p in proposals] == ["question:OPS-28"]
    assert set(proposals[0].aliases) == {"d2:restore_test", "d2:backup_monitoring"}


def test_a_register_item_alone_stands_for_its_questions() -> None:
    readiness = D2Readiness((CheckItem("backup_321", "objective", Msg("3-2-1"),
                                       Readiness.NOT_MET, Msg("preuve")),))
    exercises = [factories_exercise()]
    (alone,) = generate(None, None, exercise_indicators(exercises, TODAY), exercises, readiness)
    assert alone.key == "d2:backup_321"
    assert set(alone.aliases) == {"question:OPS-25", "question:OPS-25:find-out",
                                  "question:OPS-29", "question:OPS-29:find-out"}


# -- people's edits through a merge and through a version move ---------------------------------------

def _action(key: str) -> RoadmapAction | None:
    db.session.expire_all()
    return db.session.scalar(select(RoadmapAction).filter_by(key=key))


def _edit(world, action: RoadmapAction, **data) -> None:  # noqa: ANN001, ANN003
    roadmap.update_action(world.own, action, data, world.users["editor"], action.revision)
    db.session.commit()


def test_edits_on_a_register_action_are_kept_when_the_question_joins_it(world) -> None:  # noqa: ANN001
    roadmap.regenerate(world.own, world.users["editor"])  # empty registers: D2 find-outs
    db.session.commit()
    d2 = _action("d2:backup_321")
    due = dt.date.today() + dt.timedelta(days=90)
    _edit(world, d2, owner="Responsable infrastructure", due_on=due, comment="Devis demandé",
          status=ActionStatus.IN_PROGRESS, priority=Priority.P2)  # the find-out was P3
    kept_id = d2.id

    submitted_assessment(world.campaign, world.own, world.users["editor"], level=1)  # v1
    assert _action("d2:backup_321") is None
    merged = _action("question:OPS-25")
    assert merged.id == kept_id  # the same action, under the question's key
    assert (merged.owner, merged.due_on, merged.comment, merged.status) == (
        "Responsable infrastructure", due, "Devis demandé", ActionStatus.IN_PROGRESS)
    assert (merged.priority, merged.priority_edited) == (Priority.P2, True)  # people chose it
    assert merged.origin is Origin.QUESTION
    assert [(o["kind"], o["ref"]) for o in merged.origins] == [("question", "OPS-25"),
                                                               ("d2", "backup_321")]


def test_two_existing_actions_of_one_gap_become_one_with_both_edits(world) -> None:  # noqa: ANN001
    submitted_assessment(world.campaign, world.own, world.users["editor"], level=1)
    restore = _action("question:OPS-28")
    _edit(world, restore, owner="DSI")
    # an action left under the register's key (made before the merge rule existed)
    db.session.add(RoadmapAction(
        establishment_id=world.own.id, key="d2:restore_test", origin=Origin.CONTINUITY,
        origin_ref="restore_test", suggested_title={"fr": "Restaurer", "en": "Restore"},
        priority=Priority.P1, priority_edited=True, comment="Test prévu en mars",
        status=ActionStatus.TODO))
    db.session.commit()
    roadmap.regenerate(world.own, world.users["editor"])
    db.session.commit()
    assert _action("d2:restore_test") is None
    merged = _action("question:OPS-28")
    assert (merged.owner, merged.comment, merged.priority) == ("DSI", "Test prévu en mars",
                                                               Priority.P1)


def test_edits_follow_a_split_question_to_the_new_version(world) -> None:  # noqa: ANN001
    submitted_assessment(world.campaign, world.own, world.users["editor"], level=1)  # v1
    ops25 = _action("question:OPS-25")
    due = dt.date.today() + dt.timedelta(days=120)
    _edit(world, ops25, owner="Ingénieur sauvegarde", due_on=due, comment="Bande LTO commandée",
          status=ActionStatus.IN_PROGRESS)
    ops28 = _action("question:OPS-28")
    _edit(world, ops28, owner="Exploitation")

    world.campaign.status = world.campaign.status.CLOSED
    v2 = factories.campaign(world.campaign.year + 1, version="2.0.0")
    db.session.commit()
    submitted_assessment(v2, world.own, world.users["editor"], level=1)

    assert _action("question:OPS-25") is None and _action("question:OPS-28") is None
    for key in ("question:OPS-29", "question:OPS-30"):  # OPS-25 → OPS-29 / OPS-30
        part = _action(key)
        assert (part.owner, part.due_on, part.comment, part.status) == (
            "Ingénieur sauvegarde", due, "Bande LTO commandée", ActionStatus.IN_PROGRESS), key
        assert not part.gap_closed
    for key in ("question:OPS-31", "question:OPS-32"):  # OPS-28 → OPS-31 / OPS-32
        assert _action(key).owner == "Exploitation", key
    assert _action("question:OPS-30").id == ops25.id or _action("question:OPS-29").id == ops25.id


# -- the page ----------------------------------------------------------------------------------------

def test_the_page_names_every_origin_and_shows_the_short_list_first(world, editor) -> None:  # noqa: ANN001
    submitted_assessment(world.campaign, world.own, world.users["editor"], level=0)
    page = html.unescape(editor.client.get(
        f"/etablissements/{world.own.id}/feuille-de-route").get_data(as_text=True))
    assert re.search(r"Origines : question OPS-25, point D2 « [^»]*3-2-1[^»]*»", page)
    short = page.split('id="liste-courte"')[1].split("<details")[0]
    total = len(db.session.scalars(select(RoadmapAction)).all())
    shown = len(re.findall(r'<tr id="action-', short))
    p1 = len(db.session.scalars(select(RoadmapAction).filter_by(priority=Priority.P1)).all())
    assert shown == max(p1, roadmap.SHORT_LIST_TOP) < total
    assert page.count("<details") >= 2 and "<summary>" in page
