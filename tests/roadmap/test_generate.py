"""Roadmap proposals (pure): worked examples of each priority rule on the shipped questionnaire,
the exercise and D2 proposals, and the order of the result."""

from __future__ import annotations

import copy
import datetime as dt
from functools import cache
from typing import Any

import pytest
import yaml

from careapp.assessments.answers import ANSWERED, DONT_KNOW, GHT, NA, RawAnswer
from careapp.assessments.scoring import QuestionResult, resolve
from careapp.config import PROJECT_ROOT
from careapp.messages import Msg
from careapp.questionnaires.model import Questionnaire, build_questionnaire
from careapp.questionnaires.validation import validate_data
from careapp.resilience.d2 import CheckItem, D2Readiness, Readiness, d2_readiness
from careapp.resilience.indicators import exercise_indicators
from careapp.roadmap.generate import GENERATED_PREFIXES, Proposal, generate
from careapp.roadmap.models import Origin, Priority
from tests.fakes import Exercise

QUESTIONNAIRES = PROJECT_ROOT / "questionnaires"
TODAY = dt.date(2026, 11, 23)
P1, P2, P3 = Priority.P1, Priority.P2, Priority.P3


@cache
def _care_data() -> dict[str, Any]:
    return yaml.safe_load((QUESTIONNAIRES / "care-v1.yaml").read_text(encoding="utf-8"))


def build(data: dict[str, Any]) -> Questionnaire:
    assert validate_data(data, QUESTIONNAIRES) == []
    return build_questionnaire(data)


@cache
def care() -> Questionnaire:
    return build(_care_data())



# A register in order: a held exercise 2 months ago with its RETEX, nothing else to propose.
IN_ORDER = [Exercise(1, dt.date(2026, 9, 20), dt.date(2026, 10, 1))]
READY = D2Readiness(())


def run(answers: dict[str, RawAnswer], questionnaire: Questionnaire | None = None,
        exercises: list[Exercise] | None = None,
        readiness: D2Readiness = READY) -> list[Proposal]:
    questionnaire = questionnaire or care()
    exercises = IN_ORDER if exercises is None else exercises
    results = resolve(questionnaire, answers, TODAY)
    return generate(questionnaire, results, exercise_indicators(exercises, TODAY), exercises,
                    readiness)


def question_run(answers: dict[str, RawAnswer], questionnaire: Questionnaire | None = None
                 ) -> dict[str, Proposal]:
    return {p.key: p for p in run(answers, questionnaire)}


def answer(value: Any) -> RawAnswer:
    return RawAnswer(ANSWERED, value)


def summary(proposals: list[Proposal]) -> list[tuple[str, Priority, float]]:
    return [(p.key, p.priority, p.rank) for p in proposals]


# -- questions -------------------------------------------------------------------------------------

def test_nothing_to_propose_for_a_register_in_order_and_no_answers() -> None:
    assert run({}) == []


def test_socle_question_at_level_0() -> None:
    # GOV-01: socle, weight 3, no funding domain, target 2 → gap 2 → rank 3 × 2 × 1.5 = 9, P1
    proposals = run({"GOV-01": answer("none")})
    assert len(proposals) == 1
    p = proposals[0]
    assert p.key == "question:GOV-01"
    assert p.origin is Origin.QUESTION and p.origin_ref == "GOV-01"
    assert p.priority is P1
    assert p.rank == 9.0
    assert p.axis_id == "GOV" and p.domain is None
    assert p.title == care().question("GOV-01").action["title"]
    assert p.title["fr"].startswith("Désigner un directeur référent cybersécurité")
    assert p.detail == {"fr": "GOV-01 : niveau 0, cible 2 (Socle Cyber).",
                        "en": "GOV-01: level 0, target 2 (Socle Cyber)."}


def test_socle_question_at_level_1_is_p1_with_gap_1() -> None:
    # GOV-03: socle, weight 3, domain D2; level 1 → gap 1 → rank 3 × 1 × 2 (D2) × 1.5 = 9
    p = question_run({"GOV-03": answer("draft_or_old")})["question:GOV-03"]
    assert (p.priority, p.rank, p.domain) == (P1, 9.0, "D2")
    assert p.detail["fr"] == "GOV-03 : niveau 1, cible 2 (Socle Cyber)."


@pytest.mark.parametrize(("question_id", "option", "priority", "rank"), [
    ("GOV-02", "none", P2, 4.0),  # weight 2 × gap 2 = 4: the P2 boundary
    ("GOV-02", "mentioned", P3, 2.0),  # weight 2 × gap 1
    ("OPS-14", "none", P1, 12.0),  # weight 3 × gap 2 × 2 (D4): a funding domain first
    ("OPS-14", "local", P2, 6.0),  # weight 3 × gap 1 × 2 (D4)
    ("GOV-05", "none", P3, 2.0),  # weight 1 × gap 2
    ("GOV-05", "projects", P3, 1.0),
])
def test_non_socle_question_below_its_threshold(question_id: str, option: str, priority: Priority,
                                                rank: float) -> None:
    proposals = run({question_id: answer(option)})
    assert summary(proposals) == [(f"question:{question_id}", priority, rank)]
    assert not proposals[0].detail["fr"].endswith("(Socle Cyber).")


def test_a_number_question_below_its_threshold() -> None:
    # RES-03: 0 FTE → level 0; weight 2 × gap 2 = 4 → P2
    assert summary(run({"RES-03": answer("0")})) == [("question:RES-03", P2, 4.0)]
    assert run({"RES-03": answer("0,5")}) == []  # level 2


@pytest.mark.parametrize(("question_id", "option"), [
    ("GOV-01", "regular"), ("GOV-01", "board"), ("GOV-02", "objectives"), ("OPS-14", "soc"),
    ("OPS-25", "protected_copy"),
])
def test_at_or_above_the_threshold_nothing_is_proposed(question_id: str, option: str) -> None:
    assert run({question_id: answer(option)}) == []


def test_the_action_threshold_not_the_target_decides() -> None:
    data = copy.deepcopy(_care_data())
    gov_02 = next(q for axis in data["axes"] for s in axis["sections"] for q in s["questions"]
                  if q["id"] == "GOV-02")
    gov_02["action"]["below_level"] = 1  # target stays 2
    lowered = build(data)
    assert question_run({"GOV-02": answer("mentioned")}, lowered) == {}  # level 1: not below 1
    p = question_run({"GOV-02": answer("none")}, lowered)["question:GOV-02"]
    assert (p.priority, p.rank) == (P2, 4.0)  # the gap is still to the target: 2 × 2


def test_below_level_0_never_proposes() -> None:
    assert care().question("RES-01").action["below_level"] == 0
    assert run({"RES-01": answer("no")}) == []


def test_dont_know_on_a_socle_question_is_p2_find_out() -> None:
    proposals = run({"GOV-01": RawAnswer(DONT_KNOW)})
    # half a one-level gap: 3 × 1 × 1.5 / 2
    assert summary(proposals) == [("question:GOV-01:find-out", P2, 2.25)]
    p = proposals[0]
    text = care().question("GOV-01").text
    assert p.title == {"fr": f"Se renseigner : {text['fr']}", "en": f"Find out: {text['en']}"}
    assert p.detail["fr"] == "Réponse « Je ne sais pas » à l'auto-évaluation."
    assert p.origin is Origin.QUESTION and p.origin_ref == "GOV-01"


def test_dont_know_on_a_non_socle_question_is_p3_find_out_p2_in_a_funding_domain() -> None:
    # OPS-14 is D4: 3 × 1 × 2 / 2 = 3, P2; GOV-05 (no domain, weight 1): 1 / 2, P3
    assert summary(run({"OPS-14": RawAnswer(DONT_KNOW)})) == [("question:OPS-14:find-out", P2, 3.0)]
    assert summary(run({"GOV-05": RawAnswer(DONT_KNOW)})) == [("question:GOV-05:find-out", P3, 0.5)]


@pytest.mark.parametrize(("question_id", "raw"), [
    ("RES-09", RawAnswer(NA, None, "pas de GHT")),
    ("GOV-03", RawAnswer(GHT)),
    ("GOV-01", RawAnswer(None, None)),
    ("GOV-01", RawAnswer(ANSWERED, "bogus")),  # invalid answer: counts as unanswered
])
def test_na_ght_unanswered_and_invalid_propose_nothing(question_id: str, raw: RawAnswer) -> None:
    results = resolve(care(), {question_id: raw}, TODAY)
    assert results[question_id].state in (NA, GHT, None)
    assert run({question_id: raw}) == []


def test_a_hidden_follow_up_question_proposes_nothing() -> None:
    # GOV-10 is asked only when GOV-08 has a plan; an answer left behind does not count
    answers = {"GOV-08": answer("formal"), "GOV-10": answer("none")}
    assert summary(run(answers)) == [("question:GOV-10", P2, 8.0)]  # 2 × 2 × 2 (D2)
    answers["GOV-08"] = answer("maintained")
    assert summary(run(answers)) == [("question:GOV-10", P2, 8.0)]
    hidden = {"GOV-08": answer("none"), "GOV-10": answer("none")}
    assert summary(run(hidden)) == [("question:GOV-08", P1, 18.0)]  # 3 × 2 × 2 × 1.5


def test_hand_built_results() -> None:
    def result(qid: str, state: str | None, level: int | None, visible: bool = True) -> QuestionResult:
        q = care().question(qid)
        return QuestionResult(qid, q.axis_id, visible, state, level, None, q.weight, q.socle,
                              q.target_level)

    results = {"GOV-01": result("GOV-01", ANSWERED, 1),
               "OPS-25": result("OPS-25", ANSWERED, 0),
               "GOV-02": result("GOV-02", DONT_KNOW, None),
               "OPS-14": result("OPS-14", ANSWERED, 0, visible=False)}
    proposals = generate(care(), results, exercise_indicators(IN_ORDER, TODAY), IN_ORDER, READY)
    # OPS-25: 3 × 2 × 2 × 1.5; GOV-01, socle without a funding domain, one level short:
    # 3 × 1 × 1.5 = 4.5 → P2
    assert summary(proposals) == [("question:OPS-25", P1, 18.0), ("question:GOV-01", P2, 4.5),
                                  ("question:GOV-02:find-out", P3, 1.0)]
    assert proposals[0].axis_id == "OPS" and proposals[0].domain == "D2"


def test_without_a_questionnaire_only_registers_count() -> None:
    indicators = exercise_indicators([], TODAY)
    proposals = generate(None, None, indicators, [], READY)
    assert summary(proposals) == [("exercise:yearly", P1, 10.0)]
    assert generate(care(), None, indicators, [], READY) == proposals


# -- exercises -------------------------------------------------------------------------------------

def test_no_exercise_within_12_months() -> None:
    proposals = run({}, exercises=[])
    assert summary(proposals) == [("exercise:yearly", P1, 10.0)]
    p = proposals[0]
    assert p.origin is Origin.EXERCISE and p.origin_ref == ""
    # instruction DNS/2025/12 action 1 (every hospital), not a D2 objective
    assert (p.axis_id, p.domain) == ("GOV", "INSTRUCTION-1")
    assert p.title == "Réaliser l'exercice de crise cyber annuel (kits ANS)"
    assert p.detail == "Aucun exercice réalisé au registre."


def test_last_exercise_too_old() -> None:
    old = [Exercise(3, dt.date(2025, 11, 22), dt.date(2025, 12, 1))]  # one year and a day
    p = run({}, exercises=old)[0]
    assert p.key == "exercise:yearly"
    assert p.detail == "Dernier exercice réalisé le 22/11/2025."
    assert run({}, exercises=[Exercise(3, dt.date(2025, 11, 23), dt.date(2025, 12, 1))]) == []


def test_retex_missing() -> None:
    exercises = [Exercise(42, dt.date(2026, 10, 23))]  # 31 days ago, no RETEX
    proposals = run({}, exercises=exercises)
    assert summary(proposals) == [("exercise:42:retex", P2, 6.0)]
    p = proposals[0]
    assert p.origin is Origin.EXERCISE and p.origin_ref == "42"
    assert p.title == "Rédiger le RETEX de l'exercice du 23/10/2026"
    assert p.detail == "Le RETEX est attendu dans les 30 jours qui suivent l'exercice."
    assert run({}, exercises=[Exercise(42, dt.date(2026, 10, 24))]) == []  # day 30


def test_retex_for_each_exercise_and_the_yearly_exercise() -> None:
    exercises = [Exercise(5, dt.date(2024, 6, 1)), Exercise(9, dt.date(2025, 3, 1)),
                 Exercise(11, dt.date(2026, 12, 1), held=False)]
    assert summary(run({}, exercises=exercises)) == [
        ("exercise:yearly", P1, 10.0), ("exercise:5:retex", P2, 6.0), ("exercise:9:retex", P2, 6.0)]


# -- D2 ----------------------------------------------------------------------------------------------

def _item(item_id: str, kind: str, status: Readiness) -> CheckItem:
    return CheckItem(item_id, kind, Msg(f"libellé {item_id}"), status, Msg(f"preuve {item_id}"))


def test_d2_items() -> None:
    readiness = D2Readiness((
        _item("pssi", "prerequisite", Readiness.NOT_MET),
        _item("project_lead", "prerequisite", Readiness.UNKNOWN),
        _item("crisis_cell", "objective", Readiness.MET),
        _item("backup_321", "objective", Readiness.NOT_MET),
        _item("restore_test", "objective", Readiness.UNKNOWN),
        _item("pca_formalised", "objective", Readiness.NOT_MET),
    ))
    proposals = run({}, readiness=readiness)
    assert summary(proposals) == [
        ("d2:pssi", P1, 8.0),
        ("d2:backup_321", P2, 5.0),
        ("d2:pca_formalised", P2, 5.0),
        ("d2:project_lead", P3, 2.0),
        ("d2:restore_test", P3, 2.0),
    ]
    by_key = {p.key: p for p in proposals}
    assert by_key["d2:pssi"].title == "Prérequis D2 à remplir : libellé pssi"
    assert by_key["d2:backup_321"].title == "Objectif D2 à atteindre : libellé backup_321"
    assert by_key["d2:project_lead"].title == "Renseigner et vérifier : libellé project_lead"
    assert by_key["d2:pssi"].detail == "preuve pssi"
    assert all(p.origin is Origin.CONTINUITY and p.origin_ref == p.key.removeprefix("d2:")
               and p.domain == "D2" for p in proposals)
    assert {p.key: p.axis_id for p in proposals} == {
        "d2:pssi": "GOV", "d2:backup_321": "OPS", "d2:pca_formalised": "GOV",
        "d2:project_lead": "GOV", "d2:restore_test": "OPS"}


def test_d2_of_an_empty_register_proposes_16_find_outs() -> None:
    proposals = run({}, readiness=d2_readiness(None, []))
    assert len(proposals) == 16  # D2.P1 to D2.O4
    assert {(p.priority, p.rank) for p in proposals} == {(P3, 2.0)}
    assert [p.key for p in proposals] == sorted(p.key for p in proposals)  # ties: by key


# -- the whole result --------------------------------------------------------------------------------

def test_sorted_p1_first_then_by_rank() -> None:
    answers = {
        "GOV-01": answer("none"),  # P1 3 × 2 × 1.5 = 9
        "GOV-02": answer("none"),  # P2 4
        "GOV-03": RawAnswer(DONT_KNOW),  # P2 4.5 (socle find-out), merged with d2:pssi below
        "GOV-05": answer("projects"),  # P3 1
        "OPS-14": answer("local"),  # P2 3 × 1 × 2 (D4) = 6
        "OPS-25": answer("online_copies"),  # P1 3 × 1 × 2 × 1.5 = 9
        "SEN-01": answer("session"),  # level 2: nothing
    }
    exercises = [Exercise(7, dt.date(2025, 6, 1))]  # too old, and no RETEX
    readiness = D2Readiness((_item("pssi", "prerequisite", Readiness.NOT_MET),
                             _item("backup_policy", "objective", Readiness.NOT_MET),
                             _item("field_test", "objective", Readiness.UNKNOWN)))
    proposals = run(answers, exercises=exercises, readiness=readiness)
    # the PSSI gap is stated by the register: one action, led by d2:pssi, naming GOV-03 too
    assert summary(proposals) == [
        ("exercise:yearly", P1, 10.0),
        ("question:GOV-01", P1, 9.0),
        ("question:OPS-25", P1, 9.0),
        ("d2:pssi", P1, 8.0),
        ("exercise:7:retex", P2, 6.0),
        ("question:OPS-14", P2, 6.0),
        ("d2:backup_policy", P2, 5.0),
        ("question:GOV-02", P2, 4.0),
        ("d2:field_test", P3, 2.0),
        ("question:GOV-05", P3, 1.0),
    ]
    pssi = next(p for p in proposals if p.key == "d2:pssi")
    assert pssi.aliases == ("question:GOV-03:find-out",)
    assert [(kind, ref) for kind, ref, _ in pssi.origins] == [("question", "GOV-03"),
                                                              ("d2", "pssi")]


def test_keys_are_unique_and_generated() -> None:
    # every question "I don't know", an empty register: the most proposals at once
    answers = {q.id: RawAnswer(DONT_KNOW) for q in care().questions if q.allow_dont_know}
    exercises = [Exercise(1, dt.date(2024, 1, 1)), Exercise(2, dt.date(2024, 6, 1))]
    proposals = run(answers, exercises=exercises, readiness=d2_readiness(None, []))
    keys = [p.key for p in proposals]
    assert len(keys) == len(set(keys))
    assert all(k.startswith(GENERATED_PREFIXES) for k in keys)
    # 70 visible scored questions offer "Je ne sais pas" (follow-ups stay hidden)
    # (GOV-13's "find out" joins the yearly-exercise action: the register states that gap)
    assert sum(k.endswith(":find-out") for k in keys) == 69
    # + yearly exercise + 2 RETEX + 16 D2 items, less the 13 register items that state the
    # gap of a question answered here (SAME_GAP: PSSI, project organisation, BIA, PCA, plan
    # blanc, crisis cell, yearly exercise, backup policy, 3-2-1, backup authentication,
    # isolation, restore, monitoring); GOV-10, a follow-up of GOV-08, stays hidden here, so its
    # two D2 items (field test, test schedule) stay on their own
    assert len(keys) == 70 + 1 + 2 + 16 - 13
    order = [(p.priority.value, -p.rank) for p in proposals]
    assert order == sorted(order)
