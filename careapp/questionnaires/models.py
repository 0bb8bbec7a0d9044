from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careapp.db import db, utcnow


class QuestionnaireVersion(db.Model):
    """A questionnaire version as it was when first used: its content never changes after."""

    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Deferred: a large document, read only when the registry builds a model not cached yet.
    content: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    stored_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def label(self) -> str:
        return f"{self.title} (v{self.version})"
