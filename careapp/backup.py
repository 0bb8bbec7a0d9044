"""Consistent backups and restores of the whole database, with a checksum manifest.

SQLite: the sqlite3 online backup API (a consistent copy while the app runs).
PostgreSQL: pg_dump in custom format and pg_restore --clean, using the server's own tools; the
password goes to them in PGPASSWORD, never on their command line (which `ps` shows to every
account of the server).

A backup holds every answer: its folder is created 0700, its files 0600 (careapp.filemodes),
and a restored SQLite file is 0600 too.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - fixed programs, arguments as a list, no shell
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine, make_url

from careapp.filemodes import PRIVATE_FILE, create_private, make_private_dir, open_private

MANIFEST = "manifest.json"
SQLITE_FILE = "careapp.sqlite"
PG_FILE = "careapp.dump"


class BackupError(RuntimeError):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_tool(name: str) -> str:
    """The newest Debian server tools first (they match the server), then PATH."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parents[1].name))
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        raise BackupError(f"{name} introuvable : installez le client PostgreSQL.")
    return found


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The libpq connection URL without its password, and the environment for the child
    process, which carries the password (PGPASSWORD) when there is one."""
    url = engine.url.set(drivername="postgresql")
    password = url.password
    query = dict(url.query)
    if password is None and isinstance(query.get("password"), str):  # ?password=… in the URL
        password = query["password"]
    query.pop("password", None)
    env = dict(os.environ)  # without a password in the URL, PGPASSWORD or ~/.pgpass serve
    if password is not None:
        env["PGPASSWORD"] = str(password)
    bare = URL.create(url.drivername, username=url.username, host=url.host, port=url.port,
                      database=url.database, query=query)  # url.set(password=None) keeps it
    return bare.render_as_string(hide_password=False), env


def pg_dump_command(engine: Engine) -> tuple[list[str], dict[str, str]]:
    """pg_dump's arguments (the dump goes to its standard output) and environment."""
    url, env = _libpq(engine)
    return [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--dbname={url}"], env


def pg_restore_command(engine: Engine, dump: Path) -> tuple[list[str], dict[str, str]]:
    url, env = _libpq(engine)
    return [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
            "--single-transaction", f"--dbname={url}", str(dump)], env


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()  # noqa: S608
                for name in sorted(inspect(conn).get_table_names())}


def backup(engine: Engine, out: Path) -> dict[str, Any]:
    make_private_dir(out)
    if any(out.iterdir()):
        raise BackupError(f"{out} n'est pas vide : choisissez un dossier nouveau.")
    dialect = engine.dialect.name
    if dialect == "sqlite":
        target = out / SQLITE_FILE
        create_private(target)  # SQLite would create it 0644
        source = sqlite3.connect(make_url(str(engine.url)).database or "")
        try:
            with sqlite3.connect(target) as copy:
                source.backup(copy)
        finally:
            source.close()
    elif dialect == "postgresql":
        target = out / PG_FILE
        command, env = pg_dump_command(engine)
        with open_private(target) as dump:
            subprocess.run(command, stdout=dump, stderr=subprocess.PIPE, env=env, check=True)  # noqa: S603
    else:
        raise BackupError(f"base non prise en charge : {dialect}")
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "dialect": dialect,
        "files": {target.name: _sha256(target)},
        "row_counts": _row_counts(engine),
    }
    with open_private(out / MANIFEST, "w") as handle:
        handle.write(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def restore(engine: Engine, source: Path) -> dict[str, Any]:
    manifest_path = source / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{manifest_path} manquant : ce dossier n'est pas une sauvegarde careapp.")
    manifest = json.loads(manifest_path.read_text())
    if manifest["dialect"] != engine.dialect.name:
        raise BackupError(f"sauvegarde {manifest['dialect']}, base cible {engine.dialect.name}.")
    for name, expected in manifest["files"].items():
        if not (source / name).exists() or _sha256(source / name) != expected:
            raise BackupError(f"{name} : empreinte différente du manifeste, restauration refusée.")
    engine.dispose()
    if engine.dialect.name == "sqlite":
        database = Path(make_url(str(engine.url)).database or "")
        create_private(database)
        database.chmod(PRIVATE_FILE)  # the whole data set is written into it
        copy = sqlite3.connect(source / SQLITE_FILE)
        try:
            with sqlite3.connect(database) as target:
                copy.backup(target)
        finally:
            copy.close()
    else:
        command, env = pg_restore_command(engine, source / PG_FILE)
        subprocess.run(command, env=env, check=True, capture_output=True)  # noqa: S603
    counts = _row_counts(engine)
    if counts != manifest["row_counts"]:
        raise BackupError("après restauration, le nombre de lignes diffère du manifeste.")
    return manifest
