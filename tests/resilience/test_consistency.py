"""Questions that the registers also answer: the register beside the question, and a flag on
the results page when the declared answer contradicts it (both databases)."""

from __future__ import annotations

import datetime as dt

from careapp.assessments import services as assessments
from careapp.db import db
from careapp.resilience import services
from careapp.resilience.models import ExerciseStatus, ExerciseType, KitLevel, Scenario
from tests.world import login, submitted_assessment

FLAG = "Cohérence avec les registres"




def held_exercise(world, days_ago: int) -> None:  # noqa: ANN001
    services.save_exercise(world.own, None, {
        "status": ExerciseStatus.HELD, "held_on": dt.date.today() - dt.timedelta(days=days_ago),
        "type": ExerciseType.TABLETOP, "kit_level": KitLevel.BEGINNER,
        "scenario": Scenario.RANSOMWARE, "functions": ["direction"]},
        world.users["editor"], None)
    db.session.commit()


def results_page(browser, assessment) -> str:  # noqa: ANN001
    response = browser.client.get(f"/evaluations/{assessment.id}/resultats")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_declared_recent_exercise_contradicted_by_the_register_is_flagged(world, browser) -> None:  # noqa: ANN001
    # level 2 everywhere: GOV-13 says "held in the last 12 months"
    assessment = submitted_assessment(world.campaign, world.own, world.users["editor"], level=2)
    assert assessments.raw_answers(assessment)["GOV-13"].value == "held_recent"
    held_exercise(world, days_ago=430)  # the register's last exercise: 14 months ago
    login(browser, world, "editor")
    page = results_page(browser, assessment)
    assert FLAG in page
    assert "GOV-13" in page.split(FLAG)[1].split("</div>")[0]
    assert "il y a 430 jours" in page

    # the section form shows what the register says beside the question, with the flag
    text = browser.client.get(f"/evaluations/{assessment.id}/sections/GOV-CRI").get_data(
        as_text=True)
    assert "Ce que dit le registre" in text
    assert "contredit le registre" in text
    assert "Voir le registre" in text


def test_no_flag_when_the_register_agrees_or_says_nothing(world, browser) -> None:  # noqa: ANN001
    assessment = submitted_assessment(world.campaign, world.own, world.users["editor"], level=2)
    login(browser, world, "editor")
    assert FLAG not in results_page(browser, assessment)  # empty register: it says nothing
    held_exercise(world, days_ago=60)
    assert FLAG not in results_page(browser, assessment)  # it agrees


def test_who_sees_the_register_beside_the_answers(world, browser) -> None:  # noqa: ANN001
    assessment = submitted_assessment(world.campaign, world.own, world.users["editor"], level=2)
    held_exercise(world, days_ago=430)
    login(browser, world, "reader")  # a member: the director reads the flag too
    assert FLAG in results_page(browser, assessment)
    login(browser, world, "ars")  # the region's ARS gets the registers' summary, not details
    assert FLAG not in results_page(browser, assessment)
    login(browser, world, "grades")  # the registers stay inside the establishment
    assert FLAG not in results_page(browser, assessment)
    login(browser, world, "national")
    assert FLAG not in results_page(browser, assessment)


def test_a_submitted_assessment_is_compared_with_the_registers_of_its_submission_day(
        world, browser) -> None:  # noqa: ANN001
    assessment = submitted_assessment(world.campaign, world.own, world.users["editor"], level=2)
    held_exercise(world, days_ago=430)
    login(browser, world, "editor")
    assert FLAG in results_page(browser, assessment)
    # Submitted 13 months ago, "held in the last 12 months" was true then: no flag today.
    assessment.submitted_at = assessment.submitted_at - dt.timedelta(days=400)
    db.session.commit()
    assert FLAG not in results_page(browser, assessment)
