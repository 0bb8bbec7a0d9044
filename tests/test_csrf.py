"""CSRF stays on, and a form left open for hours still saves (no lost work)."""

from __future__ import annotations

import time

from careapp.assessments import services
from careapp.assessments.models import Answer
from careapp.db import db
from tests.world import login, make_world, section_fields


def test_a_section_left_open_eight_hours_still_saves(app, browser, monkeypatch) -> None:
    world = make_world()
    assessment = services.start_assessment(world.campaign, world.own, world.users["editor"])
    db.session.commit()
    login(browser, world, "editor")
    section = services.questionnaire_of(assessment).sections[0]
    url = f"/evaluations/{assessment.id}/sections/{section.id}"
    token = browser.token(url)  # the page is opened now...
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 8 * 3600)  # ...and saved 8 h later
    response = browser.client.post(url, data={"csrf_token": token, **section_fields(section)})
    assert response.status_code == 302
    assert db.session.query(Answer).count() == len(section.questions)


def test_a_forged_post_without_token_is_refused_and_changes_nothing(app, browser) -> None:
    world = make_world()
    assessment = services.start_assessment(world.campaign, world.own, world.users["editor"])
    db.session.commit()
    login(browser, world, "editor")
    section = services.questionnaire_of(assessment).sections[0]
    url = f"/evaluations/{assessment.id}/sections/{section.id}"
    assert browser.client.post(url, data=section_fields(section)).status_code == 400
    assert db.session.query(Answer).count() == 0
