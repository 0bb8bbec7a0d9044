"""Scoring properties (Hypothesis), on random questionnaires with follow-up questions:

* a second scorer, written from the documentation only (scoring.py's docstring), agrees on
  every figure, exactly;
* a better answer never lowers anything: raising the level of one answered question never
  lowers a level, a score, the socle ratio or a domain ratio; replacing "Je ne sais pas" or no
  answer by an answer at any level never lowers the socle or a domain ratio; replacing it by
  the highest level never lowers a level.

Follow-ups open on their parent's higher options (as in the shipped questionnaire), and a
hidden follow-up carries no stored answer (otherwise opening it would reveal an old answer:
two changes, not one).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from careapp.assessments.answers import ANSWERED, DONT_KNOW, GHT, NA, RawAnswer
from careapp.assessments.scoring import LEVEL_BOUNDS, ScoreResult, resolve, score
from careapp.questionnaires.model import Questionnaire, build_questionnaire
from tests.assessments.scoring_support import lv, question, questionnaire_data

AXES = ("GOV", "RES", "SEN", "OPS")
DOMAINS = ("D1", "D2", "D3", "D4", "HOSPICONNECT")

SPECIAL = st.sampled_from([RawAnswer(NA, None, "hors périmètre"), RawAnswer(DONT_KNOW),
                           RawAnswer(GHT), None])


def answer_near(base: int) -> st.SearchStrategy[RawAnswer | None]:
    """Mostly a level around the axis's own base level (axes then differ, so that an axis under
    a level bound sits next to others above it), sometimes another answer or none."""
    near = st.integers(max(base - 1, 0), min(base + 1, 3)).map(lv)
    return st.one_of(near, near, near, st.integers(0, 3).map(lv), SPECIAL)


@st.composite
def questionnaires_and_answers(draw: Any) -> tuple[Questionnaire, dict[str, RawAnswer]]:
    axes: dict[str, list[dict[str, Any]]] = {}
    for axis in AXES:
        questions: list[dict[str, Any]] = []
        for i in range(1, draw(st.integers(1, 5)) + 1):
            extra: dict[str, Any] = {}
            if questions and draw(st.integers(0, 2)) == 0:  # a follow-up of an earlier question
                parent = draw(st.sampled_from(questions))
                lowest = draw(st.integers(1, 3))
                extra["depends_on"] = {"question": parent["id"],
                                       "options": [f"l{n}" for n in range(lowest, 4)]}
            questions.append(question(
                f"{axis}-{i:02d}", draw(st.integers(1, 3)), socle=draw(st.booleans()),
                domains=draw(st.lists(st.sampled_from(DOMAINS), unique=True, max_size=2)),
                **extra))
        axes[axis] = questions
    q = build_questionnaire(questionnaire_data(axes))
    answers = {}
    for axis_id in AXES:
        base = draw(st.integers(0, 3))
        for x in q.questions:
            if x.axis_id == axis_id and (state := draw(answer_near(base))) is not None:
                answers[x.id] = state
    visible = resolve(q, answers)
    return q, {qid: a for qid, a in answers.items() if visible[qid].visible}


# -- a second scorer, from the documentation only ------------------------------------------------

def level_of(value: Fraction) -> int:
    return sum(1 for bound in LEVEL_BOUNDS if value >= Fraction(bound))


def reference(q: Questionnaire, answers: dict[str, RawAnswer]) -> dict[str, Any]:
    counted: dict[str, tuple[str | None, int | None]] = {}  # state the figures use, level
    shown: dict[str, bool] = {}
    for x in q.questions:
        answer = answers.get(x.id)
        own = (answer.state, int(answer.value[1:]) if answer.state == ANSWERED else None) \
            if answer else (None, None)
        if x.depends_on is None:
            shown[x.id], counted[x.id] = True, own
            continue
        parent, options = x.depends_on
        p_state = counted[parent][0]
        if shown[parent] and p_state == ANSWERED and answers[parent].value in options:
            shown[x.id], counted[x.id] = True, own
        else:
            shown[x.id] = False
            if shown[parent]:
                inherited = {ANSWERED: "gated", None: "pending"}.get(p_state, p_state)
            else:
                inherited = p_state
            counted[x.id] = (inherited, None)
    out: dict[str, Any] = {"axes": {}}
    scores, prudents, cap = [], [], False
    applicable_all, covered_all = 0, 0
    for axis in q.axes:
        qs = [x for x in axis.questions if x.scored]
        applicable = [x for x in qs if counted[x.id][0] in (ANSWERED, DONT_KNOW, GHT, None)
                      and (shown[x.id] or counted[x.id][0] in (DONT_KNOW, GHT))]
        levelled = [x for x in applicable if counted[x.id][0] == ANSWERED]
        unknown = [x for x in applicable if counted[x.id][0] == DONT_KNOW]
        ght = [x for x in applicable if counted[x.id][0] == GHT]
        points = sum(x.weight * counted[x.id][1] for x in levelled)
        weight = sum(x.weight for x in levelled)
        prudent_weight = weight + sum(x.weight for x in unknown)
        declared = Fraction(points, weight) / 3 * 100 if weight else None
        prudent = Fraction(points, prudent_weight) / 3 * 100 if prudent_weight else None
        socle_zero = any(x.socle and counted[x.id][1] == 0 for x in levelled)
        cap = cap or socle_zero
        level = None
        if declared is not None:
            level = min(level_of(declared), 1) if socle_zero else level_of(declared)
            scores.append(declared)
        if prudent is not None:
            prudents.append(prudent)
        coverage = Fraction(len(levelled) + len(ght), len(applicable)) if applicable else None
        out["axes"][axis.id] = {
            "score": declared, "prudent": prudent, "level": level,
            "capped": declared is not None and socle_zero and level_of(declared) > 1,
            "coverage": coverage * 100 if coverage is not None else None,
            "provisional": coverage is not None and coverage < Fraction(4, 5),
        }
        applicable_all += len(applicable)
        covered_all += len(levelled) + len(ght)
    overall = sum(scores, Fraction(0)) / len(scores) if scores else None
    out["overall"] = overall
    out["overall_prudent"] = sum(prudents, Fraction(0)) / len(prudents) if prudents else None
    out["overall_level"] = None if overall is None else (
        min(level_of(overall), 1) if cap else level_of(overall))
    out["completeness"] = Fraction(100 * covered_all, applicable_all) if applicable_all else None

    def ratio(members: list) -> tuple[int, int, int]:  # noqa: ANN001
        kept = [x for x in members if x.scored and counted[x.id][0] != NA]
        judged = [x for x in kept if counted[x.id][0] != GHT]
        met = [x for x in judged if counted[x.id][0] == ANSWERED
               and counted[x.id][1] >= x.socle_min_level]
        return len(met), len(judged), len(kept) - len(judged)

    out["socle"] = ratio([x for x in q.questions if x.socle])
    out["domains"] = {d: ratio([x for x in q.questions if d in x.domains]) for d in DOMAINS}
    gaps = [x for x in q.questions if x.scored and shown[x.id] and counted[x.id][0] == ANSWERED
            and counted[x.id][1] < x.target_level]
    gaps.sort(key=lambda x: (not x.socle, -(x.target_level - counted[x.id][1]) * x.weight, x.id))
    out["weakest"] = [x.id for x in gaps[:10]]
    return out


def _float(value: Fraction | None) -> float | None:
    return float(value) if value is not None else None


@settings(max_examples=200)
@given(questionnaires_and_answers())
def test_a_second_scorer_written_from_the_documentation_agrees(case) -> None:  # noqa: ANN001
    q, answers = case
    result, expected = score(q, answers), reference(q, answers)
    for axis_id, want in expected["axes"].items():
        got = result.axes[axis_id]
        assert got.score == _float(want["score"])
        assert got.prudent_score == _float(want["prudent"])
        assert got.level == want["level"] and got.capped == want["capped"]
        assert got.coverage == _float(want["coverage"])
        assert got.provisional == want["provisional"]
    assert result.overall == _float(expected["overall"])
    assert result.overall_prudent == _float(expected["overall_prudent"])
    assert result.overall_level == expected["overall_level"]
    assert result.completeness == _float(expected["completeness"])
    assert (result.socle.met, result.socle.total, result.socle.ght) == expected["socle"]
    for domain, want in expected["domains"].items():
        got = result.domains[domain]
        assert (got.met, got.total, got.ght) == want
        assert got.ready == (got.total > 0 and got.met == got.total)
        assert got.rate == (100 * got.met / got.total if got.total else None)
    assert result.weakest == expected["weakest"]


# -- a better answer never lowers anything -------------------------------------------------------

def _levels(result: ScoreResult) -> list[int | None]:
    return [result.overall_level] + [a.level for a in result.axes.values()]


def _scores(result: ScoreResult) -> list[float | None]:
    values = [result.overall, result.overall_prudent]
    values += [a.score for a in result.axes.values()] + [a.prudent_score for a in result.axes.values()]
    return values


def _ratios(result: ScoreResult) -> list[tuple[int, int]]:
    """(met, unmet) of the socle and each domain."""
    return [(r.met, r.total - r.met) for r in (result.socle, *result.domains.values())]


def _never_lower(before: list, after: list) -> None:  # noqa: ANN001
    for old, new in zip(before, after, strict=True):
        if old is not None:
            assert new is not None and new >= old


def _ratios_never_lower(before: ScoreResult, after: ScoreResult) -> None:
    for (met, unmet), (met2, unmet2) in zip(_ratios(before), _ratios(after), strict=True):
        assert met2 >= met and unmet2 <= unmet
    for old, new in zip([before.socle, *before.domains.values()],
                        [after.socle, *after.domains.values()], strict=True):
        if old.rate is not None and new.rate is not None:
            assert new.rate >= old.rate
        assert new.ready or not old.ready


@given(questionnaires_and_answers())
def test_a_socle_question_at_level_0_caps_the_overall_level(case) -> None:  # noqa: ANN001
    q, answers = case
    result = score(q, answers)
    at_zero = [r for r in result.questions.values()
               if r.visible and r.socle and r.weight and r.level == 0]
    if at_zero:
        assert result.overall_level is not None and result.overall_level <= 1
        for r in at_zero:
            assert result.axes[r.axis_id].level <= 1 and result.axes[r.axis_id].cap_applies


@settings(max_examples=200)
@given(questionnaires_and_answers(), st.data())
def test_raising_one_answer_never_lowers_anything(case, data) -> None:  # noqa: ANN001
    q, answers = case
    levelled = [qid for qid, a in answers.items() if a.state == ANSWERED and a.value != "l3"]
    assume(levelled)
    qid = data.draw(st.sampled_from(levelled))
    current = int(answers[qid].value[1])
    raised = dict(answers, **{qid: lv(data.draw(st.integers(current + 1, 3)))})
    before, after = score(q, answers), score(q, raised)
    _never_lower(_levels(before), _levels(after))
    _never_lower(_scores(before), _scores(after))
    _ratios_never_lower(before, after)


@given(questionnaires_and_answers(), st.data())
def test_answering_instead_of_dont_know_never_lowers_a_ratio(case, data) -> None:  # noqa: ANN001
    q, answers = case
    shown = resolve(q, answers)
    open_ = [x.id for x in q.questions if shown[x.id].visible and shown[x.id].weight
             and (x.id not in answers or answers[x.id].state == DONT_KNOW)]
    assume(open_)
    qid = data.draw(st.sampled_from(open_))
    before = score(q, answers)
    after = score(q, dict(answers, **{qid: lv(data.draw(st.integers(0, 3)))}))
    _ratios_never_lower(before, after)
    if qid in answers:  # "Je ne sais pas" counted 0 in the prudent reading, and not covered
        _never_lower([a.prudent_score for a in before.axes.values()] + [before.overall_prudent],
                     [a.prudent_score for a in after.axes.values()] + [after.overall_prudent])
        assert after.completeness >= before.completeness
    best = score(q, dict(answers, **{qid: lv(3)}))
    _never_lower(_levels(before), _levels(best))
    _ratios_never_lower(before, best)


@given(questionnaires_and_answers())
def test_every_figure_is_within_0_and_100(case) -> None:  # noqa: ANN001
    q, answers = case
    result = score(q, answers)
    figures = _scores(result) + [result.socle.rate, result.completeness]
    figures += [d.rate for d in result.domains.values()] + [a.coverage for a in result.axes.values()]
    for value in figures:
        assert value is None or 0 <= value <= 100


@given(questionnaires_and_answers(), st.data())
def test_na_and_dont_know_never_change_the_mean_of_the_others(case, data) -> None:  # noqa: ANN001
    q, answers = case
    shown = resolve(q, answers)
    unanswered = [x.id for x in q.questions if x.id not in answers and shown[x.id].visible]
    assume(unanswered)
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
