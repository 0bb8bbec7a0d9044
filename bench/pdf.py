"""PDF report render time: `python -m bench.pdf [-n 20] [--batch 12] [--memory 200]`.

Builds, on a fresh SQLite file, a fully answered and submitted assessment with peers, the
registers and a roadmap of about 50 actions (a report of 10+ pages), then
- renders the establishment's report N times with the real stylesheet and N times with a naive
  one (automatic table layout, no fixed column widths), interleaved in the same run: p50/p95
  of each (wall and CPU time) and the ratio of the p50s, and the cost of PDF/UA tagging (N
  renders without it);
- batch throughput: `--batch` reports of the region rendered by careapp.reports.batch with 1
  then 2 worker processes (worker start-up included), and the ratio;
- a worker's memory: one spawned worker renders the report `--memory` times; its resident
  memory after the 5th render and after the last, and the growth.
Targets (issue #12), on the 2-core machine: p50 ≤ 1.5 s and ≤ 0.5 × the naive one; 2
processes ≥ 1.8 × one; memory growth < 10 %.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing
import os
import re
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from flask_migrate import upgrade
from pypdf import PdfReader
from weasyprint.urls import URLFetcherResponse

from careapp import create_app
from careapp.assessments.models import Assessment
from careapp.db import db
from careapp.reports import batch, render
from careapp.reports import data as report_data
from careapp.reports import fetcher as report_fetcher
from careapp.roadmap import services as roadmap
from careapp.roadmap.models import Priority
from tests.reports.data import submitted_with_peers
from tests.world import make_world

NAIVE = "naive.css"


def naive_stylesheet() -> bytes:
    """The report's stylesheet without its fixed table layout and column widths."""
    css = (report_fetcher.ASSETS / "report.css").read_text()
    css = css.replace("table-layout: fixed;", "table-layout: auto;")
    css = re.sub(r"col\.w-[a-z]+ \{ width: [0-9]+mm; \}", "", css)
    return css.encode()


class BenchFetcher(report_fetcher.ReportFetcher):
    """Serves the naive stylesheet besides the vendored assets (bench only)."""

    naive = b""

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        if url == report_fetcher.SCHEME + NAIVE:
            self.requested.append(url)
            return URLFetcherResponse(url, self.naive, {"Content-Type": "text/css"})
        return super().fetch(url, headers)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_kib() -> int:
    """Resident memory of this process now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def memory_worker(assessment_id: int, count: int) -> tuple[int, int, float]:
    """In a batch worker: renders the report `count` times; RSS after the 5th and the last
    render (KiB), seconds per render."""
    from careapp.reports import render

    app = batch._APP  # noqa: SLF001 - the worker's own application (batch initializer)
    warm = 0
    with app.app_context():
        report = report_data.establishment_report(db.session.get(
            Assessment, assessment_id), "fr")
        db.session.remove()
        started = time.perf_counter()
        for i in range(count):
            render.render_establishment(report)
            if i == 4:
                warm = rss_kib()
    return warm, rss_kib(), (time.perf_counter() - started) / count


def batch_seconds(jobs: list[batch.Job], config: dict, processes: int
                  ) -> tuple[float, float, int]:
    """Seconds for the whole batch (worker start-up included), seconds from the first report
    done to the last (about the steady state), reports failed."""
    done: list[float] = []
    started = time.perf_counter()
    outcomes = batch.run(jobs, config, processes=processes,
                         on_done=lambda _o: done.append(time.perf_counter()))
    return done[-1] - started, done[-1] - done[0], sum(not o.ok for o in outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=20, help="renders of each variant (≥ 20)")
    parser.add_argument("--batch", type=int, default=16, help="reports per batch run")
    parser.add_argument("--memory", type=int, default=200,
                        help="renders of the memory worker (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite'}",
                          "ENV_NAME": "test", "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            upgrade(directory=str(Path(__file__).parents[1] / "migrations"))
            world = make_world()
            assessment, _ = submitted_with_peers(world)
            editor = world.users["editor"]
            count = len(roadmap.actions_of(world.own))
            for i in range(max(0, 50 - count)):
                roadmap.create_manual(world.own, {
                    "title": f"Action de la direction n° {i + 1} : formaliser et tester",
                    "priority": (Priority.P1, Priority.P2, Priority.P3)[i % 3],
                    "owner": "Direction des systèmes d'information",
                    "due_on": dt.date.today() + dt.timedelta(days=30 + i), "comment": "",
                    "axis_id": "GOV", "domain": None}, editor)
            db.session.commit()
            report = report_data.establishment_report(assessment, "fr")
            BenchFetcher.naive = naive_stylesheet()
            render.ReportFetcher = BenchFetcher  # type: ignore[misc]
            first = render.render_establishment(report)  # warm-up (fonts, templates)
            render.render_establishment(report, stylesheet=NAIVE)
            pages = len(PdfReader(io.BytesIO(first.pdf)).pages)
            variants = {"report.css": ("report.css", None), NAIVE: (NAIVE, None),
                        "untagged": ("report.css", {})}
            times: dict[str, list[float]] = {name: [] for name in variants}
            cpu: dict[str, list[float]] = {name: [] for name in variants}
            load_before = os.getloadavg()[0]
            for _ in range(args.n):
                for name, (sheet, options) in variants.items():
                    started, started_cpu = time.perf_counter(), time.process_time()
                    render.render_establishment(report, stylesheet=sheet, options=options)
                    times[name].append(time.perf_counter() - started)
                    cpu[name].append(time.process_time() - started_cpu)
            load_renders = os.getloadavg()[0]
            config = batch.worker_config(app.config)
            region = batch.jobs_of(world.own.region_code, assessment.campaign_id, Path(tmp))
            jobs = [batch.Job(region[i % len(region)].assessment_id, region[i % len(region)].finess,
                              "", str(Path(tmp) / f"{i}.pdf")) for i in range(args.batch)]
            assessment_id = assessment.id
            db.session.remove()
            db.engine.dispose()
        batch_times = {procs: batch_seconds(jobs, config, procs) for procs in (1, 2)}
        load_batch = os.getloadavg()[0]
        memory = None
        if args.memory:
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                     initializer=batch._init_worker,  # noqa: SLF001
                                     initargs=(config, "fr")) as pool:
                memory = pool.submit(memory_worker, assessment_id, args.memory).result()
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, load average "
          f"{load_before:.1f} before, {load_renders:.1f} after the renders, "
          f"{load_batch:.1f} after the batches, {os.getloadavg()[0]:.1f} at the end")
    print(f"report: {len(report.roadmap or [])} actions, {pages} pages, "
          f"{len(first.pdf) // 1024} KiB; {args.n} renders of each variant, interleaved")
    for name, values in times.items():
        print(f"{name:>11}: p50 {statistics.median(values):.2f} s, "
              f"p95 {percentile(values, 0.95):.2f} s (CPU p50 {statistics.median(cpu[name]):.2f} s)")
    ratio = statistics.median(times["report.css"]) / statistics.median(times[NAIVE])
    print(f"p50 ratio report.css / naive: {ratio:.2f}")
    tagging = statistics.median(cpu["report.css"]) / statistics.median(cpu["untagged"]) - 1
    print(f"PDF/UA tagging: +{tagging:.0%} CPU time")
    for procs, (seconds, steady, failed) in batch_times.items():
        print(f"batch, {procs} process(es): {len(jobs)} reports in {seconds:.1f} s "
              f"({len(jobs) / seconds * 60:.1f} reports/min), after the first report "
              f"{(len(jobs) - 1) / steady * 60:.1f} reports/min; {failed} failed")
    print(f"batch throughput ratio 2 / 1 processes: {batch_times[1][0] / batch_times[2][0]:.2f}"
          f" (after the first report: "
          f"{batch_times[1][1] / batch_times[2][1]:.2f})")
    if memory is not None:
        warm, last, per_render = memory
        print(f"worker memory: {warm // 1024} MiB after 5 renders, {last // 1024} MiB after "
              f"{args.memory} ({last / warm - 1:+.1%}), {per_render:.2f} s per render")


if __name__ == "__main__":
    main()
