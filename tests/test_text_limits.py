"""Free text (issue #9, F7 and F9), on both databases: a control character or a text over its
limit is refused with a French message under the field, nothing is saved and the input comes
back; a query-string filter with control characters is ignored with a message; one audit event
stays small whatever it is given."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from careapp.assessments import services
from careapp.assessments.models import Answer, Assessment, Campaign
from careapp.audit.models import AuditEvent
from careapp.audit.services import CUT, DETAIL_BYTES_MAX, DETAIL_TEXT_MAX, record
from careapp.db import db
from careapp.resilience.models import CrisisExercise, CriticalActivity
from careapp.roadmap.models import RoadmapAction
from tests.conftest import Browser
from tests.formpage import day, field_errors, text
from tests.world import World, login, section_fields

CONTROL = "Ce champ contient des caractères non autorisés"
TOO_LONG = "Texte trop long"
NOTHING_SAVED = "Rien n'a été enregistré"


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def plain(page: str) -> str:
    """The page with its numbers' group separators removed ("5 000" → "5000")."""
    return re.sub(r"(?<=\d)[\s\u202f\u00a0](?=\d)", "", page)


# -- the questionnaire section ------------------------------------------------------------------

@pytest.fixture
def section_page(world: World, editor: Browser) -> tuple[str, object]:
    assessment = services.start_assessment(world.campaign, world.own, world.users["editor"])
    db.session.commit()
    section = services.questionnaire_of(assessment).sections[0]
    return f"/evaluations/{assessment.id}/sections/{section.id}", section


def key_of(question) -> str:  # noqa: ANN001
    return question.id.replace("-", "_")


@pytest.mark.parametrize("typed", [
    pytest.param("Sauvegardes\x00 hors ligne", id="NUL"),
    pytest.param("Sauvegardes\x1b[31m hors ligne", id="ESC"),
    pytest.param("Sauvegardes\x7f hors ligne", id="DEL"),
    pytest.param("Sauvegardes\x85 hors ligne", id="NEL-C1"),
    pytest.param("\x1fSauvegardes hors ligne", id="edge-that-strip-would-drop"),
])
def test_a_control_character_in_a_section_comment_is_refused(section_page, editor, typed) -> None:  # noqa: ANN001
    url, section = section_page
    question = section.questions[0]
    data = {**section_fields(section), f"{key_of(question)}__comment": typed}
    response = editor.post(url, data, page=url)
    assert response.status_code == 400
    page = text(response)
    assert NOTHING_SAVED in page and question.id in page
    assert any(CONTROL in e for e in field_errors(page))
    assert "Sauvegardes" in page and "hors ligne" in page  # the typed text comes back
    assert count(Answer) == 0
    assert not db.session.scalars(select(AuditEvent).filter_by(action="answers.save")).all()


def test_a_control_character_in_a_one_line_value_is_refused(section_page, editor) -> None:  # noqa: ANN001
    first, section = section_page
    questionnaire = services.questionnaire_of(db.session.scalars(select(Assessment)).one())
    section = next(s for s in questionnaire.sections
                   if any(q.type in ("number", "percent") for q in s.questions))
    question = next(q for q in section.questions if q.type in ("number", "percent"))
    url = first.rsplit("/", 1)[0] + f"/{section.id}"
    data = {**section_fields(section), f"{key_of(question)}__value": "12\t5"}
    response = editor.post(url, data, page=url)
    assert response.status_code == 400
    assert any(CONTROL in e for e in field_errors(text(response)))
    assert count(Answer) == 0


def test_line_breaks_and_tabs_are_welcome_in_multi_line_text(section_page, editor) -> None:  # noqa: ANN001
    url, section = section_page
    question = section.questions[0]
    comment = "Première ligne\r\n\tseconde ligne, en retrait"
    data = {**section_fields(section), f"{key_of(question)}__comment": comment}
    assert editor.post(url, data, page=url).status_code == 302
    saved = db.session.scalars(select(Answer).filter_by(question_id=question.id)).one()
    assert saved.comment == comment  # stored as typed, as before


def test_a_huge_section_comment_is_refused_with_its_length_and_the_limit(section_page, editor) -> None:  # noqa: ANN001
    url, section = section_page
    question = section.questions[0]
    huge = "x" * 1_500_000  # the 1.5 MB comment of the report (under MAX_CONTENT_LENGTH)
    data = {**section_fields(section), f"{key_of(question)}__comment": huge}
    response = editor.post(url, data, page=url)
    assert response.status_code == 400
    errors = [plain(e) for e in field_errors(text(response))]
    assert any(TOO_LONG in e and "1500000 caractères" in e and "5000 au plus" in e
               for e in errors), errors
    assert huge in response.get_data(as_text=True)  # nothing typed is lost
    assert count(Answer) == 0
    assert not db.session.scalars(select(AuditEvent).filter_by(action="answers.save")).all()


def test_a_section_comment_at_the_limit_is_saved_and_the_audit_keeps_its_start(
        section_page, editor) -> None:  # noqa: ANN001
    url, section = section_page
    question = section.questions[0]
    at_limit = "é" * 5000
    data = {**section_fields(section), f"{key_of(question)}__comment": at_limit}
    assert editor.post(url, data, page=url).status_code == 302
    saved = db.session.scalars(select(Answer).filter_by(question_id=question.id)).one()
    assert saved.comment == at_limit
    event = db.session.scalars(select(AuditEvent).filter_by(action="answers.save")).one()
    logged = event.details["changes"][question.id]["after"][3]
    assert logged == "é" * DETAIL_TEXT_MAX + CUT


def test_the_section_tells_the_browser_its_limits(section_page, editor) -> None:  # noqa: ANN001
    url, section = section_page
    page = editor.client.get(url).get_data(as_text=True)
    key = key_of(section.questions[0])
    comment = re.search(rf'<textarea[^>]*name="{key}__comment"[^>]*>', page).group(0)
    assert 'maxlength="5000"' in comment and "data-counter" in comment
    assert re.search(r'<script src="/static/js/counter.js(\?[^"]*)?" defer></script>', page)
    script = editor.client.get("/static/js/counter.js")
    assert script.status_code == 200 and b"data-counter" in script.data
    script.close()


# -- the login form ----------------------------------------------------------------------------

def test_a_nul_in_the_login_email_is_refused_never_a_500(world: World, browser: Browser) -> None:
    before = count(AuditEvent)
    response = browser.client.post("/connexion", data={
        "csrf_token": browser.token("/connexion"), "email": "rssi@test.fr\x00",
        "password": "nimporte-quoi-de-long"})
    assert response.status_code == 200
    assert any(CONTROL in e for e in field_errors(text(response)))
    assert count(AuditEvent) == before  # not even counted as a failed login


# -- campaigns, registers, roadmap ------------------------------------------------------------

def campaign_data(**changes: str) -> dict[str, str]:
    return {"name": "Campagne 2027", "year": "2027", "questionnaire": "care@1.0.0",
            "opens_on": "2027-01-01", "deadline": "2027-12-31", "region_code": "", **changes}


def test_a_nul_in_a_campaign_name_is_refused(world: World, browser: Browser) -> None:
    login(browser, world, "admin")
    url = "/campagnes/nouvelle"
    before = count(Campaign)
    response = browser.post(url, campaign_data(name="Campagne\x00 2027"), page=url)
    assert response.status_code in (200, 400)
    page = text(response)
    assert any(CONTROL in e for e in field_errors(page))
    assert 'value="Campagne 2027"' in page  # shown back, without the NUL
    assert count(Campaign) == before
    name = re.search(r'<input[^>]*name="name"[^>]*>', response.get_data(as_text=True)).group(0)
    assert 'maxlength="200"' in name
    assert browser.post(url, campaign_data(), page=url).status_code == 302  # then it saves


def exercise_data(**changes: str) -> dict[str, object]:
    return {"status": "held", "held_on": day(-40).isoformat(), "type": "tabletop",
            "kit_level": "beginner", "scenario": "ransomware", "scenario_detail": "",
            "functions": ["direction"], "duration_hours": "3", "objectives": "Tester",
            "retex_on": "", "retex_summary": "", **changes}


def test_register_forms_refuse_control_characters_and_keep_the_input(world, editor) -> None:  # noqa: ANN001
    base = f"/etablissements/{world.own.id}"
    url = f"{base}/exercices/nouveau"
    response = editor.post(url, exercise_data(objectives="Tester\x07 la cellule"), page=url)
    assert response.status_code == 400
    page = text(response)
    assert any(CONTROL in e for e in field_errors(page)) and "Tester la cellule" in page
    assert count(CrisisExercise) == 0

    url = f"{base}/continuite/activites/nouvelle"
    activity = {"kind": "care", "name": "Urgences\tadultes", "pca_status": "none",
                "pra_status": "none", "last_test_on": "", "last_test_result": ""}
    response = editor.post(url, activity, page=url)
    assert response.status_code == 400  # a tab has no place in a one-line name
    assert any(CONTROL in e for e in field_errors(text(response)))
    assert count(CriticalActivity) == 0

    # line breaks are welcome in multi-line text, one LF each
    url = f"{base}/exercices/nouveau"
    response = editor.post(url, exercise_data(objectives="Un\r\n\tDeux"), page=url)
    assert response.status_code == 302
    assert db.session.scalars(select(CrisisExercise)).one().objectives == "Un\n\tDeux"


def action_data(**changes: str) -> dict[str, str]:
    return {"title": "Coffre-fort de mots de passe", "priority": "P2", "owner": "",
            "due_on": "", "status": "todo", "abandon_reason": "", "comment": "",
            "axis_id": "", "domain": "", **changes}


def test_roadmap_text_limits_are_said_with_the_length(world, editor) -> None:  # noqa: ANN001
    url = f"/etablissements/{world.own.id}/feuille-de-route/nouvelle"
    response = editor.post(url, action_data(title="Coffre\x00fort"), page=url)
    assert response.status_code == 400 and count(RoadmapAction) == 0
    assert any(CONTROL in e for e in field_errors(text(response)))

    response = editor.post(url, action_data(comment="c" * 5001), page=url)
    assert response.status_code == 400 and count(RoadmapAction) == 0
    errors = [plain(e) for e in field_errors(text(response))]
    assert any("5001 caractères pour 5000 au plus" in e and "de 1 caractère." in e
               for e in errors), errors
    assert "c" * 5001 in response.get_data(as_text=True)  # kept as typed
    page = response.get_data(as_text=True)
    title = re.search(r'<input[^>]*name="title"[^>]*>', page).group(0)
    assert 'maxlength="300"' in title and "data-counter" in title

    assert editor.post(url, action_data(comment="c" * 5000), page=url).status_code == 302
    event = db.session.scalars(select(AuditEvent).filter_by(action="roadmap.create")).one()
    assert len(json.dumps(event.details)) < 2000  # the comment is cut in the journal


# -- query-string filters -----------------------------------------------------------------------

@pytest.mark.parametrize("action", ["%00", "answers.save%00", "%1B", "a" * 41])
def test_a_journal_filter_with_control_characters_is_ignored_with_a_message(
        world: World, browser: Browser, action: str) -> None:
    login(browser, world, "admin")
    response = browser.client.get(f"/journal/?action={action}")
    assert response.status_code == 200
    assert "Filtre « Action » ignoré" in text(response)


@pytest.mark.parametrize("query", ["statut=%00", "tri=%1B%5B0m", "axe=GOV%00", "priorite=P1%0A"])
def test_a_roadmap_filter_with_control_characters_is_ignored_with_a_message(
        world, editor, query: str) -> None:  # noqa: ANN001
    response = editor.client.get(f"/etablissements/{world.own.id}/feuille-de-route?{query}")
    assert response.status_code == 200
    assert "Filtre non reconnu, ignoré" in text(response)
    name = query.split("=")[0]
    assert f"ignoré : {name}." in text(response)


def test_several_unknown_roadmap_filters_are_named_together(world, editor) -> None:  # noqa: ANN001
    response = editor.client.get(f"/etablissements/{world.own.id}/feuille-de-route"
                                 "?statut=%00&tri=nope&origine=manual")
    assert response.status_code == 200
    assert "Filtres non reconnus, ignorés : statut, tri." in text(response)


# -- the audit journal stays bounded ------------------------------------------------------------

def stored(event: AuditEvent) -> AuditEvent:
    db.session.commit()
    db.session.expire_all()
    return db.session.get(AuditEvent, event.id)


def size(details: object) -> int:
    return len(json.dumps(details, ensure_ascii=False).encode())


def test_a_long_text_in_an_audit_event_is_cut_with_an_ellipsis(app) -> None:  # noqa: ANN001
    huge = "x" * 1_500_000
    event = stored(record("test.huge", actor="cli", details={
        "changes": {"comment": ["avant", huge]}, "count": 3, "flag": True, "none": None}))
    assert event.details["changes"]["comment"] == ["avant", "x" * DETAIL_TEXT_MAX + CUT]
    assert (event.details["count"], event.details["flag"], event.details["none"]) == (3, True,
                                                                                      None)
    assert size(event.details) < 1000


def test_an_audit_event_stays_small_whatever_its_shape(app) -> None:  # noqa: ANN001
    many = stored(record("test.many", actor="cli", details={
        "rows": {f"Q-{i}": {"before": ["y" * 1000] * 4, "after": ["z" * 1000] * 4}
                 for i in range(1000)},
        "list": list(range(100_000))}))
    assert size(many.details) <= DETAIL_BYTES_MAX
    deep: dict = {}
    node = deep
    for _ in range(500):
        node["child"] = {}
        node = node["child"]
    nested = stored(record("test.deep", actor="cli", details={"deep": deep}))
    assert size(nested.details) < 1000
    wide = stored(record("test.wide", actor="cli", details={
        f"k{i}" + "w" * 400: "v" * 400 for i in range(5000)}))
    assert size(wide.details) <= DETAIL_BYTES_MAX
