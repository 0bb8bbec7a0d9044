"""Plain objects that satisfy the registers' protocols (ExerciseLike, ProfileLike,
ActivityLike): pure functions are tested with them, without a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from careapp.resilience.models import ActivityKind, PlanStatus, TestResult


@dataclass(frozen=True)
class Exercise:
    id: int
    held_on: dt.date
    retex_on: dt.date | None = None
    held: bool = True

    @property
    def is_held(self) -> bool:
        return self.held


@dataclass(frozen=True)
class Profile:
    """A continuity profile where nothing is stated."""

    pssi_reviewed_on: dt.date | None = None
    continuity_lead: str = ""
    plan_blanc_digital_on: dt.date | None = None
    crisis_cell_defined: bool | None = None
    test_schedule_defined: bool | None = None
    backup_policy: bool | None = None
    backup_321_offline: bool | None = None
    backup_own_auth_mfa: bool | None = None
    backup_isolated: bool | None = None
    backup_monitored: bool | None = None
    restore_tested_on: dt.date | None = None
    restore_test_result: TestResult | None = None


@dataclass(frozen=True)
class Activity:
    kind: ActivityKind
    name: str
    most_critical: bool = False
    bia_done: bool = True
    pca_status: PlanStatus = PlanStatus.FORMALISED
    last_test_on: dt.date | None = None
