from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careapp.auth.models import User
from careapp.db import db, str_enum, utcnow
from careapp.organisations.models import Establishment, Region
from careapp.questionnaires.models import QuestionnaireVersion

_enum = str_enum


class CampaignStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Campaign(db.Model):
    """A yearly call to self-assess, national (region_code NULL) or for one region."""

    __tablename__ = "campaigns"
    __table_args__ = (
        UniqueConstraint("year", "region_code", "questionnaire_version_id"),
        # NULLs are distinct in a unique constraint: national campaigns need their own index.
        Index("uq_campaigns_national", "year", "questionnaire_version_id", unique=True,
              sqlite_where=text("region_code IS NULL"),
              postgresql_where=text("region_code IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    opens_on: Mapped[dt.date]
    deadline: Mapped[dt.date]
    status: Mapped[CampaignStatus] = mapped_column(_enum(CampaignStatus, 10),
                                                   default=CampaignStatus.OPEN)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    region: Mapped[Region | None] = relationship()
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()

    @property
    def scope_label(self) -> str:
        return self.region.name if self.region else str(_l("Nationale"))


class AssessmentStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


STATUS_LABELS = {
    None: _l("Non commencée"),
    AssessmentStatus.DRAFT: _l("Brouillon"),
    AssessmentStatus.SUBMITTED: _l("Soumise"),
}


class Assessment(db.Model):
    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("campaign_id", "establishment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id"), index=True)
    status: Mapped[AssessmentStatus] = mapped_column(_enum(AssessmentStatus, 12),
                                                     default=AssessmentStatus.DRAFT)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    # The last reopening (an ARS or admin decision, with its reason): kept through the next
    # submission, shown on the overview; every reopening is in the audit log too.
    reopened_at: Mapped[dt.datetime | None]
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reopen_reason: Mapped[str | None] = mapped_column(Text)
    # A section form carries the revision it was opened at. A section save raises it in the
    # database (UPDATE … SET revision = revision + 1, which also makes saves of one assessment
    # take turns) and stamps the answers it changes with it: a conflict is an answer of the
    # section stamped after the form's revision, never a save of another section. Other changes
    # of the row (submit, reopen) are version-checked (UPDATE … WHERE revision = the one read),
    # so a submission computed before a concurrent save fails instead of freezing stale answers.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")

    __mapper_args__ = {"version_id_col": revision}

    campaign: Mapped[Campaign] = relationship()
    establishment: Mapped[Establishment] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )
    snapshot: Mapped[ScoreSnapshot | None] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )

    @property
    def is_submitted(self) -> bool:
        return self.status is AssessmentStatus.SUBMITTED

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


class Answer(db.Model):
    """An answer exactly as saved (even when invalid, so that nothing typed is lost)."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("assessment_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"),
                                               index=True)
    question_id: Mapped[str] = mapped_column(String(20))
    state: Mapped[str | None] = mapped_column(String(12))
    value: Mapped[Any | None] = mapped_column(JSON)
    justification: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    carried_over: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The assessment revision of the save that last changed it (see Assessment.revision).
    revision: Mapped[int] = mapped_column(default=0, server_default="0")

    assessment: Mapped[Assessment] = relationship(back_populates="answers")
    updated_by: Mapped[User | None] = relationship()


class ScoreSnapshot(db.Model):
    """Scores frozen at submission, with the questionnaire and scoring versions that made them."""

    __tablename__ = "score_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), unique=True
    )
    questionnaire_hash: Mapped[str] = mapped_column(String(64))
    scoring_version: Mapped[str] = mapped_column(String(10))
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    overall: Mapped[float | None]
    overall_level: Mapped[int | None]
    socle_rate: Mapped[float | None]
    completeness: Mapped[float | None]
    results: Mapped[dict[str, Any]]

    assessment: Mapped[Assessment] = relationship(back_populates="snapshot")
    axis_scores: Mapped[list[AxisScore]] = relationship(cascade="all, delete-orphan")


class AxisScore(db.Model):
    """One row per axis of a snapshot, so that rollups aggregate in SQL."""

    __tablename__ = "axis_scores"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("score_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    axis_id: Mapped[str] = mapped_column(String(3), primary_key=True)
    score: Mapped[float | None]
    level: Mapped[int | None]
    coverage: Mapped[float | None]
    provisional: Mapped[bool]
