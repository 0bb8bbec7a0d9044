"""What the registers say about questions the questionnaire also asks, and contradictions.

The question ↔ register mapping is data (questionnaires/crosschecks/*.yaml); the facts and the
comparison are pure functions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import yaml

from careapp.assessments.answers import RawAnswer
from careapp.messages import Msg
from careapp.questionnaires.model import Questionnaire
from careapp.resilience.d2 import ActivityLike, ProfileLike
from careapp.resilience.indicators import ExerciseIndicators
from careapp.resilience.models import TestResult
from careapp.resilience.rules import RULES


@dataclass(frozen=True)
class Crosscheck:
    question_id: str
    fact: str
    yes: frozenset[str]
    no: frozenset[str]


@dataclass(frozen=True)
class Fact:
    value: bool | None  # None: the register does not say
    evidence: Msg


@dataclass(frozen=True)
class Contradiction:
    question_id: str
    declared: str  # option id
    fact: Fact


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def register_facts(indicators: ExerciseIndicators, profile: ProfileLike | None,
                   activities: Sequence[ActivityLike], has_exercises: bool) -> dict[str, Fact]:
    facts: dict[str, Fact] = {}
    if not has_exercises:
        facts["exercise_within_12_months"] = Fact(None, Msg("Registre des exercices vide."))
    elif indicators.last_held_on is None:
        facts["exercise_within_12_months"] = Fact(False, Msg("Aucun exercice réalisé au registre."))
    else:
        facts["exercise_within_12_months"] = Fact(
            indicators.within_12_months,
            Msg("Dernier exercice réalisé le %(date)s (il y a %(days)d jours).",
                date=_date(indicators.last_held_on), days=indicators.days_since_last or 0))
    # An empty date is "not stated" here, as in the D2 checklist: no contradiction is raised on
    # missing data.
    unknown = Fact(None, Msg("Le registre ne renseigne pas ce point."))
    if profile is None:
        facts.update(dict.fromkeys(
            ("pssi_recent", "plan_blanc_digital", "crisis_cell_defined", "restore_test_done",
             "restore_in_phase", "protected_copy"),
            unknown))
    else:
        pssi = profile.pssi_reviewed_on
        facts["pssi_recent"] = unknown if pssi is None else Fact(
            pssi >= RULES.pssi_reviewed_since, Msg("PSSI révisée le %(date)s.", date=_date(pssi)))
        blanc = profile.plan_blanc_digital_on
        facts["plan_blanc_digital"] = unknown if blanc is None else Fact(
            True, Msg("Volet numérique du plan blanc daté du %(date)s.", date=_date(blanc)))
        cell = profile.crisis_cell_defined
        facts["crisis_cell_defined"] = unknown if cell is None else Fact(
            cell, Msg("Cellule de crise déclarée définie.") if cell
            else Msg("Cellule de crise déclarée non définie."))
        facts["restore_test_done"], facts["restore_in_phase"] = _restore_facts(profile, unknown)
        facts["protected_copy"] = _protected_copy(profile, unknown)
    tested = [a.last_test_on for a in activities if a.last_test_on is not None]
    if tested:
        facts["field_test_done"] = Fact(True, Msg("Dernier test terrain le %(date)s.",
                                                  date=_date(max(tested))))
    elif activities:
        facts["field_test_done"] = Fact(False, Msg("Aucun test terrain enregistré pour les "
                                                   "%(count)d activités critiques.",
                                                   count=len(activities)))
    else:
        facts["field_test_done"] = unknown
    return facts


def _restore_facts(profile: ProfileLike, unknown: Fact) -> tuple[Fact, Fact]:
    """A restore test done (care v1 OPS-28), and one that meets D2.O4 (care v2 OPS-32): complete
    and during the operational phase (d2_rules.yaml)."""
    day, result = profile.restore_tested_on, profile.restore_test_result
    if day is None:
        return unknown, unknown
    when, start = _date(day), RULES.operational_phase_start
    early = Fact(False, Msg("Test de restauration du %(date)s, avant la phase opérationnelle "
                            "(%(start)s).", date=when, start=_date(start)))
    if result is None:
        return unknown, early if day < start else unknown
    if result is TestResult.FAILURE:
        failed = Fact(False, Msg("Test de restauration du %(date)s en échec.", date=when))
        return failed, early if day < start else failed
    if result is TestResult.PARTIAL:
        partial = Msg("Test de restauration du %(date)s réussi en partie.", date=when)
        return Fact(True, partial), early if day < start else Fact(False, partial)
    done = Fact(True, Msg("Test de restauration du %(date)s réussi.", date=when))
    return done, early if day < start else done


def _protected_copy(profile: ProfileLike, unknown: Fact) -> Fact:
    """D2.O3.c's protected copy: immutable AND (offline OR off-site)."""
    immutable = profile.backup_copy_immutable
    away = (profile.backup_copy_offline, profile.backup_copy_offsite)
    if immutable is False or away == (False, False):
        return Fact(False, Msg("Copie protégée déclarée non immuable, ou ni hors ligne ni hors "
                               "site."))
    if immutable and True in away:
        return Fact(True, Msg("Copie protégée déclarée à la fois immuable, et hors ligne ou hors "
                              "site."))
    return unknown


def contradictions(checks: Sequence[Crosscheck], answers: Mapping[str, RawAnswer],
                   facts: Mapping[str, Fact]) -> list[Contradiction]:
    found = []
    for check in checks:
        answer = answers.get(check.question_id)
        fact = facts.get(check.fact)
        if answer is None or answer.state != "answered" or fact is None or fact.value is None:
            continue
        declared = answer.value if isinstance(answer.value, str) else None
        if (declared in check.yes and not fact.value) or (declared in check.no and fact.value):
            found.append(Contradiction(check.question_id, declared or "", fact))
    return found


# -- the mapping files ---------------------------------------------------------------------------

SCHEMA_FILE = "crosschecks.schema.json"


class CrosscheckError(RuntimeError):
    pass


def load_crosschecks(directory: Path) -> dict[str, tuple[Crosscheck, ...]]:
    """Every crosschecks/*.yaml beside the questionnaires, by questionnaire key."""
    folder = directory / "crosschecks"
    if not folder.is_dir():
        return {}
    schema = json.loads((folder / SCHEMA_FILE).read_text(encoding="utf-8"))
    loaded: dict[str, tuple[Crosscheck, ...]] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=str)
        if errors:
            raise CrosscheckError(f"{path.name} : {errors[0].message}")
        loaded[data["questionnaire"]] = tuple(
            Crosscheck(c["question"], c["fact"], frozenset(c["yes_options"]),
                       frozenset(c["no_options"]))
            for c in data["checks"])
    return loaded


def check_against(checks: Sequence[Crosscheck], questionnaire: Questionnaire) -> list[str]:
    """Problems of a mapping for one questionnaire version (a question it lacks is fine)."""
    problems = []
    for check in checks:
        if not questionnaire.has_question(check.question_id):
            continue
        question = questionnaire.question(check.question_id)
        known = {o.id for o in question.options}
        if question.type != "single":
            problems.append(f"{check.question_id} : seule une question à choix unique se compare")
        for option in sorted((check.yes | check.no) - known):
            problems.append(f"{check.question_id} : option inconnue « {option} »")
        if check.yes & check.no:
            problems.append(f"{check.question_id} : une option est à la fois oui et non")
    return problems
