"""End-to-end HTTP load benchmark: `python -m bench.bench_http` (`make bench-http`).

1. starts a private PostgreSQL cluster (tests/pg.py's way, in /tmp/h4_pg*), migrates, loads a
   synthetic nation (`flask --app careapp bench-data --establishments N --campaigns 3
   --with-users 40`: benchmark accounts with a password and TOTP secret made up for the run);
2. boots gunicorn with 2 workers in production settings on 127.0.0.1 only;
3. per scenario (ARS dashboard of the region closest to 400 establishments, national
   dashboard, questionnaire section page, section save), runs locust headless
   (bench/locustfile.py): 20 users, each logged in through the password and TOTP steps,
   1 s between requests, for a bounded time; the baseline (`GET /sante`) is measured in the
   same run under the same load;
4. prints p50/p95/p99, errors and the ratio to the baseline, as a Markdown table;
5. stops gunicorn and PostgreSQL whatever happens (the temporary directories go too).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess  # noqa: S404 - fixed commands, no shell
import sys
import tempfile
import time
from pathlib import Path

import pyotp
from cryptography.fernet import Fernet

from tests.pg import PostgresServer, start_server

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCENARIOS = ("ars", "national", "section", "save")
TARGETS_MS = {"ars": 300, "national": 300, "section": 150, "save": 250}
ACCOUNTS = 42  # per kind: 20 + 20 RSSI (section, save), and one per solo pass
BOOT_SECONDS = 90


def run(command: list[str], env: dict[str, str], log: Path, cwd: Path) -> None:
    with log.open("ab") as out:
        result = subprocess.run(command, cwd=cwd, env=env, stdout=out,  # noqa: S603
                                stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])}… failed, see {log}:\n"
                         + log.read_text()[-3000:])


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + BOOT_SECONDS
    while True:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise SystemExit(f"gunicorn not ready:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # its own process group: workers too
        process.wait(timeout=30)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def read_stats(prefix: Path) -> dict[str, dict[str, str]]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def export(commit: str, target: Path, log: Path) -> str:
    """The committed tree of `commit` (not the working tree, which other people may be
    editing), with its translations compiled; returns the commit's short hash."""
    short = subprocess.run(["git", "rev-parse", "--short", f"{commit}^{{commit}}"],  # noqa: S603, S607
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    target.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", short], cwd=ROOT,  # noqa: S603, S607
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)  # noqa: S603, S607
    if not (target / "careapp/benchdata/users.py").exists():
        # A commit older than `bench-data --with-users`: the benchmark accounts come from the
        # tool's own commit (bench data only; nothing the server runs).
        for name in ("cli.py", "users.py"):
            source = subprocess.run(["git", "show", f"HEAD:careapp/benchdata/{name}"],  # noqa: S603, S607
                                    cwd=ROOT, capture_output=True, check=True).stdout
            (target / "careapp/benchdata" / name).write_bytes(source)
    if list(target.glob("careapp/translations/*/LC_MESSAGES/*.po")):
        run([str(BIN / "pybabel"), "-q", "compile", "-d", "careapp/translations"],
            dict(os.environ), log, target)
    return short


def main() -> None:  # noqa: PLR0915 - one linear script, clean-up in one place
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--establishments", type=int, default=3000)
    parser.add_argument("--campaigns", type=int, default=3)
    parser.add_argument("--users", type=int, default=20, help="concurrent simulated users")
    parser.add_argument("--time", type=int, default=60, help="seconds per scenario")
    parser.add_argument("--solo-time", type=int, default=20,
                        help="seconds of a first pass with one user alone (0: none)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8761)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--commit", default="HEAD",
                        help="the commit measured (its committed tree, exported by git archive)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work directory (logs, locust CSV) after the run")
    args = parser.parse_args()
    if args.users > 20 or args.time > 600 or args.solo_time > 600:
        parser.error("at most 20 users and 600 s per scenario")
    scenarios = [s for s in args.scenarios.split(",") if s]
    if unknown := set(scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenarios: {sorted(unknown)}")
    # SIGTERM (make interrupted, a CI timeout) runs the clean-up below as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    work = Path(tempfile.mkdtemp(prefix="h4_bench_http_"))
    pg_base = Path(tempfile.mkdtemp(prefix="h4_pg"))
    log = work / "setup.log"
    server: PostgresServer | None = None
    gunicorn: subprocess.Popen | None = None
    locust: subprocess.Popen | None = None
    password = "Bench-" + secrets.token_urlsafe(18)
    totp_secret = pyotp.random_base32()
    common = {k: v for k, v in os.environ.items() if not k.startswith("CAREAPP_")}
    common["CAREAPP_TOTP_KEYS"] = Fernet.generate_key().decode()  # the same for load and serve
    results: dict[str, dict[str, dict[str, str]]] = {}
    try:
        src = work / "src"
        measured = export(args.commit, src, log)
        common["PYTHONPATH"] = str(src)  # before the editable install of the working tree
        print(f"[bench-http] commit {measured} exported to {src}; PostgreSQL in {pg_base}",
              flush=True)
        run([sys.executable, "-c", "import careapp, sys; "
             f"sys.exit(not careapp.__file__.startswith({str(src)!r}))"], common, log, work)
        server = start_server(pg_base)  # initdb refuses root: runs as `postgres`
        common["CAREAPP_DATABASE_URL"] = server.create_database("careapp_bench")
        setup = {**common, "CAREAPP_ENV": "development",
                 "CAREAPP_SECRET_KEY": secrets.token_hex(32)}
        flask = [str(BIN / "flask"), "--app", "careapp"]
        run([*flask, "db", "upgrade"], setup, log, src)
        manifest_path = work / "accounts.json"
        started = time.monotonic()
        print(f"[bench-http] bench-data --establishments {args.establishments} "
              f"--campaigns {args.campaigns} --with-users {ACCOUNTS}…", flush=True)
        run([*flask, "bench-data", "--establishments", str(args.establishments),
             "--campaigns", str(args.campaigns), "--with-users", str(ACCOUNTS),
             "--users-file", str(manifest_path)],
            {**setup, "CAREAPP_BENCH_PASSWORD": password,
             "CAREAPP_BENCH_TOTP_SECRET": totp_secret}, log, src)
        print(f"[bench-http] loaded in {time.monotonic() - started:.0f} s", flush=True)
        manifest = json.loads(manifest_path.read_text())
        sizes = manifest["establishments_per_region"]
        region = min(sizes, key=lambda code: (abs(sizes[code] - 400), code))

        serve = {**common, "CAREAPP_ENV": "production",
                 "CAREAPP_SECRET_KEY": secrets.token_hex(32)}
        glog = work / "gunicorn.log"
        with glog.open("wb") as out:
            gunicorn = subprocess.Popen(  # noqa: S603
                [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{args.port}",
                 "--workers", str(args.workers), "--graceful-timeout", "5", "wsgi:app"],
                cwd=src, env=serve, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        wait_for_port(args.port, gunicorn, glog)
        print(f"[bench-http] gunicorn ({args.workers} workers) on 127.0.0.1:{args.port}; "
              f"ARS region {region} ({sizes[region]} establishments)", flush=True)

        passes = [(s, 1, args.solo_time, 40 + (s == "save"), f"{s}_solo")
                  for s in scenarios if args.solo_time] + [
                  (s, args.users, args.time, 20 if s == "save" else 0, s) for s in scenarios]
        for scenario, users, seconds, offset, key in passes:
            prefix = work / key
            env = {**common, "BENCH_SCENARIO": scenario, "BENCH_MANIFEST": str(manifest_path),
                   "BENCH_PASSWORD": password, "BENCH_TOTP_SECRET": totp_secret,
                   "BENCH_REGION": region, "BENCH_OFFSET": str(offset)}
            print(f"[bench-http] {scenario}: {users} users, {seconds} s…", flush=True)
            with (work / f"{key}.log").open("wb") as out:
                locust = subprocess.Popen(  # noqa: S603
                    [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
                     "--headless", "--users", str(users),
                     "--spawn-rate", str(max(1, users // 5)), "--run-time", f"{seconds}s",
                     "--stop-timeout", "10", "--reset-stats", "--only-summary",
                     "--host", f"http://127.0.0.1:{args.port}", "--csv", str(prefix),
                     "--exit-code-on-error", "0"],
                    cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True)
                locust.wait(timeout=seconds + 120)
            locust = None
            results[key] = read_stats(prefix)
    finally:
        stop(locust)
        stop(gunicorn)
        if server is not None:
            try:
                server.stop()  # removes pg_base too
            except Exception as exc:  # noqa: BLE001 - report, keep cleaning
                print(f"[bench-http] PostgreSQL stop: {exc}", file=sys.stderr)
        shutil.rmtree(pg_base, ignore_errors=True)
        if not args.keep and results:
            shutil.rmtree(work, ignore_errors=True)
    report(results, args, region, sizes, measured)


def _ms(row: dict[str, str], column: str) -> float:
    return float(row[column])


def report(results: dict, args: argparse.Namespace, region: str, sizes: dict,
           measured: str) -> None:
    from bench.locustfile import BASELINE, NAMES  # noqa: PLC0415 - needs no manifest at import

    print()
    print(f"{dt.date.today()}, {os.cpu_count()} cores ({platform.processor() or platform.machine()}),"
          f" Python {platform.python_version()}, commit {measured}; gunicorn "
          f"{args.workers} workers, PostgreSQL, {args.establishments} establishments × "
          f"{args.campaigns} campaigns; {args.users} users, 1 s between requests, "
          f"{args.time} s per scenario (after all users logged in); one user alone "
          f"{args.solo_time} s first:")
    print()
    print(f"| route | 1 user: p50 / p95 | {args.users} users: requests | errors | p50 | p95 | p99 "
          "| p95 target | baseline `GET /sante` p50 / p95 (same run) | p95 ÷ baseline p95 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for scenario in [s for s in results if not s.endswith("_solo")]:
        stats = results[scenario]
        name = NAMES[scenario] + (region if scenario == "ars" else "")
        solo = results.get(f"{scenario}_solo", {}).get(name)
        alone = f"{_ms(solo, '50%'):.0f} / {_ms(solo, '95%'):.0f} ms" if solo else "—"
        row, base = stats.get(name), stats.get(BASELINE)
        if row is None or base is None:
            print(f"| {name} | {alone} | no data (see the locust log) |")
            continue
        label = f"{name} ({sizes[region]} establishments)" if scenario == "ars" else name
        p95, b95 = _ms(row, "95%"), _ms(base, "95%")
        verdict = "met" if p95 <= TARGETS_MS[scenario] else "missed"
        print(f"| {label} | {alone} | {row['Request Count']} | {row['Failure Count']} | "
              f"{_ms(row, '50%'):.0f} ms | {p95:.0f} ms | {_ms(row, '99%'):.0f} ms | "
              f"≤ {TARGETS_MS[scenario]} ms: {verdict} | {_ms(base, '50%'):.0f} / {b95:.0f} ms "
              f"({base['Failure Count']} errors) | × {p95 / max(b95, 1):.1f} |")


if __name__ == "__main__":
    main()
