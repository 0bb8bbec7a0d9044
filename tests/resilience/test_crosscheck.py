"""Questionnaire ↔ register cross-checks (pure): the register's facts, the contradictions with
the declared answers, and the mapping files (schema and check against a questionnaire)."""

from __future__ import annotations

import datetime as dt
import shutil
from functools import cache
from pathlib import Path

import pytest
import yaml

from careapp.assessments.answers import ANSWERED, DONT_KNOW, NA, RawAnswer
from careapp.config import PROJECT_ROOT
from careapp.questionnaires.model import Questionnaire, build_questionnaire
from careapp.questionnaires.validation import validate_data
from careapp.resilience.crosscheck import (
    SCHEMA_FILE,
    Contradiction,
    Crosscheck,
    CrosscheckError,
    Fact,
    check_against,
    contradictions,
    load_crosschecks,
    register_facts,
)
from careapp.resilience.indicators import ExerciseIndicators, exercise_indicators
from careapp.resilience.models import ActivityKind
from careapp.resilience.models import TestResult as Result
from tests.fakes import Activity, Exercise, Profile

QUESTIONNAIRES = PROJECT_ROOT / "questionnaires"
TODAY = dt.date(2026, 11, 23)
FACT_NAMES = {"exercise_within_12_months", "pssi_recent", "plan_blanc_digital",
              "crisis_cell_defined", "restore_test_done", "field_test_done", "protected_copy",
              "restore_in_phase"}
GOV_13 = Crosscheck("GOV-13", "exercise_within_12_months", frozenset({"held_recent"}),
                    frozenset({"none", "planned", "held_old"}))
UNSTATED = "Le registre ne renseigne pas ce point."


@cache
def care() -> Questionnaire:
    data = yaml.safe_load((QUESTIONNAIRES / "care-v1.yaml").read_text(encoding="utf-8"))
    assert validate_data(data, QUESTIONNAIRES) == []
    return build_questionnaire(data)





def indicators(*exercises: Exercise) -> ExerciseIndicators:
    return exercise_indicators(exercises, TODAY)


def exercise_facts(*exercises: Exercise) -> dict[str, Fact]:
    return register_facts(indicators(*exercises), None, [], has_exercises=bool(exercises))


def answer(option: str) -> RawAnswer:
    return RawAnswer(ANSWERED, option)


# -- register facts --------------------------------------------------------------------------------

def test_facts_of_an_empty_register_say_nothing() -> None:
    facts = register_facts(indicators(), None, [], has_exercises=False)
    assert set(facts) == FACT_NAMES
    assert all(f.value is None for f in facts.values())
    assert facts["exercise_within_12_months"].evidence == "Registre des exercices vide."
    assert facts["pssi_recent"].evidence == UNSTATED


def test_exercise_fact_14_months_old() -> None:
    fact = exercise_facts(Exercise(1, TODAY - dt.timedelta(days=430), TODAY))[
        "exercise_within_12_months"]
    assert fact.value is False
    assert fact.evidence == "Dernier exercice réalisé le 19/09/2025 (il y a 430 jours)."


def test_exercise_fact_2_months_old() -> None:
    fact = exercise_facts(Exercise(1, dt.date(2026, 9, 23), dt.date(2026, 9, 30)))[
        "exercise_within_12_months"]
    assert fact.value is True
    assert fact.evidence == "Dernier exercice réalisé le 23/09/2026 (il y a 61 jours)."


def test_exercise_fact_held_today() -> None:
    fact = exercise_facts(Exercise(1, TODAY))["exercise_within_12_months"]
    assert fact.value is True
    assert fact.evidence == "Dernier exercice réalisé le 23/11/2026 (il y a 0 jours)."


def test_exercise_fact_with_only_planned_exercises() -> None:
    fact = exercise_facts(Exercise(1, TODAY + dt.timedelta(days=30), held=False))[
        "exercise_within_12_months"]
    assert fact.value is False
    assert fact.evidence == "Aucun exercice réalisé au registre."


def test_profile_facts() -> None:
    profile = Profile(pssi_reviewed_on=dt.date(2022, 6, 30), plan_blanc_digital_on=dt.date(2024, 2, 1),
                      crisis_cell_defined=False, restore_tested_on=dt.date(2025, 5, 6),
                      restore_test_result=Result.FAILURE)
    facts = register_facts(indicators(), profile, [], has_exercises=False)
    assert facts["pssi_recent"] == Fact(False, "PSSI révisée le 30/06/2022.")
    assert facts["plan_blanc_digital"] == Fact(True, "Volet numérique du plan blanc daté du 01/02/2024.")
    assert facts["crisis_cell_defined"] == Fact(False, "Cellule de crise déclarée non définie.")
    assert facts["restore_test_done"] == Fact(False, "Test de restauration du 06/05/2025 en échec.")
    assert facts["field_test_done"] == Fact(None, UNSTATED)


def test_profile_facts_favourable() -> None:
    # 16 July 2022: the first day the ANS D2 guide accepts (D2.P1)
    profile = Profile(pssi_reviewed_on=dt.date(2022, 7, 16), crisis_cell_defined=True,
                      restore_tested_on=dt.date(2025, 5, 6), restore_test_result=Result.PARTIAL)
    facts = register_facts(indicators(), profile, [], has_exercises=False)
    assert facts["pssi_recent"].value is True
    assert facts["plan_blanc_digital"] == Fact(None, UNSTATED)  # no date: not stated
    assert facts["crisis_cell_defined"] == Fact(True, "Cellule de crise déclarée définie.")
    assert facts["restore_test_done"] == Fact(
        True, "Test de restauration du 06/05/2025 réussi en partie.")


def test_a_restore_test_without_result_says_nothing() -> None:
    profile = Profile(restore_tested_on=dt.date(2025, 5, 6), restore_test_result=None)
    facts = register_facts(indicators(), profile, [], has_exercises=False)
    assert facts["restore_test_done"].value is None


def test_field_test_facts() -> None:
    untested = [Activity(ActivityKind.CARE_SERVICE, "Urgences"), Activity(ActivityKind.PHARMACY, "PUI")]
    facts = register_facts(indicators(), None, untested, has_exercises=False)
    assert facts["field_test_done"] == Fact(
        False, "Aucun test terrain enregistré pour les 2 activités critiques.")
    tested = [*untested, Activity(ActivityKind.IMAGING, "Scanner", last_test_on=dt.date(2025, 3, 4)),
              Activity(ActivityKind.BIOLOGY, "Labo", last_test_on=dt.date(2024, 12, 1))]
    facts = register_facts(indicators(), None, tested, has_exercises=False)
    assert facts["field_test_done"] == Fact(True, "Dernier test terrain le 04/03/2025.")


# -- contradictions --------------------------------------------------------------------------------

def test_declared_recent_exercise_but_the_register_says_14_months() -> None:
    facts = exercise_facts(Exercise(1, TODAY - dt.timedelta(days=430), TODAY))
    found = contradictions([GOV_13], {"GOV-13": answer("held_recent")}, facts)
    assert found == [Contradiction("GOV-13", "held_recent", facts["exercise_within_12_months"])]


def test_declared_no_exercise_but_the_register_has_one_2_months_ago() -> None:
    facts = exercise_facts(Exercise(1, dt.date(2026, 9, 23), dt.date(2026, 9, 30)))
    for option in ("none", "planned", "held_old"):
        found = contradictions([GOV_13], {"GOV-13": answer(option)}, facts)
        assert [(c.question_id, c.declared, c.fact.value) for c in found] == [
            ("GOV-13", option, True)]


def test_agreement_is_not_flagged() -> None:
    recent = exercise_facts(Exercise(1, dt.date(2026, 9, 23), dt.date(2026, 9, 30)))
    assert contradictions([GOV_13], {"GOV-13": answer("held_recent")}, recent) == []
    old = exercise_facts(Exercise(1, TODAY - dt.timedelta(days=430), TODAY))
    assert contradictions([GOV_13], {"GOV-13": answer("held_old")}, old) == []


def test_an_empty_register_never_contradicts() -> None:
    facts = register_facts(indicators(), None, [], has_exercises=False)
    assert contradictions([GOV_13], {"GOV-13": answer("held_recent")}, facts) == []
    assert contradictions([GOV_13], {"GOV-13": answer("none")}, facts) == []


@pytest.mark.parametrize("raw", [RawAnswer(DONT_KNOW), RawAnswer(NA, None, "sans objet"),
                                 RawAnswer(None, None), RawAnswer(DONT_KNOW, "held_recent")])
def test_answers_that_are_not_answered_are_never_flagged(raw: RawAnswer) -> None:
    facts = exercise_facts(Exercise(1, TODAY - dt.timedelta(days=430), TODAY))
    assert contradictions([GOV_13], {"GOV-13": raw}, facts) == []


def test_missing_answer_or_missing_fact_is_never_flagged() -> None:
    facts = exercise_facts(Exercise(1, TODAY - dt.timedelta(days=430), TODAY))
    assert contradictions([GOV_13], {}, facts) == []
    assert contradictions([GOV_13], {"GOV-13": answer("held_recent")}, {}) == []
    unstated = {"exercise_within_12_months": Fact(None, "?")}
    assert contradictions([GOV_13], {"GOV-13": answer("held_recent")}, unstated) == []


def test_an_option_in_neither_list_is_not_flagged() -> None:
    facts = exercise_facts(Exercise(1, TODAY - dt.timedelta(days=430), TODAY))
    assert contradictions([GOV_13], {"GOV-13": answer("other")}, facts) == []
    assert contradictions([GOV_13], {"GOV-13": answer(["held_recent"])}, facts) == []  # not a str


def test_contradictions_across_the_shipped_checks() -> None:
    checks = load_crosschecks(QUESTIONNAIRES)["care"]
    profile = Profile(pssi_reviewed_on=dt.date(2021, 1, 1), crisis_cell_defined=True,
                      restore_tested_on=dt.date(2025, 5, 6), restore_test_result=Result.SUCCESS)
    activities = [Activity(ActivityKind.CARE_SERVICE, "Urgences")]
    facts = register_facts(indicators(Exercise(1, dt.date(2026, 9, 23), dt.date(2026, 9, 30))),
                           profile, activities, has_exercises=True)
    answers = {"GOV-03": answer("signed_recent"),  # PSSI 2021: contradiction
               "GOV-10": answer("field_test"),  # no field test in the register: contradiction
               "GOV-11": answer("section"),  # no plan blanc date: not stated, no flag
               "GOV-12": answer("generic"),  # cell declared defined: contradiction
               "GOV-13": answer("held_recent"),  # agrees
               "OPS-28": answer("restore_test")}  # agrees
    found = contradictions(checks, answers, facts)
    assert [(c.question_id, c.declared) for c in found] == [
        ("GOV-03", "signed_recent"), ("GOV-10", "field_test"), ("GOV-12", "generic")]


# -- mapping files ---------------------------------------------------------------------------------

def test_the_shipped_mapping_loads_eight_checks_for_care() -> None:
    loaded = load_crosschecks(QUESTIONNAIRES)
    assert set(loaded) == {"care"}
    checks = loaded["care"]
    # OPS-28 in care v1; OPS-32 (its restore half) and OPS-30 (the protected copy) in care v2
    assert [c.question_id for c in checks] == ["GOV-03", "GOV-10", "GOV-11", "GOV-12", "GOV-13",
                                               "OPS-28", "OPS-32", "OPS-30"]
    assert GOV_13 in checks
    assert {c.fact for c in checks} == FACT_NAMES
    assert check_against(checks, care()) == []


def test_check_against_reports_unknown_options_and_non_single_questions() -> None:
    checks = [
        Crosscheck("GOV-13", "exercise_within_12_months", frozenset({"held_recent", "held_lately"}),
                   frozenset({"none"})),
        Crosscheck("GOV-07", "field_test_done", frozenset({"care_service"}), frozenset({"none"})),
        Crosscheck("GOV-12", "crisis_cell_defined", frozenset({"defined"}),
                   frozenset({"defined", "none"})),
        Crosscheck("ZZZ-99", "pssi_recent", frozenset({"x"}), frozenset({"y"})),  # absent: fine
    ]
    assert check_against(checks, care()) == [
        "GOV-13 : option inconnue « held_lately »",
        "GOV-07 : seule une question à choix unique se compare",
        "GOV-12 : une option est à la fois oui et non",
    ]


def test_check_against_a_number_question() -> None:
    checks = [Crosscheck("RES-03", "pssi_recent", frozenset({"b"}), frozenset({"a"}))]
    assert check_against(checks, care()) == [
        "RES-03 : seule une question à choix unique se compare",
        "RES-03 : option inconnue « a »",
        "RES-03 : option inconnue « b »",
    ]


def _mapping_dir(tmp_path: Path, content: str) -> Path:
    folder = tmp_path / "crosschecks"
    folder.mkdir()
    shutil.copy(QUESTIONNAIRES / "crosschecks" / SCHEMA_FILE, folder / SCHEMA_FILE)
    (folder / "care.yaml").write_text(content, encoding="utf-8")
    return tmp_path


def test_a_written_bad_mapping_loads_and_check_against_reports_it(tmp_path: Path) -> None:
    directory = _mapping_dir(tmp_path, (
        "questionnaire: care\n"
        "checks:\n"
        "  - question: GOV-13\n"
        "    fact: exercise_within_12_months\n"
        "    yes_options: [held_recent, held_yesterday]\n"
        "    no_options: [none]\n"
        "  - question: SEN-08\n"
        "    fact: field_test_done\n"
        "    yes_options: [medical]\n"
        "    no_options: [none]\n"))
    checks = load_crosschecks(directory)["care"]
    assert checks[0] == Crosscheck("GOV-13", "exercise_within_12_months",
                                   frozenset({"held_recent", "held_yesterday"}), frozenset({"none"}))
    assert check_against(checks, care()) == [
        "GOV-13 : option inconnue « held_yesterday »",
        "SEN-08 : seule une question à choix unique se compare",
    ]


def test_the_schema_refuses_a_check_without_no_options(tmp_path: Path) -> None:
    directory = _mapping_dir(tmp_path, (
        "questionnaire: care\n"
        "checks:\n"
        "  - question: GOV-13\n"
        "    fact: exercise_within_12_months\n"
        "    yes_options: [held_recent]\n"))
    with pytest.raises(CrosscheckError, match=r"^care\.yaml : 'no_options' is a required property$"):
        load_crosschecks(directory)


def test_the_schema_refuses_an_unknown_fact(tmp_path: Path) -> None:
    directory = _mapping_dir(tmp_path, (
        "questionnaire: care\n"
        "checks:\n"
        "  - question: GOV-13\n"
        "    fact: moon_phase\n"
        "    yes_options: [held_recent]\n"
        "    no_options: [none]\n"))
    with pytest.raises(CrosscheckError, match=r"^care\.yaml : "):
        load_crosschecks(directory)


def test_no_mapping_folder_means_no_checks(tmp_path: Path) -> None:
    assert load_crosschecks(tmp_path) == {}



def test_pssi_reviewed_on_15_july_2022_is_not_recent() -> None:
    """D2.P1: reviewed between 16 July 2022 and the application (d2_rules.yaml)."""
    facts = register_facts(indicators(), Profile(pssi_reviewed_on=dt.date(2022, 7, 15)), [],
                           has_exercises=False)
    assert facts["pssi_recent"].value is False


@pytest.mark.parametrize(("immutable", "offline", "offsite", "value"), [
    (True, True, None, True),
    (True, None, True, True),
    (True, False, False, False),  # immutable but online on site
    (False, True, True, False),  # offline but modifiable
    (True, None, None, None),
    (None, True, None, None),
])
def test_protected_copy_fact_is_immutable_and_offline_or_off_site(
        immutable: bool | None, offline: bool | None, offsite: bool | None,
        value: bool | None) -> None:
    """D2.O3.c: the protected copy is immutable AND (offline OR off-site); OPS-30 (care v2)
    is compared with it."""
    profile = Profile(backup_copy_immutable=immutable, backup_copy_offline=offline,
                      backup_copy_offsite=offsite)
    assert register_facts(indicators(), profile, [], has_exercises=False)[
        "protected_copy"].value is value


def test_ops30_protected_answer_contradicts_a_modifiable_copy() -> None:
    checks = load_crosschecks(QUESTIONNAIRES)["care"]
    facts = register_facts(indicators(), Profile(backup_copy_immutable=False), [],
                           has_exercises=False)
    found = contradictions(checks, {"OPS-30": RawAnswer(ANSWERED, "protected")}, facts)
    assert [c.question_id for c in found] == ["OPS-30"]
    assert contradictions(checks, {"OPS-30": RawAnswer(ANSWERED, "one_property")}, facts) == []


@pytest.mark.parametrize(("day", "result", "done", "in_phase"), [
    (dt.date(2025, 9, 1), Result.SUCCESS, True, True),
    (dt.date(2025, 9, 1), Result.PARTIAL, True, False),  # D2.O4: a complete restore
    (dt.date(2025, 9, 1), Result.FAILURE, False, False),
    (dt.date(2024, 9, 1), Result.SUCCESS, True, False),  # before the operational phase
    (dt.date(2024, 9, 1), None, None, False),
    (dt.date(2025, 9, 1), None, None, None),
    (None, None, None, None),
])
def test_restore_facts_v1_done_and_v2_in_phase(day: dt.date | None, result: Result | None,
                                               done: bool | None, in_phase: bool | None) -> None:
    """care v1 OPS-28 asks whether a restore test was done; care v2 OPS-32 asks for D2.O4: a
    complete restore into production during the operational phase (from 3 July 2025)."""
    profile = Profile(restore_tested_on=day, restore_test_result=result)
    facts = register_facts(indicators(), profile, [], has_exercises=False)
    assert (facts["restore_test_done"].value, facts["restore_in_phase"].value) == (done, in_phase)


def test_ops32_full_restore_contradicts_a_restore_before_the_phase() -> None:
    checks = load_crosschecks(QUESTIONNAIRES)["care"]
    facts = register_facts(indicators(), Profile(restore_tested_on=dt.date(2024, 9, 1),
                                                 restore_test_result=Result.SUCCESS), [],
                           has_exercises=False)
    found = contradictions(checks, {"OPS-32": RawAnswer(ANSWERED, "full_restore")}, facts)
    assert [c.question_id for c in found] == ["OPS-32"]
    assert "avant la phase opérationnelle" in found[0].fact.evidence
