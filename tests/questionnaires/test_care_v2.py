"""care-v2.yaml: the corrections of issue #13, one worked example per changed question.

Each test names the source its rule comes from (the reference carried by the question in
care-v2.yaml) and, where it helps, what v1 said for the same answers.
"""

from __future__ import annotations

from functools import cache

import pytest
import yaml

from careapp.assessments.answers import ANSWERED, DONT_KNOW, NA, RawAnswer, interpret
from careapp.assessments.scoring import resolve, score
from careapp.questionnaires.model import Question, Questionnaire, build_questionnaire
from careapp.questionnaires.validation import validate_file
from tests.assessments.scoring_support import QUESTIONNAIRES, at, care

CARE_V2 = QUESTIONNAIRES / "care-v2.yaml"
CHANGED = ("GOV-06", "GOV-07", "GOV-15", "GOV-17", "RES-01", "RES-06", "OPS-01", "OPS-03",
           "OPS-04", "OPS-16", "OPS-19", "OPS-26", "OPS-29", "OPS-30", "OPS-31", "OPS-32",
           "OPS-33")


@cache
def v2() -> Questionnaire:
    return build_questionnaire(yaml.safe_load(CARE_V2.read_text(encoding="utf-8")))


def level(question: Question, value: object) -> int | None:
    result = interpret(question, RawAnswer(ANSWERED, value))
    assert result.error is None, result.error
    return result.level


def refs(question: Question) -> list[tuple[str, str]]:
    return [(r["source"], r["ref"]) for r in question.references]


def test_v2_is_valid_and_supersedes_v1() -> None:
    assert validate_file(CARE_V2, QUESTIONNAIRES) == []
    assert v2().version == "2.0.0" and v2().raw["supersedes"] == "1.0.0"


def test_every_v2_question_cites_a_source_and_is_bilingual() -> None:
    for question in v2().questions:
        assert question.references or question.type == "text", question.id  # free remarks
        assert question.text.get("en") and question.help.get("en"), question.id
        for option in question.options:
            assert option.label.get("fr") and option.label.get("en"), (question.id, option.id)


@pytest.mark.parametrize("question_id", CHANGED)
def test_every_changed_question_says_why(question_id: str) -> None:
    question = v2().question(question_id)
    assert question.rationale and question.rationale.get("fr"), question_id


def test_split_questions_are_gone_and_their_ids_not_reused() -> None:
    """OPS-25 and OPS-28 are split: their ids are retired, never given another meaning."""
    assert not v2().has_question("OPS-25") and not v2().has_question("OPS-28")


# -- GOV-07: the three mandatory BIA perimeters, "s'ils existent" (ANS D2 guide, D2.O1.c) ------

@pytest.mark.parametrize(("ticked", "expected", "v1_level"), [
    (["care_service", "admin_process"], 1, 1),
    (["care_service", "admin_process", "other_activities"], 1, 2),  # v1: any three ticks
    (["care_service", "medtech_platform", "other_activities"], 1, 2),
    (["care_service", "admin_process", "medtech_platform"], 2, 2),
    (["care_service", "admin_process", "medtech_platform", "other_activities"], 3, 3),
])
def test_gov07_level_2_needs_the_three_mandatory_perimeters(ticked: list[str], expected: int,
                                                            v1_level: int) -> None:
    """Guide D2, objective D2.O1.c: BIAs at least on a critical care service, the most
    critical administrative process and a medico-technical platform."""
    assert level(v2().question("GOV-07"), ticked) == expected
    assert level(care().question("GOV-07"), ticked) == v1_level


def test_gov07_an_establishment_without_a_platform_reaches_level_2() -> None:
    """D2.O1.c: the perimeters apply « s'ils existent au sein de la structure »."""
    question = v2().question("GOV-07")
    assert level(question, ["care_service", "admin_process", "medtech_absent"]) == 2
    assert level(question, ["care_service", "admin_process", "medtech_absent",
                            "other_activities"]) == 3
    assert any("s'ils existent" in ref for _source, ref in refs(question))


# -- GOV-06: a named lead is recommended, not required (D2.P2) -----------------------------------

def test_gov06_project_organisation_without_a_named_lead_is_level_2() -> None:
    question = v2().question("GOV-06")
    assert level(question, "project_org") == 2
    assert "nommé" not in question.option("project_org").label["fr"]
    assert "nommé" in question.option("steering").label["fr"]
    assert "nommé" in care().question("GOV-06").option("named_lead").label["fr"]  # v1 level 2
    assert any("D2.P2" in ref for _source, ref in refs(question))


# -- OPS-26: the ADS >= 3 clause belongs to the compliant level (D2.O3.a) ------------------------

def test_ops26_dedicated_backup_ad_at_ads_3_is_a_level_2_condition() -> None:
    question = v2().question("OPS-26")
    compliant = [o for o in question.options if o.level == 2]
    assert [o.id for o in compliant] == ["own_auth_compliant"]
    assert "ADS ≥ 3" in compliant[0].label["fr"] and "si le produit le permet" in compliant[0].label["fr"]
    v1_level_2 = [o for o in care().question("OPS-26").options if o.level == 2][0]
    assert "ADS" not in v1_level_2.label["fr"]
    assert any("D2.O3.a" in ref for _source, ref in refs(question))


# -- RES-01, RES-06: context and declaration questions weigh nothing ------------------------------

def _res_axis(answers: dict[str, RawAnswer]) -> float | None:
    return score(v2(), answers).axes["RES"].score


@pytest.mark.parametrize("question_id", ["RES-01", "RES-06"])
def test_context_questions_do_not_move_the_axis_score(question_id: str) -> None:
    """RES-01 (GHT membership) and RES-06 (digital share of budget, instruction action 7: a
    figure to declare) are context: weight 0."""
    question = v2().question(question_id)
    assert question.weight == 0 and not question.scored
    base = {q.id: at(q, 1) for q in v2().questions}
    answered = _res_axis(base)
    unanswered = _res_axis({k: v for k, v in base.items() if k != question_id})
    other_value = at(question, 3 if question_id == "RES-06" else 0)
    if question_id == "RES-01":
        other_value = RawAnswer(ANSWERED, "none")  # v2 options: ght, private_group, gcs, none
    assert score(v2(), {question_id: other_value}).questions[question_id].error is None
    assert answered == unanswered == _res_axis({**base, question_id: other_value})
    assert care().question(question_id).weight == 1  # v1 scored it


# -- OPS-16: the compliant level is the 100 % target ---------------------------------------------

@pytest.mark.parametrize(("percent", "expected", "v1_level"),
                         [("0", 0, 0), ("50", 1, 1), ("90", 1, 2), ("99", 1, 2), ("100", 2, 3)])
def test_ops16_only_100_percent_is_managed(percent: str, expected: int, v1_level: int) -> None:
    """ANSSI hygiene measure 13 and the question's own help: one remote access without MFA is
    enough; the target is 100 %."""
    assert level(v2().question("OPS-16"), percent) == expected
    assert level(care().question("OPS-16"), percent) == v1_level


# -- OPS-19: any 2FA means approved under the RIE, directly or via SSO (HospiConnect 1.3) ---------

def test_ops19_counts_any_approved_two_factor_means() -> None:
    question = v2().question("OPS-19")
    assert "RIE" in question.text["fr"] and "SSO" in question.text["fr"]
    partial = question.option("partial")
    assert partial.level == 2 and "MIE 2FA homologué" in partial.label["fr"]
    assert "Pro Santé Connect" not in partial.label["fr"]
    top = [o for o in question.options if o.level == 3][0]
    assert "tous les utilisateurs du DPI" in top.label["fr"]
    assert any("1.3" in ref for _source, ref in refs(question))


# -- GOV-15: ANS kit levels; no level 0 contradicting GOV-13 -------------------------------------

def test_gov15_uses_the_ans_kit_levels_without_a_level_0() -> None:
    question = v2().question("GOV-15")
    assert [(o.id, o.level) for o in question.options] == [
        ("beginner", 1), ("intermediate", 2), ("confirmed", 3)]
    assert "confirmé" in question.option("confirmed").label["fr"]
    assert [o.level for o in care().question("GOV-15").options][0] == 0  # v1's contradiction
    notes = [r.get("note", "") for r in question.references]
    assert any("avancé" in note for note in notes)  # the disagreement between sources is said


# -- OPS-01: N/A without an on-premises AD; the audit date (OPS-33) ------------------------------

def test_ops01_allows_a_justified_na_and_asks_the_audit_date() -> None:
    question = v2().question("OPS-01")
    assert interpret(question, RawAnswer(NA, None, "Identités dans le cloud, pas d'AD")).state == NA
    assert interpret(care().question("OPS-01"),
                     RawAnswer(NA, None, "pas d'AD")).error is not None  # v1 refused it
    date = v2().question("OPS-33")
    assert date.type == "date" and date.weight == 0
    shown = resolve(v2(), {"OPS-01": RawAnswer(ANSWERED, "done"),
                           "OPS-33": RawAnswer(ANSWERED, "2025-10-01")})
    assert shown["OPS-33"].visible
    hidden = resolve(v2(), {"OPS-01": RawAnswer(ANSWERED, "none")})
    assert not hidden["OPS-33"].visible


def test_ops02_says_the_d1_target_level_is_not_confirmed() -> None:
    notes = " ".join(r.get("note", "") for r in v2().question("OPS-02").references)
    assert "n'est pas confirmé" in notes


# -- OPS-03, OPS-04: not D1 objectives -----------------------------------------------------------

def test_ops03_ops04_leave_domain_d1() -> None:
    """Order of 18 March 2024 (D1): the ADS audit and the exposure audits, nothing else."""
    for question_id in ("OPS-03", "OPS-04"):
        assert "D1" in care().question(question_id).domains
        assert "D1" not in v2().question(question_id).domains
    d1 = {q.id for q in v2().questions if "D1" in q.domains}
    assert d1 == {"OPS-01", "OPS-02", "OPS-08"}


# -- OPS-25 split: trajectory (OPS-29) vs protected copy (OPS-30), D2.O3.c -----------------------

def test_ops29_the_d2_objective_is_a_dated_trajectory() -> None:
    question = v2().question("OPS-29")
    assert level(question, "trajectory") == 2 and level(question, "intention") == 1
    assert "jalons" in question.option("trajectory").label["fr"]


@pytest.mark.parametrize(("option", "expected"), [
    ("none", 0), ("one_property", 1), ("protected", 2), ("protected_verified", 3)])
def test_ops30_protected_copy_is_immutable_and_offline_or_off_site(option: str,
                                                                   expected: int) -> None:
    """D2.O3.c: « une copie immuable de ses sauvegardes hors ligne ou hors site »: immutable
    alone, or offline alone, is not the protected copy."""
    question = v2().question("OPS-30")
    assert level(question, option) == expected
    if expected == 2:
        assert "immuable et hors ligne ou hors site" in question.option(option).label["fr"]


# -- OPS-28 split: supervision (OPS-31, D2.O3.d) vs restore (OPS-32, D2.O4) ----------------------

def test_ops31_supervision_needs_a_procedure_for_failures() -> None:
    question = v2().question("OPS-31")
    assert level(question, "informal") == 1 and level(question, "documented") == 2


def test_ops32_a_partial_or_early_restore_is_not_the_objective() -> None:
    """D2.O4: a restore into production during the operational phase (after the order of
    3 July 2025), with a business referent; a partial restore is not met."""
    question = v2().question("OPS-32")
    assert level(question, "partial") == 1
    assert level(question, "full_restore") == 2
    assert "3 juillet 2025" in question.option("full_restore").label["fr"]
    assert question.socle


# -- GOV-17: a legal source instead of an invented CaRE reference --------------------------------

def test_gov17_cites_the_law() -> None:
    sources = {source for source, _ref in refs(v2().question("GOV-17"))}
    assert {"CSP", "RGPD", "NIS2"} <= sources and "CaRE" not in sources
    assert "CaRE" in {source for source, _ref in refs(care().question("GOV-17"))}
    nis2 = [r for r in v2().question("GOV-17").references if r["source"] == "NIS2"][0]
    assert "Transposition" in nis2["note"]


def test_dont_know_stays_available_where_v1_had_it() -> None:
    for question in v2().questions:
        if care().has_question(question.id) and care().question(question.id).allow_dont_know:
            assert interpret(question, RawAnswer(DONT_KNOW)).error is None, question.id


def test_the_crosschecks_hold_for_v2_and_compare_the_restore_half() -> None:
    """The register's restore test is compared with OPS-32 in v2 (OPS-28 in v1): for OPS-32, a
    complete restore during the operational phase (D2.O4, fact restore_in_phase)."""
    from careapp.messages import Msg
    from careapp.resilience.crosscheck import Fact, check_against, contradictions, load_crosschecks

    checks = load_crosschecks(QUESTIONNAIRES)["care"]
    assert check_against(checks, v2()) == []
    failed = {"restore_in_phase": Fact(False, Msg("Test de restauration en échec."))}
    found = contradictions(checks, {"OPS-32": RawAnswer(ANSWERED, "full_restore")}, failed)
    assert [(c.question_id, c.declared) for c in found] == [("OPS-32", "full_restore")]
    assert contradictions(checks, {"OPS-32": RawAnswer(ANSWERED, "partial")}, failed) == []


# -- the Socle Cyber: re-selected from the funding domains' objectives (issue 13) ----------------

V1_SOCLE = {"GOV-01", "GOV-03", "GOV-07", "GOV-08", "GOV-09", "GOV-11", "GOV-13", "RES-02",
            "SEN-01", "SEN-03", "SEN-06", "OPS-01", "OPS-02", "OPS-04", "OPS-08", "OPS-13",
            "OPS-15", "OPS-16", "OPS-24", "OPS-25", "OPS-28"}


def _socle_rule_output(data: dict) -> set[str]:
    rule = data["socle_rule"]
    also = {item["question"] for item in rule["also"]}
    return {q["id"] for axis in data["axes"] for section in axis["sections"]
            for q in section["questions"]
            if q["id"] in also or (q["weight"] >= rule["min_weight"]
                                   and set(q.get("domains") or ()) & set(rule["domains"]))}


def test_v2_socle_is_exactly_the_output_of_its_written_rule() -> None:
    data = yaml.safe_load(CARE_V2.read_text(encoding="utf-8"))
    expected = _socle_rule_output(data)
    assert {q.id for q in v2().questions if q.socle} == expected
    ids = {q.id for q in v2().questions}
    assert {item["question"] for item in data["socle_rule"]["also"]} <= ids
    assert all(item["reason"].strip() for item in data["socle_rule"]["also"])


@pytest.mark.parametrize("question_id", ["OPS-17", "OPS-26", "OPS-27", "OPS-12", "OPS-10",
                                         "GOV-10", "OPS-32"])
def test_the_funding_domains_measures_are_in_the_v2_socle(question_id: str) -> None:
    # MFA for administration, backup authentication, red button, EDR, segmentation, field
    # test of a continuity plan, real restore (care-reference: D2 objectives, D4 announced)
    assert v2().question(question_id).socle


def test_an_it_charter_alone_is_not_in_the_v2_socle() -> None:
    assert not v2().question("SEN-06").socle


def test_v1_socle_is_unchanged() -> None:
    assert "socle_rule" not in yaml.safe_load(
        (QUESTIONNAIRES / "care-v1.yaml").read_text(encoding="utf-8"))
    assert {q.id for q in care().questions if q.socle} == V1_SOCLE
