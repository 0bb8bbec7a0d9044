"""Interpretation of one stored answer against its question (pure).

An answer is kept exactly as typed, even when it is invalid, so that nothing is lost; this
module says what it means: its state, its level and, when it cannot count, why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from careapp.messages import Msg
from careapp.questionnaires.model import Question

ANSWERED = "answered"
NA = "na"
DONT_KNOW = "dont_know"
GHT = "ght"
STATES = (ANSWERED, NA, DONT_KNOW, GHT)
UNKNOWN_STATE = "unknown"  # stored for a state the form never offers (tampered input)

STATE_LABELS = {
    ANSWERED: Msg("Répondu"),
    NA: Msg("Non applicable"),
    DONT_KNOW: Msg("Je ne sais pas"),
    GHT: Msg("Géré par le GHT"),
}


@dataclass(frozen=True)
class RawAnswer:
    """What was saved for a question: never rejected, only interpreted."""

    state: str | None = None
    value: Any = None
    justification: str = ""


@dataclass(frozen=True)
class Interpreted:
    state: str | None  # None: unanswered (or invalid)
    level: int | None = None  # only for a valid scored answer
    error: str | None = None


def parse_number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".").rstrip("%")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def _has_value(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return bool(value)
    return True


def _fmt(number: float) -> str:
    return f"{number:g}".replace(".", ",")


def _bounds_problem(bounds: dict[str, Any], number: float) -> str | None:
    low, high = bounds.get("min"), bounds.get("max")
    if bounds.get("integer") and not number.is_integer():
        return Msg("Saisissez un nombre entier.")
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            return Msg("Saisissez une valeur entre %(low)s et %(high)s.", low=_fmt(low),
                       high=_fmt(high))
        return (Msg("Saisissez une valeur d'au moins %(low)s.", low=_fmt(low)) if low is not None
                else Msg("Saisissez une valeur d'au plus %(high)s.", high=_fmt(high)))
    return None


def interpret(question: Question, raw: RawAnswer | None, today: dt.date | None = None) -> Interpreted:
    if raw is None:
        return Interpreted(None)
    state = raw.state
    if state is None:
        # A value typed without choosing a state means "answered".
        state = ANSWERED if _has_value(raw.value) else None
    if state is None:
        return Interpreted(None)
    if state in STATE_LABELS and state != ANSWERED and _has_value(raw.value):
        return Interpreted(None, error=Msg(
            "Vous avez saisi une réponse et choisi « %(state)s » : effacez la réponse ou "
            "revenez à « Je réponds ».", state=STATE_LABELS[state]))
    if state == NA:
        if not question.allow_na:
            return Interpreted(None, error=Msg("« Non applicable » n'est pas proposé pour cette question."))
        if not (raw.justification or "").strip():
            return Interpreted(None, error=Msg("Justifiez « Non applicable » en quelques mots."))
        return Interpreted(NA)
    if state == DONT_KNOW:
        if not question.allow_dont_know:
            return Interpreted(None, error=Msg("« Je ne sais pas » n'est pas proposé pour cette question."))
        return Interpreted(DONT_KNOW)
    if state == GHT:
        if not question.allow_ght:
            return Interpreted(None, error=Msg("« Géré par le GHT » n'est pas proposé pour cette question."))
        return Interpreted(GHT)
    if state != ANSWERED:
        return Interpreted(None, error=Msg("État de réponse inconnu."))
    return _interpret_value(question, raw.value, today or dt.date.today())


def _interpret_value(question: Question, value: Any, today: dt.date) -> Interpreted:
    if not _has_value(value):
        return Interpreted(None)
    kind = question.type
    if kind in {"single", "multi"}:
        chosen = [value] if isinstance(value, str) else value
        if not isinstance(chosen, list) or not all(isinstance(v, str) for v in chosen):
            return Interpreted(None, error=Msg("Réponse illisible : choisissez une option."))
        if kind == "single" and len(chosen) != 1:
            return Interpreted(None, error=Msg("Choisissez une seule option."))
        unknown = [v for v in chosen if question.option(v) is None]
        if unknown:
            return Interpreted(None, error=Msg("Option inconnue : choisissez parmi la liste."))
        if question.multi_aggregation == "count" and len(chosen) > 1:
            # In a counted list the level-0 option means "none of these": it stands alone.
            nothing = [v for v in chosen if question.option(v).level == 0]  # type: ignore[union-attr]
            if nothing:
                label = question.option(nothing[0]).label["fr"]  # type: ignore[union-attr]
                return Interpreted(None, error=Msg(
                    "« %(option)s » ne peut pas être coché avec d'autres réponses.", option=label))
        return Interpreted(ANSWERED, question.level_for_options(chosen))
    if kind in {"number", "percent"}:
        number = parse_number(value)
        if number is None:
            return Interpreted(None, error=Msg("Saisissez un nombre (par exemple 2,5)."))
        if number < 0:
            return Interpreted(None, error=Msg("Saisissez un nombre positif ou nul."))
        if kind == "percent" and number > 100:
            return Interpreted(None, error=Msg("Un pourcentage est compris entre 0 et 100."))
        problem = _bounds_problem(question.bounds, number)
        if problem:
            return Interpreted(None, error=problem)
        return Interpreted(ANSWERED, question.level_for_number(number))
    if kind == "date":
        try:
            when = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            return Interpreted(None, error=Msg("Date invalide : utilisez le format AAAA-MM-JJ."))
        if when > today:
            return Interpreted(None, error=Msg("Cette date est dans le futur."))
        return Interpreted(ANSWERED)
    if not isinstance(value, str):
        return Interpreted(None, error=Msg("Texte illisible."))
    return Interpreted(ANSWERED)
