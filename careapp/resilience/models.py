from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careapp.auth.models import User
from careapp.db import db, str_enum, utcnow
from careapp.organisations.models import Establishment

_enum = str_enum


class ExerciseStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"


class ExerciseType(enum.StrEnum):
    TABLETOP = "tabletop"
    FUNCTIONAL = "functional"
    FULL_SCALE = "full_scale"
    REGIONAL = "regional"


class KitLevel(enum.StrEnum):
    NONE = "none"
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Scenario(enum.StrEnum):
    RANSOMWARE = "ransomware"
    MAIL_COMPROMISE = "mail_compromise"
    EHR_OUTAGE = "ehr_outage"
    DATA_LEAK = "data_leak"
    SUPPLIER_OUTAGE = "supplier_outage"
    OTHER = "other"


# Functions taking part in an exercise (stored as a list of these ids).
FUNCTIONS = ("direction", "medical", "nursing", "it", "communication", "logistics",
             "ars", "grades", "cert_sante")


class Versioned:
    """Optimistic locking: UPDATE … WHERE revision = the one read; forms carry the revision."""

    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CrisisExercise(Versioned, db.Model):
    __tablename__ = "crisis_exercises"

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id"), index=True)
    status: Mapped[ExerciseStatus] = mapped_column(_enum(ExerciseStatus))
    held_on: Mapped[dt.date]  # the planned date while planned
    type: Mapped[ExerciseType] = mapped_column(_enum(ExerciseType))
    kit_level: Mapped[KitLevel] = mapped_column(_enum(KitLevel))
    scenario: Mapped[Scenario] = mapped_column(_enum(Scenario))
    scenario_detail: Mapped[str] = mapped_column(String(200), default="")
    functions: Mapped[list[str]] = mapped_column(JSON, default=list)
    duration_hours: Mapped[float | None]
    objectives: Mapped[str] = mapped_column(Text, default="")
    retex_on: Mapped[dt.date | None]
    retex_summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __mapper_args__ = {"version_id_col": Versioned.revision}

    establishment: Mapped[Establishment] = relationship()
    updated_by: Mapped[User | None] = relationship()
    findings: Mapped[list[ExerciseFinding]] = relationship(
        back_populates="exercise", cascade="all, delete-orphan", order_by="ExerciseFinding.id")

    @property
    def is_held(self) -> bool:
        return self.status is ExerciseStatus.HELD


class ExerciseFinding(db.Model):
    """A lesson learned (RETEX); its roadmap action survives the finding's deletion."""

    __tablename__ = "exercise_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("crisis_exercises.id", ondelete="CASCADE"),
                                             index=True)
    text: Mapped[str] = mapped_column(Text)
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("roadmap_actions.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    exercise: Mapped[CrisisExercise] = relationship(back_populates="findings")
    action: Mapped[Any] = relationship("RoadmapAction")


class TestResult(enum.StrEnum):
    SUCCESS = "success"
    PARTIAL = "partial"
    FAILURE = "failure"


class BackupAuth(enum.StrEnum):
    """Who authenticates the backup administrators (D2.O3.a asks for an independent system)."""

    PRODUCTION_AD = "production_ad"  # the production directory: not independent
    LOCAL_ACCOUNTS = "local_accounts"  # the product's own accounts
    DEDICATED_AD = "dedicated_ad"  # a directory for backups only: ADS audit required


class BackupMfa(enum.StrEnum):
    YES = "yes"
    NO = "no"
    UNSUPPORTED = "unsupported"  # the product offers no second factor (D2.O3.a: "if it allows")


class Trajectory(enum.StrEnum):
    """D2.O3.b and D2.O3.c ask for a defined trajectory with milestones, not the target reached."""

    NONE = "none"
    PLANNED = "planned"  # a trajectory with a dated next milestone
    REACHED = "reached"


class Perimeter(enum.StrEnum):
    """The BIA perimeters of D2.O1.c, which apply "if they exist" in the structure."""

    CARE_SERVICE = "care_service"
    ADMINISTRATIVE = "administrative"
    MEDICO_TECHNICAL = "medico_technical"


class ContinuityProfile(Versioned, db.Model):
    """Establishment-level continuity and backup facts. None means "not stated".

    Grouped as the ANS D2 guide is (the item ids are those of careapp/resilience/d2_rules.yaml).
    """

    __tablename__ = "continuity_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id"), unique=True)
    # D2.P1, D2.P2, D2.O1.a
    pssi_reviewed_on: Mapped[dt.date | None]
    continuity_organisation: Mapped[bool | None]
    continuity_lead: Mapped[str] = mapped_column(String(200), default="")
    governance_scheme: Mapped[bool | None]
    # D2.O1.b
    plan_blanc_digital_on: Mapped[dt.date | None]
    crisis_cell_defined: Mapped[bool | None]
    crisis_reporting_defined: Mapped[bool | None]
    # D2.O1.c and D2.O1.d (the 66 % rule applies to multi-entity candidatures)
    absent_perimeters: Mapped[list[str]] = mapped_column(JSON, default=list)
    multi_entity: Mapped[bool | None]
    pcra_activity_share: Mapped[float | None]
    field_test_activity_share: Mapped[float | None]
    test_schedule_defined: Mapped[bool | None]
    # D2.O2
    backup_policy: Mapped[bool | None]
    backup_policy_reviewed_on: Mapped[dt.date | None]
    backup_plans_up_to_date: Mapped[bool | None]
    backup_outsourced: Mapped[bool | None]
    backup_contract_clauses: Mapped[bool | None]
    # D2.O3.a
    backup_auth: Mapped[BackupAuth | None] = mapped_column(_enum(BackupAuth))
    backup_ads_level: Mapped[int | None]
    backup_least_privilege: Mapped[bool | None]
    backup_mfa: Mapped[BackupMfa | None] = mapped_column(_enum(BackupMfa))
    # D2.O3.b
    backup_isolable: Mapped[bool | None]
    backup_segmentation: Mapped[Trajectory | None] = mapped_column(_enum(Trajectory))
    backup_segmentation_milestone_on: Mapped[dt.date | None]
    # D2.O3.c
    backup_321: Mapped[Trajectory | None] = mapped_column(_enum(Trajectory))
    backup_321_milestone_on: Mapped[dt.date | None]
    backup_copy_immutable: Mapped[bool | None]
    backup_copy_offline: Mapped[bool | None]
    backup_copy_offsite: Mapped[bool | None]
    # D2.O3.d, D2.O4
    backup_monitored: Mapped[bool | None]
    restore_tested_on: Mapped[dt.date | None]
    restore_test_result: Mapped[TestResult | None] = mapped_column(_enum(TestResult))
    business_referent: Mapped[bool | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __mapper_args__ = {"version_id_col": Versioned.revision}

    establishment: Mapped[Establishment] = relationship()
    updated_by: Mapped[User | None] = relationship()


# The facts a person fills in (the form, the optimistic-locking notes, the rollups' plain reads).
PROFILE_FIELDS = tuple(c.key for c in ContinuityProfile.__table__.columns
                       if c.key not in {"id", "establishment_id", "revision", "updated_at",
                                        "updated_by_id"})


class ActivityKind(enum.StrEnum):
    CARE_SERVICE = "care_service"
    ADMINISTRATIVE = "administrative"
    PHARMACY = "pharmacy"
    IMAGING = "imaging"
    BIOLOGY = "biology"
    TECHNICAL = "technical"


MEDICO_TECHNICAL = frozenset({ActivityKind.PHARMACY, ActivityKind.IMAGING, ActivityKind.BIOLOGY})


class PlanStatus(enum.StrEnum):
    ABSENT = "absent"
    IN_PROGRESS = "in_progress"
    FORMALISED = "formalised"
    TESTED = "tested"


class CriticalActivity(Versioned, db.Model):
    __tablename__ = "critical_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id"), index=True)
    kind: Mapped[ActivityKind] = mapped_column(_enum(ActivityKind))
    name: Mapped[str] = mapped_column(String(200))
    # For administrative processes: the one the BIA must cover (D2 objective).
    most_critical: Mapped[bool] = mapped_column(default=False)
    bia_done: Mapped[bool] = mapped_column(default=False)
    rto_hours: Mapped[float | None]
    rpo_hours: Mapped[float | None]
    degraded_procedure: Mapped[bool] = mapped_column(default=False)
    pca_status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus), default=PlanStatus.ABSENT)
    pra_status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus), default=PlanStatus.ABSENT)
    last_test_on: Mapped[dt.date | None]
    last_test_result: Mapped[TestResult | None] = mapped_column(_enum(TestResult))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __mapper_args__ = {"version_id_col": Versioned.revision}

    establishment: Mapped[Establishment] = relationship()
    updated_by: Mapped[User | None] = relationship()
