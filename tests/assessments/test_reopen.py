"""Reopening a submitted assessment: a form with a required reason (ARS of the region, admin);
who, when and why are kept on the assessment, written to the audit log and shown on the
establishment's overview (and results page) to whoever sees the assessment, also after the
next submission. Both databases."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from careapp.assessments.forms import REOPEN_REASON_MAX
from careapp.assessments.models import Assessment, AssessmentStatus
from careapp.audit.models import AuditEvent
from careapp.audit.services import DETAIL_TEXT_MAX
from careapp.db import db
from tests.formpage import text
from tests.world import login, make_world, submitted_assessment

REASON = "Les réponses de l'axe 3 contredisent le registre des exercices.\nMerci de les revoir."


@pytest.fixture
def world(app):  # noqa: ANN001, ANN201
    return make_world()


@pytest.fixture
def submitted(world) -> Assessment:  # noqa: ANN001
    return submitted_assessment(world.campaign, world.own, world.users["editor"])


def url(assessment: Assessment) -> str:
    return f"/evaluations/{assessment.id}/reouvrir"


def fresh(assessment: Assessment) -> Assessment:
    db.session.expire_all()
    return db.session.get(Assessment, assessment.id)


def reopen_events() -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).filter_by(action="assessment.reopen")).all()


def textarea(page: str) -> str:
    match = re.search(r'<textarea[^>]*name="reason"[^>]*>(?:\r?\n)?(.*?)</textarea>', page, re.S)
    assert match, "no reason field in the page"
    return match.group(1)


def test_the_form_asks_for_a_reason(browser, world, submitted) -> None:  # noqa: ANN001
    login(browser, world, "ars")
    overview = text(browser.client.get(f"/evaluations/{submitted.id}"))
    assert f'href="{url(submitted)}"' in overview  # a link to the form, not a bare POST
    page = browser.client.get(url(submitted))
    assert page.status_code == 200
    html = text(page)
    assert 'name="reason"' in html and f'maxlength="{REOPEN_REASON_MAX}"' in html
    assert 'name="csrf_token"' in html and "data-confirm=" in html
    assert fresh(submitted).status is AssessmentStatus.SUBMITTED  # reading changes nothing


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Indiquez la raison de la réouverture"),
    ("   \r\n  ", "Indiquez la raison de la réouverture"),
    ("x" * (REOPEN_REASON_MAX + 1), "Texte trop long"),
    ("Axe 3\x1b[31m à revoir", "caractères non autorisés"),
])
def test_a_bad_reason_changes_nothing_and_keeps_the_input(browser, world, submitted,  # noqa: ANN001
                                                          typed: str, message: str) -> None:
    login(browser, world, "ars")
    response = browser.post(url(submitted), {"reason": typed}, page=url(submitted))
    assert response.status_code == 400
    html = text(response)
    assert re.search(r'class="field-error" id="reason-error">[^<]*' + re.escape(message), html)
    if typed.strip():  # what was typed comes back (minus the invisible control characters)
        assert textarea(html) == typed.replace("\x1b", "")
    again = fresh(submitted)
    assert again.status is AssessmentStatus.SUBMITTED and again.snapshot is not None
    assert again.reopened_at is None and again.reopen_reason is None
    assert reopen_events() == []


def test_the_reason_is_stored_audited_and_shown(browser, world, submitted) -> None:  # noqa: ANN001
    login(browser, world, "ars")
    response = browser.post(url(submitted), {"reason": REASON.replace("\n", "\r\n")},
                            page=url(submitted))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/evaluations/{submitted.id}")
    assert "Évaluation rouverte" in text(browser.client.get(response.headers["Location"]))
    reopened = fresh(submitted)
    assert reopened.status is AssessmentStatus.DRAFT and reopened.snapshot is None
    assert reopened.reopen_reason == REASON  # one LF per line break
    assert reopened.reopened_by_id == world.users["ars"].id
    assert reopened.reopened_at is not None
    [event] = reopen_events()
    assert event.actor == world.email("ars") and event.details["reason"] == REASON
    assert event.establishment_id == world.own.id and event.region_code == "53"

    # Shown in local time (Europe/Paris): 10:05 UTC on 1 July is 12:05 in Paris.
    reopened.reopened_at = dt.datetime(2026, 7, 1, 10, 5, tzinfo=dt.UTC)
    db.session.commit()
    for who in ("editor", "reader", "ars", "grades", "admin"):
        login(browser, world, who)
        for page in (f"/evaluations/{submitted.id}", f"/evaluations/{submitted.id}/resultats"):
            html = text(browser.client.get(page))
            assert "Rouverte le 1 juillet 2026 à 12:05 par Test ars :" in html, (who, page)
            assert ("« Les réponses de l'axe 3 contredisent le registre des exercices.<br>"
                    "Merci de les revoir. »") in html, (who, page)


def test_another_region_sees_nothing_and_cannot_reopen(browser, world, submitted) -> None:  # noqa: ANN001
    login(browser, world, "ars_other")
    assert browser.client.get(f"/evaluations/{submitted.id}").status_code == 404
    assert browser.client.get(url(submitted)).status_code == 404
    assert browser.post(url(submitted), {"reason": REASON}).status_code == 404
    for who in ("editor", "grades", "national"):  # they see the assessment, may not reopen it
        login(browser, world, who)
        assert browser.client.get(url(submitted)).status_code == 403
        assert browser.post(url(submitted), {"reason": REASON}).status_code == 403
    assert fresh(submitted).status is AssessmentStatus.SUBMITTED and reopen_events() == []


def test_the_reopening_stays_visible_after_the_next_submission(browser, world,  # noqa: ANN001
                                                               submitted) -> None:
    login(browser, world, "admin")
    assert browser.post(url(submitted), {"reason": "Erreur de saisie signalée"},
                        page=url(submitted)).status_code == 302
    login(browser, world, "editor")
    draft = text(browser.client.get(f"/evaluations/{submitted.id}"))
    assert "« Erreur de saisie signalée »" in draft and "Soumise à nouveau" not in draft
    submit = f"/evaluations/{submitted.id}/soumettre"
    assert browser.post(submit, page=submit).status_code == 302
    again = fresh(submitted)
    assert again.status is AssessmentStatus.SUBMITTED
    assert again.reopen_reason == "Erreur de saisie signalée"
    assert again.reopened_by_id == world.users["admin"].id
    login(browser, world, "ars")
    html = text(browser.client.get(f"/evaluations/{submitted.id}"))
    assert "« Erreur de saisie signalée »" in html and "par Test admin" in html
    assert "Soumise à nouveau le" in html


def test_the_audit_log_keeps_every_reopening_and_bounds_the_reason(browser, world,  # noqa: ANN001
                                                                    submitted) -> None:
    long_reason = "r" * REOPEN_REASON_MAX
    login(browser, world, "ars")
    assert browser.post(url(submitted), {"reason": "Première raison"},
                        page=url(submitted)).status_code == 302
    login(browser, world, "editor")
    submit = f"/evaluations/{submitted.id}/soumettre"
    assert browser.post(submit, page=submit).status_code == 302
    login(browser, world, "ars")
    assert browser.post(url(submitted), {"reason": long_reason},
                        page=url(submitted)).status_code == 302
    first, second = reopen_events()
    assert first.details["reason"] == "Première raison"
    assert len(second.details["reason"]) <= DETAIL_TEXT_MAX + 1  # bounded: first part + "…"
    assert second.details["reason"].startswith("r" * 100)
    assert fresh(submitted).reopen_reason == long_reason  # the whole of it on the assessment


def test_the_reason_is_shown_as_text(browser, world, submitted) -> None:  # noqa: ANN001
    login(browser, world, "ars")
    hostile = '<script>alert("x")</script> & <b>gras</b>'
    assert browser.post(url(submitted), {"reason": hostile},
                        page=url(submitted)).status_code == 302
    login(browser, world, "editor")
    raw = browser.client.get(f"/evaluations/{submitted.id}").get_data(as_text=True)
    assert "<script>alert" not in raw and "&lt;script&gt;" in raw


def test_reopening_needs_a_csrf_token(browser, world, submitted) -> None:  # noqa: ANN001
    login(browser, world, "ars")
    for token in ({}, {"csrf_token": "x" * 40}):
        response = browser.client.post(url(submitted), data={"reason": REASON, **token})
        assert response.status_code == 400
    assert fresh(submitted).status is AssessmentStatus.SUBMITTED and reopen_events() == []


def test_a_closed_campaign_or_a_draft_is_not_reopened(browser, world, submitted) -> None:  # noqa: ANN001
    login(browser, world, "ars")
    assert browser.post(url(submitted), {"reason": REASON}, page=url(submitted)).status_code == 302
    page = text(browser.client.get(url(submitted)))  # a draft: no form, a sentence
    assert "Seule une évaluation soumise peut être rouverte." in page and 'name="reason"' not in page
    response = browser.post(url(submitted), {"reason": "Encore"}, page=f"/evaluations/{submitted.id}")
    assert response.status_code == 302
    assert "Seule une évaluation soumise peut être rouverte." in text(
        browser.client.get(response.headers["Location"]))
    assert len(reopen_events()) == 1 and fresh(submitted).reopen_reason == REASON
