"""PDF report render time: `python -m bench.pdf [-n 20]`.

Builds, on a fresh SQLite file, a fully answered and submitted assessment with peers, the
registers and a roadmap of about 50 actions (a report of 10+ pages), then renders the
establishment's report N times with the real stylesheet and N times with a naive one
(automatic table layout, no fixed column widths), interleaved in the same run, and prints
p50/p95 of each and their ratio. Targets (issue #12): p50 ≤ 1.5 s and ≤ 0.5 × the naive one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from pypdf import PdfReader
from weasyprint.urls import URLFetcherResponse

from careapp import create_app
from careapp.db import db
from careapp.reports import data as report_data
from careapp.reports import fetcher as report_fetcher
from careapp.reports import render
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=20, help="renders of each variant (≥ 20)")
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
            pages = len(PdfReader(io.BytesIO(first.pdf)).pages)
            times: dict[str, list[float]] = {"report.css": [], NAIVE: []}
            for _ in range(args.n):
                for sheet in times:
                    started = time.perf_counter()
                    render.render_establishment(report, stylesheet=sheet)
                    times[sheet].append(time.perf_counter() - started)
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"report: {len(report.roadmap or [])} actions, {pages} pages, "
          f"{len(first.pdf) // 1024} KiB; {args.n} renders of each stylesheet, interleaved")
    for sheet, values in times.items():
        print(f"{sheet:>11}: p50 {statistics.median(values):.2f} s, "
              f"p95 {percentile(values, 0.95):.2f} s")
    ratio = statistics.median(times["report.css"]) / statistics.median(times[NAIVE])
    print(f"p50 ratio report.css / naive: {ratio:.2f}")


if __name__ == "__main__":
    main()
