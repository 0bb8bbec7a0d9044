"""Consistent backups and restores of the whole database, with a checksum manifest.

SQLite: the sqlite3 online backup API (a consistent copy while the app runs).
PostgreSQL: pg_dump in custom format and pg_restore --clean, using the server's own tools.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import shutil
import sqlite3
import subprocess  # noqa: S404 - fixed programs, arguments as a list, no shell
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine, make_url

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


def _libpq_url(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()  # noqa: S608
                for name in sorted(inspect(conn).get_table_names())}


def backup(engine: Engine, out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise BackupError(f"{out} n'est pas vide : choisissez un dossier nouveau.")
    dialect = engine.dialect.name
    if dialect == "sqlite":
        target = out / SQLITE_FILE
        source = sqlite3.connect(make_url(str(engine.url)).database or "")
        try:
            with sqlite3.connect(target) as copy:
                source.backup(copy)
        finally:
            source.close()
    elif dialect == "postgresql":
        target = out / PG_FILE
        subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}",  # noqa: S603
                        _libpq_url(engine)], check=True, capture_output=True)
    else:
        raise BackupError(f"base non prise en charge : {dialect}")
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "dialect": dialect,
        "files": {target.name: _sha256(target)},
        "row_counts": _row_counts(engine),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
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
        copy = sqlite3.connect(source / SQLITE_FILE)
        try:
            with sqlite3.connect(make_url(str(engine.url)).database or "") as target:
                copy.backup(target)
        finally:
            copy.close()
    else:
        subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",  # noqa: S603
                        "--single-transaction", f"--dbname={_libpq_url(engine)}",
                        str(source / PG_FILE)], check=True, capture_output=True)
    counts = _row_counts(engine)
    if counts != manifest["row_counts"]:
        raise BackupError("après restauration, le nombre de lignes diffère du manifeste.")
    return manifest
