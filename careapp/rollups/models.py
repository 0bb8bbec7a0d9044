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


class EstablishmentRollup(db.Model):
    """One establishment's line of a campaign's dashboards: its assessment's figures (from the
    frozen snapshot) and its registers' summary (D2, exercises, roadmap), kept up to date by
    careapp/rollups/refresh.py like RollupSummary. The ARS table filters, sorts and pages these
    rows in SQL instead of rebuilding every establishment's registers on each view.

    Registers belong to the establishment, not to a campaign: their columns repeat on each
    campaign's row (a few campaigns at a time), so that one campaign's table is one query."""

    __tablename__ = "establishment_rollups"
    __table_args__ = (UniqueConstraint("campaign_id", "establishment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("establishments.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(2), index=True)
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL"))
    status: Mapped[str | None] = mapped_column(String(16))  # None: not started
    submitted_at: Mapped[dt.datetime | None]
    overall: Mapped[float | None]
    overall_level: Mapped[int | None]
    socle_rate: Mapped[float | None]
    axes: Mapped[Any] = mapped_column(JSON, default=dict)  # axis id -> exact score
    domains: Mapped[Any] = mapped_column(JSON, default=dict)  # domain -> ready/not_ready/...
    d2_met: Mapped[int] = mapped_column(default=0)
    d2_total: Mapped[int] = mapped_column(default=0)
    d2_unknown: Mapped[int] = mapped_column(default=0)
    last_exercise_on: Mapped[dt.date | None]
    retex_missing: Mapped[int] = mapped_column(default=0)
    open_actions: Mapped[int] = mapped_column(default=0)
    open_p1: Mapped[int] = mapped_column(default=0)
    overdue: Mapped[int] = mapped_column(default=0)
    # Open P1 actions due before the line's day (the « à relancer » list's reason).
    overdue_p1: Mapped[int] = mapped_column(default=0, server_default="0")
    as_of: Mapped[dt.date]
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
