from __future__ import annotations

import math
from typing import Any

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    RadioField,
    SelectField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional
from wtforms.widgets import TextInput

from careapp.formtools import (
    LONG_MAX,
    NAME_MAX,
    SHORT_MAX,
    SUMMARY_MAX,
    LineField,
    MultiCheckboxField,
    ParagraphField,
    TriStateField,
    choices,
    not_in_future,
    positive,
)
from careapp.resilience import labels
from careapp.resilience.models import (
    ActivityKind,
    BackupAuth,
    ExerciseStatus,
    ExerciseType,
    KitLevel,
    PlanStatus,
    Scenario,
    TestResult,
    Trajectory,
)

DATE_ERROR = _l("Date invalide : utilisez le sélecteur ou le format JJ/MM/AAAA.")
NUMBER_ERROR = _l("Nombre invalide : écrivez par exemple 4 ou 2,5.")


class LocalisedDateField(DateField):
    """A date field whose parse error is a French sentence, and that also takes 31/12/2026."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(DATE_ERROR)) from exc


class HoursField(FloatField):
    """Hours as typed by French users ("3,5" as well as "3.5"): a text box, not a spinner."""

    widget = TextInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        # every decimal kept: a rounded display would be saved back as a change
        return format_decimal(self.data, format="0.##########") if self.data is not None else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and isinstance(valuelist[0], str):
            text = valuelist[0].strip()
            if "," in text and str(get_locale()) != "fr":  # "1,000" is a thousand in English
                raise ValueError(str(NUMBER_ERROR))
            valuelist = [text.replace(",", ".")]
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(NUMBER_ERROR)) from exc
        if self.data is not None and not math.isfinite(self.data):  # "nan", "inf", "1e400"
            self.data = None
            raise ValueError(str(NUMBER_ERROR))


HOURS_IN_A_YEAR = 8760


def at_most_240_hours(_form: Any, field: Any) -> None:
    if field.data is not None and field.data > 240:  # None: unreadable, already said
        raise ValidationError(_("Une durée de plus de 240 heures ? Vérifiez."))


def within_a_year(_form: Any, field: Any) -> None:
    if field.data is not None and field.data > HOURS_IN_A_YEAR:
        raise ValidationError(_("Plus d'un an (8 760 heures) ? Vérifiez la valeur."))


class RevisionForm(FlaskForm):
    revision = HiddenField()
    opened = HiddenField()  # the values the page was opened with (JSON), see careapp.locking


class ExerciseForm(RevisionForm):
    status = RadioField(_l("Statut"), choices=choices(labels.EXERCISE_STATUS),
                        validators=[InputRequired(_l("Indiquez si l'exercice est planifié ou réalisé."))])
    held_on = LocalisedDateField(_l("Date de l'exercice"),
                                 validators=[InputRequired(_l("Indiquez la date de l'exercice."))])
    type = SelectField(_l("Type d'exercice"), choices=choices(labels.EXERCISE_TYPE))
    kit_level = SelectField(_l("Kit ANS utilisé"), choices=choices(labels.KIT_LEVEL))
    scenario = SelectField(_l("Scénario"), choices=choices(labels.SCENARIO))
    scenario_detail = LineField(_l("Précisions sur le scénario"), max_length=NAME_MAX)
    functions = MultiCheckboxField(_l("Fonctions participantes"), choices=choices(labels.FUNCTION))
    duration_hours = HoursField(_l("Durée (heures)"), validators=[Optional(), positive,
                                                                  at_most_240_hours])
    objectives = ParagraphField(_l("Objectifs"), max_length=LONG_MAX)
    retex_on = LocalisedDateField(_l("Date du RETEX"), validators=[Optional(), not_in_future])
    retex_summary = ParagraphField(_l("Synthèse du RETEX"), max_length=SUMMARY_MAX)

    def validate_held_on(self, field: Any) -> None:
        if self.status.data == ExerciseStatus.HELD.value:
            not_in_future(self, field)

    def validate_scenario_detail(self, field: Any) -> None:
        if self.scenario.data == Scenario.OTHER.value and not field.data:
            raise ValidationError(_("Décrivez le scénario choisi (« Autre »)."))

    def validate_retex_on(self, field: Any) -> None:
        if field.data is None:
            return
        if self.status.data != ExerciseStatus.HELD.value:
            raise ValidationError(_("Un RETEX suit un exercice réalisé : marquez d'abord "
                                    "l'exercice comme réalisé."))
        if self.held_on.data and field.data < self.held_on.data:
            raise ValidationError(_("Le RETEX ne peut précéder l'exercice."))


    def values(self) -> dict[str, Any]:
        held = self.status.data == ExerciseStatus.HELD.value
        return {
            "status": ExerciseStatus(self.status.data), "held_on": self.held_on.data,
            "type": ExerciseType(self.type.data), "kit_level": KitLevel(self.kit_level.data),
            "scenario": Scenario(self.scenario.data), "scenario_detail": self.scenario_detail.data or "",
            "functions": [f for f in labels.FUNCTION if f in (self.functions.data or [])],
            "duration_hours": self.duration_hours.data, "objectives": self.objectives.data or "",
            "retex_on": self.retex_on.data if held else None,
            "retex_summary": self.retex_summary.data or "",
        }


class FindingForm(FlaskForm):
    text = ParagraphField(_l("Constat"), validators=[DataRequired(_l("Écrivez le constat."))],
                          max_length=SHORT_MAX)


class OptionalChoiceField(SelectField):
    """One value of an enum, or "" for not stated (stored as None)."""

    def __init__(self, label: Any = None, values: Any = None, **kwargs: Any) -> None:
        self.enum = type(next(iter(values)))
        super().__init__(label, choices=[SelectChoice("", _l("Non renseigné")), *choices(values)],
                         **kwargs)

    def process_data(self, value: Any) -> None:
        self.data = str(getattr(value, "value", value)) if value is not None else ""

    @property
    def value(self) -> Any:
        return self.enum(self.data) if self.data else None


class PercentField(HoursField):
    """A share of activity in %, typed as French users do ("66,5")."""


def percent(_form: Any, field: Any) -> None:
    if field.data is not None and not 0 <= field.data <= 100:
        raise ValidationError(_("Indiquez un pourcentage entre 0 et 100."))


class AdsLevelField(SelectField):
    """An ANSSI ADS level (1 to 5), or "" for not stated."""

    def __init__(self, label: Any = None, **kwargs: Any) -> None:
        super().__init__(label, choices=[SelectChoice("", _l("Non renseigné")),
                                         *(SelectChoice(str(n), str(n)) for n in range(1, 6))],
                         **kwargs)

    def process_data(self, value: Any) -> None:
        self.data = str(value) if value is not None else ""

    @property
    def value(self) -> int | None:
        return int(self.data) if self.data else None


class ProfileForm(RevisionForm):
    """The continuity profile, grouped as the ANS D2 guide (D2.P1 to D2.O4)."""

    # The page's sections: a heading and the fields under it, in the guide's order.
    GROUPS = (
        (_l("Prérequis et gouvernance (D2.P1, D2.P2, D2.O1.a)"),
         ("pssi_reviewed_on", "continuity_organisation", "continuity_lead", "governance_scheme")),
        (_l("Plan blanc et procédures de crise cyber (D2.O1.b)"),
         ("plan_blanc_digital_on", "crisis_cell_defined", "crisis_reporting_defined")),
        (_l("BIA, PCRA et tests (D2.O1.c, D2.O1.d)"),
         ("absent_perimeters", "multi_entity", "pcra_activity_share",
          "field_test_activity_share", "test_schedule_defined")),
        (_l("Politique et plans de sauvegarde (D2.O2)"),
         ("backup_policy", "backup_policy_reviewed_on", "backup_plans_up_to_date",
          "backup_outsourced", "backup_contract_clauses")),
        (_l("Authentification de la sauvegarde (D2.O3.a)"),
         ("backup_auth", "backup_ads_level", "backup_least_privilege", "backup_mfa")),
        (_l("Isolement et règle 3-2-1 (D2.O3.b, D2.O3.c)"),
         ("backup_isolable", "backup_segmentation", "backup_segmentation_milestone_on",
          "backup_321", "backup_321_milestone_on", "backup_copy_immutable",
          "backup_copy_offline", "backup_copy_offsite")),
        (_l("Supervision et restauration (D2.O3.d, D2.O4)"),
         ("backup_monitored", "restore_tested_on", "restore_test_result", "business_referent")),
    )

    pssi_reviewed_on = LocalisedDateField(_l("PSSI : date de la dernière revue signée"),
                                          validators=[Optional(), not_in_future])
    continuity_organisation = TriStateField(_l("Organisation projet décrite pour construire et "
                                               "maintenir le plan de continuité et de reprise"))
    continuity_lead = LineField(_l("Responsable du plan de continuité et de reprise "
                                   "(recommandé, facultatif)"), max_length=NAME_MAX)
    governance_scheme = TriStateField(_l("Schéma de gouvernance de la continuité et de la "
                                         "reprise"))
    plan_blanc_digital_on = LocalisedDateField(_l("Plan blanc : date du volet numérique"),
                                               validators=[Optional(), not_in_future])
    crisis_cell_defined = TriStateField(_l("Procédures de crise cyber : organisation de la "
                                           "cellule de crise"))
    crisis_reporting_defined = TriStateField(_l("Procédures de crise cyber : modalités de "
                                                "signalement (CERT Santé, ARS, CNIL…)"))
    absent_perimeters = MultiCheckboxField(_l("Périmètres de BIA qui n'existent pas dans la "
                                              "structure"), choices=choices(labels.PERIMETER))
    multi_entity = TriStateField(_l("Candidature pour plusieurs entités (GHT à plusieurs FINESS "
                                    "juridiques, ou hors GHT à plusieurs FINESS géographiques)"))
    pcra_activity_share = PercentField(_l("Part de l'activité combinée couverte par les BIA et "
                                          "les PCRA (%)"), validators=[Optional(), percent])
    field_test_activity_share = PercentField(_l("Part de l'activité combinée couverte par le "
                                                "test de PCA (%)"),
                                             validators=[Optional(), percent])
    test_schedule_defined = TriStateField(_l("Calendrier de tests des plans défini"))
    backup_policy = TriStateField(_l("Politique de sauvegarde et de restauration validée"))
    backup_policy_reviewed_on = LocalisedDateField(_l("Politique de sauvegarde : date de la "
                                                      "dernière mise à jour"),
                                                   validators=[Optional(), not_in_future])
    backup_plans_up_to_date = TriStateField(_l("Plans de sauvegarde des systèmes critiques à "
                                               "jour, avec leur procédure de mise à jour"))
    backup_outsourced = TriStateField(_l("Des sauvegardes sont externalisées ou gérées en SaaS"))
    backup_contract_clauses = TriStateField(_l("Clauses contractuelles de sauvegarde et de "
                                               "restauration avec ces prestataires"))
    backup_auth = OptionalChoiceField(_l("Authentification des administrateurs de la "
                                         "sauvegarde"), values=labels.BACKUP_AUTH)
    backup_ads_level = AdsLevelField(_l("Niveau ADS de l'annuaire dédié à la sauvegarde"))
    backup_least_privilege = TriStateField(_l("Rôles de sauvegarde réduits au strict nécessaire "
                                              "(moindre privilège)"))
    backup_mfa = OptionalChoiceField(_l("Double facteur (MFA) sur la sauvegarde"),
                                     values=labels.BACKUP_MFA)
    backup_isolable = TriStateField(_l("Sauvegardes isolables de la production en cas "
                                       "d'incident (« bouton rouge »)"))
    backup_segmentation = OptionalChoiceField(_l("Cloisonnement de l'infrastructure de "
                                                 "sauvegarde"), values=labels.TRAJECTORY)
    backup_segmentation_milestone_on = LocalisedDateField(
        _l("Cloisonnement : date du prochain jalon"), validators=[Optional()])
    backup_321 = OptionalChoiceField(_l("Règle 3-2-1"), values=labels.TRAJECTORY)
    backup_321_milestone_on = LocalisedDateField(_l("3-2-1 : date du prochain jalon"),
                                                 validators=[Optional()])
    backup_copy_immutable = TriStateField(_l("Copie protégée immuable"))
    backup_copy_offline = TriStateField(_l("Copie protégée hors ligne"))
    backup_copy_offsite = TriStateField(_l("Copie protégée hors site (autre bâtiment, "
                                           "hébergeur tiers)"))
    backup_monitored = TriStateField(_l("Sauvegardes supervisées, avec une procédure en cas "
                                        "d'échec"))
    restore_tested_on = LocalisedDateField(_l("Dernier test de restauration : date"),
                                           validators=[Optional(), not_in_future])
    restore_test_result = SelectField(_l("Dernier test de restauration : résultat"),
                                      choices=[SelectChoice("", _l("Non renseigné")),
                                               *choices(labels.TEST_RESULT)])
    business_referent = TriStateField(_l("Référent métier identifié pour les tests de "
                                         "restauration"))

    def validate_restore_test_result(self, field: Any) -> None:
        if self.restore_tested_on.data and not field.data:
            raise ValidationError(_("Indiquez le résultat du test de restauration."))
        if field.data and not self.restore_tested_on.data and not self.restore_tested_on.errors:
            raise ValidationError(_("Indiquez la date du test de restauration."))

    def validate_absent_perimeters(self, field: Any) -> None:
        if len(field.data or []) == len(labels.PERIMETER):
            raise ValidationError(_("Au moins un des trois périmètres existe dans la structure : "
                                    "décochez ceux qui existent."))

    def validate_pcra_activity_share(self, field: Any) -> None:
        if field.data is not None and self.multi_entity.value is not True:
            raise ValidationError(_("La part d'activité ne concerne qu'une candidature pour "
                                    "plusieurs entités : répondez « Oui » à la question "
                                    "précédente ou videz ce champ."))

    validate_field_test_activity_share = validate_pcra_activity_share

    def validate_backup_contract_clauses(self, field: Any) -> None:
        if field.value is not None and self.backup_outsourced.value is False:
            raise ValidationError(_("Les clauses ne concernent que des sauvegardes "
                                    "externalisées : videz ce champ ou indiquez que des "
                                    "sauvegardes le sont."))

    def validate_backup_ads_level(self, field: Any) -> None:
        if field.data and self.backup_auth.value is not BackupAuth.DEDICATED_AD:
            raise ValidationError(_("Le niveau ADS ne concerne qu'un annuaire dédié à la "
                                    "sauvegarde."))

    def _milestone(self, trajectory: Any, field: Any) -> None:
        if trajectory.value is Trajectory.PLANNED and not field.data and not field.errors:
            raise ValidationError(_("Une trajectoire se date : indiquez son prochain jalon."))
        if field.data and trajectory.value is not Trajectory.PLANNED:
            raise ValidationError(_("Le jalon ne se renseigne que pour une trajectoire définie, "
                                    "pas encore atteinte."))

    def validate_backup_segmentation(self, field: Any) -> None:
        self._milestone(field, self.backup_segmentation_milestone_on)

    def validate_backup_321(self, field: Any) -> None:
        self._milestone(field, self.backup_321_milestone_on)

    def values(self) -> dict[str, Any]:
        tri = ("continuity_organisation", "governance_scheme", "crisis_cell_defined",
               "crisis_reporting_defined", "multi_entity", "test_schedule_defined",
               "backup_policy", "backup_plans_up_to_date", "backup_outsourced",
               "backup_contract_clauses",
               "backup_least_privilege", "backup_isolable", "backup_copy_immutable",
               "backup_copy_offline", "backup_copy_offsite", "backup_monitored",
               "business_referent")
        return {
            "pssi_reviewed_on": self.pssi_reviewed_on.data,
            "continuity_lead": self.continuity_lead.data or "",
            "plan_blanc_digital_on": self.plan_blanc_digital_on.data,
            **{name: self[name].value for name in tri},
            "absent_perimeters": [p for p in (str(k) for k in labels.PERIMETER)
                                  if p in (self.absent_perimeters.data or [])],
            "backup_policy_reviewed_on": self.backup_policy_reviewed_on.data,
            "pcra_activity_share": self.pcra_activity_share.data,
            "field_test_activity_share": self.field_test_activity_share.data,
            "backup_auth": self.backup_auth.value,
            "backup_ads_level": self.backup_ads_level.value,
            "backup_mfa": self.backup_mfa.value,
            "backup_segmentation": self.backup_segmentation.value,
            "backup_segmentation_milestone_on": self.backup_segmentation_milestone_on.data,
            "backup_321": self.backup_321.value,
            "backup_321_milestone_on": self.backup_321_milestone_on.data,
            "restore_tested_on": self.restore_tested_on.data,
            "restore_test_result": _result(self.restore_test_result.data),
        }


def _result(value: str | None) -> TestResult | None:
    return TestResult(value) if value else None


class ActivityForm(RevisionForm):
    kind = SelectField(_l("Type d'activité"), choices=choices(labels.ACTIVITY_KIND))
    name = LineField(_l("Nom"), validators=[DataRequired(_l("Donnez un nom à l'activité."))],
                     max_length=NAME_MAX)
    most_critical = BooleanField(_l("Processus administratif le plus critique"))
    bia_done = BooleanField(_l("Analyse d'impact (BIA) réalisée"))
    rto_hours = HoursField(_l("RTO (heures)"), validators=[Optional(), positive, within_a_year])
    rpo_hours = HoursField(_l("RPO (heures)"), validators=[Optional(), positive, within_a_year])
    degraded_procedure = BooleanField(_l("Procédure de fonctionnement en mode dégradé"))
    pca_status = SelectField(_l("Statut du PCA"), choices=choices(labels.PLAN_STATUS))
    pra_status = SelectField(_l("Statut du PRA"), choices=choices(labels.PLAN_STATUS))
    last_test_on = LocalisedDateField(_l("Dernier test terrain : date"),
                                      validators=[Optional(), not_in_future])
    last_test_result = SelectField(_l("Dernier test terrain : résultat"),
                                   choices=[SelectChoice("", _l("Non renseigné")),
                                            *choices(labels.TEST_RESULT)])

    def validate_most_critical(self, field: Any) -> None:
        if field.data and self.kind.data != "administrative":
            raise ValidationError(_("Seul un processus administratif peut être marqué comme le "
                                    "plus critique."))

    # (not on last_test_on: its Optional validator ends the chain when it is empty)
    def validate_pca_status(self, field: Any) -> None:
        if field.data == PlanStatus.TESTED.value and not self.last_test_on.data:
            raise ValidationError(_("Un plan « testé » demande la date de son dernier test."))

    validate_pra_status = validate_pca_status

    def validate_last_test_result(self, field: Any) -> None:
        if self.last_test_on.data and not field.data:
            raise ValidationError(_("Indiquez le résultat du dernier test."))
        if field.data and not self.last_test_on.data and not self.last_test_on.errors:
            raise ValidationError(_("Indiquez la date du dernier test."))

    def values(self) -> dict[str, Any]:
        return {
            "kind": ActivityKind(self.kind.data), "name": self.name.data or "",
            "most_critical": bool(self.most_critical.data), "bia_done": bool(self.bia_done.data),
            "rto_hours": self.rto_hours.data, "rpo_hours": self.rpo_hours.data,
            "degraded_procedure": bool(self.degraded_procedure.data),
            "pca_status": PlanStatus(self.pca_status.data),
            "pra_status": PlanStatus(self.pra_status.data),
            "last_test_on": self.last_test_on.data,
            "last_test_result": _result(self.last_test_result.data),
        }
