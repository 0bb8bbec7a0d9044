"""A small world shared by journey and access tests: two regions, one account per role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from careapp.assessments import services
from careapp.assessments.models import Assessment, Campaign
from careapp.assessments.services import AnswerInput
from careapp.auth.models import Role, User
from careapp.db import db
from careapp.organisations.models import Establishment, Ght
from careapp.questionnaires.model import Question, Questionnaire, Section
from tests import factories
from tests.conftest import Browser


@dataclass
class World:
    own: Establishment  # the RSSI's establishment (region 53)
    same_region: Establishment  # another establishment of region 53
    other_region: Establishment  # an establishment of region 11
    campaign: Campaign
    users: dict[str, User]

    def email(self, who: str) -> str:
        return self.users[who].email


def make_world() -> World:
    ght = Ght(code="GHT-TEST", name="GHT de test", region_code="53")
    db.session.add(ght)
    own = factories.establishment("53", name="CH de Rennes test", ght=ght)
    same_region = factories.establishment("53", name="CH de Brest test")
    other_region = factories.establishment("11", name="Hôpital parisien test")
    users = {
        "editor": factories.user(Role.EDITOR, "rssi@test.fr", establishments=[own]),
        "reader": factories.user(Role.READER, "direction@test.fr", establishments=[own]),
        "ars": factories.user(Role.ARS, "ars53@test.fr", region="53"),
        "grades": factories.user(Role.GRADES, "grades53@test.fr", region="53"),
        "ars_other": factories.user(Role.ARS, "ars11@test.fr", region="11"),
        "national": factories.user(Role.NATIONAL, "national@test.fr"),
        "admin": factories.user(Role.ADMIN, "admin@test.fr"),
    }
    campaign = factories.campaign(2026)
    db.session.commit()
    return World(own, same_region, other_region, campaign, users)


def login(browser: Browser, world: World, who: str) -> None:
    response = browser.login(world.email(who), factories.PASSWORD)
    assert response.status_code == 302, f"login of {who} failed"


def good_fields(question: Question, level: int = 2) -> dict[str, Any]:
    """Form fields answering `question` as close as possible to `level`."""
    key = question.id.replace("-", "_")
    if question.type in {"single", "multi"}:
        best = min(question.options, key=lambda o: abs(o.level - level))
        return {f"{key}__value": best.id}
    if question.type in {"number", "percent"}:
        reachable = [t for t in question.thresholds if t.level <= level] or [question.thresholds[0]]
        number = max(reachable[-1].min, question.bounds.get("min", 0))
        return {f"{key}__value": str(int(number)) if question.bounds.get("integer") else str(number)}
    if question.type == "date":
        return {f"{key}__value": "2026-01-15"}
    return {f"{key}__value": "Notes de test."}


def special_fields(question: Question, state: str) -> dict[str, Any]:
    """Form fields choosing "Non applicable", "Je ne sais pas" or "Géré par le GHT"."""
    key = question.id.replace("-", "_")
    if question.type == "single":  # one radio group holds the options and the other answers
        return {f"{key}__value": f":{state}"}
    return {f"{key}__state": state}


def section_fields(section: Section, level: int = 2) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for question in section.questions:
        data.update(good_fields(question, level))
    return data


def fill_all(browser: Browser, assessment_id: int, questionnaire: Questionnaire,
             level: int = 2) -> None:
    for section in questionnaire.sections:
        url = f"/evaluations/{assessment_id}/sections/{section.id}"
        response = browser.post(url, section_fields(section, level), page=url)
        assert response.status_code == 302


def answer_input(question: Question, level: int = 2) -> AnswerInput:
    value = good_fields(question, level)[f"{question.id.replace('-', '_')}__value"]
    return AnswerInput("answered", value, "", "")


def submitted_assessment(campaign: Campaign, establishment: Establishment, user: User,
                         level: int = 2) -> Assessment:
    """An assessment answered at `level` everywhere and submitted, through the services."""
    assessment = services.start_assessment(campaign, establishment, user)
    questionnaire = services.questionnaire_of_campaign(campaign)
    for section in questionnaire.sections:
        inputs = {q.id: answer_input(q, level) for q in section.questions}
        services.save_section(assessment, section, inputs, user)
    services.submit(assessment, user)
    db.session.commit()
    return assessment
