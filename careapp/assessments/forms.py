"""WTForms built from the questionnaire: one form class per section.

Fields never reject what a person typed: values are stored as typed and interpreted by
`answers.interpret`, so that a save keeps everything even when one field is wrong. Two things
only refuse the whole save (nothing written, the input shown again with a message under the
field): a control character, and text over its limit (see careapp/formtools.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from careapp.assessments.answers import ANSWERED, DONT_KNOW, GHT, NA, STATES, UNKNOWN_STATE
from careapp.assessments.models import Answer
from careapp.assessments.services import AnswerInput
from careapp.auth.models import Role, User
from careapp.db import db
from careapp.formtools import (
    LONG_MAX,
    NAME_MAX,
    SHORT_MAX,
    LineField,
    ParagraphField,
    seen_revision,  # noqa: F401  (used by the views)
    text_problems,
)
from careapp.organisations.models import Region
from careapp.questionnaires.model import Question, Section, tr
from careapp.questionnaires.registry import LoadedQuestionnaire


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def field_key(question_id: str) -> str:
    return question_id.replace("-", "_")


# In a single-choice group the other answers are radios too (a radio cannot be unticked
# without script): their values start with this prefix, which option ids cannot contain.
SPECIAL_PREFIX = ":"

# What one answer may hold, in characters.
VALUE_MAX = 100  # a number, a percentage, a date, an option id
TEXT_ANSWER_MAX = LONG_MAX  # the answer to a free-text question
JUSTIFICATION_MAX = SHORT_MAX
COMMENT_MAX = LONG_MAX


def _limited(max_length: int, counter: bool = True) -> dict[str, Any]:
    """The browser's side of a limit: maxlength, and a counter (static/js/counter.js)."""
    return {"maxlength": max_length, **({"data-counter": ""} if counter else {})}


def _value_field(question: Question, lang: str) -> Field:
    label = tr(question.text, lang)
    choices = [SelectChoice(o.id, tr(o.label, lang)) for o in question.options]
    if question.type == "single":
        specials = [SelectChoice(SPECIAL_PREFIX + c.value, c.label)
                    for c in state_choices(question)[1:]]
        return RadioField(label, choices=choices + specials, validate_choice=False)
    if question.type == "multi":
        return MultiCheckboxField(label, choices=choices, validate_choice=False)
    if question.type == "text":
        return TextAreaField(label, render_kw=_limited(TEXT_ANSWER_MAX))
    # number, percent and date stay text inputs so that a wrong entry is kept as typed.
    render_kw: dict[str, Any] = {"inputmode": "decimal"}
    if question.type == "date":
        render_kw = {"type": "date", "max": dt.date.today().isoformat()}
    return StringField(label, render_kw={**render_kw, **_limited(VALUE_MAX, counter=False)})


def state_choices(question: Question) -> list[SelectChoice]:
    choices = [SelectChoice("", _("Je réponds"))]
    if question.allow_na:
        choices.append(SelectChoice(NA, _("Non applicable")))
    if question.allow_dont_know:
        choices.append(SelectChoice(DONT_KNOW, _("Je ne sais pas")))
    if question.allow_ght:
        choices.append(SelectChoice(GHT, _("Géré par le GHT")))
    return choices


def section_form_class(section: Section, lang: str = "fr") -> type[FlaskForm]:
    attrs: dict[str, Any] = {}
    for question in section.questions:
        key = field_key(question.id)
        attrs[f"{key}__value"] = _value_field(question, lang)
        if question.type != "single":
            attrs[f"{key}__state"] = SelectField(
                _("Autre réponse"), choices=state_choices(question), validate_choice=False)
        attrs[f"{key}__justification"] = TextAreaField(_("Justification (non applicable)"),
                                                       render_kw=_limited(JUSTIFICATION_MAX))
        attrs[f"{key}__comment"] = TextAreaField(_("Commentaire"),
                                                 render_kw=_limited(COMMENT_MAX))
    attrs["revision"] = HiddenField()  # the assessment revision the page was opened at
    return type(f"SectionForm_{field_key(section.id)}", (FlaskForm,), attrs)


def build_form(section: Section, answers: dict[str, Answer], formdata: Any = None,
               lang: str = "fr", *, revision: int = 0) -> FlaskForm:
    """The section form, filled from the request when given, else from saved answers."""
    data: dict[str, Any] = {"revision": str(revision)}
    for question in section.questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        key = field_key(question.id)
        special = answer.state not in (None, ANSWERED)
        data[f"{key}__value"] = answer.value
        data[f"{key}__state"] = answer.state if special else ""
        if question.type == "single" and special:
            data[f"{key}__value"] = SPECIAL_PREFIX + str(answer.state)
        data[f"{key}__justification"] = answer.justification
        data[f"{key}__comment"] = answer.comment
    form_class = section_form_class(section, lang)
    return form_class(formdata=formdata, data=data)


def _text_fields(question: Question) -> list[tuple[str, int, bool]]:
    """The section form's fields of `question` that carry text: name, limit, multi-line."""
    key = field_key(question.id)
    return [(f"{key}__value", TEXT_ANSWER_MAX if question.type == "text" else VALUE_MAX,
             question.type == "text"),
            (f"{key}__justification", JUSTIFICATION_MAX, True),
            (f"{key}__comment", COMMENT_MAX, True)]


def unusable_text(section: Section, form: FlaskForm) -> list[str]:
    """The questions whose fields hold a control character or too long a text: the message
    goes under each field, which shows the text without its control characters. The section
    may be saved only when this is empty (PostgreSQL refuses NUL; the limits keep answers and
    the audit log bounded)."""
    refused = []
    for question in section.questions:
        for name, limit, multiline in _text_fields(question):
            field = form[name]
            typed = field.data if isinstance(field.data, list) else [field.data]
            problems: list[str] = []
            for text in typed:
                if isinstance(text, str):
                    found, shown = text_problems(text, limit, multiline=multiline)
                    problems += [p for p in found if p not in problems]
                    if found and isinstance(field.data, str):
                        field.data = shown
            if problems:
                field.errors = [*field.errors, *problems]
                if question.id not in refused:
                    refused.append(question.id)
    return refused


def refused(section: Section, form: FlaskForm) -> bool:
    """Whether this section save must write nothing and show the input again (400): the page
    had expired (careapp/errors.py has said so), or some text cannot be saved (said here)."""
    questions = unusable_text(section, form)
    if questions:
        flash(ngettext("Rien n'a été enregistré : %(num)d question contient un texte à "
                       "corriger (%(questions)s). Vos saisies sont conservées ci-dessous.",
                       "Rien n'a été enregistré : %(num)d questions contiennent un texte à "
                       "corriger (%(questions)s). Vos saisies sont conservées ci-dessous.",
                       len(questions), questions=", ".join(questions)), "error")
    return bool(questions) or bool(g.get("csrf_refused"))


def _clean(text: Any) -> str:
    """Text as typed (checked by `refused` first; CRLF kept as stored until now)."""
    return text if isinstance(text, str) else ""


def read_inputs(section: Section, form: FlaskForm) -> dict[str, AnswerInput]:
    inputs = {}
    for question in section.questions:
        key = field_key(question.id)
        value = form[f"{key}__value"].data
        if isinstance(value, str):
            value = _clean(value)
            value = (value.strip() if question.type != "text" else value) or None
        if isinstance(value, list):
            value = [_clean(v) for v in value if isinstance(v, str)] or None
        if question.type == "single":
            state = None
            if isinstance(value, str) and value.startswith(SPECIAL_PREFIX):
                state, value = value[len(SPECIAL_PREFIX):], None
        else:
            state = (form[f"{key}__state"].data or "").strip() or None
        if state is None and value is not None:
            state = ANSWERED
        if state is not None and state not in STATES:
            state = UNKNOWN_STATE  # a tampered value: kept short, reported as an error
        inputs[question.id] = AnswerInput(
            state=state,
            value=value,
            justification=_clean(form[f"{key}__justification"].data).strip(),
            comment=_clean(form[f"{key}__comment"].data).strip(),
        )
    return inputs


class SubmitForm(FlaskForm):
    carried_checked = BooleanField(_l("J'ai vérifié les réponses reprises de l'an dernier"))


REOPEN_REASON_MAX = SHORT_MAX


class ReopenForm(FlaskForm):
    """Reopening a submitted assessment (ARS or admin): the reason is required and shown to
    the establishment on its overview."""

    reason = ParagraphField(_l("Raison de la réouverture"), validators=[
        DataRequired(_l("Indiquez la raison de la réouverture : l'établissement la verra."))],
        max_length=REOPEN_REASON_MAX, render_kw={"rows": 4})


class CampaignForm(FlaskForm):
    name = LineField(_l("Nom de la campagne"), validators=[
        DataRequired(_l("Donnez un nom à la campagne."))], max_length=NAME_MAX)
    year = IntegerField(_l("Année"), validators=[
        InputRequired(_l("Indiquez l'année.")),
        NumberRange(2023, 2100, _l("Année entre 2023 et 2100."))])
    questionnaire = SelectField(_l("Version du questionnaire"),
                                validators=[DataRequired(_l("Choisissez une version."))])
    opens_on = DateField(_l("Ouverture"),
                         validators=[InputRequired(_l("Indiquez la date d'ouverture."))])
    deadline = DateField(_l("Date limite"), validators=[InputRequired(_l("Indiquez la date limite."))])
    region_code = SelectField(_l("Périmètre"))

    @classmethod
    def for_user(cls, user: User, questionnaires: list[LoadedQuestionnaire]) -> CampaignForm:
        form = cls()
        form.questionnaire.choices = [
            SelectChoice(f"{q.data['id']}@{q.data['version']}",
                         f"{q.data['title']['fr']} — v{q.data['version']}") for q in questionnaires
        ]
        if user.role is Role.ARS:
            region = db.session.get(Region, user.region_code)
            form.region_code.choices = [SelectChoice(region.code, region.name)] if region else []
        else:
            regions = db.session.scalars(select(Region).order_by(Region.name)).all()
            form.region_code.choices = [SelectChoice("", _("Nationale (toutes les régions)"))] + [
                SelectChoice(r.code, r.name) for r in regions]
        return form

    def validate_deadline(self, field: Field) -> None:
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError(_("La date limite doit suivre la date d'ouverture."))
