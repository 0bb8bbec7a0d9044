"""Scoring: worked examples (golden values computed by hand) and Hypothesis properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careapp.assessments.answers import ANSWERED, DONT_KNOW, GHT, NA, RawAnswer
from careapp.assessments.scoring import level_from_score, score
from careapp.config import PROJECT_ROOT
from careapp.questionnaires.model import build_questionnaire
from careapp.questionnaires.validation import validate_data


def _text(s: str) -> dict[str, str]:
    return {"fr": s, "en": s}


def _question(qid: str, weight: int = 1, *, socle: bool = False, domains: list[str] | None = None,
              **extra: Any) -> dict[str, Any]:
    q = {
        "id": qid, "since": "1.0.0", "type": "single", "text": _text(qid), "help": _text("aide"),
        "weight": weight, "socle": socle, "domains": domains or [],
        "allow_na": True, "allow_dont_know": True, "allow_ght": True,
        "options": [{"id": f"l{n}", "label": _text(f"niveau {n}"), "level": n} for n in range(4)],
        "action": {"title": _text("agir"), "below_level": 2},
    }
    q.update(extra)
    return q


def questionnaire_data(axes: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "id": "mini", "version": "1.0.0", "status": "active", "title": _text("Mini"),
        "languages": ["fr", "en"],
        "scale": [{"level": n, "label": _text(str(n)), "definition": _text(str(n))}
                  for n in range(4)],
        "scoring": {"min_coverage": 0.8, "default_target_level": 2, "socle_min_level": 2},
        "axes": [
            {"id": axis, "title": _text(axis),
             "sections": [{"id": f"{axis}-S", "title": _text("s"), "questions": questions}]}
            for axis, questions in axes.items()
        ],
    }


def build(axes: dict[str, list[dict[str, Any]]]):  # noqa: ANN201
    data = questionnaire_data(axes)
    assert validate_data(data, PROJECT_ROOT / "questionnaires") == []
    return build_questionnaire(data)


def lv(level: int) -> RawAnswer:
    return RawAnswer(ANSWERED, f"l{level}")


MINI = build({
    "GOV": [_question("GOV-01", 3, socle=True, domains=["D2"]), _question("GOV-02", 1),
            _question("GOV-03", 2, domains=["D2"])],
    "OPS": [_question("OPS-01", 2, socle=True, domains=["D1"]), _question("OPS-02", 1)],
})


def test_worked_example_weighted_mean() -> None:
    # GOV: (3×2 + 1×3 + 2×1) / (3+1+2) = 11/6 = 1.833 → /3 ×100 = 61.1
    # OPS: (2×3 + 1×0) / 3 = 2 → 66.7 ; overall = (61.1 + 66.7) / 2 = 63.9
    result = score(MINI, {"GOV-01": lv(2), "GOV-02": lv(3), "GOV-03": lv(1),
                          "OPS-01": lv(3), "OPS-02": lv(0)})
    assert result.axes["GOV"].score == 61.1
    assert result.axes["GOV"].weighted_points == 11 and result.axes["GOV"].weight_total == 6
    assert result.axes["OPS"].score == 66.7
    assert result.overall == 63.9
    assert result.axes["GOV"].level == 2 and result.overall_level == 2
    assert result.socle.met == 2 and result.socle.total == 2 and result.socle.rate == 100.0
    assert result.domains["D2"].met == 1 and result.domains["D2"].total == 2
    assert result.domains["D2"].missing == ["GOV-03"]
    assert result.domains["D1"].rate == 100.0
    assert result.completeness == 100.0
    assert result.weakest == ["GOV-03", "OPS-02"]  # both gap 1×weight…: GOV-03 gap 1×2 first


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


def test_na_needs_a_justification_else_counts_as_unanswered() -> None:
    result = score(MINI, {"GOV-01": RawAnswer(NA, None, "  ")})
    assert result.questions["GOV-01"].error
    assert result.questions["GOV-01"].state is None
    assert result.axes["GOV"].unanswered == 3


def test_socle_question_at_zero_caps_the_axis_level() -> None:
    result = score(MINI, {"GOV-01": lv(0), "GOV-02": lv(3), "GOV-03": lv(3)})
    # (0 + 3 + 6) / 6 = 1.5 → 50.0, level 2 without the cap
    assert result.axes["GOV"].score == 50.0
    assert result.axes["GOV"].level == 1 and result.axes["GOV"].capped


def test_levels_from_score_boundaries() -> None:
    assert [level_from_score(s) for s in (0, 24.9, 25, 49.9, 50, 74.9, 75, 100)] == [
        0, 0, 1, 1, 2, 2, 3, 3]


def test_depends_on_hides_the_follow_up_question() -> None:
    q = build({"OPS": [
        _question("OPS-01", 1),
        _question("OPS-02", 3, depends_on={"question": "OPS-01", "options": ["l2", "l3"]}),
    ]})
    hidden = score(q, {"OPS-01": lv(1), "OPS-02": lv(0)})
    assert not hidden.questions["OPS-02"].visible
    assert hidden.axes["OPS"].score == pytest.approx(33.3)
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


# -- properties -----------------------------------------------------------------------------

STATES = st.one_of(
    st.integers(0, 3).map(lv),
    st.just(RawAnswer(NA, None, "hors périmètre")),
    st.just(RawAnswer(DONT_KNOW)),
    st.just(RawAnswer(GHT)),
    st.none(),
)


@st.composite
def questionnaires_and_answers(draw):  # noqa: ANN001, ANN201
    axes = {}
    for axis in ("GOV", "RES", "SEN", "OPS"):
        n = draw(st.integers(1, 5))
        axes[axis] = [
            _question(f"{axis}-{i:02d}", draw(st.integers(1, 3)), socle=draw(st.booleans()),
                      domains=draw(st.lists(st.sampled_from(["D1", "D2", "D3", "D4"]),
                                            unique=True, max_size=2)))
            for i in range(1, n + 1)
        ]
    data = questionnaire_data(axes)
    q = build_questionnaire(data)
    answers = {}
    for question in q.questions:
        state = draw(STATES)
        if state is not None:
            answers[question.id] = state
    return q, answers


def _scores(result) -> list[float | None]:  # noqa: ANN001
    values = [result.overall, result.overall_prudent, result.socle.rate]
    values += [a.score for a in result.axes.values()] + [a.prudent_score for a in result.axes.values()]
    values += [d.rate for d in result.domains.values()]
    return values


@given(questionnaires_and_answers())
def test_every_score_is_within_0_and_100(case) -> None:  # noqa: ANN001
    q, answers = case
    result = score(q, answers)
    for value in _scores(result) + [result.completeness]:
        assert value is None or 0 <= value <= 100


@given(questionnaires_and_answers(), st.data())
def test_raising_one_answer_never_lowers_any_score(case, data) -> None:  # noqa: ANN001
    q, answers = case
    levelled = [qid for qid, a in answers.items() if a.state == ANSWERED and a.value != "l3"]
    if not levelled:
        return
    qid = data.draw(st.sampled_from(levelled))
    current = int(answers[qid].value[1])
    raised = dict(answers, **{qid: lv(data.draw(st.integers(current + 1, 3)))})
    before, after = score(q, answers), score(q, raised)
    for old, new in zip(_scores(before), _scores(after), strict=True):
        if old is not None:
            assert new is not None and new >= old
    assert after.completeness == before.completeness


@given(questionnaires_and_answers(), st.data())
def test_na_and_dont_know_never_change_the_mean_of_the_others(case, data) -> None:  # noqa: ANN001
    q, answers = case
    unanswered = [x.id for x in q.questions if x.id not in answers]
    if not unanswered:
        return
    qid = data.draw(st.sampled_from(unanswered))
    axis = q.question(qid).axis_id
    before = score(q, answers).axes[axis]
    na = score(q, dict(answers, **{qid: RawAnswer(NA, None, "sans objet")})).axes[axis]
    dk = score(q, dict(answers, **{qid: RawAnswer(DONT_KNOW)})).axes[axis]
    assert na.score == before.score and na.prudent_score == before.prudent_score
    assert dk.score == before.score  # declared reading ignores "Je ne sais pas"
    # prudent reading counts it as level 0: it can only pull the prudent score down
    if before.prudent_score is not None:
        assert dk.prudent_score is not None and dk.prudent_score <= before.prudent_score


@given(st.integers(0, 3), st.integers(0, 3), st.integers(1, 3), st.integers(1, 3))
def test_weights_behave_as_documented(level_a, level_b, weight_a, weight_b) -> None:  # noqa: ANN001
    q = build_questionnaire(questionnaire_data({"GOV": [
        _question("GOV-01", weight_a), _question("GOV-02", weight_b)]}))
    result = score(q, {"GOV-01": lv(level_a), "GOV-02": lv(level_b)})
    expected = (weight_a * level_a + weight_b * level_b) / (weight_a + weight_b) / 3 * 100
    assert result.axes["GOV"].score == round(expected, 1)
    doubled = build_questionnaire(questionnaire_data({"GOV": [
        _question("GOV-01", weight_a), _question("GOV-02", weight_b),
        _question("GOV-03", weight_a)]}))
    # a question with the same weight and level as GOV-01 is the same as doubling its weight
    same = score(doubled, {"GOV-01": lv(level_a), "GOV-02": lv(level_b), "GOV-03": lv(level_a)})
    expected2 = (2 * weight_a * level_a + weight_b * level_b) / (2 * weight_a + weight_b) / 3 * 100
    assert same.axes["GOV"].score == round(expected2, 1)


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
    mixed = score(q, {"GOV-01": RawAnswer(ANSWERED, ["l0", "l2"])}).questions["GOV-01"]
    assert mixed.error == "« niveau 0 » ne peut pas être coché avec d'autres réponses."


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
    assert skipped.domains["D1"].total == 2
    # unanswered parent: nothing is ruled out yet, the follow-up is simply not shown
    assert not score(q, {}).questions["OPS-02"].gated


def test_overall_level_is_capped_when_an_axis_is() -> None:
    q = build({axis: [_question(f"{axis}-01", 1, socle=True)] + [
        _question(f"{axis}-0{i}", 3) for i in range(2, 5)] for axis in ("GOV", "OPS")})
    answers = {f"{axis}-01": lv(0) for axis in ("GOV", "OPS")}
    answers |= {f"{axis}-0{i}": lv(3) for axis in ("GOV", "OPS") for i in range(2, 5)}
    result = score(q, answers)
    assert result.overall == 90.0  # (0 + 27) / 10 / 3 on each axis
    assert all(a.capped and a.level == 1 for a in result.axes.values())
    assert result.overall_level == 1
