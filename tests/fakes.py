"""Plain objects that satisfy the registers' protocols (ExerciseLike, ProfileLike,
ActivityLike): pure functions are tested with them, without a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from careapp.resilience.models import (
    ActivityKind,
    BackupAuth,
    BackupMfa,
    PlanStatus,
    TestResult,
    Trajectory,
)


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
    continuity_organisation: bool | None = None
    continuity_lead: str = ""
    governance_scheme: bool | None = None
    plan_blanc_digital_on: dt.date | None = None
    crisis_cell_defined: bool | None = None
    crisis_reporting_defined: bool | None = None
    absent_perimeters: list[str] = field(default_factory=list)
    multi_entity: bool | None = None
    pcra_activity_share: float | None = None
    field_test_activity_share: float | None = None
    test_schedule_defined: bool | None = None
    backup_policy: bool | None = None
    backup_policy_reviewed_on: dt.date | None = None
    backup_plans_up_to_date: bool | None = None
    backup_outsourced: bool | None = None
    backup_contract_clauses: bool | None = None
    backup_auth: BackupAuth | None = None
    backup_ads_level: int | None = None
    backup_least_privilege: bool | None = None
    backup_mfa: BackupMfa | None = None
    backup_isolable: bool | None = None
    backup_segmentation: Trajectory | None = None
    backup_segmentation_milestone_on: dt.date | None = None
    backup_321: Trajectory | None = None
    backup_321_milestone_on: dt.date | None = None
    backup_copy_immutable: bool | None = None
    backup_copy_offline: bool | None = None
    backup_copy_offsite: bool | None = None
    backup_monitored: bool | None = None
    restore_tested_on: dt.date | None = None
    restore_test_result: TestResult | None = None
    business_referent: bool | None = None


@dataclass(frozen=True)
class Activity:
    kind: ActivityKind
    name: str
    most_critical: bool = False
    bia_done: bool = True
    pca_status: PlanStatus = PlanStatus.FORMALISED
    pra_status: PlanStatus = PlanStatus.FORMALISED
    last_test_on: dt.date | None = None
