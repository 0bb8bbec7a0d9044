"""Scoring: worked examples (golden values computed by hand, exact) and each documented rule.

The Hypothesis properties are in test_scoring_properties.py; the display of the figures in
test_numbers.py and test_results_page.py.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careapp.assessments.answers import ANSWERED, DONT_KNOW, GHT, NA, RawAnswer
from careapp.assessments.scoring import (
    GATED,
    PENDING,
    SCORING_VERSION,
    WEAKEST_LIMIT,
    level_from_score,
    resolve,
    score,
)
from careapp.assessments.services import missing_items, progress
from careapp.questionnaires.model import build_questionnaire
from tests.assessments.scoring_support import (
    at,
    build,
    care,
    care_answers,
    exact,
    lv,
    questionnaire_data,
)
from tests.assessments.scoring_support import question as _question

MINI = build({
    "GOV": [_question("GOV-01", 3, socle=True, domains=["D2"]), _question("GOV-02", 1),
            _question("GOV-03", 2, domains=["D2"])],
    "OPS": [_question("OPS-01", 2, socle=True, domains=["D1"]), _question("OPS-02", 1)],
})


def test_the_method_has_a_new_version() -> None:
    assert SCORING_VERSION == "2.0"
    assert score(MINI, {}).scoring_version == "2.0"


def test_worked_example_weighted_mean() -> None:
    # GOV: (3×2 + 1×3 + 2×1) / (3+1+2) = 11/6 → /3 ×100 = 1100/18 = 61.11…
    # OPS: (2×3 + 1×0) / 3 = 2 → 66.66… ; overall = (1100/18 + 200/3) / 2 = 2300/36 = 63.88…
    result = score(MINI, {"GOV-01": lv(2), "GOV-02": lv(3), "GOV-03": lv(1),
                          "OPS-01": lv(3), "OPS-02": lv(0)})
    assert result.axes["GOV"].score == exact(1100, 18)
    assert result.axes["GOV"].weighted_points == 11 and result.axes["GOV"].weight_total == 6
    assert result.axes["OPS"].score == exact(200, 3)
    assert result.overall == exact(2300, 36)
    assert result.axes["GOV"].level == 2 and result.overall_level == 2
    assert result.socle.met == 2 and result.socle.total == 2 and result.socle.rate == 100.0
    assert result.domains["D2"].met == 1 and result.domains["D2"].total == 2
    assert result.domains["D2"].missing == ["GOV-03"]
    assert result.domains["D1"].rate == 100.0 and result.domains["D1"].ready
    assert result.completeness == 100.0
    # GOV-03: (2 − 1) × weight 2 = 2, OPS-02: (2 − 0) × weight 1 = 2: a tie, then by id
    assert result.weakest == ["GOV-03", "OPS-02"]


def test_special_states_declared_and_prudent_readings() -> None:
    answers = {"GOV-01": lv(3), "GOV-02": RawAnswer(DONT_KNOW), "GOV-03": RawAnswer(NA, None, "pas de BIA"),
               "OPS-01": RawAnswer(GHT), "OPS-02": lv(3)}
    result = score(MINI, answers)
    gov = result.axes["GOV"]
    assert gov.score == 100.0  # only GOV-01 counts in the declared reading
    assert gov.prudent_score == 75.0  # (3×3 + 1×0) / 4 / 3
    assert gov.not_applicable == 1 and gov.dont_know == 1 and gov.applicable == 2
    assert gov.coverage == 50.0 and gov.provisional
    ops = result.axes["OPS"]
    assert ops.ght == 1 and ops.coverage == 100.0 and ops.score == 100.0
    assert result.socle.total == 1 and result.socle.ght == 1
    # completeness: answered or GHT (3) over applicable (4: GOV-03 is N/A)
    assert result.completeness == 75.0
    assert result.overall_prudent == exact(75 + 100, 2)


def test_na_needs_a_justification_else_counts_as_unanswered() -> None:
    result = score(MINI, {"GOV-01": RawAnswer(NA, None, "  ")})
    assert result.questions["GOV-01"].error
    assert result.questions["GOV-01"].state is None
    assert result.axes["GOV"].unanswered == 3


def test_levels_from_score_boundaries() -> None:
    assert [level_from_score(s) for s in (0, 24.9, 25, 49.9, 50, 74.9, 75, 100)] == [
        0, 0, 1, 1, 2, 2, 3, 3]
    assert level_from_score(49.999999) == 1


def test_depends_on_hides_the_follow_up_question() -> None:
    q = build({"OPS": [
        _question("OPS-01", 1),
        _question("OPS-02", 3, depends_on={"question": "OPS-01", "options": ["l2", "l3"]}),
    ]})
    hidden = score(q, {"OPS-01": lv(1), "OPS-02": lv(0)})
    assert not hidden.questions["OPS-02"].visible
    assert hidden.axes["OPS"].score == exact(100, 3)
    shown = score(q, {"OPS-01": lv(3), "OPS-02": lv(0)})
    assert shown.axes["OPS"].score == 25.0  # (3 + 0) / 4 / 3


def test_numbers_map_to_levels_by_thresholds() -> None:
    percent = _question("RES-01", 2, type="percent", thresholds=[
        {"min": 0, "level": 0}, {"min": 5, "level": 2}, {"min": 10, "level": 3}])
    del percent["options"]
    q = build({"RES": [percent]})
    for raw, level in (("4,9", 0), ("5", 2), ("7.5 %", 2), ("10", 3)):
        assert score(q, {"RES-01": RawAnswer(ANSWERED, raw)}).questions["RES-01"].level == level
    bad = score(q, {"RES-01": RawAnswer(ANSWERED, "120")})
    assert bad.questions["RES-01"].error == "Un pourcentage est compris entre 0 et 100."
    assert score(q, {"RES-01": RawAnswer(ANSWERED, "beaucoup")}).questions["RES-01"].error


def test_documented_number_formats() -> None:
    """README and results page: "50 %" is 50, "1e2" is 100, "1,000" is 1, "3,0" is an integer."""
    count = _question("OPS-01", 1, type="number", bounds={"min": 0, "integer": True},
                      thresholds=[{"min": 0, "level": 0}, {"min": 2, "level": 1},
                                  {"min": 3, "level": 2}, {"min": 50, "level": 3}])
    del count["options"]
    q = build({"OPS": [count]})

    def read(raw: str):  # noqa: ANN202
        return score(q, {"OPS-01": RawAnswer(ANSWERED, raw)}).questions["OPS-01"]

    assert read("50 %").level == 3 and read("1e2").level == 3
    assert read("1,000").level == 0  # the comma is the decimal separator
    assert read("3,0").level == 2 and read("3,0").error is None
    assert read(" 3\u00a0").level == 2
    assert read("3,5").error == "Saisissez un nombre entier."


def test_number_bounds_and_integer_rule() -> None:
    ads = _question("OPS-01", 3, type="number", bounds={"min": 1, "max": 5, "integer": True},
                    thresholds=[{"min": 0, "level": 0}, {"min": 2, "level": 1},
                                {"min": 3, "level": 2}, {"min": 4, "level": 3}])
    del ads["options"]
    q = build({"OPS": [ads]})
    assert score(q, {"OPS-01": RawAnswer(ANSWERED, "3")}).questions["OPS-01"].level == 2
    assert score(q, {"OPS-01": RawAnswer(ANSWERED, "6")}).questions["OPS-01"].error == (
        "Saisissez une valeur entre 1 et 5.")
    assert score(q, {"OPS-01": RawAnswer(ANSWERED, "2,5")}).questions["OPS-01"].error == (
        "Saisissez un nombre entier.")


def test_counted_multi_choice() -> None:
    multi = _question("GOV-01", 2, type="multi", multi_aggregation="count",
                      thresholds=[{"min": 0, "level": 0}, {"min": 1, "level": 1},
                                  {"min": 3, "level": 3}])
    q = build({"GOV": [multi]})
    assert score(q, {"GOV-01": RawAnswer(ANSWERED, ["l1", "l2", "l3"])}).questions["GOV-01"].level == 3
    assert score(q, {"GOV-01": RawAnswer(ANSWERED, ["l2"])}).questions["GOV-01"].level == 1
    assert score(q, {"GOV-01": RawAnswer(ANSWERED, ["l0"])}).questions["GOV-01"].level == 0
    mixed = score(q, {"GOV-01": RawAnswer(ANSWERED, ["l0", "l2"])})
    # "aucun" ticked with another option: invalid, and it does not count
    assert mixed.questions["GOV-01"].error == "« niveau 0 » ne peut pas être coché avec d'autres réponses."
    assert mixed.axes["GOV"].score is None and mixed.axes["GOV"].unanswered == 1


@given(st.integers(0, 3), st.integers(0, 3), st.integers(1, 3), st.integers(1, 3))
def test_weights_behave_as_documented(level_a, level_b, weight_a, weight_b) -> None:  # noqa: ANN001
    q = build_questionnaire(questionnaire_data({"GOV": [
        _question("GOV-01", weight_a), _question("GOV-02", weight_b)]}))
    result = score(q, {"GOV-01": lv(level_a), "GOV-02": lv(level_b)})
    assert result.axes["GOV"].score == exact(100 * (weight_a * level_a + weight_b * level_b),
                                             3 * (weight_a + weight_b))
    doubled = build_questionnaire(questionnaire_data({"GOV": [
        _question("GOV-01", weight_a), _question("GOV-02", weight_b),
        _question("GOV-03", weight_a)]}))
    # a question with the same weight and level as GOV-01 is the same as doubling its weight
    same = score(doubled, {"GOV-01": lv(level_a), "GOV-02": lv(level_b), "GOV-03": lv(level_a)})
    assert same.axes["GOV"].score == exact(
        100 * (2 * weight_a * level_a + weight_b * level_b), 3 * (2 * weight_a + weight_b))


# -- A. the socle cap ----------------------------------------------------------------------------

def axis(name: str, *questions: tuple[int, int, bool]) -> tuple[list, dict]:
    """Questions of one axis given as (weight, level, socle), and their answers."""
    specs, answers = [], {}
    for i, (weight, level, socle) in enumerate(questions, start=1):
        qid = f"{name}-{i:02d}"
        specs.append(_question(qid, weight, socle=socle))
        answers[qid] = lv(level)
    return specs, answers


def build_axes(**axes: tuple[list, dict]):  # noqa: ANN003, ANN201
    q = build({name: specs for name, (specs, _) in axes.items()})
    answers = {k: v for _, given in axes.values() for k, v in given.items()}
    return q, answers


def test_socle_question_at_zero_caps_the_axis_level() -> None:
    result = score(MINI, {"GOV-01": lv(0), "GOV-02": lv(3), "GOV-03": lv(3)})
    # (0 + 3 + 6) / 6 = 1.5 → 50.0, level 2 without the cap
    assert result.axes["GOV"].score == 50.0
    assert result.axes["GOV"].level == 1 and result.axes["GOV"].capped
    assert result.axes["GOV"].cap_applies


def test_a_socle_question_at_level_1_does_not_cap() -> None:
    result = score(MINI, {"GOV-01": lv(1), "GOV-02": lv(3), "GOV-03": lv(3)})
    # (3 + 3 + 6) / 6 = 2 → 66.7, level 2
    assert result.axes["GOV"].level == 2 and not result.axes["GOV"].capped
    assert result.overall_level == 2
    assert not result.axes["GOV"].cap_applies and not result.overall_capped


def test_dont_know_on_a_socle_question_does_not_cap() -> None:
    result = score(MINI, {"GOV-01": RawAnswer(DONT_KNOW), "GOV-02": lv(3), "GOV-03": lv(3)})
    assert result.axes["GOV"].level == 3 and not result.axes["GOV"].cap_applies


def test_an_axis_already_at_level_1_is_not_tagged_capped_but_caps_the_overall() -> None:
    """The issue's page: GOV 46 and SEN 47.6, each with a socle question at 0, RES 60, OPS 73:
    the overall 56.9 is level 2 by its score, 1 by the socle cap."""
    q, answers = build_axes(
        GOV=axis("GOV", (1, 0, True), (3, 2, False), (1, 1, False)),  # 7/5 → 46.7
        RES=axis("RES", *[(1, 2, False)] * 4, (1, 1, False)),  # 9/5 → 60
        SEN=axis("SEN", (1, 0, True), (2, 2, False), (2, 2, False), (1, 1, False),
                 (1, 1, False)),  # 10/7 → 47.6
        OPS=axis("OPS", (1, 3, False), *[(1, 2, False)] * 4),  # 11/5 → 73.3
    )
    result = score(q, answers)
    assert result.overall_level == 1  # method 1.0: level 2
    assert result.axes["GOV"].score == exact(700, 15) and result.axes["GOV"].level == 1
    assert result.axes["SEN"].score == exact(1000, 21)
    for name in ("GOV", "SEN"):
        assert result.axes[name].cap_applies and not result.axes[name].capped  # no "plafonné"
    assert result.overall == exact(700 * 7 + 60 * 105 + 1000 * 5 + 1100 * 7, 105 * 4)
    assert level_from_score(result.overall) == 2
    assert result.overall_level == 1 and result.overall_capped


def test_overall_level_is_capped_when_an_axis_is() -> None:
    q = build({axis: [_question(f"{axis}-01", 1, socle=True)] + [
        _question(f"{axis}-0{i}", 3) for i in range(2, 5)] for axis in ("GOV", "OPS")})
    answers = {f"{axis}-01": lv(0) for axis in ("GOV", "OPS")}
    answers |= {f"{axis}-0{i}": lv(3) for axis in ("GOV", "OPS") for i in range(2, 5)}
    result = score(q, answers)
    assert result.overall == 90.0  # (0 + 27) / 10 / 3 on each axis
    assert all(a.capped and a.level == 1 for a in result.axes.values())
    assert result.overall_level == 1 and result.overall_capped


def test_the_issue_sequence_a_better_answer_never_lowers_the_headline_level() -> None:
    """On the shipped questionnaire: GOV-01 at its lowest option with the GOV axis under 50 left
    the overall at level 2 (method 1.0); improving GOV-02 from "Je ne sais pas" to its best
    option then dropped it to level 1. Now the cap holds from the first step."""
    q = care()
    lowered = [x.id for x in q.questions if x.axis_id == "GOV" and x.scored
               and x.id not in ("GOV-01", "GOV-02")][:7]
    draft = care_answers(2, GOV_01=at(q.question("GOV-01"), 0), GOV_02=RawAnswer(DONT_KNOW))
    draft |= {qid: at(q.question(qid), 1) for qid in lowered}
    first = score(q, draft)
    assert first.overall_level == 1  # method 1.0: level 2
    assert first.axes["GOV"].score < 50 and first.axes["GOV"].level == 1
    assert not first.axes["GOV"].capped and first.axes["GOV"].cap_applies
    assert first.overall >= 50
    assert first.overall_level == 1 and first.overall_capped
    improved = score(q, draft | {"GOV-02": at(q.question("GOV-02"), 3)})
    assert improved.axes["GOV"].score >= 50 and improved.axes["GOV"].capped
    assert improved.overall_level >= first.overall_level


# -- B. exact values, levels from them -----------------------------------------------------------

def test_overall_level_comes_from_the_exact_mean() -> None:
    """Axes at 3/7, 13/11 and 26/9 points per weight: 14.28…, 39.39…, 96.29…; the exact mean
    is 49.99…, level 1. Rounding each axis to 0.1 first gave 50.0 and level 2."""
    q, answers = build_axes(
        GOV=axis("GOV", (3, 1, False), (3, 0, False), (1, 0, False)),  # 3 / 7
        RES=axis("RES", (3, 3, False), (3, 1, False), (3, 0, False), (1, 1, False),
                 (1, 0, False)),  # 13 / 11
        OPS=axis("OPS", (3, 3, False), (3, 3, False), (2, 3, False), (1, 2, False)),  # 26 / 9
    )
    result = score(q, answers)
    assert result.overall_level == 1  # method 1.0: level 2
    assert result.axes["GOV"].score == exact(300, 21)
    assert result.axes["RES"].score == exact(1300, 33)
    assert result.axes["OPS"].score == exact(2600, 27)
    expected = exact(300 * 99 + 1300 * 63 + 2600 * 77, 2079 * 3)
    assert result.overall == pytest.approx(expected, abs=1e-12) and result.overall < 50
    assert result.overall_level == 1
    assert result.overall_prudent == result.overall


def test_rates_coverage_and_completeness_are_exact() -> None:
    q = build({"GOV": [_question(f"GOV-0{i}", 1, socle=True, domains=["D2"]) for i in range(1, 8)]})
    answers = {f"GOV-0{i}": lv(2) for i in range(1, 6)} | {"GOV-06": lv(1),
                                                           "GOV-07": RawAnswer(DONT_KNOW)}
    result = score(q, answers)
    assert result.socle.rate == exact(500, 7) and result.domains["D2"].rate == exact(500, 7)
    assert result.axes["GOV"].coverage == exact(600, 7) == result.completeness
    assert result.axes["GOV"].score == exact(1100, 18)


# -- C. follow-up questions hidden by their parent -----------------------------------------------

FOLLOW = build({"OPS": [
    _question("OPS-01", 2, socle=True, domains=["D1"]),
    _question("OPS-02", 3, socle=True, domains=["D1"],
              depends_on={"question": "OPS-01", "options": ["l1", "l2", "l3"]}),
    _question("OPS-03", 2, domains=["D1"],
              depends_on={"question": "OPS-02", "options": ["l2", "l3"]}),
    _question("OPS-04", 1, domains=["D1"]),
]})


def test_skipping_a_prerequisite_never_scores_better_than_doing_it_partly() -> None:
    audit = _question("OPS-01", 2, socle=True, domains=["D1"])
    level = _question("OPS-02", 3, socle=True, domains=["D1"],
                      depends_on={"question": "OPS-01", "options": ["l1", "l2", "l3"]})
    q = build({"OPS": [audit, level]})
    skipped = score(q, {"OPS-01": lv(0)})
    partly = score(q, {"OPS-01": lv(1), "OPS-02": lv(0)})
    assert skipped.questions["OPS-02"].gated and not skipped.questions["OPS-02"].visible
    assert skipped.socle.total == 2 and skipped.socle.missing == ["OPS-01", "OPS-02"]
    assert skipped.socle.rate == partly.socle.rate == 0.0
    assert skipped.domains["D1"].total == 2 and skipped.socle.gated == 1
    # unanswered parent: nothing is ruled out yet, the follow-up waits (unanswered, not met)
    pending = score(q, {})
    assert not pending.questions["OPS-02"].gated
    assert pending.questions["OPS-02"].hidden_as == PENDING
    assert pending.socle.total == 2 and pending.socle.unanswered == 2


def test_a_dont_know_parent_makes_its_follow_ups_dont_know() -> None:
    result = score(FOLLOW, {"OPS-01": RawAnswer(DONT_KNOW), "OPS-04": lv(2)})
    assert [result.questions[x].hidden_as for x in ("OPS-02", "OPS-03")] == [DONT_KNOW, DONT_KNOW]
    assert result.socle.total == 2 and result.socle.dont_know == 2 and result.socle.met == 0
    assert result.domains["D1"].total == 4 and result.domains["D1"].met == 1
    ops = result.axes["OPS"]
    assert ops.dont_know == 3 and ops.applicable == 4
    assert ops.score == exact(200, 3)  # declared: OPS-04 alone
    assert ops.prudent_score == exact(100 * 2, 3 * 8)  # 2 points over 2 + 3 + 2 + 1
    assert ops.coverage == 25.0 and result.completeness == 25.0


def test_a_dont_know_parent_never_scores_better_than_an_honest_partial_answer() -> None:
    planned = score(FOLLOW, {"OPS-01": lv(0), "OPS-04": lv(2)})  # rules out OPS-02 and OPS-03
    unknown = score(FOLLOW, {"OPS-01": RawAnswer(DONT_KNOW), "OPS-04": lv(2)})
    for ratio in ("socle", "D1"):
        a = planned.socle if ratio == "socle" else planned.domains["D1"]
        b = unknown.socle if ratio == "socle" else unknown.domains["D1"]
        assert (b.met, b.total) == (a.met, a.total)
    assert unknown.axes["OPS"].prudent_score <= planned.axes["OPS"].prudent_score
    assert unknown.completeness <= planned.completeness


def test_a_ght_parent_makes_its_follow_ups_ght_managed_counted_apart() -> None:
    result = score(FOLLOW, {"OPS-01": RawAnswer(GHT), "OPS-04": lv(2)})
    assert [result.questions[x].hidden_as for x in ("OPS-02", "OPS-03")] == [GHT, GHT]
    assert result.socle.total == 0 and result.socle.ght == 2 and result.socle.rate is None
    assert not result.socle.ready
    d1 = result.domains["D1"]
    assert (d1.met, d1.total, d1.ght) == (1, 1, 3) and d1.ready
    assert result.axes["OPS"].ght == 3 and result.axes["OPS"].coverage == 100.0


def test_a_not_applicable_parent_makes_its_follow_ups_not_applicable() -> None:
    result = score(FOLLOW, {"OPS-01": RawAnswer(NA, None, "pas d'AD"), "OPS-04": lv(1)})
    assert [result.questions[x].hidden_as for x in ("OPS-02", "OPS-03")] == [NA, NA]
    assert result.socle.total == 0 and result.socle.ght == 0
    assert result.domains["D1"].total == 1 and not result.domains["D1"].ready
    assert result.axes["OPS"].not_applicable == 3 and result.axes["OPS"].applicable == 1


def test_follow_ups_inherit_along_a_chain() -> None:
    gated = score(FOLLOW, {"OPS-01": lv(2), "OPS-02": lv(1)})
    assert gated.questions["OPS-03"].hidden_as == GATED
    chained = score(FOLLOW, {"OPS-01": lv(0)})
    assert [chained.questions[x].hidden_as for x in ("OPS-02", "OPS-03")] == [GATED, GATED]
    assert chained.domains["D1"].total == 4 and chained.domains["D1"].gated == 2
    ght = score(FOLLOW, {"OPS-01": RawAnswer(GHT)})
    assert ght.questions["OPS-03"].hidden_as == GHT
    invalid = score(FOLLOW, {"OPS-01": RawAnswer(ANSWERED, "nope")})
    assert invalid.questions["OPS-02"].hidden_as == PENDING


def test_a_domain_with_nothing_left_to_judge_is_not_assessable() -> None:
    result = score(FOLLOW, {"OPS-01": RawAnswer(GHT), "OPS-04": RawAnswer(NA, None, "sans objet")})
    d1 = result.domains["D1"]
    assert d1.total == 0 and d1.rate is None and not d1.ready and d1.ght == 3
    assert result.to_dict()["domains"]["D1"]["ready"] is False


def test_the_issue_sequence_on_the_ad_audit() -> None:
    """OPS-01 (AD audit) of the shipped questionnaire, with its follow-ups OPS-02 (socle, D1) and
    OPS-03 (D1): "planned" → socle x/21 and D1 y/5; "Je ne sais pas" now gives the same totals
    (it was x/20 and y/3) and never more met; "Géré par le GHT" takes the follow-ups along."""
    q = care()
    base = care_answers(2)
    planned = score(q, base | {"OPS-01": RawAnswer(ANSWERED, "planned")})
    unknown = score(q, base | {"OPS-01": RawAnswer(DONT_KNOW)})
    managed = score(q, base | {"OPS-01": RawAnswer(GHT)})
    assert planned.socle.total == unknown.socle.total == 21
    assert planned.domains["D1"].total == unknown.domains["D1"].total == 5
    assert unknown.socle.met <= planned.socle.met
    assert unknown.domains["D1"].met <= planned.domains["D1"].met
    assert unknown.socle.rate <= planned.socle.rate
    assert (managed.socle.total, managed.socle.ght) == (19, 2)
    assert (managed.domains["D1"].total, managed.domains["D1"].ght) == (2, 3)
    # OPS-01 and OPS-04 GHT-managed: one question of D1 is left to judge, four are the GHT's
    both = score(q, base | {"OPS-01": RawAnswer(GHT), "OPS-04": RawAnswer(GHT)})
    d1 = both.domains["D1"]
    assert (d1.met, d1.total, d1.ght) == (1, 1, 4)


# -- also documented -----------------------------------------------------------------------------

def test_a_domain_question_outside_the_socle_needs_the_socle_level() -> None:
    q = build({"GOV": [_question("GOV-01", 1, domains=["D2"]),
                       _question("GOV-02", 1, domains=["D2"], socle_min_level=1)]})
    result = score(q, {"GOV-01": lv(1), "GOV-02": lv(1)})
    assert result.domains["D2"].missing == ["GOV-01"]
    assert score(q, {"GOV-01": lv(2), "GOV-02": lv(1)}).domains["D2"].ready


# -- rules that a one-line slip in scoring.py would break ----------------------------------------

def test_the_overall_leaves_out_an_axis_without_a_score() -> None:
    na = RawAnswer(NA, None, "sans objet")
    for ops in ({"OPS-01": na, "OPS-02": na}, {}, {"OPS-01": RawAnswer(DONT_KNOW)}):
        result = score(MINI, {"GOV-01": lv(2), "GOV-02": lv(3), "GOV-03": lv(1)} | ops)
        assert result.axes["OPS"].score is None
        assert result.overall == result.axes["GOV"].score == exact(1100, 18)
        assert result.overall_level == 2
    assert score(MINI, {}).overall is None and score(MINI, {}).overall_level is None


def test_coverage_exactly_at_the_threshold_is_not_provisional() -> None:
    q = build({"GOV": [_question(f"GOV-0{i}", 1) for i in range(1, 6)]})
    four_of_five = {f"GOV-0{i}": lv(2) for i in range(1, 5)} | {"GOV-05": RawAnswer(DONT_KNOW)}
    at_threshold = score(q, four_of_five).axes["GOV"]
    assert at_threshold.coverage == 80.0 and not at_threshold.provisional  # min_coverage 0.8
    below = score(q, {f"GOV-0{i}": lv(2) for i in range(1, 4)}).axes["GOV"]
    assert below.coverage == 60.0 and below.provisional
    assert not score(q, {f"GOV-0{i}": lv(2) for i in range(1, 6)}).axes["GOV"].provisional


def test_weakest_points_order_and_length() -> None:
    """Socle first, then (target − level) × weight, largest first, then the id; ten at most."""
    specs = [
        _question("GOV-01", 1), _question("GOV-02", 3), _question("GOV-03", 2, socle=True),
        _question("GOV-04", 1, socle=True), _question("GOV-05", 2), _question("GOV-06", 1),
        _question("GOV-07", 3), _question("GOV-08", 1), _question("GOV-09", 2),
        _question("GOV-10", 3), _question("GOV-11", 1), _question("GOV-12", 2),
        _question("GOV-13", 3),
    ]
    q = build({"GOV": specs})
    answers = {
        "GOV-01": lv(0),  # gap 2 × 1 = 2
        "GOV-02": lv(1),  # 1 × 3 = 3
        "GOV-03": lv(1),  # socle, 1 × 2 = 2
        "GOV-04": lv(0),  # socle, 2 × 1 = 2
        "GOV-05": lv(0),  # 2 × 2 = 4
        "GOV-06": lv(1),  # 1
        "GOV-07": lv(0),  # 2 × 3 = 6
        "GOV-08": lv(0),  # 2
        "GOV-09": lv(1),  # 2
        "GOV-10": lv(1),  # 3
        "GOV-11": lv(1),  # 1
        "GOV-12": lv(2),  # at target: not a weak point
        "GOV-13": RawAnswer(DONT_KNOW),  # not listed
    }
    result = score(q, answers)
    assert WEAKEST_LIMIT == 10
    assert result.weakest == ["GOV-03", "GOV-04", "GOV-07", "GOV-05", "GOV-02", "GOV-10",
                              "GOV-01", "GOV-08", "GOV-09", "GOV-06"]


def test_an_invalid_answer_is_not_resolved() -> None:
    q = MINI
    results = resolve(q, {"GOV-01": RawAnswer(ANSWERED, "nope"), "GOV-02": lv(2),
                          "GOV-03": RawAnswer(NA, None, "")})
    assert results["GOV-01"].error and not results["GOV-01"].resolved
    assert results["GOV-03"].error and not results["GOV-03"].resolved
    assert results["GOV-02"].resolved
    assert {r.id for r in missing_items(q, results)} >= {"GOV-01", "GOV-03"}
    gov = progress(q, results)[0]
    assert (gov.done, gov.total, gov.errors) == (1, 3, 2)


def test_to_dict_holds_exact_values_and_the_flags() -> None:
    data = score(MINI, {"GOV-01": lv(0), "GOV-02": lv(3), "GOV-03": lv(3), "OPS-01": lv(1)}
                 ).to_dict()
    assert data["scoring_version"] == "2.0"
    assert data["axes"]["GOV"]["cap_applies"] and data["axes"]["GOV"]["capped"]
    assert data["overall_capped"] is False  # GOV's cap: level 1; OPS 33.3: level 1 anyway
    assert data["axes"]["OPS"]["score"] == exact(100, 3)
    assert data["socle"]["rate"] == 0.0 and data["socle"]["ready"] is False
    assert data["questions"]["GOV-01"]["gated"] is False
