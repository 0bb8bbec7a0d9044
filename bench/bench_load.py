"""Bulk load vs ORM insert of the same rows: `python -m bench.bench_load` (`make bench-load`).

Generates a synthetic nation once (careapp/benchdata/generate.py: establishments, GHT,
assessments with their answers and frozen snapshots, registers, roadmap actions), then loads
exactly those rows into fresh migrated databases of the same kind, in the same run:

- fast path (what `flask bench-data` does): PostgreSQL COPY through psycopg; on SQLite one
  DB-API executemany per table and batch, values converted by the columns' own SQLAlchemy
  bind processors;
- baseline: one ORM object per row, `session.add` each, a flush per table and batch;
- on SQLite also SQLAlchemy Core `insert(table)` with the list of dicts, to show what the
  fast path's own parameter building saves.

Each is timed from its first row to its last one written in the transaction (generation and
scoring excluded: all get the same rows; the commit excluded too, since it also runs the
rollups refresh that opening the campaigns asks for); the figure is the ratio baseline / fast
path. On SQLite always; on PostgreSQL with a throwaway server started like the tests'
(tests/pg.py, Debian's `postgresql` binaries), unless --db sqlite.

    python -m bench.bench_load [--establishments 300] [--campaigns 3] [--db both|sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import shutil
import tempfile
import time
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from careapp import create_app
from careapp.benchdata.cli import prepare
from careapp.benchdata.generate import Batch, generate
from careapp.benchdata.load import core_insert, finish, load_batch, orm_load
from careapp.db import db

MIGRATIONS = str(Path(__file__).parents[1] / "migrations")
TODAY = dt.date(2026, 11, 29)


def make_app(url: str) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "ENV_NAME": "test",
                       "SECRET_KEY": "bench", "TESTING": True})


def migrated(url: str) -> None:
    app = make_app(url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()


def run(url: str, args: argparse.Namespace, rows: list[Batch] | None, *, mode: str
        ) -> tuple[float, int, list[Batch]]:
    """Open the campaigns, generate (when no rows are given), then time one way of loading."""
    app = make_app(url)
    with app.app_context():
        spec = prepare(args.establishments, args.campaigns, args.seed, TODAY)
        db.session.flush()
        if rows is None:
            rows = list(generate(spec))
        start = time.perf_counter()
        conn = db.session.connection()
        if mode == "fast":
            count = sum(load_batch(conn, batch) for batch in rows)
            finish(conn)
        elif mode == "core":
            count = sum(core_insert(conn, batch) for batch in rows)
        else:
            count = orm_load(rows)
        elapsed = time.perf_counter() - start
        db.session.commit()  # not timed: it also runs the rollups refresh of the new campaigns
        db.session.remove()
        db.engine.dispose()
    return elapsed, count, rows


def compare(name: str, urls: list[str], args: argparse.Namespace) -> None:
    start = time.perf_counter()
    fast, count, rows = run(urls[0], args, None, mode="fast")
    generated = time.perf_counter() - start - fast
    orm, orm_count, _ = run(urls[1], args, rows, mode="orm")
    assert orm_count == count, (orm_count, count)
    print(f"{name}: {count:,} rows ({args.establishments} establishments × {args.campaigns} "
          f"campaigns; generation and scoring {generated:.1f} s, not counted)")
    print(f"  ORM objects one by one (baseline): {orm:7.2f} s  {count / orm:9,.0f} rows/s")
    print(f"  fast path                        : {fast:7.2f} s  {count / fast:9,.0f} rows/s"
          f"  (× {orm / fast:.1f} faster)")
    if len(urls) > 2:
        core, core_count, _ = run(urls[2], args, rows, mode="core")
        assert core_count == count, (core_count, count)
        print(f"  Core insert(table), list of dicts: {core:7.2f} s  {count / core:9,.0f} rows/s"
              f"  (× {orm / core:.1f} faster)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--establishments", type=int, default=300)
    parser.add_argument("--campaigns", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", choices=("both", "sqlite", "postgresql"), default="both")
    args = parser.parse_args()
    print(f"{dt.date.today()}, {platform.node()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.machine()}")
    if args.db in ("both", "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            template = Path(tmp) / "template.sqlite"
            migrated(f"sqlite:///{template}")
            copies = []
            for label in ("fast", "orm", "core"):
                shutil.copyfile(template, Path(tmp) / f"{label}.sqlite")
                copies.append(f"sqlite:///{Path(tmp) / label}.sqlite")
            compare("SQLite (file)", copies, args)
    if args.db in ("both", "postgresql"):
        from tests.pg import start_server

        server = start_server()
        try:
            urls = [server.create_database("bench_fast"), server.create_database("bench_orm")]
            for url in urls:
                migrated(url)
            compare("PostgreSQL (throwaway server, fsync off)", urls, args)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
