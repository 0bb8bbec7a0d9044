"""The interface in French (the source language) and in English (careapp/translations)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from markupsafe import escape

import careapp
from careapp.assessments import services
from tests import factories
from tests.world import make_world

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = Path(careapp.__file__).resolve().parent / "translations"
POT = TRANSLATIONS / "messages.pot"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"


def compile_catalogues() -> None:
    """Compile each .po whose .mo is missing or older (the .mo files are not versioned): the
    tests then pass from a fresh clone without `make install`. Written to a temporary file and
    renamed, so that parallel test workers never read a half-written catalogue."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source)
        fd, tmp = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as target:
            write_mo(target, catalog)
        os.chmod(tmp, 0o644)  # noqa: S103 - like any other file of the package
        os.replace(tmp, mo)


compile_catalogues()  # at import: before any application of this test run loads a catalogue


@pytest.fixture
def world(app):  # noqa: ANN001, ANN201
    return make_world()


def switch_to_english(browser, page: str = "/connexion") -> None:  # noqa: ANN001
    response = browser.post("/langue", {"lang": "en", "next": page}, page=page)
    assert response.status_code == 302 and response.headers["Location"].endswith(page)


def test_the_login_page_is_french_by_default_and_english_on_request(browser) -> None:
    html = browser.client.get("/connexion").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Connexion" in html and "Mot de passe" in html and "Se connecter" in html

    switch_to_english(browser)
    html = browser.client.get("/connexion").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Log in" in html and "Password" in html and "Email address" in html
    assert "Mot de passe" not in html and "Se connecter" not in html
    assert 'value="fr"' in html  # the way back to French

    # Form validation messages (lazy strings in the form class) follow the language.
    html = browser.client.post("/connexion", data={
        "csrf_token": browser.token("/connexion"), "email": "", "password": ""}).get_data(as_text=True)
    assert "The form contains errors" in html and "Enter your email address." in html


def test_an_editor_who_chose_english_works_in_english(browser, world) -> None:
    switch_to_english(browser)
    response = browser.client.post("/connexion", data={  # the choice survives the login
        "csrf_token": browser.token("/connexion"), "email": world.email("editor"),
        "password": factories.PASSWORD})
    assert response.status_code == 302

    page = f"/etablissements/{world.own.id}"
    html = browser.client.get(page).get_data(as_text=True)
    assert '<html lang="en">' in html
    for text in ("My establishments", "Log out", "Self-assessment campaigns", "Overall score",
                 "Start the self-assessment", "Not started", "CISO (RSSI)"):
        assert text in html, text
    assert "Commencer l" not in html and "Se déconnecter" not in html

    response = browser.post(f"{page}/campagnes/{world.campaign.id}/evaluation", page=page)
    assert response.status_code == 302
    questionnaire = services.questionnaire_of_campaign(world.campaign)
    section = questionnaire.sections[0]
    question = section.questions[0]
    url = f"{response.headers['Location']}/sections/{section.id}"
    html = browser.client.get(url).get_data(as_text=True)
    assert str(escape(question.text["en"])) in html
    assert str(escape(section.title["en"])) in html
    for text in ("Save and continue", "Managed by the GHT", "Help", "Comment", "Back to the overview",
                 "Go to the next unanswered question"):
        assert text in html, text
    assert "Enregistrer et continuer" not in html and "Autre réponse" not in html

    # A flash message written in Python.
    html = browser.post(url, {}, page=url, follow_redirects=True).get_data(as_text=True)
    assert "Section saved." in html


def _catalog(path: Path):  # noqa: ANN202
    with path.open("rb") as f:
        return read_po(f)


def test_every_english_message_is_translated() -> None:
    catalog = _catalog(EN_PO)
    untranslated = [m.id for m in catalog if m.id and (
        "fuzzy" in m.flags
        or not (all(m.string) if isinstance(m.string, tuple) else m.string))]
    assert untranslated == []
    problems = [(message.id, errors) for message, errors in catalog.check()]
    assert problems == []  # placeholders and plural forms agree with the msgids
    assert {m.id for m in catalog if m.id} == {m.id for m in _catalog(POT) if m.id}


def test_the_template_is_up_to_date() -> None:
    """messages.pot holds exactly what `make translations` would extract now."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f, filename=str(ROOT / "babel.cfg"))
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "Msg": None}
    extracted = {(message, context) for _, _, message, _, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords)}
    in_template = {(m.id, m.context) for m in _catalog(POT) if m.id}
    assert extracted, "nothing extracted: check babel.cfg"
    assert extracted == in_template, "run `make translations` and translate the new strings"


def test_answer_errors_are_shown_in_english(app, browser) -> None:  # noqa: ANN001
    from careapp.assessments.answers import ANSWERED, RawAnswer, interpret
    from careapp.messages import translate
    from careapp.questionnaires.registry import available

    questionnaire = available()[0].model
    ads = questionnaire.question("OPS-02")
    error = interpret(ads, RawAnswer(ANSWERED, "7")).error
    assert error == "Saisissez une valeur entre 1 et 5."  # French wherever it is stored
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        assert translate(error) == "Enter a value between 1 and 5."
        conflict = interpret(ads, RawAnswer("dont_know", "3")).error
        assert translate(conflict) == (
            "You entered an answer and chose “I don't know”: clear the answer or go back to "
            "“I answer”.")
