"""Regional view query on a large region: `python -m bench.bench_region [-n 3000]`.

Builds N establishments in one region, each with a submitted assessment, a score snapshot
and four axis scores (bulk inserts on a fresh SQLite file), then times the query behind
/region/ (`region_status_rows`) against a plain read of the same establishments, in the same
run, so the figure is a ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert, select

from careapp import create_app
from careapp.assessments.models import Assessment, AxisScore, ScoreSnapshot
from careapp.db import db
from careapp.organisations.finess import make_finess
from careapp.organisations.models import Establishment
from careapp.resilience.models import ContinuityProfile, CrisisExercise, CriticalActivity
from careapp.roadmap.models import RoadmapAction
from careapp.rollups.loaders import region_status_rows, register_summaries
from tests import factories


def populate(n: int) -> object:
    campaign = factories.campaign(2026)
    db.session.commit()
    db.session.execute(insert(Establishment), [
        {"finess_et": make_finess("35", i), "finess_ej": make_finess("35", i), "name": f"CH {i}",
         "category": "CH", "sector": "public", "region_code": "53", "city": ""}
        for i in range(n)])
    ids = list(db.session.scalars(select(Establishment.id)))
    db.session.execute(insert(Assessment), [
        {"campaign_id": campaign.id, "establishment_id": e, "status": "submitted", "revision": 1}
        for e in ids])
    assessments = list(db.session.scalars(select(Assessment.id)))
    db.session.execute(insert(ScoreSnapshot), [
        {"assessment_id": a, "questionnaire_hash": "x", "scoring_version": "1.0", "overall": 50.0,
         "overall_level": 2, "socle_rate": 60.0, "completeness": 100.0, "results": {}}
        for a in assessments])
    snapshots = list(db.session.scalars(select(ScoreSnapshot.id)))
    db.session.execute(insert(AxisScore), [
        {"snapshot_id": s, "axis_id": axis, "score": 50.0, "level": 2, "coverage": 100.0,
         "provisional": False} for s in snapshots for axis in ("GOV", "RES", "SEN", "OPS")])
    db.session.commit()
    return campaign


ACTIONS_PER_ESTABLISHMENT = 30


def populate_registers(ids: list[int]) -> None:
    """Per establishment: two exercises, a continuity profile, four critical activities and
    30 roadmap actions (a mid-sized roadmap)."""
    today = dt.date(2026, 11, 23)
    db.session.execute(insert(CrisisExercise), [
        {"establishment_id": e, "status": status, "held_on": today - dt.timedelta(days=days),
         "type": "tabletop", "kit_level": "beginner", "scenario": "ransomware", "functions": [],
         "scenario_detail": "", "objectives": "", "retex_summary": "", "revision": 1}
        for e in ids for status, days in (("held", 200 + e % 300), ("planned", -30))])
    db.session.execute(insert(ContinuityProfile), [
        {"establishment_id": e, "pssi_reviewed_on": dt.date(2023, 1, 1), "continuity_lead": "X",
         "backup_policy": True, "revision": 1} for e in ids])
    db.session.execute(insert(CriticalActivity), [
        {"establishment_id": e, "kind": kind, "name": kind, "bia_done": True,
         "pca_status": "formalised", "pra_status": "in_progress", "revision": 1}
        for e in ids for kind in ("care_service", "administrative", "imaging", "technical")])
    db.session.execute(insert(RoadmapAction), [
        {"establishment_id": e, "key": f"question:Q-{i}", "origin": "question", "origin_ref": "",
         "priority": ("P1", "P2", "P3")[i % 3], "status": ("todo", "in_progress", "done")[i % 3],
         "rank": float(i), "revision": 1}
        for e in ids for i in range(ACTIONS_PER_ESTABLISHMENT)])
    db.session.commit()


def timed(fn, repeat: int) -> float:  # noqa: ANN001
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite'}",
                          "ENV_NAME": "test", "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            upgrade(directory=str(Path(__file__).parents[1] / "migrations"))
            campaign = populate(args.n)
            ids = list(db.session.scalars(select(Establishment.id)))
            populate_registers(ids)
            plain = timed(lambda: db.session.execute(
                select(Establishment.id, Establishment.name)
                .where(Establishment.region_code == "53")).all(), args.repeat)
            rows = timed(lambda: region_status_rows("53", campaign), args.repeat)
            count = len(region_status_rows("53", campaign))
            summaries = timed(lambda: register_summaries(ids, dt.date(2026, 11, 23)),
                              max(3, args.repeat // 2))
    print(f"region view query, {count} establishments (SQLite), median of {args.repeat}:")
    print(f"  plain establishment read (baseline): {plain * 1e3:.1f} ms")
    print(f"  region_status_rows                 : {rows * 1e3:.1f} ms  (× {rows / plain:.1f})")
    print(f"  register_summaries (ARS registers) : {summaries * 1e3:.1f} ms  "
          f"(× {summaries / plain:.1f}; {ACTIONS_PER_ESTABLISHMENT * count} roadmap actions)")


if __name__ == "__main__":
    main()
