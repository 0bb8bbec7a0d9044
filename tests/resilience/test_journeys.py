"""The RSSI's journeys through the registers (crisis exercises, RETEX findings, continuity
profile, critical activities), through the test client and on both databases: what the page
says (in French) and what the database holds afterwards."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import select

from careapp.audit.models import AuditEvent
from careapp.db import db
from careapp.resilience import services
from careapp.resilience.indicators import one_year_before
from careapp.resilience.models import (
    ActivityKind,
    BackupAuth,
    BackupMfa,
    ContinuityProfile,
    CrisisExercise,
    CriticalActivity,
    ExerciseFinding,
    ExerciseStatus,
    ExerciseType,
    KitLevel,
    PlanStatus,
    Scenario,
    Trajectory,
)
from careapp.resilience.models import TestResult as Result
from careapp.roadmap.models import RoadmapAction
from tests.formpage import SAVED_MEANWHILE, day, field_errors, revision_in, text
from tests.world import login

STALE_MESSAGE = "Quelqu'un a modifié cette fiche pendant que vous la remplissiez"
NO_EXERCISE = "Aucun exercice de crise cyber réalisé au cours des 12 derniers mois"
FUTURE_DATE = ("Cette date est dans le futur : indiquez une date passée ou celle "
               "d'aujourd'hui.")












def csrf_in(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)




def d2_row(page: str, item_id: str) -> str:
    match = re.search(rf'<tr id="d2-{item_id}">(.*?)</tr>', page, re.S)
    assert match, f"no D2 row {item_id}"
    return match.group(1)


def audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).filter_by(action=action)
                                   .order_by(AuditEvent.id)))


def base(world) -> str:  # noqa: ANN001
    return f"/etablissements/{world.own.id}"


# -- crisis exercises -------------------------------------------------------------------------

def exercise_data(**changes: Any) -> dict[str, Any]:
    data = {"status": "held", "held_on": day(-40).isoformat(), "type": "tabletop",
            "kit_level": "beginner", "scenario": "ransomware", "scenario_detail": "",
            "functions": ["direction", "it"], "duration_hours": "3,5",
            "objectives": "Tester la cellule de crise", "retex_on": "", "retex_summary": ""}
    data.update(changes)
    return data


def create_exercise(browser, world, **changes: Any) -> CrisisExercise:  # noqa: ANN001
    url = f"{base(world)}/exercices/nouveau"
    before = set(db.session.scalars(select(CrisisExercise.id)))
    response = browser.post(url, exercise_data(**changes), page=url)
    assert response.status_code == 302, text(response)
    created = db.session.scalars(select(CrisisExercise).where(
        CrisisExercise.id.not_in(before) if before else CrisisExercise.id.is_not(None))).one()
    assert response.headers["Location"].endswith(f"/exercices/{created.id}")
    return created


def held_exercise(world, held_on: dt.date, retex_on: dt.date | None = None) -> CrisisExercise:  # noqa: ANN001
    exercise = services.save_exercise(world.own, None, {
        "status": ExerciseStatus.HELD, "held_on": held_on, "type": ExerciseType.TABLETOP,
        "kit_level": KitLevel.BEGINNER, "scenario": Scenario.RANSOMWARE,
        "functions": ["direction"], "retex_on": retex_on}, world.users["editor"], None)
    db.session.commit()
    return exercise


def test_create_a_planned_and_a_held_exercise(world, editor) -> None:  # noqa: ANN001
    planned_on = day(60)
    planned = create_exercise(editor, world, status="planned", held_on=planned_on.isoformat(),
                              duration_hours="", objectives="Prochain exercice régional",
                              type="regional", scenario="ehr_outage")
    assert (planned.status, planned.held_on, planned.type, planned.scenario) == (
        ExerciseStatus.PLANNED, planned_on, ExerciseType.REGIONAL, Scenario.EHR_OUTAGE)
    assert planned.duration_hours is None and planned.retex_on is None

    held_on, retex_on = day(-40), day(-20)
    held = create_exercise(editor, world, held_on=held_on.strftime("%d/%m/%Y"),  # French format
                           retex_on=retex_on.isoformat(), retex_summary="Annuaire à revoir",
                           kit_level="intermediate")
    assert held.status is ExerciseStatus.HELD and held.held_on == held_on
    assert held.retex_on == retex_on and held.retex_summary == "Annuaire à revoir"
    assert held.duration_hours == 3.5 and held.functions == ["direction", "it"]
    assert held.kit_level is KitLevel.INTERMEDIATE
    assert held.updated_by_id == world.users["editor"].id

    page = text(editor.client.get(f"{base(world)}/exercices"))
    assert planned_on.strftime("%d/%m/%Y") in page and held_on.strftime("%d/%m/%Y") in page
    assert "Exercice régional" in page and "Indisponibilité du DPI" in page
    assert "Planifié" in page and "Réalisé" in page
    assert NO_EXERCISE not in page  # held 40 days ago
    assert "RETEX manquant" not in page  # its RETEX was written

    created = audits("exercise.create")
    assert [int(e.object_id) for e in created] == [planned.id, held.id]
    assert created[1].details["after"]["held_on"] == held_on.isoformat()
    assert created[1].actor == world.email("editor")


def test_edit_an_exercise_other_scenario_needs_its_detail(world, editor) -> None:  # noqa: ANN001
    exercise = create_exercise(editor, world)
    exercise_id, revision = exercise.id, exercise.revision
    url = f"{base(world)}/exercices/{exercise_id}"
    page = text(editor.client.get(url))
    assert revision_in(page) == str(revision)

    refused = editor.post(url, exercise_data(scenario="other", revision=revision), page=url)
    assert refused.status_code == 400
    assert "Décrivez le scénario choisi (« Autre »)." in field_errors(text(refused))
    assert "Le formulaire contient des erreurs" in text(refused)
    db.session.expire_all()
    unchanged = db.session.get(CrisisExercise, exercise_id)
    assert unchanged.scenario is Scenario.RANSOMWARE and unchanged.revision == revision
    assert audits("exercise.update") == []

    response = editor.post(url, exercise_data(
        scenario="other", scenario_detail="Panne de la téléphonie", revision=revision), page=url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/exercices/{exercise_id}")
    db.session.expire_all()
    saved = db.session.get(CrisisExercise, exercise_id)
    assert saved.scenario is Scenario.OTHER
    assert saved.scenario_detail == "Panne de la téléphonie"
    assert saved.revision == revision + 1
    followed = text(editor.client.get(response.headers["Location"]))
    assert "Exercice enregistré." in followed
    listing = text(editor.client.get(f"{base(world)}/exercices"))
    assert "Autre — Panne de la téléphonie" in listing

    (update,) = audits("exercise.update")
    assert update.details["changes"] == {"scenario": ["ransomware", "other"],
                                         "scenario_detail": ["", "Panne de la téléphonie"]}
    assert int(update.object_id) == exercise_id


INVALID_EXERCISES = [
    pytest.param({"held_on": day(3).isoformat()}, "held_on", FUTURE_DATE, id="held-in-future"),
    pytest.param({"held_on": "31/02/2026"}, "held_on",
                 "Date invalide : utilisez le sélecteur ou le format JJ/MM/AAAA.",
                 id="garbage-date"),
    pytest.param({"retex_on": day(-50).isoformat()}, "retex_on",
                 "Le RETEX ne peut précéder l'exercice.", id="retex-before-exercise"),
    pytest.param({"status": "planned", "held_on": day(10).isoformat(),
                  "retex_on": day(-1).isoformat()}, "retex_on",
                 "Un RETEX suit un exercice réalisé : marquez d'abord l'exercice comme réalisé.",
                 id="retex-on-planned"),
    pytest.param({"retex_on": day(2).isoformat()}, "retex_on", FUTURE_DATE,
                 id="retex-in-future"),
    pytest.param({"duration_hours": "-2"}, "duration_hours",
                 "Indiquez un nombre d'heures supérieur à zéro.", id="negative-duration"),
    pytest.param({"duration_hours": "abc"}, "duration_hours",
                 "Nombre invalide : écrivez par exemple 4 ou 2,5.", id="duration-not-a-number"),
]


@pytest.mark.parametrize(("changes", "field", "message"), INVALID_EXERCISES)
def test_invalid_exercise_is_refused_with_a_french_message_and_nothing_saved(
        world, editor, changes, field, message) -> None:  # noqa: ANN001
    url = f"{base(world)}/exercices/nouveau"
    response = editor.post(url, exercise_data(**changes), page=url)
    assert response.status_code == 400
    page = text(response)
    assert message in field_errors(page)
    assert f'id="{field}-error"' in page  # the message sits under the field concerned
    assert "Le formulaire contient des erreurs" in page
    assert db.session.scalars(select(CrisisExercise)).all() == []
    assert audits("exercise.create") == []


def test_an_unreadable_duration_gets_one_message_and_english_commas_are_refused(
        world, editor) -> None:  # noqa: ANN001
    url = f"{base(world)}/exercices/nouveau"
    page = text(editor.post(url, exercise_data(duration_hours="3h"), page=url))
    assert "Nombre invalide" in page and "240 heures" not in page
    editor.post("/langue", {"lang": "en", "next": url})
    response = editor.post(url, exercise_data(duration_hours="1,000"), page=url)
    assert response.status_code == 400  # a thousand hours in English, never 1.0
    assert db.session.scalars(select(CrisisExercise)).all() == []


def test_invalid_exercise_edit_changes_nothing(world, editor) -> None:  # noqa: ANN001
    exercise = create_exercise(editor, world)
    exercise_id, revision = exercise.id, exercise.revision
    url = f"{base(world)}/exercices/{exercise_id}"
    for changes, message in (({"held_on": day(5).isoformat()}, FUTURE_DATE),
                             ({"duration_hours": "0"},
                              "Indiquez un nombre d'heures supérieur à zéro.")):
        response = editor.post(url, exercise_data(revision=revision, **changes), page=url)
        assert response.status_code == 400
        assert message in field_errors(text(response))
    db.session.expire_all()
    saved = db.session.get(CrisisExercise, exercise_id)
    assert (saved.held_on, saved.duration_hours, saved.revision) == (day(-40), 3.5, revision)


def test_unknown_status_value_is_refused_in_french(world, editor) -> None:  # noqa: ANN001
    url = f"{base(world)}/exercices/nouveau"
    response = editor.post(url, exercise_data(status="cancelled"), page=url)
    assert response.status_code == 400
    page = text(response)
    assert field_errors(page) == ["N'est pas un choix valide."]  # French, not WTForms' English
    assert 'id="status-error"' in page
    assert db.session.scalars(select(CrisisExercise)).all() == []


def test_delete_an_exercise_keeps_the_actions_sent_to_the_roadmap(world, editor) -> None:  # noqa: ANN001
    exercise = create_exercise(editor, world)
    exercise_id = exercise.id
    url = f"{base(world)}/exercices/{exercise_id}"
    for finding_text in ("Annuaire de crise papier absent", "Pas de fiche réflexe DPI"):
        assert editor.post(f"{url}/constats", {"text": finding_text}).status_code == 302
    first = db.session.scalars(select(ExerciseFinding).order_by(ExerciseFinding.id)).first()
    sent = editor.post(f"{base(world)}/constats/{first.id}/feuille-de-route")
    assert sent.status_code == 302
    action_id = db.session.get(ExerciseFinding, first.id).action_id
    assert action_id is not None

    listing = text(editor.client.get(f"{base(world)}/exercices"))
    delete_url = f"{url}/suppression"
    form = re.search(rf'<form method="post" action="{delete_url}"[^>]*>', listing)
    assert form, "no delete form for the exercise"
    assert 'data-confirm="Supprimer cet exercice et ses constats ?' in form.group(0)

    response = editor.post(delete_url, page=f"{base(world)}/exercices")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{base(world)}/exercices")
    followed = text(editor.client.get(response.headers["Location"]))
    assert "Exercice supprimé (les actions déjà envoyées à la feuille de route sont gardées)." in (
        followed)
    assert db.session.get(CrisisExercise, exercise_id) is None
    assert db.session.scalars(select(ExerciseFinding)).all() == []
    action = db.session.get(RoadmapAction, action_id)
    assert action is not None and action.display_title("fr") == "Annuaire de crise papier absent"
    roadmap = text(editor.client.get(f"{base(world)}/feuille-de-route"))
    assert "Annuaire de crise papier absent" in roadmap

    (deleted,) = audits("exercise.delete")
    assert int(deleted.object_id) == exercise_id
    assert deleted.details["findings"] == ["Annuaire de crise papier absent",
                                           "Pas de fiche réflexe DPI"]
    assert deleted.details["before"]["scenario"] == "ransomware"


# -- RETEX findings ---------------------------------------------------------------------------

def test_findings_add_send_to_roadmap_once_and_delete(world, editor) -> None:  # noqa: ANN001
    exercise = create_exercise(editor, world)
    url = f"{base(world)}/exercices/{exercise.id}"

    empty = editor.post(f"{url}/constats", {"text": "   "}, page=url)
    assert empty.status_code == 400
    assert "Écrivez le constat." in field_errors(text(empty))
    assert db.session.scalars(select(ExerciseFinding)).all() == []

    added = editor.post(f"{url}/constats", {"text": "Annuaire de crise papier absent"}, page=url)
    assert added.status_code == 302
    assert added.headers["Location"].endswith(f"/exercices/{exercise.id}#constats")
    finding = db.session.scalars(select(ExerciseFinding)).one()
    assert finding.text == "Annuaire de crise papier absent" and finding.action_id is None
    page = text(editor.client.get(url))
    assert "Constat ajouté." in page and "Ajouter à la feuille de route" in page
    assert 'data-confirm="Supprimer ce constat ?"' in page

    before = set(db.session.scalars(select(RoadmapAction.id)))
    sent = editor.post(f"{base(world)}/constats/{finding.id}/feuille-de-route", page=url)
    assert sent.status_code == 302
    (action,) = db.session.scalars(select(RoadmapAction).where(RoadmapAction.id.not_in(before)
                                                               if before else True))
    assert sent.headers["Location"].endswith(f"/feuille-de-route/{action.id}")
    edit = text(editor.client.get(sent.headers["Location"]))
    assert "Le constat est dans la feuille de route" in edit
    assert 'value="Annuaire de crise papier absent"' in edit
    assert action.priority.value == "P2" and action.origin.value == "exercise"
    assert db.session.get(ExerciseFinding, finding.id).action_id == action.id

    again = editor.post(f"{base(world)}/constats/{finding.id}/feuille-de-route", page=url)
    assert again.status_code == 302
    assert again.headers["Location"] == sent.headers["Location"]
    assert len(db.session.scalars(select(RoadmapAction).where(
        RoadmapAction.key.startswith("finding:"))).all()) == 1
    page = text(editor.client.get(url))
    assert "Voir l'action de la feuille de route" in page
    assert "Ajouter à la feuille de route" not in page

    deleted = editor.post(f"{base(world)}/constats/{finding.id}/suppression", page=url)
    assert deleted.status_code == 302
    assert db.session.scalars(select(ExerciseFinding)).all() == []
    assert db.session.get(RoadmapAction, action.id) is not None  # the action stays
    assert "Aucun constat pour le moment." in text(editor.client.get(url))
    assert [e.details["text"] for e in audits("finding.delete")] == [
        "Annuaire de crise papier absent"]


# -- the yearly rule and the RETEX on the exercises page --------------------------------------

@pytest.mark.parametrize(("days_ago", "warned"), [(335, False), (395, True)])
def test_the_12_month_rule_on_the_exercises_page(world, editor, days_ago, warned) -> None:  # noqa: ANN001
    held_exercise(world, day(-days_ago), retex_on=day(-days_ago + 10))
    page = text(editor.client.get(f"{base(world)}/exercices"))
    assert (NO_EXERCISE in page) is warned
    assert f"Réalisé le {day(-days_ago).strftime('%d/%m/%Y')}" in page
    assert f'<p class="big">{days_ago}</p>' in page  # days since the last exercise
    yearly = db.session.scalar(select(RoadmapAction).filter_by(key="exercise:yearly"))
    if warned:
        assert yearly is not None and yearly.is_open and not yearly.gap_closed
    else:
        assert yearly is None


@pytest.mark.parametrize(("extra_days", "warned"), [(0, False), (1, True)])
def test_the_12_month_rule_boundary(world, editor, extra_days, warned) -> None:  # noqa: ANN001
    """Held on the same day one year ago: still within 12 months; the day before: not."""
    held_on = one_year_before(dt.date.today()) - dt.timedelta(days=extra_days)
    held_exercise(world, held_on, retex_on=held_on + dt.timedelta(days=5))
    page = text(editor.client.get(f"{base(world)}/exercices"))
    assert (NO_EXERCISE in page) is warned


def test_a_planned_exercise_does_not_satisfy_the_yearly_rule(world, editor) -> None:  # noqa: ANN001
    create_exercise(editor, world, status="planned", held_on=day(20).isoformat())
    page = text(editor.client.get(f"{base(world)}/exercices"))
    assert NO_EXERCISE in page
    assert day(20).strftime("%d/%m/%Y") in page  # shown as the next planned exercise


@pytest.mark.parametrize(("days_ago", "missing"), [(30, False), (31, True)])
def test_retex_missing_warning_from_day_31(world, editor, days_ago, missing) -> None:  # noqa: ANN001
    exercise = held_exercise(world, day(-days_ago))
    page = text(editor.client.get(f"{base(world)}/exercices"))
    assert ("RETEX manquant plus de 30 jours après l'exercice : 1 exercice(s)." in page) is missing
    assert ('<span class="badge badge-error">manquant</span>' in page) is missing
    assert ("à rédiger" in page) is not missing
    retex = db.session.scalar(select(RoadmapAction).filter_by(key=f"exercise:{exercise.id}:retex"))
    assert (retex is not None) is missing


# -- continuity profile -----------------------------------------------------------------------

def profile_data(**changes: Any) -> dict[str, Any]:
    data = {"pssi_reviewed_on": "2023-03-15", "continuity_lead": "Mme Martin, DSI",
            "plan_blanc_digital_on": day(-100).isoformat(), "crisis_cell_defined": "yes",
            "test_schedule_defined": "no", "backup_policy": "", "backup_321": "reached",
            "backup_mfa": "no", "backup_isolable": "", "backup_monitored": "yes",
            "restore_tested_on": day(-30).isoformat(), "restore_test_result": "partial",
            "revision": "0"}
    data.update(changes)
    return data


def test_continuity_profile_saves_every_field_and_the_d2_checklist_follows(world, editor) -> None:  # noqa: ANN001
    url = f"{base(world)}/continuite"
    page = text(editor.client.get(url))
    assert "Date de révision de la PSSI non renseignée." in d2_row(page, "pssi")
    assert "Inconnu" in d2_row(page, "pssi")

    response = editor.post(url, profile_data(pssi_reviewed_on="2021-05-01"), page=url)
    assert response.status_code == 302, text(response)
    page = text(editor.client.get(url))
    assert "Continuité et sauvegardes enregistrées." in page
    assert "Dernière révision le 01/05/2021, avant le 16/07/2022." in d2_row(page, "pssi")
    assert "Non atteint" in d2_row(page, "pssi")
    profile = db.session.scalars(select(ContinuityProfile)).one()
    revision = profile.revision

    response = editor.post(url, profile_data(revision=revision), page=url)
    assert response.status_code == 302
    db.session.expire_all()
    profile = db.session.scalars(select(ContinuityProfile)).one()
    assert profile.establishment_id == world.own.id
    assert profile.pssi_reviewed_on == dt.date(2023, 3, 15)
    assert profile.continuity_lead == "Mme Martin, DSI"
    assert profile.plan_blanc_digital_on == day(-100)
    assert (profile.crisis_cell_defined, profile.test_schedule_defined, profile.backup_policy,
            profile.backup_321, profile.backup_mfa, profile.backup_isolable,
            profile.backup_monitored) == (True, False, None, Trajectory.REACHED, BackupMfa.NO,
                                          None, True)
    assert profile.restore_tested_on == day(-30)
    assert profile.restore_test_result is Result.PARTIAL
    assert profile.revision == revision + 1
    assert profile.updated_by_id == world.users["editor"].id

    page = text(editor.client.get(url))
    pssi = d2_row(page, "pssi")
    assert "PSSI révisée le 15/03/2023." in pssi and "Atteint" in pssi and "Non atteint" not in pssi
    assert "Responsable nommé : Mme Martin, DSI." in d2_row(page, "project_lead")
    assert "Non renseigné : les modalités de signalement." in d2_row(page, "crisis_cell")
    assert "Déclaré absent." in d2_row(page, "test_schedule")
    assert "Non renseigné." in d2_row(page, "backup_policy")
    # D2.O4: a partial restore is not the objective
    restore = d2_row(page, "restore_test")
    assert f"Le test du {day(-30).strftime('%d/%m/%Y')} n'a réussi qu'en partie" in restore
    assert "Non atteint" in restore
    assert "(objectif D2.O4)" in restore
    # the tri-state selects show what was saved
    assert re.search(r'<select[^>]*name="crisis_cell_defined".*?<option selected value="yes">',
                     page, re.S)
    assert re.search(r'<select[^>]*name="backup_policy".*?<option selected value="">', page, re.S)
    assert "Dernière modification par Test editor." in page

    (update,) = audits("continuity.update")
    assert update.details["changes"]["pssi_reviewed_on"] == ["2021-05-01", "2023-03-15"]
    # the roadmap follows the profile: the PSSI is no longer a gap
    pssi_action = db.session.scalar(select(RoadmapAction).filter_by(key="d2:pssi"))
    assert pssi_action.gap_closed


PROFILE_ERRORS = [
    pytest.param({"pssi_reviewed_on": day(1).isoformat()}, FUTURE_DATE, id="pssi-future"),
    pytest.param({"plan_blanc_digital_on": day(30).isoformat()}, FUTURE_DATE,
                 id="plan-blanc-future"),
    pytest.param({"restore_tested_on": day(1).isoformat()}, FUTURE_DATE, id="restore-future"),
    pytest.param({"restore_test_result": ""}, "Indiquez le résultat du test de restauration.",
                 id="date-without-result"),
    pytest.param({"restore_tested_on": ""}, "Indiquez la date du test de restauration.",
                 id="result-without-date"),
    pytest.param({"absent_perimeters": ["care_service", "administrative", "medico_technical"]},
                 "Au moins un des trois périmètres existe dans la structure",
                 id="three-perimeters-absent"),
    pytest.param({"pcra_activity_share": "70"}, "ne concerne qu'une candidature pour plusieurs "
                 "entités", id="share-without-multi-entity"),
    pytest.param({"multi_entity": "yes", "pcra_activity_share": "120"},
                 "Indiquez un pourcentage entre 0 et 100.", id="share-over-100"),
    pytest.param({"multi_entity": "yes", "field_test_activity_share": "beaucoup"},
                 "Nombre invalide", id="share-not-a-number"),
    pytest.param({"backup_outsourced": "no", "backup_contract_clauses": "yes"},
                 "Les clauses ne concernent que des sauvegardes externalisées",
                 id="clauses-without-outsourcing"),
    pytest.param({"backup_auth": "local_accounts", "backup_ads_level": "3"},
                 "Le niveau ADS ne concerne qu'un annuaire dédié", id="ads-without-directory"),
    pytest.param({"backup_auth": "dedicated_ad", "backup_ads_level": "7"},
                 "N'est pas un choix valide.", id="ads-level-out-of-range"),
    pytest.param({"backup_321": "planned"}, "Une trajectoire se date", id="trajectory-undated"),
    pytest.param({"backup_segmentation": "reached",
                  "backup_segmentation_milestone_on": day(30).isoformat()},
                 "Le jalon ne se renseigne que pour une trajectoire définie",
                 id="milestone-of-a-reached-target"),
    pytest.param({"backup_mfa": "sometimes"}, "N'est pas un choix valide.", id="mfa-garbage"),
]


def test_continuity_profile_saves_the_d2_guide_facts(world, editor) -> None:  # noqa: ANN001
    """The decree's cases through the form: a GHT applying for several entities without a
    pharmacy, imaging or biology of its own, a dedicated backup directory below ADS 3, a dated
    3-2-1 trajectory (D2.O1.c, D2.O3.a, D2.O3.c)."""
    url = f"{base(world)}/continuite"
    milestone = day(90)
    response = editor.post(url, profile_data(
        absent_perimeters=["medico_technical"], multi_entity="yes", pcra_activity_share="65,5",
        backup_auth="dedicated_ad", backup_ads_level="2", backup_least_privilege="yes",
        backup_mfa="unsupported", backup_321="planned",
        backup_321_milestone_on=milestone.isoformat(), crisis_reporting_defined="yes",
        continuity_organisation="yes", continuity_lead=""), page=url)
    assert response.status_code == 302, field_errors(text(response))
    profile = db.session.scalars(select(ContinuityProfile)).one()
    assert profile.absent_perimeters == ["medico_technical"]
    assert (profile.multi_entity, profile.pcra_activity_share) == (True, 65.5)
    assert (profile.backup_auth, profile.backup_ads_level) == (BackupAuth.DEDICATED_AD, 2)
    assert (profile.backup_321, profile.backup_321_milestone_on) == (Trajectory.PLANNED,
                                                                     milestone)
    page = text(editor.client.get(url))
    assert "Organisation projet décrite, sans responsable nommé" in d2_row(page, "project_lead")
    assert "Cellule de crise et modalités de signalement définies." in d2_row(page, "crisis_cell")
    assert "Annuaire dédié au niveau ADS 2, moins que 3." in d2_row(page, "backup_auth")
    assert f"prochain jalon le {milestone.strftime('%d/%m/%Y')}" in d2_row(page, "backup_321")
    # the form shows what was saved, and the share in French
    assert re.search(r'<select[^>]*name="backup_ads_level".*?<option selected value="2">',
                     page, re.S)
    assert 'value="65,5"' in page
    assert re.search(r'value="medico_technical"[^>]*checked|checked[^>]*value="medico_technical"',
                     page)
    create_activity(editor, world, name="Réanimation")
    create_activity(editor, world, kind="administrative", name="Paie", most_critical="y")
    page = text(editor.client.get(url))
    assert "1 périmètre(s) sans objet dans la structure." in d2_row(page, "bia_coverage")
    # 65.5 % of the combined activity is below the 66 % of D2.O1.c
    assert "BIA et PCRA : 65,5 % de l'activité combinée, moins de 66 %." in d2_row(
        page, "pca_formalised")


@pytest.mark.parametrize(("changes", "message"), PROFILE_ERRORS)
def test_continuity_profile_refuses_inconsistent_input(world, editor, changes, message) -> None:  # noqa: ANN001
    url = f"{base(world)}/continuite"
    response = editor.post(url, profile_data(**changes), page=url)
    assert response.status_code == 400
    errors = field_errors(text(response))
    assert any(message in error for error in errors), errors
    assert db.session.scalars(select(ContinuityProfile)).all() == []
    assert audits("continuity.create") == []


# -- critical activities ----------------------------------------------------------------------

def activity_data(**changes: Any) -> dict[str, Any]:
    data = {"kind": "care_service", "name": "Urgences", "bia_done": "y", "rto_hours": "4",
            "rpo_hours": "1,5", "degraded_procedure": "y", "pca_status": "formalised",
            "pra_status": "in_progress", "last_test_on": "", "last_test_result": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}  # None: box left unticked


def create_activity(browser, world, **changes: Any) -> CriticalActivity:  # noqa: ANN001
    url = f"{base(world)}/continuite/activites/nouvelle"
    name = changes.get("name", "Urgences")
    response = browser.post(url, activity_data(**changes), page=url)
    assert response.status_code == 302, text(response)
    assert response.headers["Location"].endswith("/continuite#activites")
    return db.session.scalars(select(CriticalActivity).filter_by(name=name)).one()


def test_critical_activity_create_edit_delete(world, editor) -> None:  # noqa: ANN001
    activity = create_activity(editor, world, last_test_on=day(-10).isoformat(),
                               last_test_result="success", pca_status="tested")
    assert (activity.kind, activity.bia_done, activity.rto_hours, activity.rpo_hours,
            activity.degraded_procedure, activity.pca_status, activity.pra_status,
            activity.last_test_on, activity.last_test_result, activity.most_critical) == (
        ActivityKind.CARE_SERVICE, True, 4.0, 1.5, True, PlanStatus.TESTED,
        PlanStatus.IN_PROGRESS, day(-10), Result.SUCCESS, False)
    page = text(editor.client.get(f"{base(world)}/continuite"))
    assert "Activité critique enregistrée." in page
    assert "Urgences" in page and re.search(r"4 h / 1[.,]5 h", page)
    assert f"Dernier test : Urgences, le {day(-10).strftime('%d/%m/%Y')}." in d2_row(
        page, "field_test")

    activity_id = activity.id
    url = f"{base(world)}/continuite/activites/{activity_id}"
    revision = revision_in(text(editor.client.get(url)))
    response = editor.post(url, activity_data(name="Urgences adultes", bia_done=None,
                                              rto_hours="8", pca_status="formalised",
                                              revision=revision), page=url)
    assert response.status_code == 302, text(response)
    db.session.expire_all()
    saved = db.session.get(CriticalActivity, activity_id)
    assert (saved.name, saved.bia_done, saved.rto_hours, saved.pca_status) == (
        "Urgences adultes", False, 8.0, PlanStatus.FORMALISED)
    assert saved.revision == int(revision) + 1
    (update,) = audits("activity.update")
    assert update.details["changes"]["name"] == ["Urgences", "Urgences adultes"]
    assert update.details["changes"]["bia_done"] == [True, False]

    page = text(editor.client.get(f"{base(world)}/continuite"))
    delete_url = f"{url}/suppression"
    form = re.search(rf'<form method="post" action="{delete_url}"[^>]*>', page)
    assert form and 'data-confirm="Supprimer cette activité critique ?"' in form.group(0)
    response = editor.post(delete_url, page=f"{base(world)}/continuite")
    assert response.status_code == 302
    assert db.session.get(CriticalActivity, activity_id) is None
    assert "Activité critique supprimée." in text(editor.client.get(f"{base(world)}/continuite"))
    assert [int(e.object_id) for e in audits("activity.delete")] == [activity_id]


ACTIVITY_ERRORS = [
    pytest.param({"rto_hours": "0"}, "Indiquez un nombre d'heures supérieur à zéro.",
                 id="rto-zero"),
    pytest.param({"rto_hours": "-1"}, "Indiquez un nombre d'heures supérieur à zéro.",
                 id="rto-negative"),
    pytest.param({"pca_status": "tested"},
                 "Un plan « testé » demande la date de son dernier test.", id="tested-no-date"),
    pytest.param({"most_critical": "y"},
                 "Seul un processus administratif peut être marqué comme le plus critique.",
                 id="most-critical-not-administrative"),
    pytest.param({"last_test_on": day(1).isoformat(), "last_test_result": "success"},
                 FUTURE_DATE, id="test-in-future"),
    pytest.param({"name": ""}, "Donnez un nom à l'activité.", id="no-name"),
]


@pytest.mark.parametrize(("changes", "message"), ACTIVITY_ERRORS)
def test_critical_activity_refuses_invalid_input(world, editor, changes, message) -> None:  # noqa: ANN001
    url = f"{base(world)}/continuite/activites/nouvelle"
    response = editor.post(url, activity_data(**changes), page=url)
    assert response.status_code == 400
    assert message in field_errors(text(response))
    assert db.session.scalars(select(CriticalActivity)).all() == []


def test_bia_coverage_is_met_once_the_three_kinds_are_covered(world, editor) -> None:  # noqa: ANN001
    url = f"{base(world)}/continuite"
    assert "Aucune activité critique enregistrée." in d2_row(
        text(editor.client.get(url)), "bia_coverage")
    create_activity(editor, world, name="Réanimation")
    row = d2_row(text(editor.client.get(url)), "bia_coverage")
    assert "Non atteint" in row
    assert ("BIA manquant pour : le processus administratif le plus critique ; une plateforme "
            "médico-technique.") in row
    # an administrative process with a BIA, but not marked as the most critical: still missing
    create_activity(editor, world, kind="administrative", name="Facturation")
    assert "le processus administratif le plus critique" in d2_row(
        text(editor.client.get(url)), "bia_coverage")
    create_activity(editor, world, kind="administrative", name="Admissions", most_critical="y")
    # a pharmacy without a BIA does not count
    create_activity(editor, world, kind="pharmacy", name="PUI", bia_done=None)
    row = d2_row(text(editor.client.get(url)), "bia_coverage")
    assert "BIA manquant pour : une plateforme médico-technique." in row
    pui = db.session.scalars(select(CriticalActivity).filter_by(name="PUI")).one()
    activity_url = f"{url}/activites/{pui.id}"
    response = editor.post(activity_url, activity_data(kind="pharmacy", name="PUI",
                                                       revision=pui.revision), page=activity_url)
    assert response.status_code == 302
    row = d2_row(text(editor.client.get(url)), "bia_coverage")
    assert "Atteint" in row and "Non atteint" not in row
    assert "4 activité(s) couverte(s) par un BIA." in row
    action = db.session.scalar(select(RoadmapAction).filter_by(key="d2:bia_coverage"))
    assert action.gap_closed


# -- stale edits (optimistic locking) ---------------------------------------------------------

def test_stale_exercise_edit_is_refused_and_loses_nothing(world, editor) -> None:  # noqa: ANN001
    exercise = create_exercise(editor, world)
    exercise_id = exercise.id
    url = f"{base(world)}/exercices/{exercise_id}"
    opened = text(editor.client.get(url))  # B opens the page
    old_revision, token = revision_in(opened), csrf_in(opened)
    # A saves meanwhile (through the service, as another request would)
    saved_by_a = services.save_exercise(
        world.own, db.session.get(CrisisExercise, exercise_id),
        {"objectives": "Version de A", "duration_hours": 6.0}, world.users["editor"],
        int(old_revision))
    db.session.commit()
    revision_a = saved_by_a.revision
    assert revision_a == int(old_revision) + 1

    typed = exercise_data(objectives="Version de B", duration_hours="2", revision=old_revision,
                          csrf_token=token)
    response = editor.client.post(url, data=typed)
    assert response.status_code == 409
    page = text(response)
    assert STALE_MESSAGE in page and "rien n'a été enregistré" in page
    assert "\nVersion de B</textarea>" in page  # what B typed is still in the form
    assert 'value="2"' in page
    assert f"{SAVED_MEANWHILE} <strong>Version de A</strong>" in page
    assert f"{SAVED_MEANWHILE} <strong>6</strong>" in page
    assert revision_in(page) == str(revision_a)  # a second save overwrites, knowingly
    db.session.expire_all()
    current = db.session.get(CrisisExercise, exercise_id)
    assert (current.objectives, current.duration_hours, current.revision) == (
        "Version de A", 6.0, revision_a)

    again = editor.client.post(url, data={**typed, "revision": revision_in(page)})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(CrisisExercise, exercise_id).objectives == "Version de B"


def test_stale_exercise_edit_after_a_second_post(world, editor) -> None:  # noqa: ANN001
    exercise = create_exercise(editor, world)
    url = f"{base(world)}/exercices/{exercise.id}"
    old_revision = revision_in(text(editor.client.get(url)))
    first = editor.post(url, exercise_data(kit_level="advanced", revision=old_revision), page=url)
    assert first.status_code == 302
    second = editor.post(url, exercise_data(kit_level="none", revision=old_revision), page=url)
    assert second.status_code == 409
    page = text(second)
    assert STALE_MESSAGE in page
    assert f"{SAVED_MEANWHILE} <strong>Kit ANS confirmé</strong>" in page
    db.session.expire_all()
    assert db.session.get(CrisisExercise, exercise.id).kit_level is KitLevel.ADVANCED


def test_stale_activity_edit_is_refused_and_loses_nothing(world, editor) -> None:  # noqa: ANN001
    activity = create_activity(editor, world)
    activity_id = activity.id
    url = f"{base(world)}/continuite/activites/{activity_id}"
    opened = text(editor.client.get(url))
    old_revision = revision_in(opened)
    services.save_activity(world.own, db.session.get(CriticalActivity, activity_id),
                           {"name": "Urgences pédiatriques", "rto_hours": 12.0},
                           world.users["editor"], int(old_revision))
    db.session.commit()

    response = editor.post(url, activity_data(name="Urgences adultes", rto_hours="2",
                                              revision=old_revision), page=url)
    assert response.status_code == 409
    page = text(response)
    assert STALE_MESSAGE in page
    assert 'value="Urgences adultes"' in page
    assert f"{SAVED_MEANWHILE} <strong>Urgences pédiatriques</strong>" in page
    assert f"{SAVED_MEANWHILE} <strong>12</strong>" in page
    db.session.expire_all()
    current = db.session.get(CriticalActivity, activity_id)
    assert (current.name, current.rto_hours) == ("Urgences pédiatriques", 12.0)
    assert current.revision == int(old_revision) + 1


def test_stale_continuity_profile_edit_is_refused_and_loses_nothing(world, editor) -> None:  # noqa: ANN001
    url = f"{base(world)}/continuite"
    assert editor.post(url, profile_data(), page=url).status_code == 302
    opened = text(editor.client.get(url))
    old_revision = revision_in(opened)
    services.save_profile(world.own, {"continuity_lead": "M. Durand, directeur",
                                       "backup_isolable": True}, world.users["editor"],
                          int(old_revision))
    db.session.commit()

    response = editor.post(url, profile_data(continuity_lead="Mme Leroy", backup_isolable="no",
                                             revision=old_revision), page=url)
    assert response.status_code == 409
    page = text(response)
    assert STALE_MESSAGE in page
    assert 'value="Mme Leroy"' in page
    assert f"{SAVED_MEANWHILE} <strong>M. Durand, directeur</strong>" in page
    assert f"{SAVED_MEANWHILE} <strong>Oui</strong>" in page
    db.session.expire_all()
    profile = db.session.scalars(select(ContinuityProfile)).one()
    assert (profile.continuity_lead, profile.backup_isolable) == ("M. Durand, directeur", True)
    assert profile.revision == int(old_revision) + 1


def test_stale_continuity_profile_created_meanwhile(world, editor) -> None:  # noqa: ANN001
    url = f"{base(world)}/continuite"
    opened = text(editor.client.get(url))  # no profile yet: revision 0
    old_revision = revision_in(opened)
    services.save_profile(world.own, {"continuity_lead": "M. Durand, directeur"},
                          world.users["editor"], None)
    db.session.commit()
    response = editor.post(url, profile_data(continuity_lead="Mme Leroy",
                                             revision=old_revision), page=url)
    assert response.status_code == 409
    assert f"{SAVED_MEANWHILE} <strong>M. Durand, directeur</strong>" in text(response)
    assert db.session.scalars(select(ContinuityProfile.continuity_lead)).all() == [
        "M. Durand, directeur"]


# -- a reader member --------------------------------------------------------------------------

def test_a_reader_sees_the_registers_but_changes_nothing(world, browser) -> None:  # noqa: ANN001
    login(browser, world, "editor")
    exercise = create_exercise(browser, world)
    url = f"{base(world)}/exercices/{exercise.id}"
    assert browser.post(f"{url}/constats", {"text": "Constat"}).status_code == 302
    finding = db.session.scalars(select(ExerciseFinding)).one()
    activity = create_activity(browser, world)
    assert browser.post(f"{base(world)}/continuite", profile_data()).status_code == 302
    counts = (len(audits("exercise.create")), db.session.scalar(select(CrisisExercise.revision)))

    login(browser, world, "reader")
    pages = {
        "exercises": f"{base(world)}/exercices", "exercise": url,
        "continuity": f"{base(world)}/continuite",
        "activity": f"{base(world)}/continuite/activites/{activity.id}",
    }
    seen = {}
    for name, page in pages.items():
        response = browser.client.get(page)
        assert response.status_code == 200, name
        seen[name] = text(response)
    assert "Enregistrer un exercice" not in seen["exercises"]
    assert "Consulter" in seen["exercises"] and "/suppression" not in seen["exercises"]
    assert "data-confirm" not in seen["exercises"]
    assert "Enregistrer l'exercice" not in seen["exercise"]
    assert "Ajouter le constat" not in seen["exercise"]
    assert "Ajouter à la feuille de route" not in seen["exercise"]
    assert "Constat" in seen["exercise"]
    assert re.search(r'<textarea[^>]*disabled[^>]*name="objectives"', seen["exercise"])
    assert "Ajouter une activité critique" not in seen["continuity"]
    assert ">Enregistrer</button>" not in seen["continuity"]
    assert "Enregistrer l'activité" not in seen["activity"]
    assert browser.client.get(f"{base(world)}/exercices/nouveau").status_code == 403
    assert browser.client.get(
        f"{base(world)}/continuite/activites/nouvelle").status_code == 403

    posts = [
        (f"{base(world)}/exercices/nouveau", exercise_data()),
        (url, exercise_data(objectives="Par le lecteur", revision=exercise.revision)),
        (f"{url}/suppression", {}),
        (f"{url}/constats", {"text": "Par le lecteur"}),
        (f"{base(world)}/constats/{finding.id}/feuille-de-route", {}),
        (f"{base(world)}/constats/{finding.id}/suppression", {}),
        (f"{base(world)}/continuite", profile_data(continuity_lead="Par le lecteur")),
        (f"{base(world)}/continuite/activites/nouvelle", activity_data(name="Par le lecteur")),
        (pages["activity"], activity_data(name="Par le lecteur", revision=activity.revision)),
        (f"{pages['activity']}/suppression", {}),
    ]
    for post_url, data in posts:
        assert browser.post(post_url, data).status_code == 403, post_url
    db.session.expire_all()
    assert (len(audits("exercise.create")),
            db.session.scalar(select(CrisisExercise.revision))) == counts
    assert db.session.scalars(select(ExerciseFinding.text)).all() == ["Constat"]
    assert db.session.get(ExerciseFinding, finding.id).action_id is None
    assert db.session.scalars(select(CriticalActivity.name)).all() == ["Urgences"]
    assert db.session.scalar(select(ContinuityProfile.continuity_lead)) == "Mme Martin, DSI"


# -- another establishment's register rows ----------------------------------------------------

def test_rows_of_another_establishment_are_not_found(world, editor) -> None:  # noqa: ANN001
    other = services.save_exercise(world.same_region, None, {
        "status": ExerciseStatus.HELD, "held_on": day(-10), "type": ExerciseType.TABLETOP,
        "kit_level": KitLevel.BEGINNER, "scenario": Scenario.RANSOMWARE},
        world.users["editor"], None)
    finding = services.add_finding(world.same_region, other, "Constat d'ailleurs",
                                   world.users["editor"])
    activity = services.save_activity(world.same_region, None, {
        "kind": ActivityKind.CARE_SERVICE, "name": "Urgences d'ailleurs"},
        world.users["editor"], None)
    db.session.commit()
    own = base(world)
    for url in (f"{own}/exercices/{other.id}", f"{own}/continuite/activites/{activity.id}",
                f"/etablissements/{world.same_region.id}/exercices"):
        assert editor.client.get(url).status_code == 404, url
    for url in (f"{own}/exercices/{other.id}/suppression", f"{own}/exercices/{other.id}/constats",
                f"{own}/constats/{finding.id}/feuille-de-route",
                f"{own}/constats/{finding.id}/suppression",
                f"{own}/continuite/activites/{activity.id}/suppression"):
        assert editor.post(url, {"text": "x"}).status_code == 404, url
    db.session.expire_all()
    assert db.session.get(CrisisExercise, other.id) is not None
    assert db.session.get(ExerciseFinding, finding.id).action_id is None
    assert db.session.get(CriticalActivity, activity.id) is not None


# -- bugs found while writing these journeys, fixed since ---------------------------------------

@pytest.mark.parametrize("typed", ["inf", "1e400"])
def test_an_infinite_rto_is_refused(world, editor, typed) -> None:  # noqa: ANN001
    url = f"{base(world)}/continuite/activites/nouvelle"
    response = editor.post(url, activity_data(rto_hours=typed), page=url)
    assert response.status_code == 400
    assert field_errors(text(response))
    assert db.session.scalars(select(CriticalActivity)).all() == []


def test_an_unreadable_restore_date_gets_one_message(world, editor) -> None:  # noqa: ANN001
    url = f"{base(world)}/continuite"
    response = editor.post(url, profile_data(restore_tested_on="31/02/2026"), page=url)
    assert response.status_code == 400
    assert field_errors(text(response)) == [
        "Date invalide : utilisez le sélecteur ou le format JJ/MM/AAAA."]


def test_the_form_shows_and_saves_every_profile_fact_once(app) -> None:  # noqa: ANN001
    from careapp.resilience.forms import ProfileForm
    from careapp.resilience.models import PROFILE_FIELDS

    shown = [name for _title, names in ProfileForm.GROUPS for name in names]
    assert sorted(shown) == sorted(PROFILE_FIELDS) and len(shown) == len(set(shown))
    with app.test_request_context():
        form = ProfileForm(meta={"csrf": False})
        assert set(form.values()) == set(PROFILE_FIELDS)
