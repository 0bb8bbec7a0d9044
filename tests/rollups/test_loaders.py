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


def _registers(establishment, editor, days_ago: int) -> None:  # noqa: ANN001
    import datetime as dt

    from careapp.resilience import services as registers
    from careapp.resilience.models import ActivityKind, ExerciseStatus, ExerciseType, KitLevel, Scenario
    from careapp.roadmap import services as roadmap

    registers.save_exercise(establishment, None, {
        "status": ExerciseStatus.HELD, "held_on": dt.date.today() - dt.timedelta(days=days_ago),
        "type": ExerciseType.TABLETOP, "kit_level": KitLevel.NONE, "scenario": Scenario.RANSOMWARE,
        "functions": []}, editor, None)
    registers.save_activity(establishment, None, {"kind": ActivityKind.CARE_SERVICE,
                                                  "name": "Urgences", "bia_done": True}, editor, None)
    registers.save_profile(establishment, {"pssi_reviewed_on": dt.date(2024, 1, 1)}, editor, None)
    roadmap.create_manual(establishment, {"title": "Former les cadres"}, editor)


def test_register_summaries_take_four_queries_and_match_the_registers(app) -> None:  # noqa: ANN001
    from careapp.rollups.loaders import register_summaries

    world = make_world()
    editor = world.users["editor"]
    _registers(world.own, editor, days_ago=30)
    db.session.commit()
    ids = [world.own.id, world.same_region.id]
    with counting_queries() as small:
        summaries = register_summaries(ids)
    own, other = summaries[world.own.id], summaries[world.same_region.id]
    assert own.indicators.within_12_months and own.indicators.days_since_last == 30
    assert own.d2.item("pssi").status.value == "met"
    assert own.roadmap.by_status["todo"] == own.roadmap.total > 1  # generated + the manual one
    assert not other.indicators.within_12_months and other.roadmap.total == 0
    assert other.d2.unknown == other.d2.total

    for index in range(8):
        est = factories.establishment("53")
        _registers(est, editor, days_ago=400 + index)
        ids.append(est.id)
    db.session.commit()
    with counting_queries() as large:
        summaries = register_summaries(ids)
    assert sum(1 for s in summaries.values() if s.indicators.days_since_last) == 9
    assert len(large) == len(small) == 4
