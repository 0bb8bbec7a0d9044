"""What a submission adds to its transaction, national scope: `python -m bench.bench_refresh`.

Builds a synthetic nation in a fresh migrated SQLite file (`flask bench-data`, 3,000
establishments × 3 campaigns by default; the build's own commit fills the summaries and the
establishment lines), then, on one submitted assessment of the open campaign, times in the same
run (best of `--repeat`, each rolled back):

- before (baseline): the six assessment kinds of the national scope computed as the first cut
  did, from the loaders' raw frames (every snapshot, its axis scores and its results' domains);
- after: what a submission now pays: its establishment's line recomputed and written, then the
  same six kinds from the ~3,000 establishment lines (one query);
- after, with the `change` kind too (reads the previous campaign's lines);
- the full rebuild of the open campaign (lines and every scope × kind: `rollups refresh`).

    python -m bench.bench_refresh [--establishments 3000] [--campaigns 3] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from bench.bench_load import make_app, migrated
from careapp.assessments.models import Assessment, AssessmentStatus, Campaign
from careapp.db import db
from careapp.rollups import indicators, loaders, refresh
from careapp.rollups.models import NATIONAL

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


def best(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
        db.session.rollback()
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=3000)
    parser.add_argument("--campaigns", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    today = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="bench_refresh_") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrated(url)
        app = make_app(url)
        started = time.perf_counter()
        with app.app_context():
            result = app.test_cli_runner().invoke(args=[
                "bench-data", "--establishments", str(args.establishments),
                "--campaigns", str(args.campaigns)])
        assert result.exit_code == 0, (result.output, result.exception)
        print(f"bench-data: {time.perf_counter() - started:.1f} s")
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

            before = best(lambda: from_raw_frames(campaign, today), args.repeat)
            lines = best(after(frozenset(OLD_KINDS)), args.repeat)
            with_change = best(after(refresh.ASSESSMENT_KINDS), args.repeat)
            line_only = best(lambda: refresh.store_lines(campaign, establishment_ids=[eid],
                                                         today=today), args.repeat)
            rebuild = best(lambda: refresh.rebuild(campaign, today), 1)
            n = len(loaders.establishment_rollups_frame(campaign.id))
            db.session.rollback()
    print(f"{platform.python_implementation()} {platform.python_version()}, SQLite, "
          f"{n} establishments, best of {args.repeat}")
    print(f"before: six kinds from the raw frames        {before:.3f} s")
    print(f"after:  one line + six kinds from the lines  {lines:.3f} s  "
          f"(× {before / lines:.1f} faster)")
    print(f"        of which the line alone             {line_only:.3f} s")
    print(f"after:  with the change kind (seven)         {with_change:.3f} s  "
          f"(× {before / with_change:.1f})")
    print(f"full rebuild of the campaign (lines + every scope × kind): {rebuild:.2f} s")


if __name__ == "__main__":
    main()
