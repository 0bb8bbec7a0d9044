"""A throwaway PostgreSQL server for the test run (Debian's server binaries).

pytest-postgresql's process fixture runs the server as the current user, and initdb refuses
root, which is how CI runs: this module starts the cluster as the `postgres` system user when
we are root. A server that cannot start fails the run; it is never skipped.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess  # noqa: S404 - fixed commands, no shell
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def _bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                        key=lambda p: int(Path(p).parent.name))
    if not candidates:
        raise PostgresUnavailable(
            "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin: "
            "install Debian's `postgresql` package (.ci/run does).")
    return Path(candidates[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    datadir: Path
    port: int
    bindir: Path
    as_postgres: bool

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise PostgresUnavailable(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.datadir), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--locale=C.UTF-8")
        options = (f"-p {self.port} -k {self.datadir} -h 127.0.0.1 -F "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.datadir), "-o", options, "-w", "-t", "60",
                  "-l", str(self.datadir / "server.log"), "start")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.datadir.parent, ignore_errors=True)

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_server(base: Path | None = None) -> PostgresServer:
    """A throwaway cluster in `base` (a new temporary folder by default)."""
    as_postgres = os.geteuid() == 0
    base = base or Path(tempfile.mkdtemp(prefix="careapp-pg-"))
    datadir = base / "data"
    datadir.mkdir()
    if as_postgres:
        shutil.chown(base, "postgres")
        shutil.chown(datadir, "postgres")
    server = PostgresServer(datadir, _free_port(), _bindir(), as_postgres)
    server.start()
    return server
