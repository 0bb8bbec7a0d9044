"""The « À relancer » list of the ARS dashboard (pure): which establishments of the region to
follow up, each with its reasons as French sentences (lazy strings, shown in the person's
language).

Reasons:
- not submitted while the campaign's deadline is within DEADLINE_DAYS days or gone by;
- a submitted assessment whose Socle Cyber rate is below SOCLE_TARGET;
- (registers, for who may see them) no crisis exercise held in the last 12 months
  (careapp/resilience/indicators.held_within_12_months, the yearly rule);
- (registers) overdue P1 roadmap actions: open P1 actions due before the line's day (the
  lines' `overdue_p1`; an overdue P2 beside a P1 not yet due is no reason).

The Socle Cyber target is the whole socle: care-reference.md, "Axis 4 — Sécurité
opérationnelle", asks establishments to "reach, then keep, a set of objectives called the
Socle Cyber" — every objective of it, so anything under 100 % of its requirements met is below
target, and the funding domains (D1–D4) attest those objectives one by one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from flask_babel import lazy_gettext as _l

from careapp.resilience.indicators import held_within_12_months

DEADLINE_DAYS = 30
SOCLE_TARGET = 100.0  # percent of the socle's requirements met


@dataclass(frozen=True)
class FollowUp:
    establishment_id: int
    name: str
    finess_et: str | None
    assessment_id: int | None
    reasons: list[Any]


def _present(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return False
    if isinstance(value, float):  # numpy floats too
        return value == value  # noqa: PLR0124 - NaN is the one value not equal to itself
    if isinstance(value, (str, int, dt.date)):  # the frame's usual values: no pandas call
        return True
    try:
        return value is not None and not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


def reasons_for(row: dict[str, Any], deadline: dt.date, today: dt.date,
                with_registers: bool) -> list[Any]:
    """The reasons to follow up one establishment (empty: nothing to do)."""
    reasons: list[Any] = []
    status = row.get("status") if _present(row.get("status")) else None
    if status != "submitted":
        days = (deadline - today).days
        if days < 0:
            reasons.append(_l("Évaluation non soumise alors que la date limite (%(date)s) est "
                              "passée.", date=deadline.strftime("%d/%m/%Y")))
        elif days <= DEADLINE_DAYS:
            reasons.append(_l("Évaluation non soumise à %(days)s jour(s) de la date limite "
                              "(%(date)s).", days=days, date=deadline.strftime("%d/%m/%Y")))
    elif _present(row.get("socle_rate")) and float(row["socle_rate"]) < SOCLE_TARGET:
        reasons.append(_l("Socle Cyber non entièrement atteint (%(rate)s %% des exigences).",
                          rate=int(float(row["socle_rate"]))))
    if with_registers:
        last = row.get("last_exercise_on")
        if not _present(last) or not held_within_12_months(last, today):
            reasons.append(_l("Aucun exercice de crise réalisé dans les 12 derniers mois."))
        overdue_p1 = int(row.get("overdue_p1") or 0)  # the line's count (never guessed)
        if overdue_p1 > 0:
            reasons.append(_l("%(count)s action(s) P1 de la feuille de route en retard.",
                              count=overdue_p1))
    return reasons


_READ = ("establishment_id", "name", "finess_et", "assessment_id", "status", "socle_rate",
         "last_exercise_on", "overdue_p1")


def to_follow_up(frame: pd.DataFrame, deadline: dt.date, today: dt.date,
                 with_registers: bool) -> list[FollowUp]:
    """Every establishment with at least one reason, by number of reasons then name."""
    out = []
    # Only the columns read here: a frame's other columns (axes, domains…) cost their
    # conversion for every row.
    columns = [c for c in _READ if c in frame.columns]
    for values in zip(*(frame[c].tolist() for c in columns), strict=True):
        row = dict(zip(columns, values, strict=True))
        reasons = reasons_for(row, deadline, today, with_registers)
        if reasons:
            out.append(FollowUp(int(row["establishment_id"]), row["name"],
                                row.get("finess_et"),
                                int(row["assessment_id"]) if _present(row.get("assessment_id"))
                                else None, reasons))
    out.sort(key=lambda f: (-len(f.reasons), f.name.casefold()))
    return out
