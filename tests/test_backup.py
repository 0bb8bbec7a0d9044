"""Backup and restore round-trip, on both databases, through the CLI."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from careapp import backup as backup_module
from careapp.db import db
from tests import factories
from tests.world import make_world, submitted_assessment


def table_contents() -> dict[str, list[tuple]]:
    with db.engine.connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        return {name: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{name}"'))), key=repr)  # noqa: S608
                for name in names}


def test_backup_then_restore_gives_back_the_same_tables(app, tmp_path) -> None:  # noqa: ANN001
    world = make_world()
    submitted_assessment(world.campaign, world.own, world.users["editor"])
    db.session.commit()
    before = table_contents()
    runner = app.test_cli_runner()
    out = tmp_path / "sauvegarde"
    result = runner.invoke(args=["backup", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["row_counts"]["answers"] == len(before["answers"]) > 0

    factories.establishment("53", name="Créé après la sauvegarde")  # a change to undo
    db.session.commit()
    db.session.remove()
    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    assert table_contents() == before


def test_a_tampered_backup_is_refused_and_changes_nothing(app, tmp_path) -> None:  # noqa: ANN001
    make_world()
    db.session.commit()
    runner = app.test_cli_runner()
    out = tmp_path / "sauvegarde"
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    data_file = next(p for p in out.iterdir() if p.name != "manifest.json")
    data_file.write_bytes(data_file.read_bytes() + b"x")
    before = table_contents()
    db.session.remove()
    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 1
    assert "empreinte différente du manifeste" in result.output
    assert table_contents() == before


def test_backup_refuses_a_folder_that_is_not_empty(app, tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "autre.txt").write_text("x")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path)])
    assert result.exit_code == 1 and "n'est pas vide" in result.output


# -- who may read a backup, who may see the password --------------------------------------------

def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The common umask 022, under which files are created world-readable unless told not to."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_backup_files_and_restored_database_are_readable_by_their_owner_only(
        app, tmp_path, usual_umask) -> None:  # noqa: ANN001
    make_world()
    db.session.commit()
    runner = app.test_cli_runner()
    out = tmp_path / "sauvegardes" / "du-jour"
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    assert mode(out) == 0o700
    files = sorted(out.iterdir())
    assert [p.name for p in files] == sorted(["manifest.json", data_name()])
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}

    db.session.remove()
    if db.engine.dialect.name == "sqlite":  # a database file made world-readable before the fix
        database = Path(db.engine.url.database)
        database.chmod(0o644)
    assert runner.invoke(args=["restore", str(out), "--yes"]).exit_code == 0
    if db.engine.dialect.name == "sqlite":
        assert mode(database) == 0o600


def data_name() -> str:
    return "careapp.sqlite" if db.engine.dialect.name == "sqlite" else "careapp.dump"


def test_the_database_password_is_never_on_a_command_line(app, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """pg_dump and pg_restore get the password in their environment (PGPASSWORD): a command
    line is visible to every account of the server (ps, /proc)."""
    password = "mot-de-passe-Secret-42"
    engine = db.engine
    if engine.dialect.name == "postgresql":  # the test server trusts local connections: the
        engine = create_engine(engine.url.set(password=password))  # password is carried, unused
    launched: list[tuple[list[str], dict[str, str] | None]] = []
    real_run = subprocess.run

    def spy(args, **kwargs):  # noqa: ANN001, ANN003, ANN202
        launched.append((list(args), kwargs.get("env")))
        return real_run(args, **kwargs)

    monkeypatch.setattr(backup_module.subprocess, "run", spy)
    make_world()
    db.session.commit()
    try:
        backup_module.backup(engine, tmp_path / "sauvegarde")
        backup_module.restore(engine, tmp_path / "sauvegarde")
    finally:
        if engine is not db.engine:
            engine.dispose()
    if db.engine.dialect.name == "sqlite":
        assert launched == []  # SQLite's backup API: no program, no password
        return
    assert [Path(args[0]).name for args, _ in launched] == ["pg_dump", "pg_restore"]
    for args, env in launched:
        assert not any(password in arg for arg in args), args
        assert env is not None and env["PGPASSWORD"] == password


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://careapp:mot-de-passe-Secret-42@db.example:5432/careapp",
    "postgresql+psycopg://careapp@db.example/careapp?password=mot-de-passe-Secret-42",
])
def test_pg_commands_carry_the_password_in_the_environment_only(url: str, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PGPASSWORD", "un-autre")
    monkeypatch.setattr(backup_module, "_pg_tool", lambda name: f"/usr/bin/{name}")
    engine = create_engine(url)
    for args, env in (backup_module.pg_dump_command(engine),
                      backup_module.pg_restore_command(engine, Path("/sauvegarde/careapp.dump"))):
        assert not any("Secret" in arg for arg in args), args
        assert env["PGPASSWORD"] == "mot-de-passe-Secret-42"
        dbname = next(arg for arg in args if arg.startswith("--dbname="))
        assert dbname.startswith("--dbname=postgresql://careapp@db.example")
    engine.dispose()
