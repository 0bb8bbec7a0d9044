"""Questionnaires and answers for the scoring tests: small hand-built questionnaires, and answers
to the shipped one at a chosen level."""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from typing import Any

import yaml

from careapp.assessments.answers import ANSWERED, RawAnswer
from careapp.config import PROJECT_ROOT
from careapp.questionnaires.model import Question, Questionnaire, build_questionnaire
from careapp.questionnaires.validation import validate_data

QUESTIONNAIRES = PROJECT_ROOT / "questionnaires"


def text(s: str) -> dict[str, str]:
    return {"fr": s, "en": s}


def question(qid: str, weight: int = 1, *, socle: bool = False, domains: list[str] | None = None,
             **extra: Any) -> dict[str, Any]:
    """A single-choice question with options l0…l3 at levels 0…3."""
    q = {
        "id": qid, "since": "1.0.0", "type": "single", "text": text(qid), "help": text("aide"),
        "weight": weight, "socle": socle, "domains": domains or [],
        "allow_na": True, "allow_dont_know": True, "allow_ght": True,
        "options": [{"id": f"l{n}", "label": text(f"niveau {n}"), "level": n} for n in range(4)],
        "action": {"title": text("agir"), "below_level": 2},
    }
    q.update(extra)
    return q


def questionnaire_data(axes: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "id": "mini", "version": "1.0.0", "status": "active", "title": text("Mini"),
        "languages": ["fr", "en"],
        "scale": [{"level": n, "label": text(str(n)), "definition": text(str(n))}
                  for n in range(4)],
        "scoring": {"min_coverage": 0.8, "default_target_level": 2, "socle_min_level": 2},
        "axes": [
            {"id": axis, "title": text(axis),
             "sections": [{"id": f"{axis}-S", "title": text("s"), "questions": questions}]}
            for axis, questions in axes.items()
        ],
    }


def build(axes: dict[str, list[dict[str, Any]]]) -> Questionnaire:
    data = questionnaire_data(axes)
    assert validate_data(data, QUESTIONNAIRES) == []
    return build_questionnaire(data)


def lv(level: int) -> RawAnswer:
    return RawAnswer(ANSWERED, f"l{level}")


def exact(numerator: int, denominator: int) -> float:
    """The float the scoring stores for an exact fraction (no rounding on the way)."""
    return float(Fraction(numerator, denominator))


@cache
def care() -> Questionnaire:
    data = yaml.safe_load((QUESTIONNAIRES / "care-v1.yaml").read_text(encoding="utf-8"))
    return build_questionnaire(data)


def at(q: Question, level: int) -> RawAnswer:
    """An answer to a question of the shipped questionnaire as close as possible to `level`."""
    if q.type == "single":
        option = min(q.options, key=lambda o: (abs(o.level - level), -o.level))
        return RawAnswer(ANSWERED, option.id)
    if q.type == "multi":
        positive = [o.id for o in q.options if o.level > 0]
        for n in range(len(positive) + 1):
            chosen = positive[:n] or [o.id for o in q.options if o.level == 0]
            if (q.level_for_options(chosen) or 0) >= level:
                return RawAnswer(ANSWERED, chosen)
        return RawAnswer(ANSWERED, positive)
    if q.type in {"number", "percent"}:
        reachable = [t for t in q.thresholds if t.level <= level] or [q.thresholds[0]]
        return RawAnswer(ANSWERED, str(max(reachable[-1].min, q.bounds.get("min", 0))))
    if q.type == "date":
        return RawAnswer(ANSWERED, "2026-01-15")
    return RawAnswer(ANSWERED, "note")


def care_answers(level: int = 2, **overrides: RawAnswer) -> dict[str, RawAnswer]:
    """Every question of the shipped questionnaire at `level`, with some answers replaced
    (keyword names use "_" for "-": GOV_01=...)."""
    answers = {q.id: at(q, level) for q in care().questions}
    answers.update({key.replace("_", "-"): value for key, value in overrides.items()})
    return answers
