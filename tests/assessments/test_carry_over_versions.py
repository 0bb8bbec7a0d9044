"""Carry-over across questionnaire versions (issue #13), on a real database (SQLite and
PostgreSQL): a v2 campaign takes last year's v1 answers only as the mapping allows; the v1
assessment keeps exactly its frozen results; the admin chooses the version of a campaign."""

from __future__ import annotations

import copy
import re

from careapp.assessments import services
from careapp.assessments.answers import ANSWERED, GHT, RawAnswer
from careapp.assessments.models import Answer, Campaign
from careapp.assessments.services import AnswerInput
from careapp.db import db
from careapp.questionnaires import registry
from careapp.questionnaires.mapping import carry_answers
from tests import factories
from tests.world import World, login, submitted_assessment


def _answers(assessment) -> dict[str, Answer]:  # noqa: ANN001
    return {a.question_id: a for a in assessment.answers}


def _v1_then_v2(world: World, level: int = 2):  # noqa: ANN202
    editor = world.users["editor"]
    last_year = factories.campaign(2025, version="1.0.0")
    previous = submitted_assessment(last_year, world.own, editor, level)
    this_year = factories.campaign(2027, version="2.0.0")
    db.session.commit()
    return previous, services.start_assessment(this_year, world.own, editor)


def test_a_v2_campaign_carries_v1_answers_through_the_mapping(world: World) -> None:
    previous, current = _v1_then_v2(world)
    frozen = copy.deepcopy(previous.snapshot.results)
    old, new = _answers(previous), _answers(current)
    assert current.carried_from_id == previous.id
    assert new and all(a.carried_over for a in new.values())
    v1 = services.questionnaire_of(previous)
    v2 = services.questionnaire_of(current)
    mapping = registry.mapping_between("care", "1.0.0", "2.0.0")
    # Every v1 answer: kept ones copied as they were; the others as the mapping translates them.
    expected = carry_answers(mapping, services.raw_answers(previous), v2)
    assert set(new) == set(expected)
    for question_id, item in mapping.questions.items():
        if item.kind == "kept" and question_id in old:
            assert new[question_id].value == old[question_id].value, question_id
            assert new[question_id].state == old[question_id].state, question_id
    # The level-2 v1 answers whose meaning changed, one by one.
    assert old["GOV-06"].value == "named_lead" and new["GOV-06"].value == "project_org"
    assert old["OPS-25"].value == "protected_copy"
    assert new["OPS-29"].value == "reached" and "OPS-30" not in new  # "ou" vs "et": ask again
    assert old["OPS-28"].value == "restore_test"
    assert "OPS-31" not in new and "OPS-32" not in new  # phase and procedure unknown: ask again
    assert old["OPS-26"].value == "own_auth" and "OPS-26" not in new  # ADS level unknown
    assert old["OPS-19"].value == "partial" and new["OPS-19"].value == "partial"
    assert "OPS-25" not in new and "OPS-28" not in new  # retired ids are never written
    assert all(v2.has_question(q) for q in new)
    # The v1 assessment still shows exactly its frozen results.
    db.session.commit()
    db.session.refresh(previous)
    assert services.results_of(previous) == frozen
    assert services.questionnaire_of(previous).version == v1.version == "1.0.0"


def test_transformed_answers_and_states_on_a_real_database(world: World) -> None:
    editor = world.users["editor"]
    last_year = factories.campaign(2025, version="1.0.0")
    previous = submitted_assessment(last_year, world.own, editor, 3)
    # GHT-managed backups in v1: the split targets are GHT-managed too.
    answer = _answers(previous)["OPS-25"]
    answer.state, answer.value = GHT, None
    db.session.commit()
    this_year = factories.campaign(2027, version="2.0.0")
    current = services.start_assessment(this_year, world.own, editor)
    new = _answers(current)
    assert new["OPS-29"].state == GHT and new["OPS-30"].state == GHT
    assert _answers(previous)["OPS-26"].value == "hardened"
    assert new["OPS-26"].value == "own_auth_compliant"  # v1 "durcie" meets v2 level 2
    assert _answers(previous)["OPS-28"].value == "programme" and "OPS-32" not in new
    assert _answers(previous)["GOV-15"].value == "advanced"
    assert new["GOV-15"].value == "confirmed"
    assert "OPS-19" not in new  # v1 "généralisé aux porteurs d'e-CPS" ≠ v2 "tous les utilisateurs"


def test_the_same_version_still_carries_by_id(world: World) -> None:
    editor = world.users["editor"]
    previous = submitted_assessment(factories.campaign(2025, version="1.0.0"), world.own,
                                    editor, 2)
    current = services.start_assessment(world.campaign, world.own, editor)  # 2026, v1
    old, new = _answers(previous), _answers(current)
    assert set(new) == set(old)
    assert new["OPS-25"].value == old["OPS-25"].value == "protected_copy"


def test_a_carried_answer_is_reviewed_before_it_counts_as_checked(world: World) -> None:
    _previous, current = _v1_then_v2(world)
    v2 = services.questionnaire_of(current)
    section = v2.section(v2.question("GOV-06").section_id)
    assert "GOV-06" in services.carried_over(current)
    services.save_section(current, section, {"GOV-06": AnswerInput(ANSWERED, "steering", "", "")},
                          world.users["editor"])
    assert "GOV-06" not in services.carried_over(current)
    assert services.raw_answers(current)["GOV-06"] == RawAnswer(ANSWERED, "steering", "")


def test_results_pages_state_the_versions(world: World, browser) -> None:  # noqa: ANN001
    previous, current = _v1_then_v2(world)
    db.session.commit()
    login(browser, world, "editor")
    old = browser.client.get(f"/evaluations/{previous.id}/resultats").get_data(as_text=True)
    assert "questionnaire care v1.0.0, méthode de calcul v2.0" in old
    new = browser.client.get(f"/evaluations/{current.id}/resultats").get_data(as_text=True)
    assert "Questionnaire care v2.0.0, méthode de calcul v2.0." in new


def test_the_admin_chooses_the_version_newest_proposed(world: World, browser) -> None:  # noqa: ANN001
    login(browser, world, "admin")
    url = "/campagnes/nouvelle"
    page = browser.client.get(url).get_data(as_text=True)
    options = re.findall(r'<option([^>]*)value="(care@[0-9.]+)"', page)
    assert [value for _attrs, value in options] == ["care@1.0.0", "care@2.0.0"]
    selected = [value for attrs, value in options if "selected" in attrs]
    assert selected == ["care@2.0.0"]
    data = {"name": "Campagne 2027 (v1)", "year": "2027", "questionnaire": "care@1.0.0",
            "opens_on": "2027-01-01", "deadline": "2027-12-31", "region_code": ""}
    assert browser.post(url, data, page=url).status_code == 302
    opened = db.session.query(Campaign).filter_by(name="Campagne 2027 (v1)").one()
    assert opened.questionnaire_version.version == "1.0.0"
    assert world.campaign.questionnaire_version.version == "1.0.0"  # existing campaigns keep theirs
