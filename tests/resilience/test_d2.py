"""D2 readiness checklist (pure): worked examples on the decree's cases, item by item.

Each rule cites its line of the ANS D2 guide (prerequisites D2.P1–D2.P2, objectives
D2.O1.a–D2.O4, as transcribed in CISO Assistant's library ans-care-domaine2) and the order of
3 July 2025; the dates and thresholds come from careapp/resilience/d2_rules.yaml.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from careapp.resilience.d2 import D2Readiness, Readiness, d2_readiness
from careapp.resilience.models import (
    ActivityKind,
    BackupAuth,
    BackupMfa,
    Perimeter,
    PlanStatus,
    Trajectory,
)
from careapp.resilience.models import TestResult as Result
from careapp.resilience.rules import RULES, RulesError, load_rules
from tests.fakes import Activity
from tests.fakes import Profile as BlankProfile

MET, NOT_MET, UNKNOWN = Readiness.MET, Readiness.NOT_MET, Readiness.UNKNOWN
ITEMS = ("pssi", "project_lead", "governance_scheme", "plan_blanc", "crisis_cell",
         "bia_coverage", "pca_formalised", "field_test", "test_schedule", "backup_policy",
         "backup_plans", "backup_auth", "backup_isolation", "backup_321", "backup_monitoring", "restore_test")
STATED = {  # tri-state profile field → checklist item it alone decides
    "governance_scheme": "governance_scheme",
    "test_schedule_defined": "test_schedule",
    "backup_monitored": "backup_monitoring",
    "backup_plans_up_to_date": "backup_plans",
}

COMPLIANT = BlankProfile(
    pssi_reviewed_on=dt.date(2024, 1, 15), continuity_organisation=True,
    continuity_lead="Mme Durand", governance_scheme=True,
    plan_blanc_digital_on=dt.date(2025, 3, 10), crisis_cell_defined=True,
    crisis_reporting_defined=True, multi_entity=False, test_schedule_defined=True,
    backup_policy=True, backup_policy_reviewed_on=dt.date(2024, 2, 1),
    backup_plans_up_to_date=True, backup_outsourced=False, backup_auth=BackupAuth.LOCAL_ACCOUNTS,
    backup_least_privilege=True, backup_mfa=BackupMfa.YES, backup_isolable=True,
    backup_segmentation=Trajectory.REACHED, backup_321=Trajectory.PLANNED,
    backup_321_milestone_on=dt.date(2030, 12, 1), backup_monitored=True,
    restore_tested_on=dt.date(2025, 9, 1), restore_test_result=Result.SUCCESS,
    business_referent=True)


def Profile(**changes: object) -> BlankProfile:  # noqa: N802 - reads like the class it builds
    """A compliant establishment's profile, with `changes`."""
    return replace(COMPLIANT, **changes)  # type: ignore[arg-type]


def compliant_activities() -> list[Activity]:
    return [
        Activity(ActivityKind.CARE_SERVICE, "Urgences", last_test_on=dt.date(2025, 10, 12)),
        Activity(ActivityKind.ADMINISTRATIVE, "Admissions", most_critical=True,
                 pca_status=PlanStatus.TESTED),
        Activity(ActivityKind.BIOLOGY, "Laboratoire"),
    ]


def statuses(readiness: D2Readiness) -> dict[str, Readiness]:
    return {item.id: item.status for item in readiness.items}


def item(item_id: str, profile: BlankProfile | None = None,
         activities: list[Activity] | None = None) -> tuple[Readiness, str]:
    found = d2_readiness(Profile() if profile is None else profile,
                         compliant_activities() if activities is None else activities
                         ).item(item_id)
    return found.status, str(found.evidence)


# -- the checklist as a whole ----------------------------------------------------------------------

def test_an_empty_register_knows_nothing() -> None:
    readiness = d2_readiness(None, [])
    assert tuple(i.id for i in readiness.items) == ITEMS
    assert statuses(readiness) == dict.fromkeys(ITEMS, UNKNOWN)
    assert (readiness.met, readiness.total, readiness.unknown) == (0, 16, 16)


def test_items_cite_the_guide() -> None:
    readiness = d2_readiness(None, [])
    assert {i.id: i.ref for i in readiness.items} == RULES.refs
    kinds = {i.id for i in readiness.items if i.kind == "prerequisite"}
    assert kinds == {"pssi", "project_lead"}  # D2.P1 and D2.P2


def test_a_compliant_establishment_is_ready() -> None:
    readiness = d2_readiness(Profile(), compliant_activities())
    assert statuses(readiness) == dict.fromkeys(ITEMS, MET), [
        (i.id, str(i.evidence)) for i in readiness.items if i.status is not MET]
    assert readiness.ready


def test_saving_one_fact_never_turns_the_blank_ones_into_failures() -> None:
    readiness = d2_readiness(BlankProfile(pssi_reviewed_on=dt.date(2024, 1, 1)), [])
    assert statuses(readiness) == {**dict.fromkeys(ITEMS, UNKNOWN), "pssi": MET}


def test_accepts_any_iterable_of_activities() -> None:
    assert d2_readiness(Profile(), iter(compliant_activities())).ready


# -- the rules file ---------------------------------------------------------------------------------

def test_rules_are_data_with_their_sources() -> None:
    assert RULES.pssi_reviewed_since == dt.date(2022, 7, 16)  # D2.P1
    assert RULES.backup_policy_reviewed_since == dt.date(2022, 7, 16)  # D2.O2.a
    assert RULES.operational_phase_start == dt.date(2025, 7, 3)  # order of 3 July 2025
    assert RULES.multi_entity_share_min == 66  # D2.O1.c, D2.O1.d
    assert RULES.backup_directory_ads_min == 3  # D2.O3.a
    assert all("D2." in source for source in RULES.sources.values())


def test_a_malformed_rules_file_stops_the_start(tmp_path: Path) -> None:
    bad = tmp_path / "d2_rules.yaml"
    bad.write_text((Path(__file__).parents[2] / "careapp/resilience/d2_rules.yaml")
                   .read_text(encoding="utf-8").replace("value: 66", "value: 166"),
                   encoding="utf-8")
    with pytest.raises(RulesError, match="166"):
        load_rules(bad)


def test_the_rules_file_moves_the_checklist() -> None:
    later = dataclasses.replace(RULES, pssi_reviewed_since=dt.date(2024, 6, 1))
    assert d2_readiness(Profile(), compliant_activities(), later).item("pssi").status is NOT_MET


# -- D2.P1: PSSI reviewed between 16 July 2022 and the application ------------------------------------

@pytest.mark.parametrize(("reviewed_on", "status", "evidence"), [
    (dt.date(2022, 7, 16), MET, "PSSI révisée le 16/07/2022."),
    (dt.date(2022, 7, 15), NOT_MET, "Dernière révision le 15/07/2022, avant le 16/07/2022."),
    # 1 July 2022 was the old (wrong) threshold: it is before the guide's date
    (dt.date(2022, 7, 1), NOT_MET, "Dernière révision le 01/07/2022, avant le 16/07/2022."),
    (None, UNKNOWN, "Date de révision de la PSSI non renseignée."),
])
def test_pssi_reviewed_since_16_july_2022(reviewed_on: dt.date | None, status: Readiness,
                                          evidence: str) -> None:
    assert item("pssi", Profile(pssi_reviewed_on=reviewed_on)) == (status, evidence)


# -- D2.P2: a project organisation; a named lead is recommended, not required -------------------------

@pytest.mark.parametrize(("organisation", "lead", "status", "evidence"), [
    (True, "", MET, "Organisation projet décrite, sans responsable nommé (recommandé, non "
                    "exigé)."),
    (True, "Mme Durand", MET, "Organisation projet décrite ; responsable : Mme Durand."),
    (None, "Mme Durand", MET, "Responsable nommé : Mme Durand."),
    (False, "Mme Durand", NOT_MET, "Organisation projet déclarée absente."),
    (None, "  ", UNKNOWN, "Non renseigné."),
])
def test_project_organisation_without_a_named_lead(organisation: bool | None, lead: str,
                                                   status: Readiness, evidence: str) -> None:
    profile = Profile(continuity_organisation=organisation, continuity_lead=lead)
    assert item("project_lead", profile) == (status, evidence)


# -- D2.O1.b: crisis procedures include the crisis cell and the reporting ----------------------------

@pytest.mark.parametrize(("cell", "reporting", "status", "evidence"), [
    (True, True, MET, "Cellule de crise et modalités de signalement définies."),
    (True, None, UNKNOWN, "Non renseigné : les modalités de signalement."),
    (True, False, NOT_MET, "Procédures sans les modalités de signalement."),
    (False, None, NOT_MET, "Procédures sans la cellule de crise."),
    (None, None, UNKNOWN, "Non renseigné : la cellule de crise ; les modalités de signalement."),
])
def test_crisis_procedures_need_the_cell_and_the_reporting(
        cell: bool | None, reporting: bool | None, status: Readiness, evidence: str) -> None:
    profile = Profile(crisis_cell_defined=cell, crisis_reporting_defined=reporting)
    assert item("crisis_cell", profile) == (status, evidence)


def test_plan_blanc_without_a_date_is_unknown() -> None:
    assert item("plan_blanc", Profile(plan_blanc_digital_on=None))[0] is UNKNOWN


# -- D2.O1.c: BIA perimeters "s'ils existent", PCRA = PCA and PRA, the 66 % rule -----------------------

def test_bia_missing_the_most_critical_administrative_process() -> None:
    activities = [a for a in compliant_activities() if a.kind is not ActivityKind.ADMINISTRATIVE]
    activities.append(Activity(ActivityKind.ADMINISTRATIVE, "Paie", most_critical=False))
    assert item("bia_coverage", activities=activities) == (
        NOT_MET, "BIA manquant pour : le processus administratif le plus critique.")


def test_bia_missing_everything_lists_the_three_parts() -> None:
    activities = [Activity(ActivityKind.TECHNICAL, "Datacenter")]
    assert item("bia_coverage", activities=activities) == (
        NOT_MET, "BIA manquant pour : un service de soins ; le processus administratif le plus "
                 "critique ; une plateforme médico-technique.")


@pytest.mark.parametrize("kind", [ActivityKind.PHARMACY, ActivityKind.IMAGING,
                                  ActivityKind.BIOLOGY])
def test_any_medico_technical_platform_covers_the_third_part(kind: ActivityKind) -> None:
    activities = [*compliant_activities()[:2], Activity(kind, "Plateau")]
    assert item("bia_coverage", activities=activities)[0] is MET


def test_an_establishment_without_a_platform_of_its_own_says_so() -> None:
    """"s'ils existent au sein de la structure" (D2.O1.c): a psychiatric hospital with no
    pharmacy, imaging or biology of its own meets the objective with the two other BIA."""
    activities = compliant_activities()[:2]
    assert item("bia_coverage", activities=activities)[0] is NOT_MET
    profile = Profile(absent_perimeters=[Perimeter.MEDICO_TECHNICAL.value])
    assert item("bia_coverage", profile, activities) == (
        MET, "2 activité(s) couverte(s) par un BIA ; 1 périmètre(s) sans objet dans la "
             "structure.")


def test_a_perimeter_on_the_register_exists_whatever_the_box_says() -> None:
    """« s'ils existent » (D2.O1.c): a pharmacy on the activity register exists, so its BIA is
    expected even if the platform was ticked as absent."""
    activities = [*compliant_activities()[:2],
                  Activity(ActivityKind.PHARMACY, "PUI", bia_done=False)]
    profile = Profile(absent_perimeters=[Perimeter.MEDICO_TECHNICAL.value])
    assert item("bia_coverage", profile, activities) == (
        NOT_MET, "BIA manquant pour : une plateforme médico-technique.")


def test_three_absent_perimeters_are_not_believed() -> None:
    profile = Profile(absent_perimeters=[p.value for p in Perimeter])
    assert item("bia_coverage", profile, [Activity(ActivityKind.TECHNICAL, "Datacenter")]) == (
        UNKNOWN, "Les trois périmètres sont déclarés inexistants : vérifiez la fiche.")


def test_pcra_needs_the_recovery_half_too() -> None:
    """D2.O1.c: a PCRA is a continuity AND recovery plan."""
    activities = compliant_activities()
    activities[2] = replace(activities[2], pra_status=PlanStatus.IN_PROGRESS)
    assert item("pca_formalised", activities=activities) == (
        NOT_MET, "PCA ou PRA non formalisé pour 1 activité(s) : Laboratoire.")


def test_pca_lists_every_lacking_activity() -> None:
    activities = [replace(a, pca_status=PlanStatus.ABSENT) for a in compliant_activities()]
    assert item("pca_formalised", activities=activities) == (
        NOT_MET, "PCA ou PRA non formalisé pour 3 activité(s) : Urgences, Admissions, "
                 "Laboratoire.")


def test_pca_with_activities_but_none_analysed_is_not_met() -> None:
    activities = [replace(a, bia_done=False) for a in compliant_activities()]
    assert item("pca_formalised", activities=activities) == (
        NOT_MET, "Aucune activité analysée par un BIA.")


@pytest.mark.parametrize(("multi", "share", "status", "evidence"), [
    # one entity or several? unknown is never counted as met
    (None, None, UNKNOWN, "Non renseigné : candidature pour une ou plusieurs entités."),
    (False, None, MET, "PCA et PRA formalisés pour les 3 activité(s) analysée(s)."),
    (True, 66.0, MET, "PCA et PRA formalisés pour les 3 activité(s) analysée(s)."),
    (True, 65.5, NOT_MET, "BIA et PCRA : 65,5 % de l'activité combinée, moins de 66 %."),
    (True, None, UNKNOWN, "Non renseigné : part de l'activité couverte (BIA et PCRA)."),
])
def test_66_percent_rule_for_multi_entity_candidatures(
        multi: bool | None, share: float | None, status: Readiness, evidence: str) -> None:
    """D2.O1.c: a GHT applying for several legal entities (or a group with several sites)
    formalises BIA and PCRA for entities making at least 66 % of the combined activity."""
    profile = Profile(multi_entity=multi, pcra_activity_share=share)
    assert item("pca_formalised", profile) == (status, evidence)


# -- D2.O1.d: a field test during the operational phase, 66 % for multi-entity --------------------------

def test_field_test_names_the_latest_test_of_the_phase() -> None:
    activities = compliant_activities()
    activities[1] = replace(activities[1], last_test_on=dt.date(2025, 11, 2))
    assert item("field_test", activities=activities) == (
        MET, "Dernier test : Admissions, le 02/11/2025.")


@pytest.mark.parametrize(("tested_on", "status"), [
    (dt.date(2025, 7, 3), MET),  # the first day of the operational phase
    (dt.date(2025, 7, 2), NOT_MET),
    (dt.date(2024, 6, 12), NOT_MET),
])
def test_a_field_test_counts_only_in_the_operational_phase(tested_on: dt.date,
                                                           status: Readiness) -> None:
    activities = [replace(a, last_test_on=None) for a in compliant_activities()]
    activities[0] = replace(activities[0], last_test_on=tested_on)
    found = item("field_test", activities=activities)
    assert found[0] is status
    if status is NOT_MET:
        assert "avant la phase opérationnelle (03/07/2025)" in found[1]


def test_field_test_not_met_without_a_test_date() -> None:
    activities = [replace(a, last_test_on=None) for a in compliant_activities()]
    assert item("field_test", activities=activities) == (
        NOT_MET, "Aucune date de test terrain enregistrée.")


def test_field_test_share_for_multi_entity() -> None:
    profile = Profile(multi_entity=True, pcra_activity_share=80, field_test_activity_share=40)
    assert item("field_test", profile) == (
        NOT_MET, "test de PCA : 40 % de l'activité combinée, moins de 66 %.")


# -- D2.O2: the policy covers outsourced and SaaS backups by contract clauses ------------------------

@pytest.mark.parametrize(("policy", "outsourced", "clauses", "status"), [
    (True, False, None, MET),
    (True, True, True, MET),
    (True, True, False, NOT_MET),
    (True, True, None, UNKNOWN),
    (True, None, None, UNKNOWN),
    (False, False, None, NOT_MET),
    (None, False, None, UNKNOWN),
])
def test_backup_policy_and_contract_clauses(policy: bool | None, outsourced: bool | None,
                                            clauses: bool | None, status: Readiness) -> None:
    """D2.O2.a: the policy applies to outsourced and SaaS backups through contract clauses."""
    profile = Profile(backup_policy=policy, backup_outsourced=outsourced,
                      backup_contract_clauses=clauses)
    assert item("backup_policy", profile)[0] is status


@pytest.mark.parametrize(("reviewed_on", "status", "evidence"), [
    (dt.date(2022, 7, 16), MET, "Politique revue le 16/07/2022, sans sauvegarde externalisée."),
    (dt.date(2022, 7, 15), NOT_MET, "Politique revue le 15/07/2022, avant le 16/07/2022."),
    (None, UNKNOWN, "Non renseigné : date de la dernière revue de la politique."),
])
def test_backup_policy_updated_since_16_july_2022(reviewed_on: dt.date | None,
                                                  status: Readiness, evidence: str) -> None:
    """D2.O2.a: the policy is updated between 16 July 2022 and the declaration."""
    assert item("backup_policy", Profile(backup_policy_reviewed_on=reviewed_on)) == (
        status, evidence)


# -- D2.O3.a: own authentication + least privilege + MFA if the product allows it; ADS ≥ 3 ---------------

@pytest.mark.parametrize(("changes", "status", "evidence"), [
    ({}, MET, "Authentification indépendante, moindre privilège et MFA."),
    ({"backup_mfa": BackupMfa.UNSUPPORTED}, MET,
     "Authentification indépendante et moindre privilège ; le produit ne permet pas de MFA."),
    ({"backup_mfa": BackupMfa.NO}, NOT_MET, "Pas de MFA alors que le produit le permet."),
    ({"backup_auth": BackupAuth.PRODUCTION_AD}, NOT_MET,
     "Authentification par l'annuaire de production, non indépendante."),
    ({"backup_least_privilege": False}, NOT_MET,
     "Rôles de sauvegarde non réduits au strict nécessaire."),
    ({"backup_auth": BackupAuth.DEDICATED_AD, "backup_ads_level": 3}, MET,
     "Authentification indépendante, moindre privilège et MFA."),
    ({"backup_auth": BackupAuth.DEDICATED_AD, "backup_ads_level": 2}, NOT_MET,
     "Annuaire dédié au niveau ADS 2, moins que 3."),
    ({"backup_auth": BackupAuth.DEDICATED_AD}, UNKNOWN,
     "Non renseigné : niveau ADS de l'annuaire dédié."),
    ({"backup_auth": None, "backup_mfa": None}, UNKNOWN,
     "Non renseigné : système d'authentification ; MFA."),
])
def test_backup_authentication(changes: dict, status: Readiness, evidence: str) -> None:
    assert item("backup_auth", Profile(**changes)) == (status, evidence)


# -- D2.O3.b: isolable (red button) and a segmentation trajectory --------------------------------------

def test_a_passed_milestone_is_not_a_followed_trajectory() -> None:
    """D2.O3.b and D2.O3.c ask for a trajectory with key milestones: once the next milestone
    has passed without an update, the trajectory is no longer followed."""
    profile = Profile(backup_321_milestone_on=dt.date(2026, 3, 1))
    readiness = d2_readiness(profile, compliant_activities(), today=dt.date(2026, 3, 1))
    assert readiness.item("backup_321").status is MET  # the milestone's own day
    readiness = d2_readiness(profile, compliant_activities(), today=dt.date(2026, 3, 2))
    found = readiness.item("backup_321")
    assert (found.status, str(found.evidence)) == (
        NOT_MET, "Prochain jalon du 01/03/2026 dépassé : mettez à jour la trajectoire (règle "
                 "3-2-1).")
    segmentation = Profile(backup_segmentation=Trajectory.PLANNED,
                           backup_segmentation_milestone_on=dt.date(2025, 1, 1))
    assert d2_readiness(segmentation, compliant_activities(), today=dt.date(2026, 3, 2)).item(
        "backup_isolation").status is NOT_MET


@pytest.mark.parametrize(("isolable", "segmentation", "milestone", "status"), [
    (True, Trajectory.REACHED, None, MET),
    (True, Trajectory.PLANNED, dt.date(2030, 3, 1), MET),
    (True, Trajectory.PLANNED, None, UNKNOWN),  # a trajectory without a dated milestone
    (True, Trajectory.NONE, None, NOT_MET),
    (False, Trajectory.REACHED, None, NOT_MET),  # segmented but no red button
    (None, Trajectory.REACHED, None, UNKNOWN),
])
def test_backups_isolable_not_isolated(isolable: bool | None, segmentation: Trajectory,
                                       milestone: dt.date | None, status: Readiness) -> None:
    """D2.O3.b asks for the capacity to cut the backups off (« isolables », the red button)
    and a trajectory to segment them, not for backups already isolated."""
    profile = Profile(backup_isolable=isolable, backup_segmentation=segmentation,
                      backup_segmentation_milestone_on=milestone)
    assert item("backup_isolation", profile)[0] is status


# -- D2.O3.c: a dated 3-2-1 trajectory; the protected copy immutable AND (offline OR off-site) ------------

@pytest.mark.parametrize(("changes", "status"), [
    ({"backup_321": Trajectory.PLANNED, "backup_321_milestone_on": dt.date(2030, 6, 1)}, MET),
    ({"backup_321": Trajectory.PLANNED, "backup_321_milestone_on": None}, UNKNOWN),
    ({"backup_321": Trajectory.NONE}, NOT_MET),
    ({"backup_321": None}, UNKNOWN),
    ({"backup_321": Trajectory.REACHED, "backup_copy_immutable": True,
      "backup_copy_offline": True}, MET),
    ({"backup_321": Trajectory.REACHED, "backup_copy_immutable": True,
      "backup_copy_offsite": True}, MET),
    # immutable but online on site: not the protected copy
    ({"backup_321": Trajectory.REACHED, "backup_copy_immutable": True,
      "backup_copy_offline": False, "backup_copy_offsite": False}, NOT_MET),
    # offline but modifiable: "immuable ou hors ligne" was the old, wrong reading
    ({"backup_321": Trajectory.REACHED, "backup_copy_immutable": False,
      "backup_copy_offline": True}, NOT_MET),
    ({"backup_321": Trajectory.REACHED, "backup_copy_immutable": True}, UNKNOWN),
])
def test_321_trajectory_and_protected_copy(changes: dict, status: Readiness) -> None:
    assert item("backup_321", Profile(**changes))[0] is status


# -- D2.O4: a real, complete restore in the operational phase, with a business referent -----------------

@pytest.mark.parametrize(("tested_on", "result", "referent", "status", "evidence"), [
    (dt.date(2025, 9, 1), Result.SUCCESS, True, MET, "Test du 01/09/2025 réussi."),
    (dt.date(2025, 9, 1), Result.PARTIAL, True, NOT_MET,
     "Le test du 01/09/2025 n'a réussi qu'en partie : l'objectif demande une remise en "
     "production complète."),
    (dt.date(2025, 9, 1), Result.FAILURE, True, NOT_MET, "Le test du 01/09/2025 a échoué."),
    (dt.date(2025, 4, 3), Result.SUCCESS, True, NOT_MET,
     "Test du 03/04/2025, avant la phase opérationnelle (03/07/2025)."),
    (dt.date(2025, 9, 1), None, True, UNKNOWN, "Test du 01/09/2025, résultat non renseigné."),
    # before the phase it does not count, whatever its result
    (dt.date(2025, 4, 3), None, True, NOT_MET,
     "Test du 03/04/2025, avant la phase opérationnelle (03/07/2025)."),
    (dt.date(2025, 9, 1), Result.SUCCESS, None, UNKNOWN,
     "Test du 01/09/2025 réussi ; référent métier non renseigné."),
    (dt.date(2025, 9, 1), Result.SUCCESS, False, NOT_MET,
     "Test du 01/09/2025 réussi, mais aucun référent métier identifié."),
    (None, None, True, UNKNOWN, "Aucun test de restauration enregistré."),
])
def test_restore_test(tested_on: dt.date | None, result: Result | None,
                      referent: bool | None, status: Readiness, evidence: str) -> None:
    profile = Profile(restore_tested_on=tested_on, restore_test_result=result,
                      business_referent=referent)
    assert item("restore_test", profile) == (status, evidence)


# -- single facts ------------------------------------------------------------------------------------

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
    found = readiness.item(item_id)
    assert (found.status, found.evidence) == (status, evidence)
    others = {k: v for k, v in statuses(readiness).items() if k != item_id}
    assert others == dict.fromkeys(others, MET)  # only that item moved


def test_activities_without_a_profile() -> None:
    readiness = d2_readiness(None, compliant_activities())
    assert readiness.item("bia_coverage").status is MET
    assert readiness.item("pca_formalised").status is MET
    assert readiness.item("field_test").status is MET
    assert readiness.item("pssi").status is UNKNOWN


def test_shares_are_written_in_the_persons_language(app) -> None:  # noqa: ANN001
    """One display rule for numbers: 65,5 in French, 65.5 in English (careapp.messages.Figure)."""
    from flask_babel import force_locale

    from careapp.messages import translate

    evidence = d2_readiness(Profile(multi_entity=True, pcra_activity_share=65.5),
                            compliant_activities()).item("pca_formalised").evidence
    with app.test_request_context():
        with force_locale("fr"):
            assert translate(evidence) == ("BIA et PCRA : 65,5 % de l'activité combinée, moins "
                                           "de 66 %.")
        with force_locale("en"):
            assert translate(evidence) == ("BIA and PCRA: 65.5% of the combined activity, less "
                                           "than 66%.")
