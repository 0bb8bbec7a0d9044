"""Form pieces shared by the registers and the roadmap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectField, SelectMultipleField, ValidationError, widgets
from wtforms.fields.choices import SelectChoice


def clean_text(text: Any) -> Any:
    """Text as typed, minus NUL characters (PostgreSQL refuses them) and outer spaces."""
    return text.replace("\x00", "").strip() if isinstance(text, str) else text


def choices(labels: Mapping[Any, Any]) -> list[SelectChoice]:
    return [SelectChoice(str(getattr(key, "value", key)), label) for key, label in labels.items()]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


TRI_STATE = {"": _l("Non renseigné"), "yes": _l("Oui"), "no": _l("Non")}


class TriStateField(SelectField):
    """Yes / no / not stated, stored as True / False / None."""

    def __init__(self, label: Any = None, **kwargs: Any) -> None:
        super().__init__(label, choices=choices(TRI_STATE), **kwargs)

    def process_data(self, value: Any) -> None:
        self.data = {True: "yes", False: "no"}.get(value, "")

    @property
    def value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.data or "")


def not_in_future(_form: Any, field: Field) -> None:
    if isinstance(field.data, dt.date) and field.data > dt.date.today():
        raise ValidationError(_("Cette date est dans le futur : indiquez une date passée ou celle "
                                "d'aujourd'hui."))


def positive(_form: Any, field: Field) -> None:
    if field.data is not None and field.data <= 0:
        raise ValidationError(_("Indiquez un nombre d'heures supérieur à zéro."))


def seen_revision(form: FlaskForm) -> int | None:
    """The revision the page was opened at; None when absent or garbled (a section save then
    checks nothing; a register row or roadmap action is then treated as changed meanwhile)."""
    raw = form["revision"].data
    return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() else None
