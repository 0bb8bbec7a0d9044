"""Hypothesis drives the section form and the CSV import with generated input: never a 500,
never half-written."""

from __future__ import annotations

import os
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from careapp.assessments import services
from careapp.assessments.models import Answer
from careapp.db import db
from careapp.organisations.finess import make_finess
from careapp.organisations.models import Establishment
from careapp.organisations.services import import_establishments
from tests.world import login, make_world

FUZZ = settings(max_examples=int(os.environ.get("CAREAPP_FUZZ_EXAMPLES", "25")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)


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
    response = browser.post(url, form, page=url)
    assert response.status_code in (302, 409), response.status_code
    saved = set(db.session.scalars(select(Answer.question_id)))
    assert saved <= {q.id for q in questionnaire.questions}


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
