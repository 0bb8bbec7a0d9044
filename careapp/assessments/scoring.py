"""CaRE scoring: a pure function of a questionnaire and its answers (no I/O, no clock).

Method 2.0 (SCORING_VERSION). The arithmetic, documented once here, summed up in the README
("Règles de saisie et de calcul") and explained to users on the results page.

Answers (interpreted by careapp/assessments/answers.py)

* A scored question (weight ≥ 1, not a date or a text) is answered with a level 0 to 3 (from its
  option, or from its thresholds), or "Non applicable" (N/A, justification required), "Je ne
  sais pas" (DK) or "Géré par le GHT" (GHT). An invalid answer is kept as typed but counts as
  unanswered until it is corrected, and it blocks submission.
* Numbers: a comma or a point as the decimal separator (so "1,000" is 1), spaces ignored, one
  trailing "%" ignored ("50 %" is 50), scientific notation accepted ("1e2" is 100); an integer
  question accepts a whole value written with decimals ("3,0" is 3). Then the question's bounds
  apply, then its thresholds: the level is that of the last threshold whose minimum is ≤ the value.
* Multiple choice: the level of the highest or lowest option ticked, or, for a counted list, the
  level reached by the number of ticked options of positive level. In a counted list the level-0
  option ("aucun", "none of these") stands alone: ticked with another option the answer is
  invalid.

Follow-up questions (depends_on)

* A follow-up is visible when its parent is answered with one of the options it names (the
  questionnaire opens follow-ups on a parent's higher options). Hidden, it takes its meaning from
  its parent's state (`hidden_as`), along a chain too:
  - GATED, the parent's answer rules it out (e.g. "ADS level" when no AD audit was done): out of
    the axis scores, but *not met* in the socle and domain ratios, so that skipping a
    prerequisite never scores better than doing it partly;
  - parent "Je ne sais pas": the follow-up counts as "Je ne sais pas" everywhere (level 0 in the
    prudent reading, not covered, not met): not knowing never scores better than an answer;
  - parent "Géré par le GHT": the follow-up counts as GHT-managed everywhere (counted apart);
  - parent "Non applicable": the follow-up is not applicable either;
  - PENDING, the parent has no valid answer yet (a draft): out of the axis scores, unanswered
    (not met) in the socle and domain ratios, so that answering the parent never lowers a ratio.

Axes

* Applicable questions: visible scored questions not N/A, plus follow-ups counted as DK or GHT.
* Declared score = Σ weight × level / Σ weight over the questions answered with a level, ÷ 3,
  × 100. "Je ne sais pas", "Géré par le GHT", N/A and unanswered questions are left out.
* Prudent score: the same, with every "Je ne sais pas" counted as level 0 with its weight.
* Coverage = (answered with a level + GHT-managed) / applicable questions; the score is marked
  provisional when the coverage is *below* the questionnaire's `min_coverage` (at it: not
  provisional).
* Maturity level from the score: < 25 Initial (0), < 50 Partiel (1), < 75 Maîtrisé (2),
  otherwise Optimisé (3).
* Socle cap: when an axis holds a socle question answered at level 0, the cap *applies*
  (`cap_applies`) and the axis level is at most 1; `capped` says the cap *lowered* the level
  (the "plafonné" tag). A socle question at level 1 or more, or at "Je ne sais pas", never caps.

Overall

* Overall score = mean of the axis scores that exist (each axis weighs the same; an axis with no
  score is left out, never counted as 0); the prudent overall score likewise.
* Overall level from the overall score, capped at 1 as soon as the cap applies on any axis,
  whether or not it lowered that axis's level (`overall_capped`: it lowered the overall level).

Socle Cyber and CaRE domains

* Socle Cyber attainment = socle questions met / socle questions judged. N/A questions are out;
  GHT-managed ones are counted apart, not in the ratio; a question is met when its level reaches
  its required level (`socle_min_level`: the questionnaire's, 2 in CaRE v1, unless the question
  sets its own); unanswered, invalid, "Je ne sais pas" and gated questions are not met.
* CaRE domain readiness (D1…D4, HospiConnect) = the same ratio over the questions tagged with the
  domain, socle or not: a non-socle question has the same required level. A domain is ready when
  at least one question is judged and every judged one is met; when all its questions are GHT or
  N/A nothing is left to judge: it is "not assessable" (no rate), never ready.
* Completeness = (answered with a level + GHT-managed) / applicable questions, all axes.

Weakest points

* Applicable questions answered with a level below their target level: socle questions first,
  then the largest gap × weight ((target − level) × weight), then the question id; ten at most.
  "Je ne sais pas" answers are not listed (the roadmap proposes to find out).

Exact values, one rounding

* Scores and ratios are computed as exact fractions: levels, caps, readiness and provisional
  flags come from exact values (an overall of 49.97 is level 1). The results hold the exact
  values (floats, never rounded); the pages round once for display (careapp/numbers.py): to
  0.1, halves up, in the person's language, with more decimals when needed so that a value
  below a level bound, the coverage threshold or 100 % is never shown as reaching it.
* Method 1.0 (snapshots frozen before 2.0 keep their figures and say so): values stored rounded
  to 0.1, the overall a mean of rounded values, the overall cap only when it lowered an axis,
  follow-ups under a DK, GHT or N/A parent left out of every count.

Monotonicity (tests/assessments/test_scoring_properties.py)

* Raising the level of one answered question never lowers any level (axis or overall), any
  score, the socle ratio or a domain ratio. Replacing "Je ne sais pas" or no answer by an answer
  at any level never lowers the socle ratio or a domain ratio (no met question lost, no unmet
  one added), nor, for "Je ne sais pas", the prudent score; replacing it by the highest level
  never lowers a level either. (The declared reading leaves "Je ne sais pas" out by definition:
  an answer at a low level lowers it, as it should; the prudent reading shows the other side.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

from careapp.assessments.answers import (
    ANSWERED,
    DONT_KNOW,
    GHT,
    NA,
    Interpreted,
    RawAnswer,
    interpret,
)
from careapp.questionnaires.model import Question, Questionnaire

SCORING_VERSION = "2.0"
LEVEL_BOUNDS = (25.0, 50.0, 75.0)
SOCLE_CAP_LEVEL = 1
DOMAINS = ("D1", "D2", "D3", "D4", "HOSPICONNECT")
WEAKEST_LIMIT = 10

GATED = "gated"  # hidden: the parent's answer rules it out
PENDING = "pending"  # hidden: the parent has no valid answer yet


@dataclass(frozen=True)
class QuestionResult:
    id: str
    axis_id: str
    visible: bool
    state: str | None  # answered, na, dont_know, ght, or None (unanswered)
    level: int | None
    error: str | None
    weight: int
    socle: bool
    target_level: int
    # Hidden follow-up: GATED, PENDING, or the parent's DONT_KNOW, GHT or NA (see the docstring).
    hidden_as: str | None = None

    @property
    def gated(self) -> bool:
        """Hidden because the answer it depends on rules it out."""
        return self.hidden_as == GATED

    @property
    def counted_state(self) -> str | None:
        """The state the figures use: the answer's own, or the one a hidden follow-up inherits."""
        if self.visible:
            return self.state
        return self.hidden_as if self.hidden_as in (DONT_KNOW, GHT, NA) else None

    @property
    def applicable(self) -> bool:
        """In the axis counts: visible and not N/A, or counted as DK or GHT through its parent."""
        if self.visible:
            return self.state != NA
        return self.hidden_as in (DONT_KNOW, GHT)

    @property
    def judged(self) -> bool:
        """In the socle and domain ratios (GHT-managed ones are counted apart)."""
        return self.visible or self.hidden_as is not None

    @property
    def resolved(self) -> bool:
        """Counts as done for submission: any valid state."""
        return self.state is not None and self.error is None


@dataclass(frozen=True)
class Contribution:
    question_id: str
    weight: int
    level: int

    @property
    def points(self) -> int:
        return self.weight * self.level


@dataclass(frozen=True)
class AxisResult:
    axis_id: str
    score: float | None  # exact (never rounded)
    prudent_score: float | None
    level: int | None
    capped: bool  # the socle cap lowered the level
    coverage: float | None  # percent, exact
    provisional: bool
    applicable: int
    answered: int
    not_applicable: int
    dont_know: int
    ght: int
    unanswered: int
    weighted_points: int
    weight_total: int
    contributions: list[Contribution] = field(default_factory=list)
    cap_applies: bool = False  # a socle question is at level 0 (caps the axis and the overall)


@dataclass(frozen=True)
class RatioResult:
    met: int
    total: int
    dont_know: int
    unanswered: int
    ght: int
    missing: list[str]
    gated: int = 0  # not met because an earlier answer rules them out

    @property
    def rate(self) -> float | None:
        """Percent met, exact; None when nothing is left to judge ("not assessable")."""
        return 100 * self.met / self.total if self.total else None

    @property
    def ready(self) -> bool:
        return self.total > 0 and self.met == self.total


@dataclass(frozen=True)
class ScoreResult:
    scoring_version: str
    questionnaire: str
    axes: dict[str, AxisResult]
    overall: float | None
    overall_prudent: float | None
    overall_level: int | None
    socle: RatioResult
    domains: dict[str, RatioResult]
    completeness: float | None
    weakest: list[str]
    questions: dict[str, QuestionResult]
    overall_capped: bool = False  # the socle cap lowered the overall level

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for ratio, stored in ((self.socle, data["socle"]), *(
                (domain, data["domains"][key]) for key, domain in self.domains.items())):
            stored.update(rate=ratio.rate, ready=ratio.ready)
        for qid, question in self.questions.items():
            data["questions"][qid]["gated"] = question.gated
        return data


def level_from_score(score: float | Fraction) -> int:
    return sum(1 for bound in LEVEL_BOUNDS if score >= bound)


def _percent(points: int, weight: int) -> Fraction:
    return Fraction(100 * points, 3 * weight)


def _exact(value: Fraction | None) -> float | None:
    return float(value) if value is not None else None


def resolve(
    questionnaire: Questionnaire, answers: Mapping[str, RawAnswer], today: dt.date | None = None
) -> dict[str, QuestionResult]:
    """Interpret every answer in questionnaire order, applying depends_on conditions."""
    results: dict[str, QuestionResult] = {}
    for question in questionnaire.questions:
        visible = _visible(question, answers, results)
        interpreted = interpret(question, answers.get(question.id), today) if visible else Interpreted(None)
        parent = results.get(question.depends_on[0]) if question.depends_on else None
        results[question.id] = QuestionResult(
            id=question.id,
            axis_id=question.axis_id,
            visible=visible,
            state=interpreted.state,
            level=interpreted.level,
            error=interpreted.error,
            weight=question.weight if question.scored else 0,
            socle=question.socle,
            target_level=question.target_level,
            hidden_as=None if visible or parent is None else _hidden_as(parent),
        )
    return results


def _hidden_as(parent: QuestionResult) -> str:
    if not parent.visible:
        return parent.hidden_as or PENDING  # a chain: the grandparent decides
    if parent.state == ANSWERED:
        return GATED
    if parent.state in (DONT_KNOW, GHT, NA):
        return parent.state
    return PENDING


def _visible(
    question: Question, answers: Mapping[str, RawAnswer], done: Mapping[str, QuestionResult]
) -> bool:
    if question.depends_on is None:
        return True
    parent_id, options = question.depends_on
    parent = done.get(parent_id)
    if parent is None or not parent.visible or parent.state != ANSWERED:
        return False
    value = answers[parent_id].value
    chosen = [value] if isinstance(value, str) else list(value or [])
    return any(option in chosen for option in options)


def _mean(values: list[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def score(
    questionnaire: Questionnaire, answers: Mapping[str, RawAnswer], today: dt.date | None = None
) -> ScoreResult:
    results = resolve(questionnaire, answers, today)
    scored = [r for r in results.values() if r.weight > 0]
    min_coverage = Fraction(str(questionnaire.min_coverage))
    axes: dict[str, AxisResult] = {}
    exact_scores: list[Fraction] = []
    exact_prudent: list[Fraction] = []
    for axis in questionnaire.axes:
        result, exact, prudent = _axis_result(
            axis.id, [r for r in scored if r.axis_id == axis.id], min_coverage)
        axes[axis.id] = result
        exact_scores += [exact] if exact is not None else []
        exact_prudent += [prudent] if prudent is not None else []
    overall = _mean(exact_scores)
    uncapped = level_from_score(overall) if overall is not None else None
    overall_level = uncapped
    if uncapped is not None and any(a.cap_applies for a in axes.values()):
        overall_level = min(uncapped, SOCLE_CAP_LEVEL)
    applicable = [r for r in scored if r.applicable]
    covered = [r for r in applicable if r.level is not None or r.counted_state == GHT]
    by_id = {q.id: q for q in questionnaire.questions}
    judged = [r for r in scored if r.judged and r.counted_state != NA]
    return ScoreResult(
        scoring_version=SCORING_VERSION,
        questionnaire=questionnaire.label,
        axes=axes,
        overall=_exact(overall),
        overall_prudent=_exact(_mean(exact_prudent)),
        overall_level=overall_level,
        overall_capped=overall_level != uncapped,
        socle=_ratio([r for r in judged if r.socle], by_id),
        domains={
            domain: _ratio([r for r in judged if domain in by_id[r.id].domains], by_id)
            for domain in DOMAINS
        },
        completeness=100 * len(covered) / len(applicable) if applicable else None,
        weakest=_weakest([r for r in applicable if r.visible]),
        questions=results,
    )


def _axis_result(axis_id: str, results: list[QuestionResult], min_coverage: Fraction
                 ) -> tuple[AxisResult, Fraction | None, Fraction | None]:
    applicable = [r for r in results if r.applicable]
    with_level = [r for r in applicable if r.level is not None]
    dont_know = [r for r in applicable if r.counted_state == DONT_KNOW]
    ght = [r for r in applicable if r.counted_state == GHT]
    points = sum(r.weight * r.level for r in with_level)  # type: ignore[operator]
    weight = sum(r.weight for r in with_level)
    prudent_weight = weight + sum(r.weight for r in dont_know)
    exact = _percent(points, weight) if weight else None
    prudent = _percent(points, prudent_weight) if prudent_weight else None
    coverage = (Fraction(len(with_level) + len(ght), len(applicable)) if applicable else None)
    level = level_from_score(exact) if exact is not None else None
    cap_applies = any(r.socle and r.level == 0 for r in with_level)
    capped = False
    if level is not None and cap_applies and level > SOCLE_CAP_LEVEL:
        level, capped = SOCLE_CAP_LEVEL, True
    result = AxisResult(
        axis_id=axis_id,
        score=_exact(exact),
        prudent_score=_exact(prudent),
        level=level,
        capped=capped,
        cap_applies=cap_applies,
        coverage=_exact(100 * coverage) if coverage is not None else None,
        provisional=coverage is not None and coverage < min_coverage,
        applicable=len(applicable),
        answered=len(with_level),
        not_applicable=sum(1 for r in results if r.counted_state == NA),
        dont_know=len(dont_know),
        ght=len(ght),
        unanswered=sum(1 for r in applicable if r.visible and r.state is None),
        weighted_points=points,
        weight_total=weight,
        contributions=[Contribution(r.id, r.weight, r.level) for r in with_level],  # type: ignore[arg-type]
    )
    return result, exact, prudent


def _ratio(results: list[QuestionResult], by_id: Mapping[str, Question]) -> RatioResult:
    counted = [r for r in results if r.counted_state != GHT]
    met = [r for r in counted if r.level is not None and r.level >= by_id[r.id].socle_min_level]
    return RatioResult(
        met=len(met),
        total=len(counted),
        dont_know=sum(1 for r in counted if r.counted_state == DONT_KNOW),
        unanswered=sum(1 for r in counted if r.counted_state is None and not r.gated),
        ght=len(results) - len(counted),
        missing=[r.id for r in counted if r not in met],
        gated=sum(1 for r in counted if r.gated),
    )


def _weakest(applicable: list[QuestionResult], limit: int = WEAKEST_LIMIT) -> list[str]:
    gaps = [r for r in applicable if r.level is not None and r.level < r.target_level]
    gaps.sort(key=lambda r: (not r.socle, -(r.target_level - r.level) * r.weight, r.id))  # type: ignore[operator]
    return [r.id for r in gaps[:limit]]
