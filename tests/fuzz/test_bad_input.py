"""Hypothesis drives the forms (questionnaire section, registers, roadmap, campaigns, login),
the query-string filters and the CSV import with generated input, control characters included
(NUL, ESC, DEL, C1…, drawn often on purpose): never a 500, never half-written, and nothing stored
holds a control character but line breaks and tabs."""

from __future__ import annotations

import os
import re
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from careapp.assessments import services
from careapp.assessments.models import Answer, Campaign
from careapp.db import db
from careapp.organisations.finess import make_finess
from careapp.organisations.models import Establishment
from careapp.organisations.services import import_establishments
from careapp.resilience.models import CrisisExercise, CriticalActivity
from careapp.roadmap.models import RoadmapAction
from tests.world import World, login, make_world

FUZZ = settings(max_examples=int(os.environ.get("CAREAPP_FUZZ_EXAMPLES", "25")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
# Unicode category Cc: U+0000-U+001F and U+007F-U+009F, drawn as often as all other characters
# together, NUL (which PostgreSQL refuses in text) more than any.
CONTROL = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]
CHARACTERS = st.one_of(st.characters(codec="utf-8", exclude_categories=["Cs"]),
                       st.sampled_from(CONTROL), st.just("\x00"), st.sampled_from("ab \r\n\t"))
# (a list joined, not st.text(alphabet=…): text() merges its alphabet into one character set,
# which loses the weights and draws a NUL once in a hundred strings)
TEXT = st.lists(CHARACTERS, max_size=60).map("".join)
# Stored text may hold line breaks and tabs (multi-line fields; CRs of CRLF in answers), no
# other control character.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def no_control_characters(value: object) -> bool:
    if isinstance(value, str):
        return not FORBIDDEN.search(value)
    if isinstance(value, list | tuple):
        return all(no_control_characters(v) for v in value)
    return True


def once_world(browser, who: str = "editor") -> World | None:  # noqa: ANN001
    """The world, made and logged into at the first example only (the app lives across them)."""
    if db.session.scalar(select(func.count()).select_from(Establishment)):
        return None
    world = make_world()
    login(browser, world, who)
    return world


@FUZZ
@given(data=st.data())
def test_the_section_form_survives_any_input(app, browser, data) -> None:  # noqa: ANN001
    if not db.session.scalar(select(func.count()).select_from(Establishment)):
        world = make_world()
        services.start_assessment(world.campaign, world.own, world.users["editor"])
        db.session.commit()
        login(browser, world, "editor")
    assessment = db.session.scalars(select(services.Assessment)).one()
    questionnaire = services.questionnaire_of(assessment)
    section = data.draw(st.sampled_from(questionnaire.sections))
    keys = [q.id.replace("-", "_") for q in section.questions]
    names = [f"{k}__{part}" for k in keys for part in ("value", "state", "justification",
                                                       "comment")] + ["revision", "next"]
    form = data.draw(st.dictionaries(st.sampled_from(names), TEXT, max_size=len(names)))
    url = f"/evaluations/{assessment.id}/sections/{section.id}"
    before = answers()
    response = browser.post(url, form, page=url)
    assert response.status_code in (302, 400, 409), response.status_code
    if response.status_code != 302:  # refused (control characters) or stale: nothing written
        assert answers() == before
    saved = set(db.session.scalars(select(Answer.question_id)))
    assert saved <= {q.id for q in questionnaire.questions}
    assert all(no_control_characters(row) for row in answers().values())


def answers() -> dict[str, tuple]:
    db.session.expire_all()
    return {a.question_id: (a.state, a.value, a.justification, a.comment, a.revision)
            for a in db.session.scalars(select(Answer))}


def rows_of(model: type) -> list[tuple]:
    db.session.expire_all()
    columns = [c for c in model.__table__.columns]
    return sorted((tuple(str(getattr(row, c.key)) for c in columns)
                   for row in db.session.scalars(select(model))), key=str)


REGISTER_FORMS = {
    "exercices/nouveau": (CrisisExercise, {
        "status": st.sampled_from(["held", "planned"]), "held_on": st.just("2025-01-15"),
        "type": st.just("tabletop"), "kit_level": st.just("beginner"),
        "scenario": st.sampled_from(["ransomware", "other"]), "scenario_detail": TEXT,
        "functions": st.just("it"), "duration_hours": st.one_of(st.just("3"), TEXT),
        "objectives": TEXT, "retex_on": st.just(""), "retex_summary": TEXT}),
    "continuite/activites/nouvelle": (CriticalActivity, {
        "kind": st.just("care"), "name": TEXT, "pca_status": st.just("none"),
        "pra_status": st.just("none"), "rto_hours": st.one_of(st.just(""), TEXT)}),
    "feuille-de-route/nouvelle": (RoadmapAction, {
        "title": TEXT, "priority": st.sampled_from(["P1", "P2"]), "owner": TEXT,
        "due_on": st.one_of(st.just(""), TEXT), "status": st.sampled_from(["todo", "abandoned"]),
        "abandon_reason": TEXT, "comment": TEXT, "axis_id": TEXT, "domain": TEXT}),
}


@FUZZ
@given(data=st.data())
def test_the_register_and_roadmap_forms_survive_any_input(app, browser, data) -> None:  # noqa: ANN001
    once_world(browser)
    own = db.session.scalars(select(Establishment).order_by(Establishment.id)).first()
    path = data.draw(st.sampled_from(sorted(REGISTER_FORMS)))
    model, fields = REGISTER_FORMS[path]
    form = data.draw(st.fixed_dictionaries({}, optional=fields))
    url = f"/etablissements/{own.id}/{path}"
    before = rows_of(model)
    response = browser.post(url, form, page=url)
    assert response.status_code in (302, 400), response.status_code
    after = rows_of(model)
    if response.status_code == 400:
        assert after == before  # refused: nothing written
    else:
        assert len(after) == len(before) + 1
    for row in db.session.scalars(select(model)):
        texts = [getattr(row, c.key) for c in model.__table__.columns]
        assert all(no_control_characters(t) for t in texts)


@FUZZ
@given(name=TEXT)
def test_the_campaign_form_survives_any_name(app, browser, name: str) -> None:  # noqa: ANN001
    once_world(browser, "admin")
    before = db.session.scalar(select(func.count()).select_from(Campaign))
    url = "/campagnes/nouvelle"
    year = 2030 + before  # one national campaign a year: a new year for each example
    response = browser.post(url, {"name": name, "year": str(year), "questionnaire": "care@1.0.0",
                                  "opens_on": f"{year}-01-01", "deadline": f"{year}-12-31",
                                  "region_code": ""}, page=url)
    assert response.status_code in (200, 302, 400), response.status_code
    after = db.session.scalar(select(func.count()).select_from(Campaign))
    assert after == before + (response.status_code == 302)
    assert all(no_control_characters(c.name) for c in db.session.scalars(select(Campaign)))


@FUZZ
@given(email=TEXT, password=TEXT)
def test_the_login_form_survives_any_input(app, browser, email: str, password: str) -> None:  # noqa: ANN001
    response = browser.client.post("/connexion", data={
        "csrf_token": browser.token("/connexion"), "email": email, "password": password})
    assert response.status_code in (200, 302, 429), response.status_code


@FUZZ
@given(value=TEXT)
def test_the_journal_filter_survives_any_value(app, browser, value: str) -> None:  # noqa: ANN001
    once_world(browser, "admin")
    response = browser.client.get("/journal/", query_string={"action": value})
    assert response.status_code == 200, response.status_code


@FUZZ
@given(name=st.sampled_from(["statut", "priorite", "origine", "axe", "en_retard", "tri"]),
       value=TEXT)
def test_the_roadmap_filters_survive_any_value(app, browser, name: str, value: str) -> None:  # noqa: ANN001
    once_world(browser)
    own = db.session.scalars(select(Establishment).order_by(Establishment.id)).first()
    response = browser.client.get(f"/etablissements/{own.id}/feuille-de-route",
                                  query_string={name: value})
    assert response.status_code == 200, response.status_code


ROW_VALUES = {
    "finess_et": st.one_of(st.just(make_finess("35", 7)), st.just(make_finess("29", 8)), TEXT),
    "finess_ej": st.one_of(st.just(make_finess("35", 9)), TEXT),
    "nom": st.one_of(st.just("CH de test"), TEXT),
    "categorie": st.one_of(st.sampled_from(["CH", "CHU", "XXX"]), TEXT),
    "statut": st.one_of(st.sampled_from(["public", "prive_lucratif"]), TEXT),
    "region": st.one_of(st.sampled_from(["53", "11", "99"]), TEXT),
    "ght_code": st.one_of(st.just(""), st.text(string.ascii_uppercase, max_size=25)),
    "commune": TEXT,
}


@st.composite
def csv_files(draw) -> str:  # noqa: ANN001
    columns = list(ROW_VALUES)
    rows = draw(st.lists(st.fixed_dictionaries(ROW_VALUES), max_size=5))
    separator = draw(st.sampled_from([";", ","]))
    clean = lambda v: v.replace(separator, " ").replace("\n", " ").replace("\r", " ").replace('"', "")  # noqa: E731
    lines = [separator.join(columns)] + [separator.join(clean(r[c]) for c in columns) for r in rows]
    return "\n".join(lines)


@FUZZ
@given(text=csv_files())
def test_the_import_writes_all_rows_or_none(app, text: str) -> None:  # noqa: ANN001
    before = db.session.scalar(select(func.count()).select_from(Establishment))
    report = import_establishments(text)
    after = db.session.scalar(select(func.count()).select_from(Establishment))
    if report.ok:
        assert after - before == report.created
    else:
        assert after == before and report.created == report.updated == 0
        assert all(line >= 1 and reason for line, reason in report.errors)
    db.session.rollback()
