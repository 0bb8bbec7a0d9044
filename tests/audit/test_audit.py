"""The audit log: what is recorded, that it is never changed, and login throttling."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from careapp.assessments import services
from careapp.audit.models import AuditEvent
from careapp.audit.services import AuditIntegrityError
from careapp.db import db
from tests import factories
from tests.world import login, make_world, section_fields, submitted_assessment


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_every_change_is_recorded_with_who_and_before_after(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    login(browser, world, "editor")
    page = f"/etablissements/{world.own.id}"
    browser.post(f"{page}/campagnes/{world.campaign.id}/evaluation", page=page)
    assessment = services.find_assessment(world.campaign, world.own)
    section = services.questionnaire_of(assessment).sections[0]
    url = f"/evaluations/{assessment.id}/sections/{section.id}"
    browser.post(url, section_fields(section), page=url)
    first = section.questions[0]
    browser.post(url, {**section_fields(section), f"{first.id.replace('-', '_')}__comment": "vu"},
                 page=url)
    assert actions() == ["campaign.open", "login.success", "assessment.start", "answers.save",
                         "answers.save"]
    last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last.actor == "rssi@test.fr" and last.actor_id == world.users["editor"].id
    assert last.region_code == "53" and last.establishment_id == world.own.id
    assert list(last.details["changes"]) == [first.id]  # only what changed
    before, after = last.details["changes"][first.id]["before"], last.details["changes"][first.id]["after"]
    assert before[3] == "" and after[3] == "vu"


def test_submit_reopen_and_campaign_changes_are_recorded(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    submitted = submitted_assessment(world.campaign, world.own, world.users["editor"])
    overall = submitted.snapshot.overall
    login(browser, world, "ars")
    browser.post(f"/evaluations/{submitted.id}/reouvrir", {"reason": "Axe 3 à revoir"},
                 page="/region/")
    regional = factories.campaign(2027, region="53")
    db.session.commit()
    browser.post(f"/campagnes/{regional.id}/cloturer", page="/campagnes")
    browser.post(f"/campagnes/{regional.id}/rouvrir", page="/campagnes")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.actor == "ars53@test.fr")
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["login.password_ok", "login.success",
                                          "assessment.reopen", "campaign.close", "campaign.reopen"]
    assert events[2].details["frozen_overall"] == overall


def test_the_application_never_updates_or_deletes_audit_rows(app) -> None:  # noqa: ANN001
    make_world()
    entry = db.session.scalars(select(AuditEvent)).first()
    entry.action = "campaign.forged"
    with pytest.raises(AuditIntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalars(select(AuditEvent)).first())
    with pytest.raises(AuditIntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET action = 'forged'",
                                       "DELETE FROM audit_events"])
def test_the_database_refuses_changes_to_audit_rows(app, statement: str) -> None:  # noqa: ANN001
    make_world()
    count = db.session.query(AuditEvent).count()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert db.session.query(AuditEvent).count() == count
    assert "forged" not in actions()


def test_failed_logins_are_throttled_per_account_without_saying_if_it_exists(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    for _ in range(5):
        response = browser.login("rssi@test.fr", "not-the-password")
        assert response.status_code == 200
        assert "Adresse ou mot de passe incorrect." in response.get_data(as_text=True)
    blocked = browser.login("rssi@test.fr", factories.PASSWORD)  # right password, too late
    assert blocked.status_code == 429
    assert "Trop de tentatives : réessayez dans" in blocked.get_data(as_text=True)
    for _ in range(5):
        browser.login("nobody@test.fr", "not-the-password")  # an unknown account: same answer
    assert browser.login("nobody@test.fr", "x").status_code == 429
    login(browser, world, "ars")  # other accounts are not affected
    assert actions().count("login.failure") == 10
    assert actions().count("login.throttled") == 2


def test_an_ars_reads_its_region_only_and_an_admin_everything(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    submitted_assessment(world.campaign, world.own, world.users["editor"])  # region 53
    submitted_assessment(world.campaign, world.other_region,
                         factories.user(factories.Role.EDITOR, "rssi11@test.fr",
                                        establishments=[world.other_region]))  # region 11
    db.session.commit()
    login(browser, world, "ars")
    html = browser.client.get("/journal/?action=assessment.submit").get_data(as_text=True)
    assert "rssi@test.fr" in html and "rssi11@test.fr" not in html
    login(browser, world, "admin")
    html = browser.client.get("/journal/?action=assessment.submit").get_data(as_text=True)
    assert "rssi@test.fr" in html and "rssi11@test.fr" in html


def test_register_changes_are_logged_but_their_contents_stay_inside_the_establishment(
        app, browser) -> None:  # noqa: ANN001
    from careapp.resilience import services as registers
    from careapp.resilience.models import CrisisExercise
    from tests.auth.test_access_matrix import build_registers

    world = make_world()
    editor = world.users["editor"]
    ids = build_registers(world.own, editor)
    exercise = db.session.get(CrisisExercise, ids.exercise)
    secret = "Le NAS de sauvegarde 10.0.0.5 n'a pas de MFA"
    registers.save_exercise(world.own, exercise, {"retex_summary": secret}, editor,
                            exercise.revision)
    db.session.commit()
    stored = db.session.scalars(select(AuditEvent).filter_by(action="exercise.update")).all()[-1]
    assert stored.details["changes"]["retex_summary"] == ["", secret]  # kept for investigations
    for who in ("ars", "admin"):
        login(browser, world, who)
        page = browser.client.get("/journal/?action=exercise.update").get_data(as_text=True)
        # who changed which field, in words
        assert "Exercice de crise modifié" in page and "Synthèse du RETEX" in page
        assert "10.0.0.5" not in page  # never what it says
