"""Optimistic locking of register rows and roadmap actions (a `revision` version column).

A form carries the revision it was opened at; saving over a newer revision raises StaleRecord
with the current row, so that the page can show what changed and keep what was typed. Two
saves racing past this check are still told apart by the UPDATE … WHERE revision = … that
SQLAlchemy issues (StaleDataError), which the views turn into the same answer.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterable
from typing import Any


class StaleRecord(ValueError):
    def __init__(self, current: Any) -> None:
        super().__init__("enregistrement modifié entre-temps")
        self.current = current


def check_revision(record: Any, seen: int | None) -> None:
    if record.revision != seen:
        raise StaleRecord(record)


def plain(value: Any) -> Any:
    """A value as it goes into the audit log (JSON)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def values_of(record: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: plain(getattr(record, name)) for name in names}


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """name → [before, after] for the values that differ."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


# -- what the person changed, what others changed ------------------------------------------------
# A form also carries the values it was opened with (`opened`, JSON). A save writes only the
# fields the person changed, so that a colleague's change to another field survives a save made
# "knowingly" after a conflict; the conflict page names the fields others changed meanwhile.

def opened_json(record: Any, names: Iterable[str], **overrides: Any) -> str:
    values = values_of(record, names) if record is not None else dict.fromkeys(names)
    values.update({k: plain(v) for k, v in overrides.items()})
    return json.dumps(values, ensure_ascii=False)


MAX_OPENED = 100_000  # characters: a register form's values are a few kB at most


def read_opened(raw: Any) -> dict[str, Any] | None:
    """The values the page was opened with; None when absent or garbled."""
    if not isinstance(raw, str) or not raw or len(raw) > MAX_OPENED:
        return None
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def same(value: Any, reference: Any) -> bool:
    """Equal as a person sees it: lists in any order, line endings of any kind."""
    a, b = plain(value), reference
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    if isinstance(a, str) and isinstance(b, str):
        return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")
    return a == b


def person_changes(submitted: dict[str, Any], opened: dict[str, Any] | None) -> dict[str, Any]:
    if opened is None:  # nothing to compare with: everything typed counts
        return dict(submitted)
    return {k: v for k, v in submitted.items() if k not in opened or not same(v, opened[k])}


def changed_meanwhile(saved: dict[str, Any], opened: dict[str, Any] | None,
                      submitted: dict[str, Any]) -> list[str]:
    """Fields whose saved value is no longer the one the page was opened with."""
    reference = opened if opened is not None else {k: plain(v) for k, v in submitted.items()}
    return [name for name, value in saved.items() if name in reference
            and not same(value, reference[name])]
