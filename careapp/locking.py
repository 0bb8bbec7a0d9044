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


def read_opened(raw: Any) -> dict[str, Any] | None:
    """The values the page was opened with; None when absent or garbled."""
    try:
        value = json.loads(raw) if isinstance(raw, str) and raw else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def person_changes(submitted: dict[str, Any], opened: dict[str, Any] | None) -> dict[str, Any]:
    if opened is None:  # nothing to compare with: everything typed counts
        return dict(submitted)
    return {k: v for k, v in submitted.items() if k not in opened or plain(v) != opened[k]}


def changed_meanwhile(saved: dict[str, Any], opened: dict[str, Any] | None,
                      submitted: dict[str, Any]) -> list[str]:
    """Fields whose saved value is no longer the one the page was opened with."""
    reference = opened if opened is not None else {k: plain(v) for k, v in submitted.items()}
    return [name for name, value in saved.items() if name in reference
            and plain(value) != reference[name]]
