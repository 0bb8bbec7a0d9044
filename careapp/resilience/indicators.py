"""Crisis exercise indicators (pure: the exercises and today's date in, figures out).

The yearly rule: an exercise *held* between the same day one year ago (included) and today
(included) satisfies it; on 29 February, one year ago is 28 February. A RETEX is due within
30 days of the exercise: it is missing from day 31 on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from careapp.messages import Msg

RETEX_DUE_DAYS = 30


class ExerciseLike(Protocol):
    id: int
    held_on: dt.date
    retex_on: dt.date | None

    @property
    def is_held(self) -> bool: ...


@dataclass(frozen=True)
class ExerciseIndicators:
    today: dt.date
    last_held_on: dt.date | None
    days_since_last: int | None
    within_12_months: bool
    held_per_year: dict[int, int]
    next_planned_on: dt.date | None
    retex_missing: tuple[int, ...]  # exercise ids
    planned_in_past: tuple[int, ...]  # planned exercises whose date has gone by
    warnings: list[Msg] = field(default_factory=list)


def one_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def held_within_12_months(held_on: dt.date, today: dt.date) -> bool:
    return one_year_before(today) <= held_on <= today


def retex_overdue(exercise: ExerciseLike, today: dt.date) -> bool:
    return (exercise.is_held and exercise.retex_on is None
            and (today - exercise.held_on).days > RETEX_DUE_DAYS)


def exercise_indicators(exercises: Iterable[ExerciseLike], today: dt.date) -> ExerciseIndicators:
    exercises = list(exercises)
    held = sorted((e for e in exercises if e.is_held and e.held_on <= today),
                  key=lambda e: e.held_on)
    planned = sorted((e for e in exercises if not e.is_held), key=lambda e: e.held_on)
    last = held[-1].held_on if held else None
    within = last is not None and held_within_12_months(last, today)
    missing = tuple(e.id for e in held if retex_overdue(e, today))
    past_planned = tuple(e.id for e in planned if e.held_on < today)
    upcoming = [e.held_on for e in planned if e.held_on >= today]
    warnings: list[Msg] = []
    if not within:
        warnings.append(Msg("Aucun exercice de crise cyber réalisé au cours des 12 derniers mois : "
                            "l'exercice annuel est obligatoire."))
    if missing:
        warnings.append(Msg("RETEX manquant plus de %(days)d jours après l'exercice : "
                            "%(count)d exercice(s).", days=RETEX_DUE_DAYS, count=len(missing)))
    if past_planned:
        warnings.append(Msg("%(count)d exercice(s) planifié(s) dont la date est passée : "
                            "indiquez s'ils ont eu lieu.", count=len(past_planned)))
    return ExerciseIndicators(
        today=today,
        last_held_on=last,
        days_since_last=(today - last).days if last else None,
        within_12_months=within,
        held_per_year=dict(sorted(Counter(e.held_on.year for e in held).items())),
        next_planned_on=upcoming[0] if upcoming else None,
        retex_missing=missing,
        planned_in_past=past_planned,
        warnings=warnings,
    )
