"""Form pieces shared by every form: the rules for free text, the registers' fields.

Free text (every field a person types into) is refused, with a message under the field and
nothing saved, when it holds a control character (Unicode category Cc: NUL, ESC, DEL…; line
breaks and tabs are allowed in multi-line text) or more characters than its limit. The limits,
in characters, counted after CRLF → LF (as the browser's counter does):

- one-line names, titles, owners, details: NAME_MAX (200; roadmap titles 300, their column);
- justifications, findings, abandon reasons: SHORT_MAX (2,000);
- comments, objectives, free-text answers: LONG_MAX (5,000);
- RETEX summaries: SUMMARY_MAX (10,000, a report of a whole exercise).

The browser is told too (maxlength, and a counter drawn by static/js/counter.js for the
fields marked data-counter), but the server decides.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.fields.choices import SelectChoice

NAME_MAX = 200
TITLE_MAX = 300
SHORT_MAX = 2000
LONG_MAX = 5000
SUMMARY_MAX = 10000

# Category Cc is U+0000–U+001F and U+007F–U+009F. Multi-line text keeps \t and \n (a CR is
# part of a line break: CRLF and a lone CR count as one LF).
_CONTROL_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def one_lf(text: str) -> str:
    """Line breaks as one LF each (browsers send CRLF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def control_characters(text: str, *, multiline: bool) -> list[str]:
    """The forbidden characters of `text`, each once, in order of appearance."""
    pattern = _CONTROL_MULTILINE if multiline else _CONTROL_ONE_LINE
    return list(dict.fromkeys(pattern.findall(one_lf(text))))


def without_control(text: str, *, multiline: bool) -> str:
    pattern = _CONTROL_MULTILINE if multiline else _CONTROL_ONE_LINE
    return pattern.sub("", one_lf(text) if multiline else text)


def control_message(found: list[str]) -> str:
    codes = ", ".join(f"U+{ord(c):04X}" for c in found[:5]) + (" …" if len(found) > 5 else "")
    return _("Ce champ contient des caractères non autorisés (caractères de contrôle "
             "invisibles : %(codes)s). Ils ont été retirés du texte ci-dessous : vérifiez-le "
             "puis enregistrez à nouveau.", codes=codes)


def length_message(length: int, max_length: int) -> str:
    return ngettext("Texte trop long : %(length)s caractères pour %(max)s au plus. "
                    "Raccourcissez-le de %(excess)s caractère.",
                    "Texte trop long : %(length)s caractères pour %(max)s au plus. "
                    "Raccourcissez-le de %(excess)s caractères.",
                    length - max_length, length=format_number(length),
                    max=format_number(max_length), excess=format_number(length - max_length))


def text_problems(text: str, max_length: int, *, multiline: bool,
                  typed: str | None = None) -> tuple[list[str], str]:
    """The messages for `text` (none when it may be saved), and the text to show back in the
    form: as typed, minus the forbidden characters (invisible there anyway). `typed`, when
    given, is where to look for control characters (the raw input, before any filter)."""
    problems = []
    shown = text
    found = control_characters(text if typed is None else typed, multiline=multiline)
    if found:
        problems.append(control_message(found))
        shown = without_control(text, multiline=multiline)
    length = len(one_lf(shown))
    if length > max_length:
        problems.append(length_message(length, max_length))
    return problems, shown


class TextRules:
    """Validator of a free-text field: see the module's docstring. Control characters are
    looked for in what was typed (a filter's strip() would drop some of them silently)."""

    def __init__(self, max_length: int, *, multiline: bool = False) -> None:
        self.max_length = max_length
        self.multiline = multiline
        self.field_flags = {"maxlength": max_length}  # rendered as the maxlength attribute

    def __call__(self, _form: Any, field: Field) -> None:
        typed = field.raw_data[0] if field.raw_data else field.data
        if not isinstance(typed, str):
            return
        data = field.data if isinstance(field.data, str) else typed
        problems, shown = text_problems(data, self.max_length, multiline=self.multiline,
                                        typed=typed)
        if not problems:
            return
        if isinstance(field.data, str):
            field.data = shown
        field.errors.extend(problems[:-1])
        raise ValidationError(problems[-1])


def clean_text(text: Any) -> Any:
    """Text as typed, with one LF per line break and without outer spaces. Control characters
    stay: TextRules refuses them with a message (never dropped silently)."""
    if not isinstance(text, str):
        return text
    return one_lf(text).strip()


class _FreeText:
    multiline = False

    def __init__(self, label: Any = None, validators: Any = None, *, max_length: int,
                 **kwargs: Any) -> None:
        kwargs["filters"] = [clean_text, *kwargs.get("filters", ())]
        kwargs["render_kw"] = {"data-counter": "", **(kwargs.get("render_kw") or {})}
        rules = TextRules(max_length, multiline=self.multiline)
        super().__init__(label, [*(validators or []), rules], **kwargs)  # type: ignore[call-arg]


class LineField(_FreeText, StringField):
    """One line of free text, at most `max_length` characters, no control character."""


class ParagraphField(_FreeText, TextAreaField):
    """Multi-line free text, at most `max_length` characters, no control character but line
    breaks and tabs."""

    multiline = True


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
