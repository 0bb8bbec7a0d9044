"""Backup and restore round-trip, on both databases, through the CLI."""

from __future__ import annotations

import json

from sqlalchemy import inspect, text

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
