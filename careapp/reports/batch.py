"""`flask --app careapp report batch --region CODE --campaign ID -o DIR --jobs N`: the report
of every establishment of a region that has an assessment in the campaign, rendered in a pool
of worker processes.

Each worker builds its own application (create_app with the parent's database settings) and
database session in its initializer, renders the reports it is given (data, HTML, PDF) and
writes them; it is replaced after `RENDERS_PER_WORKER` reports, which bounds its memory
(WeasyPrint and Pango keep caches). Workers are started with `spawn` (Python refuses to
recycle forked workers, and a fork would share the parent's database connections). A failed
report is recorded and the batch goes on; the caller lists the failures.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from careapp.assessments.models import Assessment
from careapp.db import db
from careapp.organisations.models import Establishment
from careapp.reports.views import report_filename

RENDERS_PER_WORKER = 50
# The parent's settings a worker's application needs (everything else comes from the
# environment and the instance folder, as for the parent).
WORKER_CONFIG_KEYS = ("SQLALCHEMY_DATABASE_URI", "ENV_NAME", "SECRET_KEY", "TESTING")


@dataclass(frozen=True)
class Job:
    assessment_id: int
    finess: str
    name: str
    output: str


@dataclass(frozen=True)
class Outcome:
    job: Job
    size: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def jobs_of(region_code: str, campaign_id: int, out_dir: Path) -> list[Job]:
    """Every establishment of the region with an assessment in the campaign, by FINESS."""
    rows = db.session.execute(
        select(Assessment.id, Establishment.finess_et, Establishment.name)
        .join(Establishment, Assessment.establishment_id == Establishment.id)
        .where(Establishment.region_code == region_code, Assessment.campaign_id == campaign_id)
        .order_by(Establishment.finess_et)).all()
    return [Job(aid, finess, name, str(out_dir / report_filename(finess, campaign_id)))
            for aid, finess, name in rows]


def worker_config(config: Any) -> dict[str, Any]:
    return {key: config[key] for key in WORKER_CONFIG_KEYS if key in config}


_APP: Any = None
_LANG = "fr"


def _init_worker(config: dict[str, Any], lang: str) -> None:
    global _APP, _LANG  # noqa: PLW0603 - one application per worker process
    from careapp import create_app

    _APP = create_app(config)
    _LANG = lang


def render_job(job: Job) -> Outcome:
    """Runs in a worker: one report, written to its file. Never raises: a failure is an
    Outcome with the error (and the traceback's last lines)."""
    from careapp.reports import data, render

    try:
        with _APP.app_context():
            try:
                assessment = db.session.get(Assessment, job.assessment_id)
                if assessment is None:
                    return Outcome(job, error="évaluation introuvable")
                report = data.establishment_report(assessment, _LANG, with_registers=True)
                pdf = render.render_establishment(report).pdf
            finally:
                db.session.remove()
        Path(job.output).write_bytes(pdf)
        return Outcome(job, size=len(pdf))
    except Exception as exc:  # noqa: BLE001 - reported, the batch goes on
        last = traceback.format_exception(exc)[-1].strip()
        return Outcome(job, error=last)


def run(jobs: list[Job], config: dict[str, Any], *, processes: int, lang: str = "fr",
        renders_per_worker: int = RENDERS_PER_WORKER,
        on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Renders the jobs in `processes` worker processes; outcomes in completion order."""
    outcomes: list[Outcome] = []
    for outcome in _pool(jobs, config, processes, lang, renders_per_worker):
        outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)
    return outcomes


def _pool(jobs: list[Job], config: dict[str, Any], processes: int, lang: str,
          renders_per_worker: int) -> Iterator[Outcome]:
    if not jobs:
        return
    with ProcessPoolExecutor(max_workers=max(1, min(processes, len(jobs))),
                             mp_context=multiprocessing.get_context("spawn"),
                             initializer=_init_worker, initargs=(config, lang),
                             max_tasks_per_child=renders_per_worker) as pool:
        futures: dict[Future[Outcome], Job] = {pool.submit(render_job, job): job
                                               for job in jobs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory)
                yield Outcome(futures[future], error=f"processus de rendu perdu : {exc!r}")
