"""Files holding the data (the SQLite database, backups) are readable by their owner only.

Left to the umask (often 022), they would be readable by every account of the server. Each one
is created 0600 (folders 0700) from the start, never loosened then tightened.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def open_private(path: Path, mode: str = "wb") -> IO[Any]:
    """A new file (or an emptied one) for writing, 0600 whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    return os.fdopen(fd, mode)


def create_private(path: Path) -> None:
    """An empty 0600 file where none exists (a SQLite file opened next keeps that mode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    os.fchmod(fd, PRIVATE_FILE)
    os.close(fd)


def make_private_dir(path: Path) -> None:
    """The folder (and missing parents) created 0700; an existing folder is left as it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=PRIVATE_DIR)
    except FileExistsError:
        return
    path.chmod(PRIVATE_DIR)  # mkdir's mode goes through the umask


def _sqlite_file_private(dialect: Any, _record: Any, cargs: list, cparams: dict) -> None:
    """Before SQLite opens a database file that does not exist yet (first `db upgrade`, first
    request), create it 0600: SQLite would create it 0644, and its journal and WAL files take
    the database file's mode."""
    if dialect.name != "sqlite" or cparams.get("uri"):
        return
    name = cargs[0] if cargs else cparams.get("database")
    if isinstance(name, str) and name and name != ":memory:" and not name.startswith("file:"):
        path = Path(name)
        if path.parent.is_dir():
            create_private(path)


def init_app(_app: Flask) -> None:
    if not event.contains(Engine, "do_connect", _sqlite_file_private):
        event.listen(Engine, "do_connect", _sqlite_file_private)
