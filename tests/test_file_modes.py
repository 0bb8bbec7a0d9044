"""The SQLite database the application creates is readable by its owner only (issue #9 F11)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade

from careapp import create_app
from careapp.db import db

MIGRATIONS = str(Path(__file__).parent.parent / "migrations")


@pytest.fixture
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # files would be created 0644, readable by every account
    yield
    os.umask(previous)


def test_db_upgrade_creates_the_sqlite_file_0600(tmp_path: Path, usual_umask: None) -> None:
    database = tmp_path / "instance" / "careapp.sqlite"
    database.parent.mkdir()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "ENV_NAME": "test",
                      "SECRET_KEY": "test-secret", "TESTING": True})
    with app.app_context():
        upgrade(directory=MIGRATIONS)  # what `flask --app careapp db upgrade` runs
        db.engine.dispose()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    leftovers = [p for p in database.parent.iterdir() if p != database]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in leftovers), leftovers


def test_an_existing_database_file_keeps_its_mode(tmp_path: Path, usual_umask: None) -> None:
    """Only creation is decided here: an operator's own choice for an existing file stays."""
    database = tmp_path / "careapp.sqlite"
    database.touch(mode=0o640)
    database.chmod(0o640)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "ENV_NAME": "test",
                      "SECRET_KEY": "test-secret", "TESTING": True})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
    assert stat.S_IMODE(database.stat().st_mode) == 0o640
