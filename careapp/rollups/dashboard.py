"""The ARS (and GRADeS) dashboard of a region for a campaign: headline figures and charts from
the summary tables (careapp/rollups/refresh.py), the establishment table and the « à relancer »
list from the establishment lines (loaders.establishment_rollups_frame: one query on the
precomputed table; no register is recomputed at view time). Rendering stays bounded: one page
of table.PER_PAGE rows.

Registers (exercise dates, RETEX, D2, roadmap) per establishment go only to whom
`can_see_register_summaries_of_region` allows (the region's ARS); the region's aggregates are
shown to everyone who sees the dashboard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from careapp.assessments.models import Campaign
from careapp.questionnaires.model import Questionnaire
from careapp.rollups import followup, table
from careapp.rollups.followup import FollowUp

HEADLINE_KINDS = ("participation", "overall", "axes", "levels", "socle", "exercises",
                  "roadmap", "d2", "retex")


def commit_keeping_loaded() -> None:
    """Commit what reading the summaries or lines may have stored, without expiring the
    objects already loaded (the campaign, the regions): the page reads them next, and
    reloading each is a query for nothing."""
    from careapp.db import db

    session = db.session()
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


def lines(campaign: Campaign, region_code: str) -> pd.DataFrame:
    from careapp.rollups.loaders import establishment_rollups_frame

    return establishment_rollups_frame(campaign.id, region_code)


@dataclass(frozen=True)
class Comparison:
    """What the table's « Évolution » compares with: the previous campaign of refresh.py's
    `change` kind (previous_campaign), and whether its scores are comparable: the same
    questionnaire version, or another one with a mapping (`common_questions` set: compared
    like for like on those questions, versions `from_version` → `to_version`); otherwise no
    figure."""

    previous_id: int | None = None
    previous_name: str | None = None
    same_questionnaire: bool = False
    common_questions: int | None = None
    from_version: str | None = None
    to_version: str | None = None

    @property
    def comparable(self) -> bool:
        return self.previous_id is not None and (self.same_questionnaire
                                                 or self.common_questions is not None)

    @property
    def like_for_like(self) -> bool:
        return self.comparable and not self.same_questionnaire


def with_change(frame: pd.DataFrame, campaign: Campaign, region_code: str
                ) -> tuple[pd.DataFrame, Comparison]:
    """The lines with `change`: the overall score now minus the same establishment's in the
    previous campaign (indicators.per_establishment_change: submitted in both with a score),
    None otherwise, and None everywhere when there is no previous campaign. On the same
    questionnaire version: one narrow query of the previous campaign's lines over the region.
    On another version: the like-for-like changes the region's stored `change` summary holds
    (`deltas`, refresh.change: a page never rescores answers); None everywhere when no mapping
    leads from that version to this one (scores of different questionnaires are not compared,
    as in the `change` summary)."""
    from careapp.rollups import indicators, loaders, refresh

    previous = refresh.previous_campaign(campaign)
    if previous is None:
        return frame.assign(change=pd.Series([None] * len(frame), index=frame.index,
                                             dtype=object)), Comparison()
    deltas: dict[int, float] = {}
    if previous.questionnaire_version_id == campaign.questionnaire_version_id:
        comparison = Comparison(previous.id, previous.name, True)
        before = loaders.overall_lines(previous, region_code)
        change = indicators.per_establishment_change(frame, before, "overall")["delta"]
        deltas = {int(k): float(v) for k, v in change.items()}
    else:
        stored = refresh.summaries(campaign, region_code, ["change"]).get("change") or {}
        comparison = Comparison(previous.id, previous.name, False,
                                stored.get("common_questions"), stored.get("from_version"),
                                stored.get("to_version"))
        deltas = {int(k): float(v) for k, v in (stored.get("deltas") or {}).items()}
    values = [deltas.get(int(eid)) for eid in frame["establishment_id"]]
    return frame.assign(change=pd.Series(values, index=frame.index, dtype=object)), comparison


def headline(campaign: Campaign, region_code: str, today: dt.date | None = None
             ) -> dict[str, Any]:
    """The summaries' payloads of the campaign × region, participation with `late` for the
    day, levels keyed by int."""
    from careapp.rollups import refresh

    kinds = [k for k in HEADLINE_KINDS if k in refresh.KINDS]
    stored = refresh.summaries(campaign, region_code, kinds)
    out = dict(stored)
    out["participation"] = refresh.participation_as_of(stored["participation"],
                                                       campaign.deadline, today)
    out["levels"] = {int(k) if str(k).isdigit() else k: n
                     for k, n in stored["levels"].items()}
    return out


def submissions_over_time(frame: pd.DataFrame) -> list[tuple[dt.date, int]]:
    """(day, submitted so far) at each day with a submission (submitted assessments only)."""
    days: dict[dt.date, int] = {}
    for status, at in zip(frame["status"], frame["submitted_at"], strict=True):
        if status == "submitted" and at is not None and not pd.isna(at):
            day = at.date() if isinstance(at, dt.datetime) else at
            days[day] = days.get(day, 0) + 1
    out, total = [], 0
    for day in sorted(days):
        total += days[day]
        out.append((day, total))
    return out


def options(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The categories and GHT codes present in the region (the filters' choices)."""
    categories = sorted({c for c in frame["category"] if isinstance(c, str)})
    ghts = sorted({g for g in frame["ght_code"] if isinstance(g, str)})
    return categories, ghts


@dataclass
class Dashboard:
    filters: table.Filters
    categories: list[str]
    ghts: list[str]
    page: table.Page
    follow_up: list[FollowUp]
    timeline: list[tuple[dt.date, int]]
    total: int
    comparison: Comparison = Comparison()


def build(frame: pd.DataFrame, args: Mapping[str, str], campaign: Campaign, *,
          with_registers: bool, today: dt.date,
          comparison: Comparison | None = None) -> Dashboard:
    """Filters from `args`, the filtered and sorted table's page, and the follow-up list (of
    the filtered establishments)."""
    categories, ghts = options(frame)
    filters = table.parse_filters(args, categories, ghts, with_registers)
    chosen = table.filtered(frame, filters)
    page = table.paginate(table.sorted_frame(chosen, filters), filters.page)
    filters.page = page.number
    return Dashboard(
        filters=filters, categories=categories, ghts=ghts, page=page,
        follow_up=followup.to_follow_up(chosen, campaign.deadline, today, with_registers),
        timeline=submissions_over_time(frame), total=len(frame),
        comparison=comparison or Comparison())


def filtered_rows(frame: pd.DataFrame, args: Mapping[str, str], *, with_registers: bool
                  ) -> tuple[pd.DataFrame, table.Filters]:
    """Every row of the filtered, sorted table (the downloads' content)."""
    categories, ghts = options(frame)
    filters = table.parse_filters(args, categories, ghts, with_registers)
    return table.sorted_frame(table.filtered(frame, filters), filters), filters


def level_rows(questionnaire: Questionnaire, levels: dict[Any, int], lang: str
               ) -> list[dict[str, Any]]:
    return [{"level": lv, "label": questionnaire.level_label(lv, lang),
             "count": int(levels.get(lv, 0) or 0)} for lv in (0, 1, 2, 3)]
