"""Summary tables the dashboards read: the rollup indicators per campaign × scope.

One row per campaign × scope × indicator kind, the indicator's figures in a JSON payload
(exact values, rounded once when shown). Why JSON and not typed columns: the indicators have
different shapes (a row of counts, one row per axis, per CaRE domain, per activity kind); typed
columns would need one table per shape and a migration per new indicator, while a dashboard
always reads an indicator whole. Refreshed by careapp/rollups/refresh.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careapp.db import db, utcnow

NATIONAL = "national"


class RollupSummary(db.Model):
    """The figures of one indicator `kind` for a campaign over a scope: a region code, or
    `national` (every establishment the campaign covers)."""

    __tablename__ = "rollup_summaries"
    __table_args__ = (UniqueConstraint("campaign_id", "scope", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique constraint (campaign_id first) indexes the reads by campaign.
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[Any] = mapped_column(JSON)
    # The day the figures were computed for (exercise share and overdue actions depend on it).
    as_of: Mapped[dt.date]
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
