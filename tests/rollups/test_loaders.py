"""The regional view reads with a fixed number of queries, whatever the region's size."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from careapp.db import db
from careapp.rollups.loaders import region_status_rows
from tests import factories
from tests.world import make_world, submitted_assessment


@contextmanager
def counting_queries():  # noqa: ANN201
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_region_rows_take_two_queries_whatever_the_size(app) -> None:  # noqa: ANN001
    world = make_world()
    submitted_assessment(world.campaign, world.own, world.users["editor"])
    db.session.commit()
    db.session.refresh(world.campaign)  # loaded before counting: only the loader's queries count
    with counting_queries() as small:
        rows = region_status_rows("53", world.campaign)
    assert len(rows) == 2 and any(r["axes"] for r in rows)

    editor = world.users["editor"]
    for _ in range(12):
        est = factories.establishment("53")
        editor.establishments.append(est)
        submitted_assessment(world.campaign, est, editor)
    db.session.refresh(world.campaign)
    with counting_queries() as large:
        rows = region_status_rows("53", world.campaign)
    assert len(rows) == 14 and sum(1 for r in rows if r["overall"] is not None) == 13
    assert len(large) == len(small) == 2
