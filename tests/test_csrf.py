"""CSRF stays on, and a form left open for hours still saves (no lost work)."""

from __future__ import annotations

import time

import pytest

from careapp.assessments import services
from careapp.assessments.models import Answer
from careapp.db import db
from tests.world import login, make_world, section_fields


@pytest.fixture
def first_section(app, browser):  # noqa: ANN001, ANN201
    """The editor, logged in, on the first section of a new assessment: (url, section)."""
    world = make_world()
    assessment = services.start_assessment(world.campaign, world.own, world.users["editor"])
    db.session.commit()
    login(browser, world, "editor")
    section = services.questionnaire_of(assessment).sections[0]
    return f"/evaluations/{assessment.id}/sections/{section.id}", section


def test_a_section_left_open_eight_hours_still_saves(first_section, browser, monkeypatch) -> None:
    url, section = first_section
    token = browser.token(url)  # the page is opened now...
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 8 * 3600)  # ...and saved 8 h later
    response = browser.client.post(url, data={"csrf_token": token, **section_fields(section)})
    assert response.status_code == 302
    assert db.session.query(Answer).count() == len(section.questions)


def test_a_forged_post_without_token_is_refused_and_changes_nothing(first_section, browser) -> None:
    url, section = first_section
    assert browser.client.post(url, data=section_fields(section)).status_code == 400
    assert db.session.query(Answer).count() == 0
