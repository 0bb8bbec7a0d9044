"""Two people saving the same roadmap action at the same moment, in two real database sessions.

Both read the action at the same revision; both write. The row's version check
(UPDATE … WHERE revision = the one read) lets exactly one through; the other writes nothing
and is told the action changed (StaleDataError, then StaleRecord when the view retries).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from careapp.audit.models import AuditEvent
from careapp.auth.models import User
from careapp.db import db
from careapp.locking import StaleRecord
from careapp.roadmap import services
from careapp.roadmap.models import ActionStatus, Priority, RoadmapAction
from tests.concurrency import race
from tests.world import make_world


def test_two_concurrent_saves_of_an_action_one_wins_one_is_told(app) -> None:  # noqa: ANN001
    world = make_world()
    editor = world.users["editor"]
    action = services.create_manual(world.own, {
        "title": "Coffre-fort de mots de passe", "priority": Priority.P2, "owner": "",
        "due_on": None, "status": ActionStatus.TODO, "abandon_reason": "", "comment": "",
        "axis_id": "OPS", "domain": None}, editor)
    db.session.commit()
    action_id, editor_id, establishment_id = action.id, editor.id, world.own.id
    seen = action.revision
    typed = {"A": ("Mme Martin", ActionStatus.IN_PROGRESS), "B": ("M. Bernard", ActionStatus.DONE)}

    def read() -> RoadmapAction:
        mine = db.session.get(RoadmapAction, action_id)
        assert mine.revision == seen
        return mine

    def write(name: str, mine: RoadmapAction) -> None:
        owner, status = typed[name]
        services.update_action(mine.establishment, mine, {
            "owner": owner, "status": status, "comment": f"saisi par {name}"},
            db.session.get(User, editor_id), seen)

    outcomes = race(app, read, write)
    assert sorted(outcomes.values()) == ["StaleDataError", "saved"], outcomes
    winner = "A" if outcomes["A"] == "saved" else "B"
    expected = typed[winner]

    db.session.expire_all()
    saved = db.session.get(RoadmapAction, action_id)
    assert (saved.owner, saved.status, saved.comment) == (*expected, f"saisi par {winner}")
    assert saved.revision == seen + 1  # one write only
    # nothing of the loser was written, not even its audit row
    updates = db.session.scalars(select(AuditEvent).filter_by(action="roadmap.update")).all()
    assert [u.details["changes"]["comment"][1] for u in updates] == [f"saisi par {winner}"]
    assert all(int(u.object_id) == action_id and u.establishment_id == establishment_id
               for u in updates)

    # The loser's retry (what the view does on reloading the row) is told: StaleRecord.
    with pytest.raises(StaleRecord):
        services.update_action(world.own, saved, {"owner": "perdant"}, editor, seen)
    db.session.rollback()
    assert db.session.get(RoadmapAction, action_id).owner == expected[0]
