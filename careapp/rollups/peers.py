"""Peer comparison for an establishment's results page (issue #11).

An establishment's overall and per-axis scores against the median and quartiles (Q1, Q3) of
two groups, on the same campaign and over submitted assessments only:

* its region (every category), and
* its category (every region of the campaign).

The establishment itself is part of both groups (n counts it): the figures are then the same
as the ones regional and national staff read for the group (careapp/rollups/indicators.py).

Small groups: a group with fewer than MIN_GROUP submitted establishments is hidden whole —
no median, no quartile, no n — so that nothing of it can be recovered; a row of a shown group
whose own n is below MIN_GROUP (an axis without a score for some) is hidden too. Only
aggregates leave this module, never a peer's figures, so every person who may read the
results page (members, ARS, GRADeS, national, admin) sees the same comparison.

Reads: two queries (one per frame shape: establishments, axis scores), restricted to the
campaign's submitted assessments of the region or of the category; the figures come from the
pure indicator functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import or_, select

from careapp.assessments.models import Assessment, AssessmentStatus, AxisScore, ScoreSnapshot
from careapp.db import db
from careapp.organisations.models import CATEGORIES, Establishment, Ght
from careapp.rollups import indicators
from careapp.rollups.loaders import AXIS_COLUMNS, ESTABLISHMENT_COLUMNS, establishment_columns
from careapp.rollups.suppression import MIN_GROUP

REGION, CATEGORY = "region", "category"


@dataclass(frozen=True)
class Figures:
    """Median and quartiles of one score over a group; None when hidden (n < MIN_GROUP)."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None


@dataclass(frozen=True)
class PeerGroup:
    kind: str  # REGION or CATEGORY
    label: str  # the region's name, or the category's
    shown: bool  # False: fewer than MIN_GROUP submitted establishments, nothing else is set
    overall: Figures | None = None
    axes: dict[str, Figures | None] = field(default_factory=dict)  # None: hidden row


@dataclass(frozen=True)
class PeerComparison:
    submitted: bool  # False: a draft, compared once submitted (no figure, no query)
    campaign: str = ""
    own_overall: float | None = None
    own_axes: dict[str, float | None] = field(default_factory=dict)
    groups: list[PeerGroup] = field(default_factory=list)
    min_group: int = MIN_GROUP


# -- reads -----------------------------------------------------------------------------------

def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def _frame(rows: Any, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([[_value(v) for v in row] for row in rows], columns=columns,
                        dtype=object)


def _peers_of(campaign_id: int, region_code: str, category: str) -> Any:
    """The campaign's submitted assessments of the region or of the category."""
    return (Assessment.campaign_id == campaign_id) & (
        Assessment.status == AssessmentStatus.SUBMITTED) & or_(
        Establishment.region_code == region_code, Establishment.category == category)


def peer_frames(campaign_id: int, region_code: str, category: str
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The establishments frame and the axis-scores frame (careapp/rollups/loaders.py shapes)
    of the campaign's submitted assessments in the region or in the category: two queries."""
    where = _peers_of(campaign_id, region_code, category)
    establishments = _frame(db.session.execute(
        select(*establishment_columns())
        .join(Assessment, Assessment.establishment_id == Establishment.id)
        .join(ScoreSnapshot, ScoreSnapshot.assessment_id == Assessment.id)
        .outerjoin(Ght, Ght.id == Establishment.ght_id)
        .where(where).order_by(Establishment.id)), ESTABLISHMENT_COLUMNS)
    axes = _frame(db.session.execute(
        select(Establishment.id, AxisScore.axis_id, AxisScore.score, AxisScore.level)
        .join(Assessment, Assessment.establishment_id == Establishment.id)
        .join(ScoreSnapshot, ScoreSnapshot.assessment_id == Assessment.id)
        .join(AxisScore, AxisScore.snapshot_id == ScoreSnapshot.id)
        .where(where).order_by(Establishment.id, AxisScore.axis_id)), AXIS_COLUMNS)
    return establishments, axes


# -- figures (pure) ----------------------------------------------------------------------------

def _figures(row: Any) -> Figures | None:
    n = int(row["n"])
    if n < MIN_GROUP:
        return None
    return Figures(n=n, median=_float(row["median"]), q1=_float(row["q1"]), q3=_float(row["q3"]))


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def group_figures(kind: str, label: str, establishments: pd.DataFrame,
                  axis_scores: pd.DataFrame, axis_ids: list[str]) -> PeerGroup:
    """One group's comparison from its frames (its members only), or the group hidden when
    fewer than MIN_GROUP of them have submitted."""
    submitted = establishments[indicators.status_of(establishments) == indicators.SUBMITTED]
    if len(submitted) < MIN_GROUP:
        return PeerGroup(kind=kind, label=label, shown=False)
    overall = indicators.overall_distribution(submitted).loc[indicators.ALL]
    by_axis = indicators.axis_distribution(axis_scores, submitted)
    rows = {axis_id: row for (_, axis_id), row in by_axis.iterrows()}
    axes = {axis_id: _figures(rows[axis_id]) if axis_id in rows else None
            for axis_id in axis_ids}
    return PeerGroup(kind=kind, label=label, shown=True, overall=_figures(overall), axes=axes)


def compare(establishment_id: int, region: tuple[str, str], category: str,
            establishments: pd.DataFrame, axis_scores: pd.DataFrame, axis_ids: list[str],
            campaign: str = "") -> PeerComparison:
    """The comparison of one submitted establishment (pure): `region` is (code, name), the
    frames hold at least the region's and the category's submitted assessments."""
    code, name = region
    own = establishments[establishments["establishment_id"] == establishment_id]
    own_axes = axis_scores[axis_scores["establishment_id"] == establishment_id]
    scores = {str(a): _float(s) for a, s in zip(own_axes["axis_id"], own_axes["score"],
                                                strict=True)}
    groups = []
    for kind, label, mask in (
            (REGION, name, establishments["region_code"] == code),
            (CATEGORY, CATEGORIES.get(category, category),
             establishments["category"] == category)):
        members = establishments[mask]
        ids = set(members["establishment_id"])
        groups.append(group_figures(kind, label, members,
                                    axis_scores[axis_scores["establishment_id"].isin(ids)],
                                    axis_ids))
    return PeerComparison(
        submitted=True, campaign=campaign,
        own_overall=_float(own["overall"].iloc[0]) if len(own) else None,
        own_axes={a: scores.get(a) for a in axis_ids}, groups=groups)


# -- the service -------------------------------------------------------------------------------

def peer_comparison(assessment: Assessment, axis_ids: list[str]) -> PeerComparison:
    """What the results page shows: nothing read for a draft; else the two groups."""
    if assessment.status != AssessmentStatus.SUBMITTED:
        return PeerComparison(submitted=False)
    establishment = assessment.establishment
    establishments, axis_scores = peer_frames(
        assessment.campaign_id, establishment.region_code, establishment.category)
    return compare(establishment.id, (establishment.region_code, establishment.region.name),
                   establishment.category, establishments, axis_scores, axis_ids,
                   campaign=assessment.campaign.name)
