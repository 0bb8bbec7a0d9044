"""D2 readiness checklist (pure): worked examples item by item, with the evidence it gives."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import replace

import pytest

from careapp.resilience.d2 import PSSI_REVIEWED_SINCE, D2Readiness, Readiness, d2_readiness
from careapp.resilience.models import ActivityKind, PlanStatus
from careapp.resilience.models import TestResult as Result
from tests.fakes import Activity
from tests.fakes import Profile as BlankProfile

MET, NOT_MET, UNKNOWN = Readiness.MET, Readiness.NOT_MET, Readiness.UNKNOWN
ITEMS = ("pssi", "project_lead", "plan_blanc", "crisis_cell", "bia_coverage", "pca_formalised",
         "field_test", "test_schedule", "backup_policy", "backup_auth", "backup_isolation",
         "backup_321", "backup_monitoring", "restore_test")
PREREQUISITES = {"pssi", "project_lead"}
STATED = {  # tri-state profile field → checklist item
    "crisis_cell_defined": "crisis_cell",
    "test_schedule_defined": "test_schedule",
    "backup_policy": "backup_policy",
    "backup_own_auth_mfa": "backup_auth",
    "backup_isolated": "backup_isolation",
    "backup_321_offline": "backup_321",
    "backup_monitored": "backup_monitoring",
}



COMPLIANT = BlankProfile(
    pssi_reviewed_on=dt.date(2024, 1, 15), continuity_lead="Mme Durand",
    plan_blanc_digital_on=dt.date(2025, 3, 10), crisis_cell_defined=True,
    test_schedule_defined=True, backup_policy=True, backup_321_offline=True,
    backup_own_auth_mfa=True, backup_isolated=True, backup_monitored=True,
    restore_tested_on=dt.date(2025, 9, 1), restore_test_result=Result.SUCCESS)


def Profile(**changes: object) -> BlankProfile:  # noqa: N802 - reads like the class it builds
    """A compliant establishment's profile, with `changes`."""
    return replace(COMPLIANT, **changes)  # type: ignore[arg-type]



def compliant_activities() -> list[Activity]:
    return [
        Activity(ActivityKind.CARE_SERVICE, "Urgences", last_test_on=dt.date(2025, 6, 12)),
        Activity(ActivityKind.ADMINISTRATIVE, "Admissions", most_critical=True,
                 pca_status=PlanStatus.TESTED),
        Activity(ActivityKind.BIOLOGY, "Laboratoire"),
    ]


def statuses(readiness: D2Readiness) -> dict[str, Readiness]:
    return {item.id: item.status for item in readiness.items}


def test_an_empty_register_knows_nothing() -> None:
    readiness = d2_readiness(None, [])
    assert [i.id for i in readiness.items] == list(ITEMS)
    assert readiness.total == 14
    assert all(i.status is UNKNOWN for i in readiness.items)
    assert readiness.met == 0
    assert readiness.unknown == 14
    assert not readiness.ready
    assert readiness.item("bia_coverage").evidence == "Aucune activité critique enregistrée."
    assert readiness.item("pssi").evidence == "Date de révision de la PSSI non renseignée."
    assert readiness.item("crisis_cell").evidence == "Non renseigné."


def test_item_kinds() -> None:
    readiness = d2_readiness(None, [])
    assert {i.id for i in readiness.items if i.kind == "prerequisite"} == PREREQUISITES
    assert {i.id for i in readiness.items if i.kind == "objective"} == set(ITEMS) - PREREQUISITES


def test_a_compliant_establishment_is_ready() -> None:
    readiness = d2_readiness(Profile(), compliant_activities())
    assert statuses(readiness) == dict.fromkeys(ITEMS, MET)
    assert readiness.met == 14 and readiness.total == 14 and readiness.unknown == 0
    assert readiness.ready
    assert readiness.item("pssi").evidence == "PSSI révisée le 15/01/2024."
    assert readiness.item("project_lead").evidence == "Responsable : Mme Durand."
    assert readiness.item("plan_blanc").evidence == "Volet numérique du plan blanc daté du 10/03/2025."
    assert readiness.item("bia_coverage").evidence == "3 activité(s) couverte(s) par un BIA."
    assert readiness.item("pca_formalised").evidence == "PCA formalisé pour les 3 activité(s) analysée(s)."
    assert readiness.item("restore_test").evidence == "Test du 01/09/2025 réussi."
    assert readiness.item("backup_policy").evidence == "Déclaré en place."


def test_one_item_missing_means_not_ready() -> None:
    readiness = d2_readiness(dataclasses.replace(Profile(), backup_monitored=None),
                             compliant_activities())
    assert readiness.met == 13 and readiness.unknown == 1
    assert not readiness.ready  # unknown is never counted as met


def test_bia_missing_only_the_most_critical_administrative_process() -> None:
    activities = compliant_activities()
    activities[1] = Activity(ActivityKind.ADMINISTRATIVE, "Admissions", most_critical=False)
    item = d2_readiness(Profile(), activities).item("bia_coverage")
    assert item.status is NOT_MET
    assert item.evidence == "BIA manquant pour : le processus administratif le plus critique."


def test_bia_most_critical_process_without_a_bia_does_not_count() -> None:
    activities = compliant_activities()
    activities[1] = Activity(ActivityKind.ADMINISTRATIVE, "Admissions", most_critical=True,
                             bia_done=False)
    item = d2_readiness(Profile(), activities).item("bia_coverage")
    assert item.status is NOT_MET
    assert item.evidence == "BIA manquant pour : le processus administratif le plus critique."


def test_bia_missing_everything_lists_the_three_parts() -> None:
    activities = [Activity(ActivityKind.TECHNICAL, "Réseau")]
    item = d2_readiness(Profile(), activities).item("bia_coverage")
    assert item.status is NOT_MET
    assert item.evidence == ("BIA manquant pour : un service de soins, le processus administratif "
                             "le plus critique, une plateforme médico-technique.")


@pytest.mark.parametrize("kind", [ActivityKind.PHARMACY, ActivityKind.IMAGING, ActivityKind.BIOLOGY])
def test_any_medico_technical_platform_covers_the_third_part(kind: ActivityKind) -> None:
    activities = compliant_activities()
    activities[2] = Activity(kind, "Plateau")
    assert d2_readiness(Profile(), activities).item("bia_coverage").status is MET


def test_bia_missing_care_and_medico_technical() -> None:
    activities = [Activity(ActivityKind.ADMINISTRATIVE, "Paie", most_critical=True),
                  Activity(ActivityKind.CARE_SERVICE, "Cardiologie", bia_done=False)]
    item = d2_readiness(Profile(), activities).item("bia_coverage")
    assert item.evidence == "BIA manquant pour : un service de soins, une plateforme médico-technique."


def test_pssi_threshold_is_july_2022() -> None:
    assert dt.date(2022, 7, 1) == PSSI_REVIEWED_SINCE


@pytest.mark.parametrize(("reviewed_on", "status", "evidence"), [
    (dt.date(2022, 6, 30), NOT_MET, "Dernière révision le 30/06/2022, avant juillet 2022."),
    (dt.date(2022, 7, 1), MET, "PSSI révisée le 01/07/2022."),
    (None, UNKNOWN, "Date de révision de la PSSI non renseignée."),
])
def test_pssi_review_date(reviewed_on: dt.date | None, status: Readiness, evidence: str) -> None:
    item = d2_readiness(Profile(pssi_reviewed_on=reviewed_on), []).item("pssi")
    assert item.kind == "prerequisite"
    assert item.status is status
    assert item.evidence == evidence


@pytest.mark.parametrize(("lead", "status", "evidence"), [
    ("  M. Martin ", MET, "Responsable : M. Martin."),
    ("   ", UNKNOWN, "Aucun responsable indiqué."),  # a blank field is unknown, not a failure
    ("", UNKNOWN, "Aucun responsable indiqué."),
])
def test_continuity_lead(lead: str, status: Readiness, evidence: str) -> None:
    item = d2_readiness(Profile(continuity_lead=lead), []).item("project_lead")
    assert (item.status, item.evidence) == (status, evidence)


def test_plan_blanc_without_a_date_is_unknown() -> None:
    item = d2_readiness(Profile(plan_blanc_digital_on=None), []).item("plan_blanc")
    assert item.status is UNKNOWN
    assert item.evidence == "Aucune date de volet numérique du plan blanc."


@pytest.mark.parametrize(("tested_on", "result", "status", "evidence"), [
    (dt.date(2025, 4, 3), Result.FAILURE, NOT_MET, "Le test du 03/04/2025 a échoué."),
    (dt.date(2025, 4, 3), None, UNKNOWN, "Test du 03/04/2025, résultat non renseigné."),
    (dt.date(2025, 4, 3), Result.PARTIAL, MET, "Test du 03/04/2025 réussi en partie."),
    (dt.date(2025, 4, 3), Result.SUCCESS, MET, "Test du 03/04/2025 réussi."),
    (None, None, UNKNOWN, "Aucun test de restauration enregistré."),
])
def test_restore_test(tested_on: dt.date | None, result: Result | None, status: Readiness,
                      evidence: str) -> None:
    profile = Profile(restore_tested_on=tested_on, restore_test_result=result)
    item = d2_readiness(profile, compliant_activities()).item("restore_test")
    assert (item.status, item.evidence) == (status, evidence)


@pytest.mark.parametrize(("field", "item_id"), sorted(STATED.items()))
@pytest.mark.parametrize(("value", "status", "evidence"), [
    (True, MET, "Déclaré en place."),
    (False, NOT_MET, "Déclaré absent."),
    (None, UNKNOWN, "Non renseigné."),
])
def test_tri_state_items(field: str, item_id: str, value: bool | None, status: Readiness,
                         evidence: str) -> None:
    readiness = d2_readiness(dataclasses.replace(Profile(), **{field: value}),
                             compliant_activities())
    item = readiness.item(item_id)
    assert (item.status, item.evidence) == (status, evidence)
    others = {k: v for k, v in statuses(readiness).items() if k != item_id}
    assert others == dict.fromkeys(others, MET)  # only that item moved


def test_pca_in_progress_names_the_activity() -> None:
    activities = compliant_activities()
    activities[0] = Activity(ActivityKind.CARE_SERVICE, "Urgences", pca_status=PlanStatus.IN_PROGRESS,
                             last_test_on=dt.date(2025, 6, 12))
    # an activity without BIA needs no PCA for this item
    activities.append(Activity(ActivityKind.TECHNICAL, "Téléphonie", bia_done=False,
                               pca_status=PlanStatus.ABSENT))
    item = d2_readiness(Profile(), activities).item("pca_formalised")
    assert item.status is NOT_MET
    assert item.evidence == "PCA non formalisé pour 1 activité(s) : Urgences."


def test_pca_lists_every_lacking_activity() -> None:
    activities = [Activity(ActivityKind.CARE_SERVICE, "Urgences", pca_status=PlanStatus.ABSENT),
                  Activity(ActivityKind.PHARMACY, "PUI", pca_status=PlanStatus.TESTED),
                  Activity(ActivityKind.IMAGING, "Scanner", pca_status=PlanStatus.IN_PROGRESS)]
    item = d2_readiness(Profile(), activities).item("pca_formalised")
    assert item.evidence == "PCA non formalisé pour 2 activité(s) : Urgences, Scanner."


def test_pca_with_activities_but_none_analysed_is_not_met() -> None:
    item = d2_readiness(Profile(), [Activity(ActivityKind.CARE_SERVICE, "Urgences",
                                             bia_done=False)]).item("pca_formalised")
    assert item.status is NOT_MET
    assert item.evidence == "Aucune activité analysée par un BIA."
    assert d2_readiness(Profile(), []).item("pca_formalised").status is UNKNOWN


def test_field_test_names_the_latest_test() -> None:
    activities = [Activity(ActivityKind.CARE_SERVICE, "Urgences", last_test_on=dt.date(2024, 11, 5)),
                  Activity(ActivityKind.PHARMACY, "PUI", last_test_on=dt.date(2025, 2, 14)),
                  Activity(ActivityKind.ADMINISTRATIVE, "Admissions", most_critical=True)]
    item = d2_readiness(Profile(), activities).item("field_test")
    assert item.status is MET
    assert item.evidence == "Dernier test : PUI, le 14/02/2025."


def test_field_test_not_met_without_a_test_date() -> None:
    activities = [Activity(ActivityKind.CARE_SERVICE, "Urgences")]
    item = d2_readiness(Profile(), activities).item("field_test")
    assert item.status is NOT_MET
    assert item.evidence == "Aucune date de test terrain enregistrée."


def test_activities_without_a_profile() -> None:
    readiness = d2_readiness(None, compliant_activities())
    assert {k for k, v in statuses(readiness).items() if v is MET} == {
        "bia_coverage", "pca_formalised", "field_test"}
    assert readiness.met == 3 and readiness.unknown == 11


def test_accepts_any_iterable_of_activities() -> None:
    readiness = d2_readiness(Profile(), iter(compliant_activities()))
    assert readiness.ready  # the generator is read once, every item sees the activities


def test_saving_one_fact_never_turns_the_blank_ones_into_failures() -> None:
    """Stating only the crisis cell leaves every blank item unknown (no P1/P2 out of nothing)."""
    blank = Profile(pssi_reviewed_on=None, continuity_lead="", plan_blanc_digital_on=None,
                    crisis_cell_defined=True, test_schedule_defined=None, backup_policy=None,
                    backup_321_offline=None, backup_own_auth_mfa=None, backup_isolated=None,
                    backup_monitored=None, restore_tested_on=None, restore_test_result=None)
    only_cell = d2_readiness(blank, [])
    assert only_cell.item("crisis_cell").status is MET
    assert {i.status for i in only_cell.items if i.id != "crisis_cell"} == {UNKNOWN}
