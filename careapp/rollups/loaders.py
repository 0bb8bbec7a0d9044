"""SQL reads for dashboards: one query per table shape, never ORM objects one by one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from careapp.assessments.models import Assessment, AxisScore, Campaign, ScoreSnapshot
from careapp.db import db
from careapp.organisations.models import Establishment, Ght


def region_status_rows(region_code: str, campaign: Campaign) -> list[dict[str, Any]]:
    """Every establishment of the region with its assessment status and scores."""
    rows = db.session.execute(
        select(
            Establishment.id, Establishment.name, Establishment.finess_et,
            Establishment.category, Ght.code.label("ght_code"),
            Assessment.id.label("assessment_id"), Assessment.status, Assessment.submitted_at,
            ScoreSnapshot.id.label("snapshot_id"), ScoreSnapshot.overall,
            ScoreSnapshot.socle_rate, ScoreSnapshot.completeness,
        )
        .outerjoin(Ght, Ght.id == Establishment.ght_id)
        .outerjoin(Assessment, (Assessment.establishment_id == Establishment.id)
                   & (Assessment.campaign_id == campaign.id))
        .outerjoin(ScoreSnapshot, ScoreSnapshot.assessment_id == Assessment.id)
        .where(Establishment.region_code == region_code)
        .order_by(Establishment.name)
    ).mappings().all()
    snapshot_ids = [r["snapshot_id"] for r in rows if r["snapshot_id"] is not None]
    axes: dict[int, dict[str, float | None]] = {}
    if snapshot_ids:
        for snapshot_id, axis_id, score in db.session.execute(
            select(AxisScore.snapshot_id, AxisScore.axis_id, AxisScore.score)
            .where(AxisScore.snapshot_id.in_(snapshot_ids))
        ):
            axes.setdefault(snapshot_id, {})[axis_id] = score
    return [dict(r, axes=axes.get(r["snapshot_id"], {})) for r in rows]
