"""Optimistic locking of register rows and roadmap actions (a `revision` version column).

A form carries the revision it was opened at; saving over a newer revision raises StaleRecord
with the current row, so that the page can show what changed and keep what was typed. Two
saves racing past this check are still told apart by the UPDATE … WHERE revision = … that
SQLAlchemy issues (StaleDataError), which the views turn into the same answer.
"""

from __future__ import annotations

import datetime as dt
import enum
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
