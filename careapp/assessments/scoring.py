"""CaRE scoring: a pure function of a questionnaire and its answers (no I/O, no clock).

The arithmetic, documented once here and explained to users on the results page:

* Visible questions: a question whose `depends_on` condition does not hold is out of scope.
* Applicable questions: visible scored questions (weight ≥ 1) not marked "Non applicable".
* Axis score (declared reading) = Σ weight × level / Σ weight over the questions answered with
  a level, divided by 3, × 100. "Je ne sais pas" and "Géré par le GHT" are left out.
* Axis score (prudent reading): the same, but each "Je ne sais pas" counts as level 0.
* Coverage of an axis = (answered with a level + GHT-managed) / applicable questions; below
  the questionnaire's `min_coverage` the axis score is marked provisional.
* Maturity level from the score: < 25 Initial (0), < 50 Partiel (1), < 75 Maîtrisé (2),
  otherwise Optimisé (3); an axis with a socle question answered at level 0 is capped at 1.
* Overall score = mean of the axis scores that exist (each axis weighs the same); its level is
  capped at 1 too when any axis is capped.
* Socle Cyber attainment = socle questions at or above their minimum level / applicable socle
  questions (GHT-managed ones are counted apart, not in the ratio). A socle question hidden
  because the answer it depends on rules it out (e.g. "ADS level" when no AD audit was done)
  counts as not met: skipping a prerequisite must not score better than doing it partly.
* CaRE domain readiness (D1…D4, HospiConnect) = the same ratio over the questions tagged with
  the domain; a domain is ready when every such question meets its level.
* Completeness = (answered with a level + GHT-managed) / applicable questions, all axes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
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

SCORING_VERSION = "1.0"
LEVEL_BOUNDS = (25.0, 50.0, 75.0)
SOCLE_CAP_LEVEL = 1
DOMAINS = ("D1", "D2", "D3", "D4", "HOSPICONNECT")


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
    gated: bool = False  # hidden because the answer it depends on rules it out

    @property
    def applicable(self) -> bool:
        return self.visible and self.state != NA

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
    score: float | None
    prudent_score: float | None
    level: int | None
    capped: bool
    coverage: float | None
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


@dataclass(frozen=True)
class RatioResult:
    met: int
    total: int
    dont_know: int
    unanswered: int
    ght: int
    missing: list[str]

    @property
    def rate(self) -> float | None:
        return round(100 * self.met / self.total, 1) if self.total else None


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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["socle"]["rate"] = self.socle.rate
        for key, domain in self.domains.items():
            data["domains"][key]["rate"] = domain.rate
        return data


def level_from_score(score: float) -> int:
    return sum(1 for bound in LEVEL_BOUNDS if score >= bound)


def _percent(points: float, weight: int) -> float:
    return round(points / weight / 3 * 100, 1)


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
            gated=not visible and parent is not None and parent.visible
            and parent.state == ANSWERED,
        )
    return results


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


def score(
    questionnaire: Questionnaire, answers: Mapping[str, RawAnswer], today: dt.date | None = None
) -> ScoreResult:
    results = resolve(questionnaire, answers, today)
    scored = [r for r in results.values() if r.weight > 0]
    axes = {
        axis.id: _axis_result(axis.id, [r for r in scored if r.axis_id == axis.id],
                              questionnaire.min_coverage)
        for axis in questionnaire.axes
    }
    present = [a.score for a in axes.values() if a.score is not None]
    prudent = [a.prudent_score for a in axes.values() if a.prudent_score is not None]
    overall = round(sum(present) / len(present), 1) if present else None
    overall_level = level_from_score(overall) if overall is not None else None
    if overall_level is not None and any(a.capped for a in axes.values()):
        overall_level = min(overall_level, SOCLE_CAP_LEVEL)
    applicable = [r for r in scored if r.applicable]
    required = applicable + [r for r in scored if r.gated]  # for the socle and domain ratios
    covered = [r for r in applicable if r.level is not None or r.state == GHT]
    by_id = {q.id: q for q in questionnaire.questions}
    return ScoreResult(
        scoring_version=SCORING_VERSION,
        questionnaire=questionnaire.label,
        axes=axes,
        overall=overall,
        overall_prudent=round(sum(prudent) / len(prudent), 1) if prudent else None,
        overall_level=overall_level,
        socle=_ratio([r for r in required if r.socle], by_id),
        domains={
            domain: _ratio([r for r in required if domain in by_id[r.id].domains], by_id)
            for domain in DOMAINS
        },
        completeness=round(100 * len(covered) / len(applicable), 1) if applicable else None,
        weakest=_weakest(applicable),
        questions=results,
    )


def _axis_result(axis_id: str, results: list[QuestionResult], min_coverage: float) -> AxisResult:
    applicable = [r for r in results if r.applicable]
    with_level = [r for r in applicable if r.level is not None]
    dont_know = [r for r in applicable if r.state == DONT_KNOW]
    ght = [r for r in applicable if r.state == GHT]
    points = sum(r.weight * r.level for r in with_level)  # type: ignore[operator]
    weight = sum(r.weight for r in with_level)
    prudent_weight = weight + sum(r.weight for r in dont_know)
    score_value = _percent(points, weight) if weight else None
    coverage = (len(with_level) + len(ght)) / len(applicable) if applicable else None
    level = level_from_score(score_value) if score_value is not None else None
    capped = False
    if level is not None and level > SOCLE_CAP_LEVEL and any(
        r.socle and r.level == 0 for r in with_level
    ):
        level, capped = SOCLE_CAP_LEVEL, True
    return AxisResult(
        axis_id=axis_id,
        score=score_value,
        prudent_score=_percent(points, prudent_weight) if prudent_weight else None,
        level=level,
        capped=capped,
        coverage=round(100 * coverage, 1) if coverage is not None else None,
        provisional=coverage is not None and coverage < min_coverage,
        applicable=len(applicable),
        answered=len(with_level),
        not_applicable=sum(1 for r in results if r.visible and r.state == NA),
        dont_know=len(dont_know),
        ght=len(ght),
        unanswered=sum(1 for r in applicable if r.state is None),
        weighted_points=points,
        weight_total=weight,
        contributions=[Contribution(r.id, r.weight, r.level) for r in with_level],  # type: ignore[arg-type]
    )


def _ratio(results: list[QuestionResult], by_id: Mapping[str, Question]) -> RatioResult:
    counted = [r for r in results if r.state != GHT]
    met = [r for r in counted if r.level is not None and r.level >= by_id[r.id].socle_min_level]
    return RatioResult(
        met=len(met),
        total=len(counted),
        dont_know=sum(1 for r in counted if r.state == DONT_KNOW),
        unanswered=sum(1 for r in counted if r.state is None),
        ght=len(results) - len(counted),
        missing=[r.id for r in counted if r not in met],
    )


def _weakest(applicable: list[QuestionResult], limit: int = 10) -> list[str]:
    gaps = [r for r in applicable if r.level is not None and r.level < r.target_level]
    gaps.sort(key=lambda r: (not r.socle, -(r.target_level - r.level) * r.weight, r.id))  # type: ignore[operator]
    return [r.id for r in gaps[:limit]]
