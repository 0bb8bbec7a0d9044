"""Roadmap proposals from the gaps (pure: results and registers in, proposals out).

Priority rules (documented for the people who read the roadmap):
- a question below its action threshold gives an action whose rank is weight × gap (gap =
  target level − level, at least 1), doubled for a Socle Cyber question; socle → P1, rank ≥ 4
  → P2, otherwise P3;
- "Je ne sais pas" gives a "find out" action: P2 for a socle question, P3 otherwise;
- no exercise held in the last 12 months → P1 (the yearly exercise is mandatory); a RETEX
  missing 30 days after an exercise → P2;
- a D2 prerequisite not met → P1, an objective not met → P2, unknown → P3 ("find out").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from careapp.assessments.scoring import QuestionResult
from careapp.messages import Msg
from careapp.questionnaires.model import Questionnaire
from careapp.resilience.d2 import D2Readiness, Readiness
from careapp.resilience.indicators import ExerciseIndicators, ExerciseLike
from careapp.roadmap.models import Origin, Priority

# Keys of generated actions start with one of these; manual actions and actions sent from an
# exercise finding have other keys and are never proposed as done by a generation.
GENERATED_PREFIXES = ("question:", "exercise:", "d2:")
SOCLE_FACTOR = 2
P2_RANK = 4
BACKUP_ITEMS = frozenset({"backup_policy", "backup_auth", "backup_isolation", "backup_321",
                          "backup_monitoring", "restore_test"})

Text = dict[str, str] | Msg  # bilingual text from the questionnaire, or a message to translate


@dataclass(frozen=True)
class Proposal:
    key: str
    origin: Origin
    origin_ref: str
    title: Text
    detail: Text
    axis_id: str | None
    domain: str | None
    priority: Priority
    rank: float


def _question_proposals(questionnaire: Questionnaire, results: Mapping[str, QuestionResult]
                        ) -> list[Proposal]:
    proposals = []
    for question in questionnaire.questions:
        result = results.get(question.id)
        if result is None or not question.scored or not result.visible:
            continue
        factor = SOCLE_FACTOR if question.socle else 1
        domain = question.domains[0] if question.domains else None
        if result.state == "dont_know":
            proposals.append(Proposal(
                key=f"question:{question.id}:find-out", origin=Origin.QUESTION,
                origin_ref=question.id,
                title={"fr": f"Se renseigner : {question.text['fr']}",
                       "en": f"Find out: {question.text.get('en') or question.text['fr']}"},
                detail={"fr": "Réponse « Je ne sais pas » à l'auto-évaluation.",
                        "en": "Answered \"I don't know\" in the self-assessment."},
                axis_id=question.axis_id, domain=domain,
                priority=Priority.P2 if question.socle else Priority.P3,
                rank=float(question.weight * factor) / 2))
            continue
        below = int(question.action.get("below_level", question.target_level))
        if result.state != "answered" or result.level is None or result.level >= below:
            continue
        gap = max(question.target_level - result.level, 1)
        rank = float(question.weight * gap * factor)
        priority = (Priority.P1 if question.socle
                    else Priority.P2 if rank >= P2_RANK else Priority.P3)
        proposals.append(Proposal(
            key=f"question:{question.id}", origin=Origin.QUESTION, origin_ref=question.id,
            title=dict(question.action["title"]),
            detail={"fr": f"{question.id} : niveau {result.level}, cible {question.target_level}"
                          + (" (Socle Cyber)." if question.socle else "."),
                    "en": f"{question.id}: level {result.level}, target {question.target_level}"
                          + (" (Socle Cyber)." if question.socle else ".")},
            axis_id=question.axis_id, domain=domain, priority=priority, rank=rank))
    return proposals


def _exercise_proposals(indicators: ExerciseIndicators, exercises: Iterable[ExerciseLike]
                        ) -> list[Proposal]:
    proposals = []
    if not indicators.within_12_months:
        detail = (Msg("Dernier exercice réalisé le %(date)s.",
                      date=indicators.last_held_on.strftime("%d/%m/%Y"))
                  if indicators.last_held_on else Msg("Aucun exercice réalisé au registre."))
        proposals.append(Proposal(
            key="exercise:yearly", origin=Origin.EXERCISE, origin_ref="",
            title=Msg("Réaliser l'exercice de crise cyber annuel (kits ANS)"), detail=detail,
            axis_id="GOV", domain="D2", priority=Priority.P1, rank=10.0))
    by_id = {e.id: e for e in exercises}
    for exercise_id in indicators.retex_missing:
        held_on: dt.date = by_id[exercise_id].held_on
        proposals.append(Proposal(
            key=f"exercise:{exercise_id}:retex", origin=Origin.EXERCISE,
            origin_ref=str(exercise_id),
            title=Msg("Rédiger le RETEX de l'exercice du %(date)s",
                      date=held_on.strftime("%d/%m/%Y")),
            detail=Msg("Le RETEX est attendu dans les 30 jours qui suivent l'exercice."),
            axis_id="GOV", domain="D2", priority=Priority.P2, rank=6.0))
    return proposals


def _d2_proposals(readiness: D2Readiness) -> list[Proposal]:
    proposals = []
    for item in readiness.items:
        if item.status is Readiness.MET:
            continue
        if item.status is Readiness.UNKNOWN:
            title = Msg("Renseigner et vérifier : %(item)s", item=item.label)
            priority, rank = Priority.P3, 2.0
        elif item.kind == "prerequisite":
            title, priority, rank = (Msg("Prérequis D2 à remplir : %(item)s", item=item.label),
                                     Priority.P1, 8.0)
        else:
            title, priority, rank = (Msg("Objectif D2 à atteindre : %(item)s", item=item.label),
                                     Priority.P2, 5.0)
        proposals.append(Proposal(
            key=f"d2:{item.id}", origin=Origin.CONTINUITY, origin_ref=item.id, title=title,
            detail=item.evidence, axis_id="OPS" if item.id in BACKUP_ITEMS else "GOV",
            domain="D2", priority=priority, rank=rank))
    return proposals


def generate(questionnaire: Questionnaire | None, results: Mapping[str, QuestionResult] | None,
             indicators: ExerciseIndicators, exercises: Iterable[ExerciseLike],
             readiness: D2Readiness) -> list[Proposal]:
    proposals = []
    if questionnaire is not None and results is not None:
        proposals += _question_proposals(questionnaire, results)
    proposals += _exercise_proposals(indicators, exercises)
    proposals += _d2_proposals(readiness)
    return sorted(proposals, key=lambda p: (p.priority.value, -p.rank, p.key))
