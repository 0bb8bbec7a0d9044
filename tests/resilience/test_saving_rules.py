"""Register forms under concurrency (both databases): a save writes only what the person
changed, the conflict page names what others changed, a row deleted meanwhile comes back as a
new form, and two first saves of the continuity profile never give a 500."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from careapp.db import db
from careapp.resilience import services
from careapp.resilience.models import (
    ContinuityProfile,
    CrisisExercise,
    ExerciseStatus,
    ExerciseType,
    KitLevel,
    Scenario,
)
from tests.formpage import SAVED_MEANWHILE, form_fields, text
from tests.world import login


def notes(page: str) -> list[str]:
    return re.findall(rf"{SAVED_MEANWHILE} <strong>([^<]*)</strong>", page)


def exercise(world) -> CrisisExercise:  # noqa: ANN001
    row = services.save_exercise(world.own, None, {
        "status": ExerciseStatus.HELD, "held_on": dt.date.today() - dt.timedelta(days=20),
        "type": ExerciseType.TABLETOP, "kit_level": KitLevel.BEGINNER,
        "scenario": Scenario.RANSOMWARE, "functions": ["it"], "duration_hours": 2.0},
        world.users["editor"], None)
    db.session.commit()
    return row


def test_a_conflict_names_only_what_others_changed_and_a_second_save_keeps_both(
        world, editor) -> None:  # noqa: ANN001
    row = exercise(world)
    url = f"/etablissements/{world.own.id}/exercices/{row.id}"
    fields = form_fields(editor.client.get(url).get_data(as_text=True))
    services.save_exercise(world.own, row, {"duration_hours": 4.0}, world.users["editor"],
                           row.revision)  # a colleague changes the duration
    db.session.commit()
    first = editor.post(url, {**fields, "objectives": "Tester le mode dégradé"})
    assert first.status_code == 409
    assert notes(text(first)) == ["4"]  # the duration, not the objectives the person typed
    second = editor.post(url, {**form_fields(first.get_data(as_text=True)),
                               "objectives": "Tester le mode dégradé"})
    assert second.status_code == 302
    db.session.expire_all()
    saved = db.session.get(CrisisExercise, row.id)
    assert (saved.objectives, saved.duration_hours) == ("Tester le mode dégradé", 4.0)


def test_an_exercise_deleted_meanwhile_comes_back_as_a_new_form(world, editor) -> None:  # noqa: ANN001
    row = exercise(world)
    url = f"/etablissements/{world.own.id}/exercices/{row.id}"
    fields = form_fields(editor.client.get(url).get_data(as_text=True))
    services.delete_exercise(world.own, row, world.users["editor"])
    db.session.commit()
    typed = {**fields, "objectives": "Ce que j'ai écrit"}
    response = editor.post(url, typed)
    page = text(response)
    assert response.status_code == 409
    assert "supprimé entre-temps : vos saisies sont ci-dessous" in page
    assert "Ce que j'ai écrit" in page
    new_url = f"/etablissements/{world.own.id}/exercices/nouveau"
    assert f'action="{new_url}"' in page
    again = editor.post(new_url, form_fields(response.get_data(as_text=True)))
    assert again.status_code == 302
    recreated = db.session.scalars(select(CrisisExercise)).one()
    assert recreated.objectives == "Ce que j'ai écrit"


def test_two_first_saves_of_the_continuity_profile(world, browser) -> None:  # noqa: ANN001
    login(browser, world, "editor")
    url = f"/etablissements/{world.own.id}/continuite"
    blank = form_fields(browser.client.get(url).get_data(as_text=True))
    # A colleague saves the profile first, from the same blank page.
    services.save_profile(world.own, {"continuity_lead": "Mme Durand",
                                      "crisis_cell_defined": True}, world.users["editor"], None)
    db.session.commit()
    response = browser.post(url, {**blank, "backup_policy": "yes"})
    page = text(response)
    assert response.status_code == 409
    assert sorted(notes(page)) == ["Mme Durand", "Oui"]
    assert re.search(r'<option selected value="yes">Oui</option>', page.split(
        'name="backup_policy"')[1])  # the person's choice is still in the form
    second = browser.post(url, {**form_fields(response.get_data(as_text=True)),
                                "backup_policy": "yes"})
    assert second.status_code == 302
    profile = db.session.scalars(select(ContinuityProfile)).one()
    db.session.refresh(profile)
    assert (profile.continuity_lead, profile.crisis_cell_defined, profile.backup_policy) == (
        "Mme Durand", True, True)
