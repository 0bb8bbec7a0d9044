"""An audit event's details as lines of words, never raw JSON (pure: no request, no database).

Details are what careapp.audit.services.shown_details leaves: for a register object, field
names whose values are replaced by REDACTED; elsewhere field → [before, after], field → value
mappings, or plain values (counts, ids, names)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

REDACTED = "…"  # careapp.audit.services.REDACTED
ARROW = " → "
MAPPINGS = ("changes", "after", "before")  # field → value or field → [before, after]


@dataclass(frozen=True)
class Words:
    yes: str = "oui"
    no: str = "non"
    empty: str = "—"


@dataclass(frozen=True)
class Line:
    label: str
    text: str


def value_text(value: Any, words: Words = Words()) -> str:
    """One stored value in words: booleans as yes/no, nothing as a dash, lists joined."""
    if value is None or value == "" or value == [] or value == {}:
        return words.empty
    if isinstance(value, bool):
        return words.yes if value else words.no
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v, words) for v in value)
    if isinstance(value, dict):
        return ", ".join(str(k) for k in value)
    return str(value)


def _field(name: str, value: Any, label: Callable[[str], str], words: Words,
           *, pair: bool) -> str:
    """`Label`, `Label : before → after` (a change) or `Label : value`, never a redacted
    value."""
    if value == REDACTED or isinstance(value, dict):
        return label(name)  # redacted, or too rich to be words (an answer's parts)
    if pair and isinstance(value, list) and len(value) == 2:
        before, after = value
        return f"{label(name)} : {value_text(before, words)}{ARROW}{value_text(after, words)}"
    return f"{label(name)} : {value_text(value, words)}"


def describe(details: Mapping[str, Any], label: Callable[[str], str],
             value: Callable[[str, Any], str] | None = None, words: Words = Words()) -> list[Line]:
    """Lines (label, text) for an event's details. `label` names a key or a field, `value`
    may turn a plain value into words (e.g. a step code); empty mappings are left out."""
    lines = []
    for key, item in details.items():
        if key in MAPPINGS and isinstance(item, Mapping):
            shown = [_field(str(name), v, label, words, pair=key == "changes")
                     for name, v in item.items()
                     if key == "changes" or v == REDACTED or value_text(v, words) != words.empty]
            if shown:
                lines.append(Line(label(key), " ; ".join(shown)))
        elif isinstance(item, Mapping):
            lines.append(Line(label(key), ", ".join(label(str(k)) for k in item)))
        else:
            text = value(key, item) if value else None
            lines.append(Line(label(key), text if text is not None else value_text(item, words)))
    return lines
