"""The saving rules under concurrency and re-assessment (both databases): what a person did not
change is never written, machine updates never look like a colleague's, a reopened assessment
leaves the question gaps alone, and a done action whose gap comes back is reopened."""

from __future__ import annotations

import datetime as dt
import html
import re

from sqlalchemy import select

from careapp.assessments import services as assessments
from careapp.db import db
from careapp.resilience import services as registers
from careapp.resilience.models import CrisisExercise, ExerciseStatus, ExerciseType, KitLevel, Scenario
from careapp.roadmap import services as roadmap
from careapp.roadmap.models import ActionStatus, Priority, RoadmapAction
from tests.formpage import SAVED_MEANWHILE, form_fields
from tests.world import submitted_assessment


def action(key: str) -> RoadmapAction:
    db.session.expire_all()
    return db.session.scalars(select(RoadmapAction).filter_by(key=key)).one()


def page_of(browser, url: str) -> str:  # noqa: ANN001
    response = browser.client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def notes(page: str) -> list[str]:
    return re.findall(rf"{SAVED_MEANWHILE} <strong>([^<]*)</strong>", html.unescape(page))


def held(world, days_ago: int) -> CrisisExercise:  # noqa: ANN001
    exercise = registers.save_exercise(world.own, None, {
        "status": ExerciseStatus.HELD, "held_on": dt.date.today() - dt.timedelta(days=days_ago),
        "type": ExerciseType.TABLETOP, "kit_level": KitLevel.BEGINNER,
        "scenario": Scenario.RANSOMWARE, "functions": [], "retex_on": dt.date.today()},
        world.users["editor"], None)
    db.session.commit()
    return exercise


def test_a_register_save_meanwhile_is_no_conflict_for_someone_editing_an_action(
        world, editor) -> None:  # noqa: ANN001
    roadmap.regenerate(world.own, world.users["editor"])
    db.session.commit()
    yearly = action("exercise:yearly")
    url = f"/etablissements/{world.own.id}/feuille-de-route/{yearly.id}"
    fields = form_fields(page_of(editor, url))
    held(world, days_ago=3)  # a colleague records the exercise: the gap closes
    assert action("exercise:yearly").gap_closed
    response = editor.post(url, {**fields, "owner": "Mme Martin", "status": "in_progress"})
    assert response.status_code == 302, notes(response.get_data(as_text=True))
    saved = action("exercise:yearly")
    assert (saved.owner, saved.status, saved.gap_closed) == ("Mme Martin",
                                                             ActionStatus.IN_PROGRESS, True)


def test_saving_again_after_a_conflict_writes_only_what_the_person_changed(
        world, editor) -> None:  # noqa: ANN001
    colleague = world.users["editor"]
    roadmap.regenerate(world.own, colleague)
    db.session.commit()
    pssi = action("d2:pssi")
    assert pssi.priority is Priority.P3  # unknown: "find out"
    url = f"/etablissements/{world.own.id}/feuille-de-route/{pssi.id}"
    fields = form_fields(page_of(editor, url))
    # Meanwhile a colleague comments the action, and the PSSI date turns the item into a
    # prerequisite not met: the suggestion becomes P1 with another title.
    roadmap.update_action(world.own, pssi, {"comment": "Voir la DSI"}, colleague, pssi.revision)
    registers.save_profile(world.own, {"pssi_reviewed_on": dt.date(2021, 5, 1)}, colleague, None)
    db.session.commit()
    first = editor.post(url, {**fields, "owner": "Mme Martin"})
    assert first.status_code == 409
    # only what changed meanwhile: the new suggestion and the colleague's comment, not the owner
    assert notes(first.get_data(as_text=True)) == [
        "Prérequis D2 à remplir : PSSI signée et revue depuis le 16 juillet 2022", "P1 — prioritaire",
        "Voir la DSI"]
    second = editor.post(url, {**form_fields(first.get_data(as_text=True)), "owner": "Mme Martin"})
    assert second.status_code == 302
    saved = action("d2:pssi")
    assert saved.owner == "Mme Martin" and saved.comment == "Voir la DSI"  # both kept
    assert saved.title is None and not saved.priority_edited  # still follows the suggestion
    assert saved.priority is Priority.P1
    assert saved.display_title("fr").startswith("Prérequis D2 à remplir")


def test_a_reopened_assessment_leaves_the_question_actions_alone(world) -> None:  # noqa: ANN001
    editor = world.users["editor"]
    assessment = submitted_assessment(world.campaign, world.own, editor, level=1)
    questions = [a for a in db.session.scalars(select(RoadmapAction))
                 if a.key.startswith("question:")]
    assert questions and not any(a.gap_closed for a in questions)
    assessments.reopen(assessment, by=world.users["ars"], reason="Axe 3 à revoir")
    db.session.commit()
    held(world, days_ago=10)  # any register save regenerates the roadmap
    db.session.expire_all()
    assert not any(a.gap_closed for a in db.session.scalars(select(RoadmapAction))
                   if a.key.startswith("question:"))
    # the yearly exercise states GOV-13's gap: one action, keyed by the question, left alone
    # like the other question actions while the assessment is a draft
    assert db.session.scalar(select(RoadmapAction).filter_by(key="exercise:yearly")) is None
    gov13 = action("question:GOV-13")
    assert not gov13.gap_closed
    assert {o["kind"] for o in gov13.origins} == {"question", "exercise"}


def test_a_done_action_whose_gap_comes_back_is_reopened(world, editor) -> None:  # noqa: ANN001
    roadmap.regenerate(world.own, world.users["editor"])  # no exercise yet: the yearly action
    exercise = held(world, days_ago=30)
    yearly = action("exercise:yearly")
    assert yearly.gap_closed
    roadmap.mark_done(world.own, yearly, world.users["editor"], yearly.revision)
    db.session.commit()
    # A year later in the register's terms: the exercise is now 13 months old.
    registers.save_exercise(world.own, exercise, {
        "held_on": dt.date.today() - dt.timedelta(days=400)}, world.users["editor"],
        exercise.revision)
    db.session.commit()
    reopened = action("exercise:yearly")
    assert (reopened.status, reopened.gap_closed) == (ActionStatus.TODO, False)
    page = html.unescape(page_of(editor, f"/etablissements/{world.own.id}/feuille-de-route"))
    assert "Réaliser l'exercice de crise cyber annuel" in page
