"""The RSSI's and the ARS's journeys through the test client, on both databases."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from careapp.assessments import services
from careapp.assessments.models import Answer, Assessment, AssessmentStatus, ScoreSnapshot
from careapp.db import db
from careapp.numbers import format_score
from tests import factories
from tests.world import (
    fill_all,
    login,
    make_world,
    section_fields,
    special_fields,
    submitted_assessment,
)


@pytest.fixture
def world(app):  # noqa: ANN001, ANN201
    return make_world()


def start(browser, world) -> Assessment:  # noqa: ANN001
    page = f"/etablissements/{world.own.id}"
    response = browser.post(f"{page}/campagnes/{world.campaign.id}/evaluation", page=page)
    assert response.status_code == 302
    return db.session.scalars(select(Assessment)).one()


def questionnaire(world):  # noqa: ANN001, ANN201
    return services.questionnaire_of_campaign(world.campaign)


def first_numeric(q):  # noqa: ANN001, ANN201
    return next(x for x in q.questions if x.type in {"number", "percent"} and not x.depends_on)


def test_rssi_sees_only_their_establishments(browser, world) -> None:
    login(browser, world, "editor")
    page = browser.client.get("/etablissements/").get_data(as_text=True)
    assert "CH de Rennes test" in page
    assert "CH de Brest test" not in page and "Hôpital parisien test" not in page


def test_save_keeps_everything_typed_even_with_an_invalid_field(browser, world) -> None:
    login(browser, world, "editor")
    assessment = start(browser, world)
    q = questionnaire(world)
    numeric = first_numeric(q)
    section = q.section(numeric.section_id)
    key = numeric.id.replace("-", "_")
    data = section_fields(section)
    data[f"{key}__value"] = "deux virgule cinq"
    other = next(x for x in section.questions if x.id != numeric.id)
    data[f"{other.id.replace('-', '_')}__comment"] = "Vu avec la DSI le 3 mars."
    url = f"/evaluations/{assessment.id}/sections/{section.id}"
    response = browser.post(url, data, page=url, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "à corriger" in html
    assert 'value="deux virgule cinq"' in html  # the invalid entry is shown back as typed
    assert "Saisissez un nombre" in html
    db.session.expire_all()
    saved = {a.question_id: a for a in db.session.scalars(select(Answer))}
    assert saved[numeric.id].value == "deux virgule cinq"
    assert saved[other.id].comment == "Vu avec la DSI le 3 mars."
    assert len(saved) == len(section.questions)  # every other field of the section was kept

    # Resume later (new login): the same values are there, the wrong one still flagged.
    login(browser, world, "editor")
    html = browser.client.get(url).get_data(as_text=True)
    assert 'value="deux virgule cinq"' in html and "Vu avec la DSI le 3 mars." in html


def test_not_applicable_needs_a_justification(browser, world) -> None:
    login(browser, world, "editor")
    assessment = start(browser, world)
    question = next(x for x in questionnaire(world).questions if x.allow_na and not x.depends_on)
    key = question.id.replace("-", "_")
    url = f"/evaluations/{assessment.id}/sections/{question.section_id}"
    html = browser.post(url, special_fields(question, "na"), page=url,
                        follow_redirects=True).get_data(as_text=True)
    assert "Justifiez « Non applicable »" in html
    browser.post(url, {**special_fields(question, "na"), f"{key}__justification": "Aucun équipement "
                       "biomédical télémaintenu."}, page=url)
    results = services.results_of(db.session.get(Assessment, assessment.id))
    assert results["questions"][question.id]["state"] == "na"


def test_progress_next_unanswered_and_submission_checklist(browser, world) -> None:
    login(browser, world, "editor")
    assessment = start(browser, world)
    q = questionnaire(world)
    first = q.sections[0]
    url = f"/evaluations/{assessment.id}/sections/{first.id}"
    browser.post(url, section_fields(first), page=url)
    overview = browser.client.get(f"/evaluations/{assessment.id}").get_data(as_text=True)
    done = sum(1 for x in first.questions if x.weight > 0 and not x.depends_on)
    assert re.search(rf">{done}/{done}<", overview) or f"{done}/{done}" in overview
    jump = browser.client.get(f"/evaluations/{assessment.id}/prochaine-question")
    expected = next(x for x in q.questions if x.section_id != first.id and x.weight > 0
                    and not x.depends_on)
    assert jump.headers["Location"].endswith(f"/sections/{expected.section_id}#q-{expected.id}")
    checklist = browser.client.get(f"/evaluations/{assessment.id}/soumettre").get_data(as_text=True)
    assert "à compléter ou corriger avant de soumettre" in checklist
    assert f"#q-{expected.id}" in checklist
    refused = browser.post(f"/evaluations/{assessment.id}/soumettre",
                           page=f"/evaluations/{assessment.id}/soumettre", follow_redirects=True)
    assert "restent à compléter" in refused.get_data(as_text=True)
    assert db.session.get(Assessment, assessment.id).status is AssessmentStatus.DRAFT


def test_full_journey_submit_results_frozen_ars_reopen(browser, world) -> None:
    login(browser, world, "editor")
    assessment = start(browser, world)
    q = questionnaire(world)
    fill_all(browser, assessment.id, q, level=2)
    submit_url = f"/evaluations/{assessment.id}/soumettre"
    response = browser.post(submit_url, page=submit_url)
    assert response.headers["Location"].endswith(f"/evaluations/{assessment.id}/resultats")
    db.session.expire_all()
    submitted = db.session.get(Assessment, assessment.id)
    assert submitted.status is AssessmentStatus.SUBMITTED
    snapshot = submitted.snapshot
    assert snapshot.scoring_version == "2.0" and snapshot.overall is not None
    assert {a.axis_id for a in snapshot.axis_scores} == {"GOV", "RES", "SEN", "OPS"}

    html = browser.client.get(f"/evaluations/{assessment.id}/resultats").get_data(as_text=True)
    for text in ("Score global", "Socle Cyber", "Complétude", "D1 — ", "HospiConnect",
                 "Comment ces scores sont calculés", "<svg", "Points les plus faibles"):
        assert text in html
    assert format_score(snapshot.overall, "fr") in html

    # Frozen: a late save is refused and changes nothing.
    section = q.sections[0]
    url = f"/evaluations/{assessment.id}/sections/{section.id}"
    before = {a.question_id: a.value for a in submitted.answers}
    browser.post(url, section_fields(section, level=0), page=url)
    db.session.expire_all()
    assert {a.question_id: a.value for a in db.session.get(Assessment, assessment.id).answers} == before

    # The ARS of the region sees it and reopens it; the frozen scores go, answers stay.
    login(browser, world, "ars")
    region = browser.client.get("/region/").get_data(as_text=True)
    assert "CH de Rennes test" in region and "CH de Brest test" in region
    assert "Hôpital parisien test" not in region
    assert format_score(snapshot.overall, "fr") in region
    response = browser.post(f"/evaluations/{assessment.id}/reouvrir",
                           {"reason": "Réponses D2 à revoir"}, page="/region/")
    assert response.status_code == 302
    db.session.expire_all()
    reopened = db.session.get(Assessment, assessment.id)
    assert reopened.status is AssessmentStatus.DRAFT and reopened.snapshot is None
    assert db.session.scalars(select(ScoreSnapshot)).all() == []
    assert len(reopened.answers) == len(before)


def test_grades_reads_the_region_but_cannot_reopen(browser, world) -> None:
    assessment = _submitted(world)
    login(browser, world, "grades")
    assert "CH de Rennes test" in browser.client.get("/region/").get_data(as_text=True)
    assert browser.post(f"/evaluations/{assessment.id}/reouvrir").status_code == 403
    login(browser, world, "ars_other")
    assert browser.post(f"/evaluations/{assessment.id}/reouvrir").status_code == 404


def _submitted(world, level: int = 2) -> Assessment:  # noqa: ANN001
    return submitted_assessment(world.campaign, world.own, world.users["editor"], level)


def test_next_year_prefills_from_last_submitted(browser, world) -> None:
    previous = _submitted(world, level=3)
    world.campaign.status = world.campaign.status.CLOSED
    next_campaign = factories.campaign(2027)
    db.session.commit()
    login(browser, world, "editor")
    page = f"/etablissements/{world.own.id}"
    response = browser.post(f"{page}/campagnes/{next_campaign.id}/evaluation", page=page,
                            follow_redirects=True)
    assert "réponses reprises de la dernière évaluation soumise" in response.get_data(as_text=True)
    new = db.session.scalar(select(Assessment).filter_by(campaign_id=next_campaign.id))
    assert new.carried_from_id == previous.id
    old_values = {a.question_id: a.value for a in previous.answers}
    assert {a.question_id: a.value for a in new.answers} == old_values
    assert all(a.carried_over for a in new.answers)
    # the previous assessment stays frozen
    assert db.session.get(Assessment, previous.id).status is AssessmentStatus.SUBMITTED
    q = questionnaire(world)
    section = q.sections[0]
    html = browser.client.get(f"/evaluations/{new.id}/sections/{section.id}").get_data(as_text=True)
    assert "Reprise de l&#39;an dernier" in html or "Reprise de l'an dernier" in html
    overview = browser.client.get(f"/evaluations/{new.id}").get_data(as_text=True)
    assert f"{len(section.questions)} reprise(s) à vérifier" in overview
    # Saving the section is the review: the answers are no longer marked as carried over.
    url = f"/evaluations/{new.id}/sections/{section.id}"
    browser.post(url, section_fields(section, level=3), page=url)
    reviewed = {a.question_id: a.carried_over for a in db.session.get(Assessment, new.id).answers}
    assert not any(reviewed[q.id] for q in section.questions)
    assert any(reviewed.values())  # the other sections still wait for their review


def test_other_answers_and_the_conflict_rule(browser, world) -> None:
    login(browser, world, "editor")
    assessment = start(browser, world)
    q = questionnaire(world)
    single = next(x for x in q.questions if x.type == "single" and x.allow_dont_know
                  and not x.depends_on)
    numeric = first_numeric(q)
    # "Je ne sais pas" chosen in the radio group of a single-choice question
    url = f"/evaluations/{assessment.id}/sections/{single.section_id}"
    browser.post(url, special_fields(single, "dont_know"), page=url)
    html = browser.client.get(url).get_data(as_text=True)
    assert re.search(r'value=":dont_know"[^>]*checked|checked[^>]*value=":dont_know"', html)
    # a number typed while "Je ne sais pas" is selected: both kept, the conflict explained
    key = numeric.id.replace("-", "_")
    url = f"/evaluations/{assessment.id}/sections/{numeric.section_id}"
    html = browser.post(url, {f"{key}__value": "2", f"{key}__state": "dont_know"}, page=url,
                        follow_redirects=True).get_data(as_text=True)
    assert "Vous avez saisi une réponse et choisi « Je ne sais pas »" in html
    saved = {a.question_id: a for a in db.session.scalars(select(Answer))}
    assert (saved[numeric.id].state, saved[numeric.id].value) == ("dont_know", "2")
    results = services.results_of(db.session.get(Assessment, assessment.id))["questions"]
    assert results[single.id]["state"] == "dont_know"
    assert results[numeric.id]["state"] is None and results[numeric.id]["error"]


def test_a_stale_section_save_loses_nothing_and_shows_the_other_version(browser, world) -> None:
    login(browser, world, "editor")
    assessment = start(browser, world)
    section = questionnaire(world).sections[0]
    first, second = section.questions[0], section.questions[1]
    url = f"/evaluations/{assessment.id}/sections/{section.id}"
    tab_b = browser.client.get(url).get_data(as_text=True)  # B opens the page first
    revision_b = re.search(r'name="revision"[^>]*value="(\d+)"', tab_b).group(1)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', tab_b).group(1)
    key1, key2 = first.id.replace("-", "_"), second.id.replace("-", "_")
    # A saves a comment on the first question
    browser.post(url, {**section_fields(section), f"{key1}__comment": "Validé en COMEX le 12/03"},
                 page=url)
    # B, still on the old page, changes the second question and saves
    posted = {**section_fields(section, level=3), f"{key2}__comment": "Vu avec le DSI",
              "revision": revision_b, "csrf_token": token}
    response = browser.client.post(url, data=posted)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Rien n&#39;a été enregistré" in html or "Rien n'a été enregistré" in html
    assert "Version enregistrée entre-temps par Test editor" in html
    assert "Validé en COMEX le 12/03" in html  # A's version, shown to B
    assert "Vu avec le DSI" in html  # B's typing, kept in the form
    saved = {a.question_id: a for a in db.session.scalars(select(Answer))}
    assert saved[first.id].comment == "Validé en COMEX le 12/03"
    assert saved[second.id].comment == ""
    # B saves again from the re-shown page: now it goes through, knowingly.
    revision_now = re.search(r'name="revision"[^>]*value="(\d+)"', html).group(1)
    assert browser.client.post(url, data={**posted, "revision": revision_now}).status_code == 302
    assert db.session.scalars(select(Answer).filter_by(question_id=second.id)).one().comment == (
        "Vu avec le DSI")


def test_saving_another_section_in_between_is_no_conflict(browser, world) -> None:
    login(browser, world, "editor")
    assessment = start(browser, world)
    one, two = questionnaire(world).sections[:2]
    url_one = f"/evaluations/{assessment.id}/sections/{one.id}"
    url_two = f"/evaluations/{assessment.id}/sections/{two.id}"
    page_one = browser.client.get(url_one).get_data(as_text=True)
    revision = re.search(r'name="revision"[^>]*value="(\d+)"', page_one).group(1)
    browser.post(url_two, section_fields(two), page=url_two)
    response = browser.post(url_one, {**section_fields(one), "revision": revision}, page=url_one)
    assert response.status_code == 302


def test_tampered_or_odd_input_is_kept_flagged_and_never_a_500(browser, world) -> None:
    login(browser, world, "editor")
    assessment = start(browser, world)
    section = questionnaire(world).sections[0]
    single = next(q for q in section.questions if q.type == "single")
    other = next(q for q in section.questions if q.id != single.id)
    url = f"/evaluations/{assessment.id}/sections/{section.id}"
    key, key2 = single.id.replace("-", "_"), other.id.replace("-", "_")
    data = {**section_fields(section), f"{key}__value": ":" + "x" * 40,
            f"{key2}__comment": "commentaire", "revision": "abc"}  # NUL: tests/test_text_limits.py
    response = browser.post(url, data, page=url, follow_redirects=True)
    assert response.status_code == 200
    assert "État de réponse inconnu." in response.get_data(as_text=True)
    saved = {a.question_id: a for a in db.session.scalars(select(Answer))}
    assert saved[single.id].state == "unknown"
    assert saved[other.id].comment == "commentaire"
    too_big = browser.post(url, {"x": "y" * (3 * 1024 * 1024)}, page=url)
    assert too_big.status_code == 413


def test_unreviewed_carried_answers_need_an_explicit_confirmation(browser, world) -> None:
    submitted_assessment(world.campaign, world.own, world.users["editor"], level=2)
    world.campaign.status = world.campaign.status.CLOSED
    next_campaign = factories.campaign(2027)
    db.session.commit()
    login(browser, world, "editor")
    page = f"/etablissements/{world.own.id}"
    browser.post(f"{page}/campagnes/{next_campaign.id}/evaluation", page=page)
    new = db.session.scalar(select(Assessment).filter_by(campaign_id=next_campaign.id))
    url = f"/evaluations/{new.id}/soumettre"
    checklist = browser.client.get(url).get_data(as_text=True)
    assert "n&#39;ont pas été revues" in checklist or "n'ont pas été revues" in checklist
    refused = browser.post(url, page=url, follow_redirects=True).get_data(as_text=True)
    assert "n&#39;ont pas été vérifiées" in refused or "n'ont pas été vérifiées" in refused
    assert db.session.get(Assessment, new.id).status is AssessmentStatus.DRAFT
    assert browser.post(url, {"carried_checked": "y"}, page=url).status_code == 302
    assert db.session.get(Assessment, new.id).status is AssessmentStatus.SUBMITTED


def test_a_draft_of_a_closed_campaign_says_why_it_is_read_only(browser, world) -> None:
    login(browser, world, "editor")
    assessment = start(browser, world)
    world.campaign.status = world.campaign.status.CLOSED
    db.session.commit()
    overview = browser.client.get(f"/evaluations/{assessment.id}").get_data(as_text=True)
    assert "La campagne est close" in overview and ">Soumettre<" not in overview
    section = questionnaire(world).sections[0]
    html = browser.client.get(f"/evaluations/{assessment.id}/sections/{section.id}").get_data(
        as_text=True)
    assert "Lecture seule : la campagne est close." in html
    assert "Enregistrer et continuer" not in html
