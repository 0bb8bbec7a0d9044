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
    ExerciseStatus,
    ExerciseType,
    KitLevel,
    PlanStatus,
    Scenario,
    TestResult,
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


class ProfileForm(RevisionForm):
    pssi_reviewed_on = LocalisedDateField(_l("PSSI : date de la dernière révision signée"),
                                          validators=[Optional(), not_in_future])
    continuity_lead = LineField(_l("Responsable de la continuité (organisation projet)"),
                                max_length=NAME_MAX)
    plan_blanc_digital_on = LocalisedDateField(_l("Plan blanc : date du volet numérique"),
                                               validators=[Optional(), not_in_future])
    crisis_cell_defined = TriStateField(_l("Cellule de crise définie pour une crise cyber"))
    test_schedule_defined = TriStateField(_l("Calendrier de tests des plans défini"))
    backup_policy = TriStateField(_l("Politique de sauvegarde et de restauration écrite, plans à jour"))
    backup_321_offline = TriStateField(_l("Sauvegardes 3-2-1 avec une copie immuable ou hors ligne"))
    backup_own_auth_mfa = TriStateField(_l("Systèmes de sauvegarde avec leur propre authentification et MFA"))
    backup_isolated = TriStateField(_l("Sauvegardes isolées de la production"))
    backup_monitored = TriStateField(_l("Sauvegardes supervisées"))
    restore_tested_on = LocalisedDateField(_l("Dernier test de restauration : date"),
                                           validators=[Optional(), not_in_future])
    restore_test_result = SelectField(_l("Dernier test de restauration : résultat"),
                                      choices=[SelectChoice("", _l("Non renseigné")),
                                               *choices(labels.TEST_RESULT)])

    def validate_restore_test_result(self, field: Any) -> None:
        if self.restore_tested_on.data and not field.data:
            raise ValidationError(_("Indiquez le résultat du test de restauration."))
        if field.data and not self.restore_tested_on.data and not self.restore_tested_on.errors:
            raise ValidationError(_("Indiquez la date du test de restauration."))


    def values(self) -> dict[str, Any]:
        return {
            "pssi_reviewed_on": self.pssi_reviewed_on.data,
            "continuity_lead": self.continuity_lead.data or "",
            "plan_blanc_digital_on": self.plan_blanc_digital_on.data,
            **{name: self[name].value for name in (
                "crisis_cell_defined", "test_schedule_defined", "backup_policy",
                "backup_321_offline", "backup_own_auth_mfa", "backup_isolated",
                "backup_monitored")},
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
