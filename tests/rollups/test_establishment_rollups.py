"""The establishment lines (establishment_rollups, careapp/rollups/refresh.py) and their frame
(loaders.establishment_rollups_frame): the snapshot's figures and the registers' summary, equal
to what the other loaders compute; missing lines stored on first read; one query when stored.
Both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select

from careapp.db import db
from careapp.resilience import services as registers
from careapp.resilience.models import (
    BackupAuth,
    BackupMfa,
    ExerciseStatus,
    ExerciseType,
    KitLevel,
    Scenario,
    Trajectory,
)
from careapp.rollups import indicators as ind
from careapp.rollups.loaders import (
    ROLLUP_COLUMNS,
    empty_register_figures,
    establishment_rollups_frame,
    establishments_frame,
    register_figures,
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
        expected = counts.loc[eid].tolist() if eid in counts.index else [0, 0, 0, 0]
        assert [line["open_actions"], line["open_p1"], line["overdue"],
                line["overdue_p1"]] == expected
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


def test_the_lines_registers_figures_equal_the_summaries_on_varied_registers(app) -> None:  # noqa: ANN001
    """register_figures (what a rebuild and a save write on the lines: plain rows, one pass
    per register, roadmap counted in SQL) gives register_summaries' figures (the D2
    checklist objects, exercise indicators and roadmap progress the pages show), over
    establishments with no register, partial and contradictory ones; the whole-campaign
    lines (joins by region) equal the lines of each establishment alone (ids)."""
    import random

    from careapp.resilience.models import ActivityKind, PlanStatus, TestResult
    from careapp.roadmap.models import OPEN_STATUSES, ActionStatus, Priority, RoadmapAction
    from careapp.rollups import refresh
    from tests import factories

    today = dt.date.today()
    rnd = random.Random(11)  # noqa: S311 (varied test data, not a secret)
    world = make_world()
    editor = world.users["editor"]
    extra = [factories.establishment(rnd.choice(["53", "11"]), name=f"CH varié {i}")
             for i in range(6)]
    db.session.flush()
    editor.establishments.extend([world.same_region, world.other_region, *extra])
    establishments = [world.own, world.same_region, world.other_region, *extra]
    for est in establishments[:2]:
        submitted_assessment(world.campaign, est, editor, level=rnd.choice([1, 2, 3]))

    def day() -> dt.date | None:
        return rnd.choice([None, today - dt.timedelta(days=rnd.randint(1, 2000)),
                           dt.date(2022, 7, 1), dt.date(2022, 6, 30)])

    def stated() -> bool | None:
        return rnd.choice([None, True, False])

    for est in establishments[1:]:  # the first keeps no register at all
        if rnd.random() < 0.8:
            registers.save_profile(est, {
                "pssi_reviewed_on": day(), "continuity_lead": rnd.choice(["", " ", "Mme A"]),
                "plan_blanc_digital_on": day(), "crisis_cell_defined": stated(),
                "test_schedule_defined": stated(), "backup_policy": stated(),
                "continuity_organisation": stated(), "governance_scheme": stated(),
                "crisis_reporting_defined": stated(),
                "absent_perimeters": rnd.choice([[], ["medico_technical"]]),
                "multi_entity": stated(), "pcra_activity_share": rnd.choice([None, 50.0, 70.0]),
                "backup_outsourced": stated(), "backup_contract_clauses": stated(),
                "backup_auth": rnd.choice([None, *BackupAuth]),
                "backup_ads_level": rnd.choice([None, 2, 3]),
                "backup_least_privilege": stated(), "backup_mfa": rnd.choice([None, *BackupMfa]),
                "backup_isolable": stated(), "backup_segmentation": rnd.choice([None, *Trajectory]),
                "backup_segmentation_milestone_on": day(),
                "backup_321": rnd.choice([None, *Trajectory]), "backup_321_milestone_on": day(),
                "backup_copy_immutable": stated(), "backup_copy_offline": stated(),
                "backup_copy_offsite": stated(), "business_referent": stated(),
                "backup_monitored": stated(),
                "restore_tested_on": day(),
                "restore_test_result": rnd.choice([None, *TestResult])}, editor, None)
        for i in range(rnd.randint(0, 4)):
            registers.save_activity(est, None, {
                "kind": rnd.choice(list(ActivityKind)), "name": f"Activité {i}",
                "most_critical": rnd.random() < 0.5, "bia_done": rnd.random() < 0.6,
                "pca_status": rnd.choice(list(PlanStatus)), "last_test_on": day()},
                editor, None)
        for _ in range(rnd.randint(0, 3)):
            held = today + dt.timedelta(days=rnd.randint(-900, 60))
            registers.save_exercise(est, None, {
                "status": ExerciseStatus.HELD if held <= today else ExerciseStatus.PLANNED,
                "held_on": held, "type": ExerciseType.TABLETOP,
                "kit_level": KitLevel.BEGINNER, "scenario": Scenario.RANSOMWARE,
                "functions": ["direction", "it"],
                "retex_on": rnd.choice([None, held + dt.timedelta(days=10)])}, editor, None)
    db.session.flush()
    for action in db.session.scalars(select(RoadmapAction)):
        action.status = rnd.choice(list(ActionStatus))
        action.priority = rnd.choice(list(Priority))
        action.due_on = rnd.choice([None, today - dt.timedelta(days=3), today,
                                    today + dt.timedelta(days=30)])
    db.session.commit()

    ids = [est.id for est in establishments]
    actions: dict[int, list[RoadmapAction]] = {eid: [] for eid in ids}
    for action in db.session.scalars(select(RoadmapAction)):
        actions[action.establishment_id].append(action)
    summaries = register_summaries(ids, today)
    figures = register_figures(ids, today)
    empty = empty_register_figures(today)
    for eid in ids:
        s, f = summaries[eid], figures.get(eid, empty)
        assert (f.d2_met, f.d2_total, f.d2_unknown) == (s.d2.met, s.d2.total, s.d2.unknown)
        assert f.last_exercise_on == s.indicators.last_held_on
        assert f.retex_missing == len(s.indicators.retex_missing)
        assert f.open_actions == s.roadmap.by_status["todo"] + s.roadmap.by_status["in_progress"]
        assert f.open_p1 == s.roadmap.open_by_priority["P1"]
        assert f.overdue == s.roadmap.overdue
        open_ = [a for a in actions[eid] if a.status in OPEN_STATUSES]
        assert f.overdue_p1 == sum(1 for a in open_ if a.priority is Priority.P1
                                   and a.is_overdue(today))
    assert any(f.overdue_p1 for f in figures.values())  # varied enough
    assert figures == register_figures(None, today)  # the whole nation, by joins
    assert {e: f for e, f in figures.items() if e in {x.id for x in establishments
                                                       if x.region_code == "53"}} \
        == register_figures(None, today, "53")
    assert len({(f.d2_met, f.d2_unknown) for f in figures.values()}) > 2  # varied enough

    def without_time(lines: list[dict]) -> list[dict]:
        return [{k: v for k, v in line.items() if k != "computed_at"} for line in lines]

    whole = without_time(refresh.compute_lines(world.campaign, today=today))
    alone = [line for eid in sorted(ids) for line in without_time(refresh.compute_lines(
        world.campaign, establishment_ids=[eid], today=today))]
    assert whole == alone and len(whole) == len(ids)
    assert without_time(refresh.compute_lines(world.campaign, "53", today=today)) == [
        line for line in whole if line["region_code"] == "53"]


def test_an_overdue_p2_beside_a_p1_not_due_is_no_overdue_p1(app) -> None:  # noqa: ANN001
    """The line's overdue_p1 counts open P1 actions due before its day, both at once: an
    overdue P2 and a P1 due next month give 0, and the « à relancer » list gives no P1
    reason; once the P1 is overdue, it does."""
    from careapp.roadmap.models import ActionStatus, Priority, RoadmapAction
    from careapp.rollups import followup, refresh
    from careapp.rollups.loaders import page_lines

    today = dt.date.today()
    world = make_world()
    submitted_assessment(world.campaign, world.own, world.users["editor"], level=1)
    actions = list(db.session.scalars(select(RoadmapAction).filter_by(
        establishment_id=world.own.id).order_by(RoadmapAction.id)))
    assert len(actions) >= 2
    p2, p1, *rest = actions
    p2.priority, p2.status, p2.due_on = Priority.P2, ActionStatus.TODO, today - dt.timedelta(days=3)
    p1.priority, p1.status, p1.due_on = Priority.P1, ActionStatus.IN_PROGRESS, \
        today + dt.timedelta(days=30)
    for action in rest:
        action.status = ActionStatus.DONE
    db.session.flush()
    refresh.store_lines(world.campaign, establishment_ids=[world.own.id], today=today)
    db.session.commit()

    def own_line() -> dict:
        frame = page_lines(world.campaign, "53")
        return frame[frame["establishment_id"] == world.own.id].iloc[0].to_dict()

    def p1_reasons() -> list[str]:
        listed = followup.to_follow_up(page_lines(world.campaign, "53"), world.campaign.deadline,
                                       today, with_registers=True)
        with app.test_request_context():  # the reasons are lazy French sentences
            return [str(r) for f in listed if f.establishment_id == world.own.id
                    for r in f.reasons if "P1" in str(r)]

    line = own_line()
    assert (line["open_p1"], line["overdue"], line["overdue_p1"]) == (1, 1, 0)
    assert p1_reasons() == []

    p1.due_on = today - dt.timedelta(days=1)
    db.session.flush()
    refresh.store_lines(world.campaign, establishment_ids=[world.own.id], today=today)
    db.session.commit()
    line = own_line()
    assert (line["open_p1"], line["overdue"], line["overdue_p1"]) == (1, 2, 1)
    assert p1_reasons() == ["1 action(s) P1 de la feuille de route en retard."]
    # the stored line equals a recompute
    stored = db.session.scalars(select(EstablishmentRollup).filter_by(
        campaign_id=world.campaign.id, establishment_id=world.own.id)).one()
    fresh = refresh.compute_lines(world.campaign, establishment_ids=[world.own.id], today=today)
    assert stored.overdue_p1 == fresh[0]["overdue_p1"] == 1
