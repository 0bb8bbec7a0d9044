"""The establishment lines (establishment_rollups, careapp/rollups/refresh.py) and their frame
(loaders.establishment_rollups_frame): the snapshot's figures and the registers' summary, equal
to what the other loaders compute; missing lines stored on first read; one query when stored.
Both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select

from careapp.db import db
from careapp.resilience import services as registers
from careapp.resilience.models import ExerciseStatus, ExerciseType, KitLevel, Scenario
from careapp.rollups import indicators as ind
from careapp.rollups.loaders import (
    ROLLUP_COLUMNS,
    establishment_rollups_frame,
    establishments_frame,
    register_summaries,
    roadmap_counts_frame,
)
from careapp.rollups.models import EstablishmentRollup
from tests.rollups.test_loaders import counting_queries
from tests.world import make_world, submitted_assessment


def test_the_frame_equals_the_snapshots_and_registers(app) -> None:  # noqa: ANN001
    today = dt.date.today()
    world = make_world()
    editor = world.users["editor"]
    editor.establishments.append(world.same_region)
    submitted_assessment(world.campaign, world.own, editor, level=2)
    registers.save_exercise(world.same_region, None, {
        "status": ExerciseStatus.HELD, "held_on": today - dt.timedelta(days=200),
        "type": ExerciseType.TABLETOP, "kit_level": KitLevel.BEGINNER,
        "scenario": Scenario.RANSOMWARE, "functions": ["direction", "it"]}, editor, None)
    db.session.commit()

    frame = establishment_rollups_frame(world.campaign.id, "53")
    assert list(frame.columns) == ROLLUP_COLUMNS
    assert list(frame["name"]) == ["CH de Brest test", "CH de Rennes test"]
    own = frame.set_index("establishment_id").loc[world.own.id]
    brest = frame.set_index("establishment_id").loc[world.same_region.id]
    reference = establishments_frame(world.campaign.id, "53").set_index("establishment_id")
    for column in ("status", "overall", "overall_level", "socle_rate", "ght_code", "category"):
        assert own[column] == reference.loc[world.own.id, column], column
    assert own["status"] == "submitted" and brest["status"] is None
    assert set(own["axes"]) and brest["axes"] == {}
    assert set(own["domains"]) <= {"D1", "D2", "D3", "D4", "HOSPICONNECT"} and own["domains"]
    assert set(own["domains"].values()) <= {ind.READY, ind.NOT_READY, ind.NOT_ASSESSABLE}
    summaries = register_summaries([world.own.id, world.same_region.id], today)
    counts = roadmap_counts_frame("53", today).set_index("establishment_id")
    for eid, line in ((world.own.id, own), (world.same_region.id, brest)):
        s = summaries[eid]
        assert (line["d2_met"], line["d2_total"], line["d2_unknown"]) == (
            s.d2.met, s.d2.total, s.d2.unknown)
        assert line["last_exercise_on"] == s.indicators.last_held_on
        assert line["retex_missing"] == len(s.indicators.retex_missing)
        expected = counts.loc[eid].tolist() if eid in counts.index else [0, 0, 0]
        assert [line["open_actions"], line["open_p1"], line["overdue"]] == expected
    assert brest["last_exercise_on"] == today - dt.timedelta(days=200)
    assert brest["retex_missing"] == 1 and own["open_actions"] > 0

    with counting_queries() as queries:
        again = establishment_rollups_frame(world.campaign.id, "53")
    assert len(queries) == 1 and again.equals(frame)
    assert len(establishment_rollups_frame(world.campaign.id)) == 3


def test_missing_lines_are_stored_on_first_read(app) -> None:  # noqa: ANN001
    world = make_world()
    submitted_assessment(world.campaign, world.own, world.users["editor"], level=1)
    kept = establishment_rollups_frame(world.campaign.id, "53")
    db.session.execute(delete(EstablishmentRollup))
    db.session.commit()
    frame = establishment_rollups_frame(world.campaign.id, "53")
    db.session.commit()
    assert frame.equals(kept)
    assert db.session.scalar(select(func.count()).select_from(EstablishmentRollup)) == 2
