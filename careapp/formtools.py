"""Form pieces shared by the registers and the roadmap."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectField, SelectMultipleField, ValidationError, widgets
from wtforms.fields.choices import SelectChoice


def clean_text(text: Any) -> Any:
    """Text as typed, minus NUL characters (PostgreSQL refuses them), outer spaces and CRs."""
    if not isinstance(text, str):
        return text
    return text.replace("\x00", "").replace("\r\n", "\n").strip()  # browsers send CRLF


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
    ok = isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 18
    return int(raw) if ok else None


def refresh_untouched(form: FlaskForm, saved: dict[str, Any], opened: dict[str, Any] | None,
                      submitted: dict[str, Any]) -> None:
    """After a conflict: the fields the person did not change show the saved values, and the
    form's `opened` becomes those values, so that saving again writes exactly what the person
    changed (retyping an old value over a colleague's is then a change, knowingly made)."""
    from careapp.locking import plain, same

    for name, value in saved.items():
        if opened is None or name not in opened or not same(submitted.get(name), opened[name]):
            continue
        field = form[name]
        if value is None and isinstance(field, SelectField) and not isinstance(field,
                                                                              TriStateField):
            field.data = ""
        else:
            field.process_data(value)
        field.raw_data = []
    form["opened"].data = json.dumps({k: plain(v) for k, v in saved.items()}, ensure_ascii=False)
