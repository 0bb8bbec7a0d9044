"""Demo data: a few regions' worth of establishments, one account per role, two campaigns.

Deterministic (fixed random seed) and idempotent: running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from careapp.assessments import services as assessments
from careapp.assessments.answers import DONT_KNOW, NA
from careapp.assessments.models import Campaign, CampaignStatus
from careapp.assessments.services import AnswerInput
from careapp.auth.models import Role, User
from careapp.auth.services import upsert_user
from careapp.db import db
from careapp.organisations.finess import make_finess
from careapp.organisations.models import Establishment, Ght, Sector
from careapp.questionnaires.model import Question, Questionnaire
from careapp.resilience.models import (
    ActivityKind,
    BackupAuth,
    BackupMfa,
    ContinuityProfile,
    CrisisExercise,
    CriticalActivity,
    ExerciseFinding,
    ExerciseStatus,
    ExerciseType,
    KitLevel,
    PlanStatus,
    Scenario,
    TestResult,
    Trajectory,
)
from careapp.roadmap import services as roadmap

DEMO_PASSWORD = "CaRE-demo-2026-essai"  # noqa: S105 - demo accounts only, printed by seed-demo
# Last year's campaign was answered on v1; this year's is on v2, as an administrator opening a
# campaign today would choose: the demo then shows the carry-over through the v1 → v2 mapping
# and the year-over-year change on the two versions' common questions.
QUESTIONNAIRE = "care"
LAST_YEAR_VERSION, CURRENT_VERSION = "1.0.0", "2.0.0"

# (region, department, GHT code or None, count, sector, category)
_GROUPS = [
    ("53", "35", "GHT-BRET-01", 8, Sector.PUBLIC, "CH"),
    ("53", "29", "GHT-BRET-02", 6, Sector.PUBLIC, "CH"),
    ("53", "56", None, 4, Sector.PRIVATE_NONPROFIT, "ESPIC"),
    ("53", "22", None, 6, Sector.PRIVATE_FORPROFIT, "CLINIQUE"),
    ("11", "75", "GHT-IDF-01", 5, Sector.PUBLIC, "CHU"),
    ("11", "93", None, 5, Sector.PRIVATE_FORPROFIT, "CLINIQUE"),
    ("76", "31", "GHT-OCC-01", 4, Sector.PUBLIC, "CHS"),
    ("76", "34", None, 2, Sector.PRIVATE_NONPROFIT, "SSR"),
]
_GHT_NAMES = {
    "GHT-BRET-01": "GHT Haute-Bretagne",
    "GHT-BRET-02": "GHT Bretagne Occidentale",
    "GHT-IDF-01": "GHT Paris Centre",
    "GHT-OCC-01": "GHT Haute-Garonne Psychiatrie",
}
_CITIES = ["Rennes", "Brest", "Vannes", "Saint-Brieuc", "Paris", "Saint-Denis", "Toulouse",
           "Montpellier"]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: Role
    detail: str


def seed(today: dt.date | None = None) -> list[DemoAccount]:
    today = today or dt.date.today()
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    establishments = _establishments()
    accounts = _users(establishments)
    if db.session.scalar(select(Campaign).filter_by(year=today.year - 1, region_code=None)) is None:
        _registers(establishments, rng, today)  # first: submissions then see them
        _campaigns(establishments, rng, today)
    db.session.flush()
    return accounts


def _establishments() -> list[Establishment]:
    out = []
    serial = 100
    for group_index, (region, dept, ght_code, count, sector, category) in enumerate(_GROUPS):
        ght = None
        if ght_code:
            ght = db.session.scalar(select(Ght).filter_by(code=ght_code))
            if ght is None:
                ght = Ght(code=ght_code, name=_GHT_NAMES[ght_code], region_code=region)
                db.session.add(ght)
        for index in range(count):
            serial += 7
            finess_et = make_finess(dept, serial)
            establishment = db.session.scalar(select(Establishment).filter_by(finess_et=finess_et))
            if establishment is None:
                establishment = Establishment(finess_et=finess_et)
                db.session.add(establishment)
            city = _CITIES[group_index]
            establishment.finess_ej = make_finess(dept, serial + 1)
            establishment.name = f"{_category_name(category)} de {city} {index + 1}"
            establishment.category = category
            establishment.sector = sector
            establishment.region_code = region
            establishment.city = city
            establishment.ght = ght
            out.append(establishment)
    db.session.flush()
    return out


def _category_name(category: str) -> str:
    return {"CH": "Centre hospitalier", "CHU": "CHU", "CHS": "Centre hospitalier spécialisé",
            "ESPIC": "Hôpital privé", "CLINIQUE": "Clinique", "SSR": "Centre SMR"}[category]


def _users(establishments: list[Establishment]) -> list[DemoAccount]:
    own = establishments[:2]  # two establishments of the same GHT in Bretagne
    specs = [
        ("rssi@demo.care.fr", "Camille Martin (RSSI)", Role.EDITOR, None, own,
         "RSSI de " + " et ".join(e.name for e in own)),
        ("direction@demo.care.fr", "Dominique Bernard (directrice)", Role.READER, None, own,
         "direction des mêmes établissements, lecture seule"),
        ("ars.bretagne@demo.care.fr", "Alex Le Goff (ARS Bretagne)", Role.ARS, "53", None,
         "correspondant ARS Bretagne"),
        ("grades.bretagne@demo.care.fr", "Morgan Tanguy (GRADeS)", Role.GRADES, "53", None,
         "GRADeS Bretagne, lecture seule"),
        ("ars.idf@demo.care.fr", "Sacha Petit (ARS IDF)", Role.ARS, "11", None,
         "correspondant ARS Île-de-France"),
        ("national@demo.care.fr", "Niveau national", Role.NATIONAL, None, None,
         "toutes les régions, lecture seule"),
        ("admin@demo.care.fr", "Administration careapp", Role.ADMIN, None, None,
         "administrateur"),
    ]
    accounts = []
    for email, name, role, region, members, detail in specs:
        upsert_user(email, name, role, DEMO_PASSWORD, region_code=region,
                    establishments=members)
        accounts.append(DemoAccount(email, role, detail))
    return accounts


def _campaigns(establishments: list[Establishment], rng: random.Random, today: dt.date) -> None:
    author = _author()
    key = QUESTIONNAIRE
    last_year = assessments.open_campaign(
        name=f"Campagne CaRE {today.year - 1}", year=today.year - 1, questionnaire_key=key,
        questionnaire_version=LAST_YEAR_VERSION, opens_on=dt.date(today.year - 1, 1, 15),
        deadline=dt.date(today.year - 1, 11, 30), region_code=None, created_by=None,
    )
    maturity = {e.id: rng.uniform(0.2, 0.9) for e in establishments}
    questionnaire = assessments.questionnaire_of_campaign(last_year)
    for index, establishment in enumerate(establishments):
        if index % 5 == 4:
            continue  # a few never took part last year
        assessment = assessments.start_assessment(last_year, establishment, author)
        _fill(assessment, questionnaire, maturity[establishment.id], rng, author)
        assessments.submit(assessment, author)
    assessments.close_campaign(last_year)

    current = assessments.open_campaign(
        name=f"Campagne CaRE {today.year}", year=today.year, questionnaire_key=key,
        questionnaire_version=CURRENT_VERSION, opens_on=dt.date(today.year, 1, 15),
        deadline=dt.date(today.year, 12, 15), region_code=None, created_by=None,
    )
    questionnaire = assessments.questionnaire_of_campaign(current)
    for index, establishment in enumerate(establishments):
        if index < 2 or index % 4 == 3:
            continue  # the demo RSSI's own establishments, and a few others, not started
        assessment = assessments.start_assessment(current, establishment, author)
        improved = min(1.0, maturity[establishment.id] + rng.uniform(0.0, 0.2))
        partial = index % 3 == 1
        _fill(assessment, questionnaire, improved, rng, author, partial=partial)
        if not partial:
            assessments.submit(assessment, author)
    assert current.status is CampaignStatus.OPEN


def _author() -> User:
    return db.session.scalar(select(User).filter_by(email="rssi@demo.care.fr"))


def _fill(assessment: Any, questionnaire: Questionnaire, maturity: float, rng: random.Random,
          author: Any, *, partial: bool = False) -> None:
    for section_index, section in enumerate(questionnaire.sections):
        if partial and section_index >= len(questionnaire.sections) // 2:
            break
        inputs = {q.id: _answer(q, maturity, rng) for q in section.questions}
        assessments.save_section(assessment, section, inputs, author)


def _answer(question: Question, maturity: float, rng: random.Random) -> AnswerInput:
    if question.allow_na and rng.random() < 0.05:
        return AnswerInput(NA, None, "Activité absente de l'établissement.", "")
    if question.allow_dont_know and question.weight and rng.random() < 0.04:
        return AnswerInput(DONT_KNOW, None, "", "")
    target = min(3, max(0, round(maturity * 3 + rng.uniform(-1.0, 1.0))))
    value: Any
    if question.type in {"single", "multi"}:
        ranked = sorted(question.options, key=lambda o: abs(o.level - target))
        value = ranked[0].id if question.type == "single" else [ranked[0].id]
    elif question.type in {"number", "percent"}:
        value = number_for_level(question, target, rng)
    elif question.type == "date":
        value = (dt.date.today() - dt.timedelta(days=rng.randint(30, 500))).isoformat()
    else:
        value = "Saisie de démonstration."
    return AnswerInput("answered", value, "", "")


def number_for_level(question: Question, target: int, rng: random.Random) -> str:
    """A number inside the question's bounds whose threshold gives about `target`."""
    reachable = [t for t in question.thresholds if t.level <= target] or [question.thresholds[0]]
    low = max(reachable[-1].min, question.bounds.get("min", 0))
    number = low + rng.uniform(0, 0.9)
    if question.type == "percent":
        number = min(100.0, number)
    if "max" in question.bounds:
        number = min(number, question.bounds["max"])
    if question.bounds.get("integer"):
        return str(int(low))
    return f"{number:.1f}".replace(".", ",")


SCENARIOS = list(Scenario)
KINDS = [(ActivityKind.CARE_SERVICE, "Urgences"), (ActivityKind.ADMINISTRATIVE, "Admissions et facturation"),
         (ActivityKind.IMAGING, "Imagerie médicale"), (ActivityKind.PHARMACY, "Pharmacie à usage intérieur"),
         (ActivityKind.BIOLOGY, "Laboratoire de biologie")]


def _registers(establishments: list[Establishment], rng: random.Random, today: dt.date) -> None:
    """Exercise and continuity registers of varied maturity, then each roadmap generated."""
    for index, establishment in enumerate(establishments):
        maturity = rng.random()
        months_ago = rng.choice([2, 5, 9, 11, 14, 20]) if index % 6 != 5 else None
        if months_ago is not None:
            held_on = today - dt.timedelta(days=30 * months_ago + rng.randint(0, 20))
            exercise = CrisisExercise(
                establishment_id=establishment.id, status=ExerciseStatus.HELD, held_on=held_on,
                type=rng.choice(list(ExerciseType)), kit_level=rng.choice(list(KitLevel)),
                scenario=SCENARIOS[index % len(SCENARIOS)],
                scenario_detail="Perte du réseau régional" if index % len(SCENARIOS) == 5 else "",
                functions=["direction", "it", "communication", "medical"][: 2 + index % 3],
                duration_hours=float(rng.choice([2, 3, 4, 6])),
                objectives="Activer la cellule de crise et tenir deux heures en mode dégradé.",
                retex_on=held_on + dt.timedelta(days=21) if maturity > 0.3 else None,
                retex_summary="Annuaire de crise à jour ; fiches réflexes à imprimer."
                if maturity > 0.3 else "")
            db.session.add(exercise)
            if maturity > 0.3:
                exercise.findings.append(ExerciseFinding(
                    text="Les fiches réflexes du mode dégradé ne sont pas imprimées dans les services."))
        if index % 3 == 0:
            db.session.add(CrisisExercise(
                establishment_id=establishment.id, status=ExerciseStatus.PLANNED,
                held_on=today + dt.timedelta(days=45 + index), type=ExerciseType.TABLETOP,
                kit_level=KitLevel.INTERMEDIATE, scenario=Scenario.EHR_OUTAGE, functions=[],
                objectives="Tester la bascule sur les procédures papier."))
        if maturity > 0.15:
            db.session.add(ContinuityProfile(
                establishment_id=establishment.id,
                pssi_reviewed_on=dt.date(2021 + int(maturity * 4), 3, 1),
                continuity_lead="Direction des soins" if maturity > 0.4 else "",
                plan_blanc_digital_on=dt.date(today.year - 1, 6, 1) if maturity > 0.5 else None,
                crisis_cell_defined=maturity > 0.35, test_schedule_defined=maturity > 0.7 or None,
                continuity_organisation=maturity > 0.3 or None,
                governance_scheme=maturity > 0.5 or None,
                crisis_reporting_defined=maturity > 0.45 if maturity > 0.3 else None,
                backup_policy=maturity > 0.3,
                backup_policy_reviewed_on=dt.date(today.year - 1, 9, 1) if maturity > 0.3 else None,
                backup_plans_up_to_date=maturity > 0.45, multi_entity=False,
                backup_outsourced=maturity > 0.5,
                backup_contract_clauses=maturity > 0.65 if maturity > 0.5 else None,
                backup_auth=(BackupAuth.DEDICATED_AD if maturity > 0.7 else
                             BackupAuth.LOCAL_ACCOUNTS if maturity > 0.4 else
                             BackupAuth.PRODUCTION_AD),
                backup_ads_level=3 if maturity > 0.7 else None,
                backup_least_privilege=maturity > 0.5,
                backup_mfa=BackupMfa.YES if maturity > 0.75 else BackupMfa.NO,
                backup_isolable=maturity > 0.6,
                backup_segmentation=Trajectory.PLANNED if maturity > 0.55 else Trajectory.NONE,
                backup_segmentation_milestone_on=(today + dt.timedelta(days=120)
                                                  if maturity > 0.55 else None),
                backup_321=Trajectory.REACHED if maturity > 0.8 else (
                    Trajectory.PLANNED if maturity > 0.5 else Trajectory.NONE),
                backup_321_milestone_on=(today + dt.timedelta(days=200)
                                         if 0.5 < maturity <= 0.8 else None),
                backup_copy_immutable=maturity > 0.8, backup_copy_offsite=maturity > 0.8,
                backup_monitored=maturity > 0.5, business_referent=maturity > 0.6 or None,
                restore_tested_on=dt.date(today.year, 2, 10) if maturity > 0.55 else None,
                restore_test_result=TestResult.SUCCESS if maturity > 0.55 else None))
        for position, (kind, name) in enumerate(KINDS[: 2 + int(maturity * 4)]):
            formal = maturity > 0.3 + position * 0.1
            db.session.add(CriticalActivity(
                establishment_id=establishment.id, kind=kind, name=name,
                most_critical=kind is ActivityKind.ADMINISTRATIVE, bia_done=formal,
                rto_hours=float(4 * (position + 1)), rpo_hours=float(position + 1) if formal else None,
                degraded_procedure=formal,
                pca_status=PlanStatus.FORMALISED if formal else PlanStatus.IN_PROGRESS,
                pra_status=PlanStatus.FORMALISED if formal and maturity > 0.55
                else PlanStatus.IN_PROGRESS,
                last_test_on=dt.date(today.year, 4, 15) if formal and maturity > 0.6 else None,
                last_test_result=TestResult.PARTIAL if formal and maturity > 0.6 else None))
        db.session.flush()
        roadmap.regenerate(establishment, None, today)
