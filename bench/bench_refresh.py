"""Rollup refresh at national scale: `python -m bench.bench_refresh [--db both]`.

Builds a synthetic nation (`flask bench-data`, 3,000 establishments × 3 campaigns by default;
the build's own commit fills the summaries and the establishment lines) in a fresh migrated
SQLite file and/or a database of a private PostgreSQL cluster (tests/pg.py: Debian's binaries,
fsync off), then times in the same run, on the open national campaign (each rolled back):

1. What a submission adds to its transaction, national scope (best of `--repeat`):
   - before (baseline): the six assessment kinds computed as the first cut did, from the
     loaders' raw frames (every snapshot, its axis scores and its results' domains);
   - after: its establishment's line recomputed and written, then the same six kinds from the
     ~3,000 establishment lines (one query); with the `change` kind too; the line alone.
2. The full rebuild of the campaign (`flask rollups refresh`), best of `--rebuild-repeat`:
   - before (baseline): the previous rebuild, kept here: the lines from register_summaries
     (every establishment's D2 checklist, exercise indicators and roadmap progress objects,
     the snapshots' whole results, ids passed as lists), then each of the 19 scopes (nation
     and 18 regions) recomputed and written on its own (refresh.store);
   - after: refresh.rebuild: the lines in one pass per register (joins by campaign, no id
     lists, plain rows, the roadmap counted in SQL, only the results' domains read), then
     every scope from one national frame grouped by region (refresh.compute_scopes), all the
     summary rows written in one multi-row insert.
   The script checks that both give the same summaries (JSON text) and the same lines.

    python -m bench.bench_refresh [--establishments 3000] [--campaigns 3] [--repeat 5]
                                  [--rebuild-repeat 2] [--db both|sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select

from bench.bench_load import make_app, migrated
from careapp.assessments.models import (
    Assessment,
    AssessmentStatus,
    AxisScore,
    Campaign,
    ScoreSnapshot,
)
from careapp.db import db, utcnow
from careapp.organisations.models import Establishment
from careapp.roadmap.models import OPEN_STATUSES, Priority, RoadmapAction
from careapp.rollups import indicators, loaders, refresh
from careapp.rollups.models import NATIONAL, EstablishmentRollup, RollupSummary

OLD_KINDS = ("participation", "overall", "axes", "levels", "socle", "domains")


def from_raw_frames(campaign: Campaign, today: dt.date) -> dict:
    """The first cut's compute() for the six assessment kinds, national scope."""
    establishments = loaders.establishments_frame(campaign.id, None)
    counts = refresh._row(indicators.participation(establishments, campaign.deadline, today))
    return {
        "participation": counts,
        "overall": refresh._row(indicators.overall_distribution(establishments)),
        "axes": refresh._by_second_level(indicators.axis_distribution(
            loaders.axis_scores_frame(campaign.id, None), establishments)),
        "levels": refresh._row(indicators.level_distribution(establishments)),
        "socle": refresh._row(indicators.socle_attainment(establishments)),
        "domains": refresh._by_second_level(indicators.domain_readiness(
            loaders.domains_frame(campaign.id, None), establishments)),
    }


def lines_before(campaign: Campaign, today: dt.date) -> list[dict[str, Any]]:
    """The previous refresh.compute_lines for a whole national campaign (baseline)."""
    rows = db.session.execute(
        select(Establishment.id, Establishment.region_code, Assessment.id,
               Assessment.status, Assessment.submitted_at, ScoreSnapshot.id,
               ScoreSnapshot.overall, ScoreSnapshot.overall_level,
               ScoreSnapshot.socle_rate, ScoreSnapshot.results)
        .outerjoin(Assessment, (Assessment.establishment_id == Establishment.id)
                   & (Assessment.campaign_id == campaign.id))
        .outerjoin(ScoreSnapshot, ScoreSnapshot.assessment_id == Assessment.id)
        .order_by(Establishment.id)).all()
    snapshot_ids = [r[5] for r in rows if r[5] is not None]
    axes: dict[int, dict[str, Any]] = {}
    for snapshot_id, axis_id, score in db.session.execute(
            select(AxisScore.snapshot_id, AxisScore.axis_id, AxisScore.score)
            .where(AxisScore.snapshot_id.in_(snapshot_ids))):
        axes.setdefault(snapshot_id, {})[axis_id] = score
    registers = loaders.register_summaries([r[0] for r in rows], today)
    # Added to the lines after this baseline was written: counted apart, same rule.
    overdue_p1 = dict(db.session.execute(
        select(RoadmapAction.establishment_id, func.count())
        .where(RoadmapAction.status.in_(OPEN_STATUSES), RoadmapAction.priority == Priority.P1,
               RoadmapAction.due_on < today)
        .group_by(RoadmapAction.establishment_id)).all())
    now = utcnow()
    lines = []
    for (eid, code, assessment_id, status, submitted_at, snapshot_id, overall, level,
         socle, results) in rows:
        summary = registers[eid]
        domains = {str(d): indicators.readiness(int(r.get("met") or 0), int(r.get("total") or 0))
                   for d, r in sorted(((results or {}).get("domains") or {}).items())}
        held = summary.indicators
        lines.append({
            "campaign_id": campaign.id, "establishment_id": eid, "region_code": code,
            "assessment_id": assessment_id,
            "status": None if status is None else str(getattr(status, "value", status)),
            "submitted_at": submitted_at, "overall": overall, "overall_level": level,
            "socle_rate": socle, "axes": dict(sorted(axes.get(snapshot_id, {}).items())),
            "domains": domains, "d2_met": summary.d2.met, "d2_total": summary.d2.total,
            "d2_unknown": summary.d2.unknown, "last_exercise_on": held.last_held_on,
            "retex_missing": len(held.retex_missing),
            "open_actions": summary.roadmap.by_status.get("todo", 0)
            + summary.roadmap.by_status.get("in_progress", 0),
            "open_p1": summary.roadmap.open_by_priority.get("P1", 0),
            "overdue": summary.roadmap.overdue, "overdue_p1": overdue_p1.get(eid, 0),
            "as_of": today, "computed_at": now})
    return lines


def rebuild_before(campaign: Campaign, today: dt.date) -> None:
    """The previous refresh.rebuild (baseline): lines, then each scope on its own."""
    lines = lines_before(campaign, today)
    db.session.execute(delete(EstablishmentRollup).where(
        EstablishmentRollup.campaign_id == campaign.id),
        execution_options={"synchronize_session": False})
    db.session.execute(insert(EstablishmentRollup), lines)
    for scope in refresh.scopes_of(campaign):
        refresh.store(campaign, scope, refresh.KINDS, today)


def stored(campaign: Campaign) -> tuple[str, str]:
    """The campaign's summaries and lines as JSON text (what the two rebuilds must share)."""
    db.session.flush()
    db.session.expire_all()
    summaries = {f"{r.scope}/{r.kind}": r.payload for r in db.session.scalars(
        select(RollupSummary).filter_by(campaign_id=campaign.id))}
    columns = [c for c in EstablishmentRollup.__table__.columns
               if c.name not in ("id", "computed_at")]
    lines = [list(r) for r in db.session.execute(
        select(*columns).where(EstablishmentRollup.campaign_id == campaign.id)
        .order_by(EstablishmentRollup.establishment_id))]
    return (json.dumps(summaries, sort_keys=True, default=str),
            json.dumps(lines, sort_keys=True, default=str))


def best(work: Callable[[], object], repeat: int, check: Callable[[], object] | None = None
         ) -> tuple[float, object]:
    times, seen = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
        if check is not None:
            seen = check()
        db.session.rollback()
    return min(times), seen


def measure(url: str, label: str, args: argparse.Namespace) -> None:
    today = dt.date.today()
    migrated(url)
    app = make_app(url)
    started = time.perf_counter()
    with app.app_context():
        result = app.test_cli_runner().invoke(args=[
            "bench-data", "--establishments", str(args.establishments),
            "--campaigns", str(args.campaigns)])
    assert result.exit_code == 0, (result.output, result.exception)
    print(f"{label}: bench-data {time.perf_counter() - started:.1f} s", flush=True)
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).where(Campaign.region_code.is_(None))
                                      .order_by(Campaign.opens_on.desc())).first()
        assessment = db.session.scalars(select(Assessment).filter_by(
            campaign_id=campaign.id, status=AssessmentStatus.SUBMITTED)).first()
        eid = assessment.establishment_id
        old = from_raw_frames(campaign, today)
        new = refresh.compute(campaign, NATIONAL, OLD_KINDS, today)
        old["participation"].pop("late")
        assert old == new, "the lines do not give the raw frames' figures"
        db.session.rollback()

        def after(kinds: frozenset) -> Callable[[], object]:
            def work() -> None:
                refresh.store_lines(campaign, establishment_ids=[eid], today=today)
                refresh.store(campaign, NATIONAL, kinds, today)
            return work

        before, _ = best(lambda: from_raw_frames(campaign, today), args.repeat)
        lines, _ = best(after(frozenset(OLD_KINDS)), args.repeat)
        with_change, _ = best(after(refresh.ASSESSMENT_KINDS), args.repeat)
        line_only, _ = best(lambda: refresh.store_lines(campaign, establishment_ids=[eid],
                                                        today=today), args.repeat)
        full_before, expected = best(lambda: rebuild_before(campaign, today),
                                     args.rebuild_repeat, lambda: stored(campaign))
        full_after, got = best(lambda: refresh.rebuild(campaign, today), args.rebuild_repeat,
                               lambda: stored(campaign))
        assert got == expected, "the rebuilds differ"
        n = len(loaders.establishment_rollups_frame(campaign.id))
        scopes = len(refresh.scopes_of(campaign))
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    print(f"{label}, {platform.python_implementation()} {platform.python_version()}, "
          f"{n} establishments, {scopes} scopes, best of {args.repeat} "
          f"(rebuilds: best of {args.rebuild_repeat})")
    print(f"  before: six kinds from the raw frames        {before:.3f} s")
    print(f"  after:  one line + six kinds from the lines  {lines:.3f} s  "
          f"(× {before / lines:.1f} faster)")
    print(f"          of which the line alone             {line_only:.3f} s")
    print(f"  after:  with the change kind (seven)         {with_change:.3f} s  "
          f"(× {before / with_change:.1f})")
    print(f"  full rebuild, before: lines + each scope     {full_before:.2f} s")
    print(f"  full rebuild, after:  bulk lines + grouped   {full_after:.2f} s  "
          f"(× {full_before / full_after:.1f} faster; same summaries and lines)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=3000)
    parser.add_argument("--campaigns", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild-repeat", type=int, default=2)
    parser.add_argument("--db", choices=("both", "sqlite", "postgresql"), default="both")
    args = parser.parse_args()
    print(f"{dt.date.today()}, {platform.node()}, {platform.machine()}")
    if args.db in ("both", "sqlite"):
        with tempfile.TemporaryDirectory(prefix="bench_refresh_") as tmp:
            measure(f"sqlite:///{Path(tmp) / 'bench.db'}", "SQLite (file)", args)
    if args.db in ("both", "postgresql"):
        from tests.pg import start_server

        server = start_server()
        try:
            measure(server.create_database("bench_refresh"),
                    "PostgreSQL (throwaway server, fsync off)", args)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
