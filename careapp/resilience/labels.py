"""Display labels of the registers' values (translated when shown)."""

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from careapp.resilience.models import (
    ActivityKind,
    BackupAuth,
    BackupMfa,
    ExerciseStatus,
    ExerciseType,
    KitLevel,
    Perimeter,
    PlanStatus,
    Scenario,
    TestResult,
    Trajectory,
)

EXERCISE_STATUS = {ExerciseStatus.PLANNED: _l("Planifié"), ExerciseStatus.HELD: _l("Réalisé")}
EXERCISE_TYPE = {
    ExerciseType.TABLETOP: _l("Sur table"),
    ExerciseType.FUNCTIONAL: _l("Simulation fonctionnelle"),
    ExerciseType.FULL_SCALE: _l("Grandeur nature"),
    ExerciseType.REGIONAL: _l("Exercice régional"),
}
KIT_LEVEL = {
    KitLevel.NONE: _l("Sans kit ANS"),
    KitLevel.BEGINNER: _l("Kit ANS débutant"),
    KitLevel.INTERMEDIATE: _l("Kit ANS intermédiaire"),
    # The ANS kits' levels are « débutant, intermédiaire, confirmé »; presentations of 2023 said
    # « avancé » for the third (the stored value keeps that older name).
    KitLevel.ADVANCED: _l("Kit ANS confirmé"),
}
SCENARIO = {
    Scenario.RANSOMWARE: _l("Rançongiciel"),
    Scenario.MAIL_COMPROMISE: _l("Compromission de messagerie"),
    Scenario.EHR_OUTAGE: _l("Indisponibilité du DPI"),
    Scenario.DATA_LEAK: _l("Fuite de données"),
    Scenario.SUPPLIER_OUTAGE: _l("Panne d'un prestataire ou de la télémaintenance"),
    Scenario.OTHER: _l("Autre"),
}
FUNCTION = {
    "direction": _l("Direction"),
    "medical": _l("Médical"),
    "nursing": _l("Soignant"),
    "it": _l("Système d'information"),
    "communication": _l("Communication"),
    "logistics": _l("Logistique"),
    "ars": _l("ARS (externe)"),
    "grades": _l("GRADeS (externe)"),
    "cert_sante": _l("CERT Santé (externe)"),
}
ACTIVITY_KIND = {
    ActivityKind.CARE_SERVICE: _l("Service de soins"),
    ActivityKind.ADMINISTRATIVE: _l("Processus administratif"),
    ActivityKind.PHARMACY: _l("Plateforme médico-technique : pharmacie"),
    ActivityKind.IMAGING: _l("Plateforme médico-technique : imagerie"),
    ActivityKind.BIOLOGY: _l("Plateforme médico-technique : biologie"),
    ActivityKind.TECHNICAL: _l("Plateforme technique"),
}
PLAN_STATUS = {
    PlanStatus.ABSENT: _l("Absent"),
    PlanStatus.IN_PROGRESS: _l("En cours"),
    PlanStatus.FORMALISED: _l("Formalisé"),
    PlanStatus.TESTED: _l("Testé"),
}
TEST_RESULT = {
    TestResult.SUCCESS: _l("Réussi"),
    TestResult.PARTIAL: _l("Réussi en partie"),
    TestResult.FAILURE: _l("Échec"),
}
BACKUP_AUTH = {
    BackupAuth.PRODUCTION_AD: _l("Annuaire de production (non indépendant)"),
    BackupAuth.LOCAL_ACCOUNTS: _l("Comptes propres au produit de sauvegarde"),
    BackupAuth.DEDICATED_AD: _l("Annuaire dédié à la sauvegarde"),
}
BACKUP_MFA = {
    BackupMfa.YES: _l("Oui"),
    BackupMfa.NO: _l("Non, alors que le produit le permet"),
    BackupMfa.UNSUPPORTED: _l("Non : le produit ne le permet pas"),
}
TRAJECTORY = {
    Trajectory.NONE: _l("Aucune trajectoire"),
    Trajectory.PLANNED: _l("Trajectoire définie, avec un prochain jalon daté"),
    Trajectory.REACHED: _l("Cible atteinte"),
}
PERIMETER = {
    Perimeter.CARE_SERVICE: _l("Service de soins"),
    Perimeter.ADMINISTRATIVE: _l("Processus administratif"),
    Perimeter.MEDICO_TECHNICAL: _l("Plateforme médico-technique (pharmacie, imagerie, biologie)"),
}
READINESS = {"met": _l("Atteint"), "not_met": _l("Non atteint"), "unknown": _l("Inconnu")}


def shown(value: object, values: dict | None = None) -> str:
    """A stored value in words (for the "saved meanwhile" notes of a stale form)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_l("Oui") if value else _l("Non"))
    if isinstance(value, float | int):
        return format_decimal(value, format="0.##########")  # 1,5 in French, nothing rounded
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")  # type: ignore[attr-defined]
    if isinstance(value, list):
        return ", ".join(shown(v, values) for v in value)
    if values is not None:
        for key, label in values.items():
            if str(getattr(key, "value", key)) == str(getattr(value, "value", value)):
                return str(label)
    return str(getattr(value, "value", value))


# Which label table shows each field's values.
FIELD_VALUES: dict[str, dict] = {
    "status": EXERCISE_STATUS, "type": EXERCISE_TYPE, "kit_level": KIT_LEVEL,
    "scenario": SCENARIO, "functions": FUNCTION, "kind": ACTIVITY_KIND,
    "pca_status": PLAN_STATUS, "pra_status": PLAN_STATUS, "last_test_result": TEST_RESULT,
    "restore_test_result": TEST_RESULT, "backup_auth": BACKUP_AUTH, "backup_mfa": BACKUP_MFA,
    "backup_segmentation": TRAJECTORY, "backup_321": TRAJECTORY,
    "absent_perimeters": PERIMETER,
}


def stale_notes(current: object, opened: dict | None, submitted: dict,
                fields: tuple[str, ...]) -> dict[str, str]:
    """field → the value saved meanwhile, in words, for the fields someone else changed."""
    from careapp.locking import changed_meanwhile

    saved = {name: getattr(current, name) for name in fields}
    return {name: shown(saved[name], FIELD_VALUES.get(name))
            for name in changed_meanwhile(saved, opened, submitted)}
