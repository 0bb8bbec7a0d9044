"""CSRF tokens expire (issue #9, info item), and a person whose page expired keeps what they
typed: the questionnaire section and the register and roadmap forms come back filled, under a
French message, with nothing saved; forms with nothing to lose (login) get the 400 page.

Time travel: the token lifetime is cut to a minute and the clock moved two minutes on (the
login itself, 8 h idle and 12 h at most, stays valid)."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from flask import Flask, g
from sqlalchemy import func, select

from careapp import create_app
from careapp.assessments import services
from careapp.assessments.models import Answer
from careapp.auth.sessions import end_all_sessions
from careapp.db import db
from careapp.resilience.models import CrisisExercise
from careapp.roadmap.models import RoadmapAction
from tests.conftest import Browser, csrf_from
from tests.formpage import day, form_fields, text
from tests.world import World, login, section_fields

EXPIRED = "La page a expiré : vos saisies sont conservées ci-dessous, enregistrez à nouveau."


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def expire_soon(app: Flask, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Tokens valid one minute; calling the result moves the clock two minutes on."""
    app.config["WTF_CSRF_TIME_LIMIT"] = 60
    real_time = time.time

    def later() -> None:
        monkeypatch.setattr(time, "time", lambda: real_time() + 120)

    return later


def test_the_token_lives_as_long_as_a_login(tmp_path) -> None:  # noqa: ANN001
    app = create_app({"ENV_NAME": "test", "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    limit = app.config["WTF_CSRF_TIME_LIMIT"]
    assert limit is not None and limit > 8 * 3600  # longer than a long questionnaire sitting
    assert dt.timedelta(seconds=limit) == app.config["SESSION_ABSOLUTE_LIFETIME"]


# -- the questionnaire section ------------------------------------------------------------------

@pytest.fixture
def section_page(world: World, editor: Browser):  # noqa: ANN201
    assessment = services.start_assessment(world.campaign, world.own, world.users["editor"])
    db.session.commit()
    section = services.questionnaire_of(assessment).sections[0]
    return f"/evaluations/{assessment.id}/sections/{section.id}", section


def typed_section(section) -> dict[str, str]:  # noqa: ANN001
    first = section.questions[0].id.replace("-", "_")
    return {**section_fields(section), f"{first}__comment": "Deux heures de saisie, à garder"}


def chosen(page: str, name: str, value: str) -> bool:
    return bool(re.search(rf'<input checked[^>]*name="{name}"[^>]*value="{re.escape(value)}"',
                          page))


def test_an_expired_section_keeps_the_answers_and_saves_on_the_next_try(
        section_page, editor, expire_soon) -> None:  # noqa: ANN001
    url, section = section_page
    token = editor.token(url)  # the page is opened...
    expire_soon()  # ...and saved after its token expired
    data = typed_section(section)
    response = editor.client.post(url, data={"csrf_token": token, **data})
    assert response.status_code == 400
    page = text(response)
    assert EXPIRED in page
    assert "Deux heures de saisie, à garder" in page
    for question in section.questions:  # every choice made is still ticked
        name = question.id.replace("-", "_") + "__value"
        if question.type in ("single", "multi"):
            assert chosen(response.get_data(as_text=True), name, data[name]), name
    assert count(Answer) == 0  # nothing saved
    assert "CSRF" not in page  # no library message in English

    again = {"csrf_token": csrf_from(response.get_data(as_text=True)), **data}
    assert editor.client.post(url, data=again).status_code == 302  # the fresh token works
    assert count(Answer) == len(section.questions)


def test_a_section_posted_without_token_keeps_the_input_and_saves_nothing(
        section_page, editor) -> None:  # noqa: ANN001
    url, section = section_page
    response = editor.client.post(url, data=typed_section(section))
    assert response.status_code == 400
    assert EXPIRED in text(response) and "Deux heures de saisie, à garder" in text(response)
    assert count(Answer) == 0


def test_an_expired_token_after_the_login_ended_goes_to_the_login_page(
        world, section_page, editor, expire_soon) -> None:  # noqa: ANN001
    url, section = section_page
    token = editor.token(url)
    end_all_sessions(world.users["editor"])  # logged out elsewhere meanwhile
    db.session.commit()
    expire_soon()
    response = editor.client.post(url, data={"csrf_token": token, **typed_section(section)})
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert count(Answer) == 0


def test_an_expired_token_from_someone_who_may_not_save_is_a_403_not_a_500(
        world, section_page, browser, expire_soon) -> None:  # noqa: ANN001
    url, section = section_page
    login(browser, world, "reader")
    token = browser.token(url)
    expire_soon()
    response = browser.client.post(url, data={"csrf_token": token, **typed_section(section)})
    assert response.status_code == 403
    assert EXPIRED not in text(response)
    assert count(Answer) == 0


# -- register and roadmap forms -----------------------------------------------------------------

def test_an_expired_roadmap_form_keeps_the_input(world, editor, expire_soon) -> None:  # noqa: ANN001
    url = f"/etablissements/{world.own.id}/feuille-de-route/nouvelle"
    token = editor.token(url)
    expire_soon()
    response = editor.client.post(url, data={
        "csrf_token": token, "title": "Coffre-fort de mots de passe", "priority": "P1",
        "owner": "DSI", "due_on": "", "status": "todo", "abandon_reason": "",
        "comment": "Rédigé longuement", "axis_id": "", "domain": ""})
    assert response.status_code == 400
    page = text(response)
    assert EXPIRED in page and "Le formulaire contient des erreurs" not in page
    kept = form_fields(response.get_data(as_text=True))
    assert (kept["title"], kept["owner"], kept["comment"], kept["priority"]) == (
        "Coffre-fort de mots de passe", "DSI", "Rédigé longuement", "P1")
    assert count(RoadmapAction) == 0
    assert editor.client.post(url, data=kept).status_code == 302  # saved with the new token
    assert count(RoadmapAction) == 1


def test_an_expired_exercise_edit_keeps_the_input(world, editor, expire_soon) -> None:  # noqa: ANN001
    base = f"/etablissements/{world.own.id}"
    new = f"{base}/exercices/nouveau"
    assert editor.post(new, {
        "status": "held", "held_on": day(-40).isoformat(), "type": "tabletop",
        "kit_level": "beginner", "scenario": "ransomware", "functions": ["it"],
        "objectives": "Avant"}, page=new).status_code == 302
    exercise = db.session.scalars(select(CrisisExercise)).one()
    url = f"{base}/exercices/{exercise.id}"
    fields = form_fields(editor.client.get(url).get_data(as_text=True))
    expire_soon()
    response = editor.client.post(url, data={**fields, "objectives": "Après une longue saisie"})
    assert response.status_code == 400
    assert EXPIRED in text(response)
    kept = form_fields(response.get_data(as_text=True))
    assert kept["objectives"] == "Après une longue saisie"
    db.session.expire_all()
    assert db.session.get(CrisisExercise, exercise.id).objectives == "Avant"
    assert editor.client.post(url, data=kept).status_code == 302
    db.session.expire_all()
    assert db.session.get(CrisisExercise, exercise.id).objectives == "Après une longue saisie"


def test_a_refused_referrer_writes_nothing_though_the_token_is_valid(world, editor) -> None:  # noqa: ANN001
    """Over HTTPS CSRFProtect also wants a same-origin Referer: without one the form comes back
    like an expired one, and the form's own token check must not let the save through."""
    url = f"/etablissements/{world.own.id}/feuille-de-route/nouvelle"
    token = editor.token(url)
    response = editor.client.post(url, base_url="https://localhost", data={
        "csrf_token": token, "title": "Forgée", "priority": "P1", "status": "todo"})
    assert response.status_code == 400
    assert count(RoadmapAction) == 0


def test_nothing_can_be_written_in_a_request_whose_token_was_refused(app, world) -> None:  # noqa: ANN001
    with app.test_request_context("/"):
        g.csrf_refused = True
        world.own.name = "Renommé"
        with pytest.raises(RuntimeError):
            db.session.flush()
    db.session.rollback()


# -- forms with nothing to lose ------------------------------------------------------------------

def test_an_expired_login_form_gets_the_french_400_page(world, browser, expire_soon) -> None:  # noqa: ANN001
    token = browser.token("/connexion")
    expire_soon()
    response = browser.client.post("/connexion", data={
        "csrf_token": token, "email": world.email("editor"), "password": "x" * 12})
    assert response.status_code == 400
    assert "Requête invalide" in text(response)
