from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careapp.auth.models import User
from careapp.db import db, str_enum, utcnow
from careapp.organisations.models import Establishment

_enum = str_enum


class Origin(enum.StrEnum):
    QUESTION = "question"
    EXERCISE = "exercise"
    CONTINUITY = "continuity"
    MANUAL = "manual"


class Priority(enum.StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"


class ActionStatus(enum.StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ABANDONED = "abandoned"


OPEN_STATUSES = frozenset({ActionStatus.TODO, ActionStatus.IN_PROGRESS})


class RoadmapAction(db.Model):
    """One action of an establishment's roadmap.

    Generated actions have a stable `key` (``question:GOV-13``, ``d2:restore_test``…): a new
    generation updates what it proposes (`suggested_*`, detail, axis, domain, rank) and never
    what people wrote. `title` and `priority` follow the suggestion until someone changes them.
    """

    __tablename__ = "roadmap_actions"
    __table_args__ = (UniqueConstraint("establishment_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    origin: Mapped[Origin] = mapped_column(_enum(Origin))
    origin_ref: Mapped[str] = mapped_column(String(40), default="")
    suggested_title: Mapped[dict[str, str] | None] = mapped_column(JSON)
    title: Mapped[str | None] = mapped_column(String(300))  # None: the suggestion, translated
    detail: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # Every origin of the gap ([{"kind", "ref", "label": {fr, en}}]): one action per gap, even
    # when a question and a register state it both (generate.SAME_GAP).
    origins: Mapped[list[dict[str, object]] | None] = mapped_column(JSON)
    axis_id: Mapped[str | None] = mapped_column(String(10))
    domain: Mapped[str | None] = mapped_column(String(20))
    suggested_priority: Mapped[Priority | None] = mapped_column(_enum(Priority, 2))
    priority: Mapped[Priority] = mapped_column(_enum(Priority, 2), default=Priority.P2)
    priority_edited: Mapped[bool] = mapped_column(default=False, server_default="0")  # by people
    rank: Mapped[float] = mapped_column(default=0.0)  # weight × gap (socle doubled): sort order
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[dt.date | None]
    status: Mapped[ActionStatus] = mapped_column(_enum(ActionStatus), default=ActionStatus.TODO)
    abandon_reason: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    # The last generation no longer finds the gap: proposed as done, people decide.
    gap_closed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revision: Mapped[int] = mapped_column(default=0, server_default="0")

    __mapper_args__ = {"version_id_col": revision}

    establishment: Mapped[Establishment] = relationship()
    updated_by: Mapped[User | None] = relationship()

    def display_title(self, lang: str) -> str:
        if self.title:
            return self.title
        suggested = self.suggested_title or {}
        return suggested.get(lang) or suggested.get("fr", "")

    def display_detail(self, lang: str) -> str:
        detail = self.detail or {}
        return detail.get(lang) or detail.get("fr", "")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today
