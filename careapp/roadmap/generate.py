"""Roadmap proposals from the gaps (pure: results and registers in, proposals out).

Priority rules (documented for the people who read the roadmap):
- a question below its action threshold gives an action ranked and prioritised by
  `question_priority` (gap, weight, funding domain, Socle Cyber: see its docstring);
- "Je ne sais pas" gives a "find out" action: half the rank of a one-level gap, P2 for a
  Socle Cyber or funding-domain question, P3 otherwise;
- no exercise held in the last 12 months → P1 (the yearly exercise is mandatory: action 1 of
  instruction DNS/2025/12, not a D2 objective); a RETEX missing 30 days after an exercise → P2;
- a D2 prerequisite not met → P1, an objective not met → P2, unknown → P3 ("find out").

One gap, one action: a question and a register item that state the same gap (SAME_GAP) make one
action keyed by the question, naming both origins, with the highest priority and rank of its
parts; the keys it absorbed are kept in `aliases` so that people's edits follow it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from careapp.assessments.scoring import QuestionResult
from careapp.messages import Msg
from careapp.questionnaires.model import Questionnaire
from careapp.resilience.d2 import D2Readiness, Readiness
from careapp.resilience.indicators import ExerciseIndicators, ExerciseLike
from careapp.roadmap.models import Origin, Priority

# Keys of generated actions start with one of these; manual actions and actions sent from an
# exercise finding have other keys and are never proposed as done by a generation.
GENERATED_PREFIXES = ("question:", "exercise:", "d2:")
SOCLE_FACTOR = 1.5
FUNDING_FACTOR = 2
FUNDING_DOMAINS = frozenset({"D1", "D2", "D3", "D4", "HOSPICONNECT"})
P1_RANK = 9
P2_RANK = 4
# The yearly exercise and its RETEX: action 1 of instruction DNS/2025/12 (all hospitals), not a
# D2 funding objective.
INSTRUCTION_ACTION_1 = "INSTRUCTION-1"
BACKUP_ITEMS = frozenset({"backup_policy", "backup_plans", "backup_auth", "backup_isolation", "backup_321",
                          "backup_monitoring", "restore_test"})

Text = dict[str, str] | Msg  # bilingual text from the questionnaire, or a message to translate


@dataclass(frozen=True)
class SameGap:
    question_id: str
    key: str  # the register item's action key
    reason: str


# Pairs of origins that state one gap (care-reference.md, D2 objectives and instruction
# DNS/2025/12 action 1): the question's action absorbs the register's.
SAME_GAP: tuple[SameGap, ...] = (
    SameGap("GOV-03", "d2:pssi", "PSSI signée et révisée : prérequis D2, demandé par GOV-03."),
    SameGap("GOV-06", "d2:project_lead", "Organisation projet de la continuité : prérequis "
            "D2.P2, demandé par GOV-06."),
    SameGap("GOV-07", "d2:bia_coverage", "BIA des trois périmètres : objectif D2 de GOV-07."),
    SameGap("GOV-08", "d2:pca_formalised", "PCA formalisé sur les BIA : objectif D2 de GOV-08."),
    SameGap("GOV-10", "d2:field_test", "Test terrain d'un PCA : objectif D2.O1.d, demandé par "
            "GOV-10."),
    SameGap("GOV-10", "d2:test_schedule", "Calendrier des tests : objectif D2.O1.d, demandé "
            "par GOV-10 avec le test terrain."),
    SameGap("GOV-11", "d2:plan_blanc", "Volet cyber du plan blanc : objectif D2 de GOV-11."),
    SameGap("GOV-12", "d2:crisis_cell", "Cellule de crise cyber : objectif D2 de GOV-12."),
    SameGap("GOV-13", "exercise:yearly",
            "Exercice de crise annuel (instruction DNS/2025/12, action 1) : GOV-13 le demande, "
            "le registre des exercices le constate."),
    SameGap("OPS-24", "d2:backup_policy", "Politique de sauvegarde : objectif D2 d'OPS-24."),
    SameGap("OPS-25", "d2:backup_321", "v1 : OPS-25 demande la règle 3-2-1 et la copie "
            "protégée, le point D2 3-2-1 le même fait."),
    SameGap("OPS-29", "d2:backup_321", "v2 : trajectoire 3-2-1 (OPS-29) = point D2 3-2-1."),
    SameGap("OPS-26", "d2:backup_auth", "Authentification propre des sauvegardes : objectif D2."),
    SameGap("OPS-27", "d2:backup_isolation", "« Bouton rouge » : objectif D2 d'OPS-27."),
    SameGap("OPS-28", "d2:restore_test", "v1 : OPS-28 réunit supervision et restauration "
            "réelle, le point D2 de restauration en fait partie."),
    SameGap("OPS-28", "d2:backup_monitoring", "v1 : OPS-28 réunit supervision et "
            "restauration réelle, le point D2 de supervision en fait partie."),
    SameGap("OPS-31", "d2:backup_monitoring", "v2 : supervision des sauvegardes (OPS-31)."),
    SameGap("OPS-32", "d2:restore_test", "v2 : restauration réelle en production (OPS-32)."),
)


def question_priority(weight: float, gap: float, domains: Iterable[str], socle: bool
                      ) -> tuple[Priority, float]:
    """Priority and rank of a question's gap.

    rank = weight × gap × 2 (funding domain D1–D4 or HospiConnect) × 1.5 (Socle Cyber);
    P1 when rank ≥ 9, P2 when rank ≥ 4, P3 otherwise. Worked examples: a Socle Cyber D2
    question of weight 3 one level short → 3 × 1 × 2 × 1.5 = 9 → P1; the same question outside
    the socle → 6 → P2; a socle question of weight 2 outside any funding domain (an IT charter)
    one level short → 3 → P3, two levels short → 6 → P2; a weight-3 question with no domain and
    no socle three levels short → 9 → P1."""
    rank = float(weight) * float(gap)
    if FUNDING_DOMAINS.intersection(domains):
        rank *= FUNDING_FACTOR
    if socle:
        rank *= SOCLE_FACTOR
    priority = (Priority.P1 if rank >= P1_RANK
                else Priority.P2 if rank >= P2_RANK else Priority.P3)
    return priority, rank


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
    # Every origin of the gap: (kind, ref, label) — kind "question", "d2" or "exercise".
    origins: tuple[tuple[str, str, Text], ...] = ()
    aliases: tuple[str, ...] = ()  # keys of actions that stated the same gap
    find_out: bool = False  # "Je ne sais pas" or a register item not filled in


def _question_proposals(questionnaire: Questionnaire, results: Mapping[str, QuestionResult]
                        ) -> list[Proposal]:
    proposals = []
    for question in questionnaire.questions:
        result = results.get(question.id)
        if result is None or not question.scored or not result.visible:
            continue
        domain = question.domains[0] if question.domains else None
        origin = (("question", question.id, dict(question.text)),)
        if result.state == "dont_know":
            _, one_level = question_priority(question.weight, 1, question.domains,
                                             question.socle)
            funded = question.socle or bool(FUNDING_DOMAINS.intersection(question.domains))
            proposals.append(Proposal(
                key=f"question:{question.id}:find-out", origin=Origin.QUESTION,
                origin_ref=question.id,
                title={"fr": f"Se renseigner : {question.text['fr']}",
                       "en": f"Find out: {question.text.get('en') or question.text['fr']}"},
                detail={"fr": "Réponse « Je ne sais pas » à l'auto-évaluation.",
                        "en": "Answered \"I don't know\" in the self-assessment."},
                axis_id=question.axis_id, domain=domain,
                priority=Priority.P2 if funded else Priority.P3,
                rank=one_level / 2, origins=origin, find_out=True))
            continue
        below = int(question.action.get("below_level", question.target_level))
        if result.state != "answered" or result.level is None or result.level >= below:
            continue
        gap = max(question.target_level - result.level, 1)
        priority, rank = question_priority(question.weight, gap, question.domains,
                                           question.socle)
        proposals.append(Proposal(
            key=f"question:{question.id}", origin=Origin.QUESTION, origin_ref=question.id,
            title=dict(question.action["title"]),
            detail={"fr": f"{question.id} : niveau {result.level}, cible {question.target_level}"
                          + (" (Socle Cyber)." if question.socle else "."),
                    "en": f"{question.id}: level {result.level}, target {question.target_level}"
                          + (" (Socle Cyber)." if question.socle else ".")},
            axis_id=question.axis_id, domain=domain, priority=priority, rank=rank,
            origins=origin))
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
            axis_id="GOV", domain=INSTRUCTION_ACTION_1, priority=Priority.P1, rank=10.0,
            origins=(("exercise", "yearly",
                      Msg("registre des exercices (instruction DNS/2025/12, action 1)")),)))
    by_id = {e.id: e for e in exercises}
    for exercise_id in indicators.retex_missing:
        held_on: dt.date = by_id[exercise_id].held_on
        proposals.append(Proposal(
            key=f"exercise:{exercise_id}:retex", origin=Origin.EXERCISE,
            origin_ref=str(exercise_id),
            title=Msg("Rédiger le RETEX de l'exercice du %(date)s",
                      date=held_on.strftime("%d/%m/%Y")),
            detail=Msg("Le RETEX est attendu dans les 30 jours qui suivent l'exercice."),
            axis_id="GOV", domain=INSTRUCTION_ACTION_1, priority=Priority.P2, rank=6.0,
            origins=(("exercise", str(exercise_id), Msg("registre des exercices")),)))
    return proposals


def _d2_proposals(readiness: D2Readiness) -> list[Proposal]:
    proposals = []
    for item in readiness.items:
        if item.status is Readiness.MET:
            continue
        find_out = False
        if item.status is Readiness.UNKNOWN:
            title = Msg("Renseigner et vérifier : %(item)s", item=item.label)
            priority, rank = Priority.P3, 2.0
            find_out = True
        elif item.kind == "prerequisite":
            title, priority, rank = (Msg("Prérequis D2 à remplir : %(item)s", item=item.label),
                                     Priority.P1, 8.0)
        else:
            title, priority, rank = (Msg("Objectif D2 à atteindre : %(item)s", item=item.label),
                                     Priority.P2, 5.0)
        proposals.append(Proposal(
            key=f"d2:{item.id}", origin=Origin.CONTINUITY, origin_ref=item.id, title=title,
            detail=item.evidence, axis_id="OPS" if item.id in BACKUP_ITEMS else "GOV",
            domain="D2", priority=priority, rank=rank, origins=(("d2", item.id, item.label),),
            find_out=find_out))
    return proposals


def generate(questionnaire: Questionnaire | None, results: Mapping[str, QuestionResult] | None,
             indicators: ExerciseIndicators, exercises: Iterable[ExerciseLike],
             readiness: D2Readiness) -> list[Proposal]:
    proposals = []
    if questionnaire is not None and results is not None:
        proposals += _question_proposals(questionnaire, results)
    proposals += _exercise_proposals(indicators, exercises)
    proposals += _d2_proposals(readiness)
    return sorted(merge_same_gaps(proposals),
                  key=lambda p: (p.priority.value, -p.rank, p.key))


def _question_of(key: str) -> str | None:
    parts = key.split(":")
    return parts[1] if parts[0] == "question" and len(parts) > 1 else None


def merge_same_gaps(proposals: list[Proposal]) -> list[Proposal]:
    """One gap, one action: each question proposal absorbs the register proposals that state
    the same gap (SAME_GAP); a register proposal left alone lists the question keys it stands
    for, so that an action people edited under either key is found again."""
    by_key = {p.key: p for p in proposals}
    absorbed: set[str] = set()
    merged: list[Proposal] = []
    for proposal in proposals:
        question_id = _question_of(proposal.key)
        if question_id is None:
            continue
        partners = [by_key[pair.key] for pair in SAME_GAP
                    if pair.question_id == question_id and pair.key in by_key]
        if partners:
            absorbed.update(p.key for p in partners)
            parts = [proposal, *partners]
            # the question leads, unless it only says "find out" and a register states the gap
            lead = next((p for p in parts if not p.find_out), proposal)
            proposal = replace(
                lead, priority=min(p.priority for p in parts),
                rank=max(p.rank for p in parts),
                origins=tuple(o for p in parts for o in p.origins),
                aliases=tuple(p.key for p in parts if p is not lead),
                find_out=all(p.find_out for p in parts))
        merged.append(proposal)
    for proposal in proposals:
        if _question_of(proposal.key) is not None or proposal.key in absorbed:
            continue
        stands_for = tuple(f"question:{pair.question_id}{suffix}" for pair in SAME_GAP
                           if pair.key == proposal.key for suffix in ("", ":find-out"))
        merged.append(replace(proposal, aliases=stands_for) if stands_for else proposal)
    return merged
