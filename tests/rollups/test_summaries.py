"""Summary tables (careapp/rollups/refresh.py): kept equal to a from-scratch recompute by the
announcements of the assessments, registers and roadmap, in the same transaction; read by the
"Synthèse régionale" block; `rollups refresh` rebuilds them. Both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import delete, select

from careapp.assessments import services
from careapp.assessments.models import Assessment, AssessmentStatus, Campaign
from careapp.db import db
from careapp.resilience import services as registers
from careapp.resilience.models import (
    ActivityKind,
    ExerciseStatus,
    ExerciseType,
    KitLevel,
    PlanStatus,
    Scenario,
)
from careapp.roadmap import services as roadmap
from careapp.roadmap.models import RoadmapAction
from careapp.rollups import refresh
from careapp.rollups.models import NATIONAL, EstablishmentRollup, RollupSummary
from tests import factories
from tests.world import login, make_world, submitted_assessment


def _stored() -> dict[tuple[int, str, str], Any]:
    db.session.expire_all()
    return {(r.campaign_id, r.scope, r.kind): r.payload
            for r in db.session.scalars(select(RollupSummary))}


_LINE_COLUMNS = [c.name for c in EstablishmentRollup.__table__.columns
                 if c.name not in ("id", "computed_at")]


def _lines() -> dict[tuple[int, int], tuple]:
    """The establishment lines by campaign × establishment (all columns but id and when)."""
    db.session.expire_all()
    return {(r.campaign_id, r.establishment_id): tuple(getattr(r, c) for c in _LINE_COLUMNS)
            for r in db.session.scalars(select(EstablishmentRollup))}


def _from_scratch() -> dict[tuple[int, str, str], Any]:
    for row in db.session.scalars(select(RollupSummary)):
        db.session.delete(row)
    db.session.execute(delete(EstablishmentRollup))
    db.session.flush()
    for campaign in db.session.scalars(select(Campaign)):
        refresh.rebuild(campaign)
    db.session.commit()
    return _stored()


def _exercise(establishment, editor, held_on: dt.date):  # noqa: ANN001, ANN202
    return registers.save_exercise(establishment, None, {
        "status": ExerciseStatus.HELD, "held_on": held_on, "type": ExerciseType.TABLETOP,
        "kit_level": KitLevel.BEGINNER, "scenario": Scenario.RANSOMWARE,
        "functions": ["direction", "it"]}, editor, None)


def test_incremental_refresh_equals_a_recompute_from_scratch(app) -> None:  # noqa: ANN001
    today = dt.date.today()
    world = make_world()  # the campaign's opening stored its scopes (national, 11, 53)
    editor, ars = world.users["editor"], world.users["ars"]
    editor.establishments.extend([world.same_region, world.other_region])
    assert {(s, k) for _, s, k in _stored()} == {
        (scope, kind) for scope in (NATIONAL, "11", "53") for kind in refresh.KINDS}

    last_year = factories.campaign(2025, name="Campagne 2025")  # the previous national one
    db.session.commit()
    submitted_assessment(last_year, world.own, editor, level=1)
    submitted_assessment(last_year, world.other_region, editor, level=1)
    own = submitted_assessment(world.campaign, world.own, editor, level=2)
    submitted_assessment(world.campaign, world.same_region, editor, level=1)
    submitted_assessment(world.campaign, world.other_region, editor, level=3)
    services.reopen(db.session.get(Assessment, own.id), ars, reason="Réponses à revoir")
    db.session.commit()
    regional = factories.campaign(2026, region="53", name="Campagne Bretagne 2026")
    services.start_assessment(regional, world.own, editor)
    db.session.commit()

    exercise = _exercise(world.own, editor, today - dt.timedelta(days=30))
    _exercise(world.other_region, editor, today - dt.timedelta(days=500))
    activity = registers.save_activity(world.own, None, {
        "kind": ActivityKind.CARE_SERVICE, "name": "Urgences adultes",
        "pca_status": PlanStatus.TESTED}, editor, None)
    registers.save_activity(world.same_region, None, {
        "kind": ActivityKind.CARE_SERVICE, "name": "Bloc", "pca_status": PlanStatus.FORMALISED},
        editor, None)
    db.session.commit()
    registers.save_activity(world.own, activity, {"pra_status": PlanStatus.FORMALISED}, editor,
                            activity.revision)
    registers.delete_exercise(world.own, exercise, editor)
    action = db.session.scalars(select(RoadmapAction).filter_by(
        establishment_id=world.same_region.id)).first()
    assert action is not None
    roadmap.mark_done(world.same_region, action, editor, action.revision)
    db.session.commit()
    submitted_assessment(world.campaign, world.own, editor, level=3)  # resubmitted

    # D2.O1.b met: the crisis cell and the reporting (careapp/resilience/d2.py)
    registers.save_profile(world.other_region, {"crisis_cell_defined": True,
                                                "crisis_reporting_defined": True}, editor, None)
    db.session.commit()

    incremental, lines = _stored(), _lines()
    assert len(lines) == 3 + 3 + 2  # two national campaigns × 3, the regional one × 2 (53)
    assert lines[(world.campaign.id, world.own.id)][_LINE_COLUMNS.index("status")] == "submitted"
    assert lines[(world.campaign.id, world.own.id)][_LINE_COLUMNS.index("last_exercise_on")] \
        is None  # its one exercise was deleted
    assert incremental[(world.campaign.id, NATIONAL, "d2")]["n"] == 3
    assert incremental[(world.campaign.id, "11", "d2")]["median"] > 0
    assert incremental[(world.campaign.id, "11", "retex")] == {"n": 1, "with_missing": 1}
    change = incremental[(world.campaign.id, NATIONAL, "change")]
    assert change["previous_id"] == last_year.id and change["n"] == 2
    assert change["overall"]["median_change"] > 0 and change["axes"]
    assert incremental[(last_year.id, NATIONAL, "change")] == {}
    assert incremental[(regional.id, "53", "change")] == {}
    assert incremental[(world.campaign.id, "53", "participation")]["submitted"] == 2
    assert incremental[(world.campaign.id, NATIONAL, "participation")]["submitted"] == 3
    assert incremental[(world.campaign.id, "53", "plans")]["care_service"]["pca_formalised"] == 2
    assert incremental[(regional.id, "53", "participation")]["draft"] == 1
    assert incremental[(world.campaign.id, "53", "roadmap")]["open"] > 0
    assert incremental == _from_scratch()
    assert lines == _lines()


def test_a_submission_and_its_summary_share_one_transaction(app, monkeypatch) -> None:  # noqa: ANN001
    world = make_world()
    editor = world.users["editor"]
    key = (world.campaign.id, "53", "participation")
    before = _stored()[key]
    assert before["submitted"] == 0

    assessment = submitted_assessment(world.campaign, world.own, editor, level=2)
    assert _stored()[key]["submitted"] == 1  # committed with it
    services.reopen(assessment, world.users["ars"], reason="À revoir")
    db.session.rollback()  # the reopening and its refresh go together
    assert _stored()[key]["submitted"] == 1
    assert db.session.get(Assessment, assessment.id).status is AssessmentStatus.SUBMITTED

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("refresh failed")

    monkeypatch.setattr(refresh, "compute", broken)
    services.reopen(db.session.get(Assessment, assessment.id), world.users["ars"],
                    reason="À revoir")
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()
    monkeypatch.undo()
    assert db.session.get(Assessment, assessment.id).status is AssessmentStatus.SUBMITTED
    assert _stored()[key]["submitted"] == 1


def test_the_regional_synthesis_reads_the_summary_table(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    submitted_assessment(world.campaign, world.own, world.users["editor"], level=2)
    row = db.session.scalar(select(RollupSummary).filter_by(
        campaign_id=world.campaign.id, scope="53", kind="overall"))
    row.payload = {**row.payload, "median": 12.25}  # a figure no answer gives
    db.session.commit()
    login(browser, world, "ars")
    html = browser.client.get(f"/region/?code=53&campagne={world.campaign.id}").get_data(
        as_text=True)
    assert "12,3" in html


def test_a_scope_read_first_is_stored_then_read(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    for row in db.session.scalars(select(RollupSummary)):
        db.session.delete(row)
    db.session.commit()
    login(browser, world, "ars")
    html = browser.client.get(f"/region/?code=53&campagne={world.campaign.id}").get_data(
        as_text=True)
    assert "non commencées : 2, sur 2" in html
    # what the page asked for (the dashboard may read more kinds than the synthesis)
    assert {k for _, s, k in _stored() if s == "53"} >= {
        "participation", "overall", "axes", "levels", "socle"}


def test_the_refresh_command_rebuilds_every_campaign(app) -> None:  # noqa: ANN001
    world = make_world()
    submitted_assessment(world.campaign, world.own, world.users["editor"], level=2)
    expected = _stored()
    for row in db.session.scalars(select(RollupSummary)):
        db.session.delete(row)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rollups", "refresh", "--campaign",
                                                str(world.campaign.id)])
    assert result.exit_code == 0, result.output
    assert "1 campagne(s), 3 périmètre(s)" in result.output
    assert _stored() == expected
    missing = app.test_cli_runner().invoke(args=["rollups", "refresh", "--campaign", "999999"])
    assert missing.exit_code == 1


def test_a_scope_without_establishments_has_empty_figures(app) -> None:  # noqa: ANN001
    campaign = factories.campaign(2026, region="84")  # no establishment in the region
    db.session.commit()
    stored = {k: p for (c, s, k), p in _stored().items() if c == campaign.id}
    assert stored["participation"]["total"] == 0 and stored["overall"]["n"] == 0
    assert stored["exercises"] == {"n": 0, "within_12_months": 0, "share": None}
    assert stored["roadmap"] == {"open": 0, "open_p1": 0, "overdue": 0}
    assert stored["plans"] == {} and stored["axes"] == {}
    national = factories.campaign(2027, name="Campagne 2027")  # a nation without establishment
    db.session.commit()
    assert refresh.rebuild(national) == 1
    db.session.commit()
    assert {k: p for (c, s, k), p in _stored().items() if c == national.id} \
        == refresh.compute(national, NATIONAL, refresh.KINDS)


def test_a_rebuild_computes_every_scope_as_each_scope_alone(app) -> None:  # noqa: ANN001
    """refresh.compute_scopes (the regions grouped from one national frame) gives, as JSON
    text, what compute() gives each scope on its own: a region with submissions in both
    years (change), one with a draft only (empty distributions, computed alone), registers in
    one region, a regional campaign; and `rollups refresh` stores those payloads."""
    import json

    today = dt.date.today()
    world = make_world()
    editor = world.users["editor"]
    editor.establishments.extend([world.same_region, world.other_region])
    last_year = factories.campaign(2025, name="Campagne 2025")
    db.session.commit()
    submitted_assessment(last_year, world.own, editor, level=1)
    submitted_assessment(last_year, world.same_region, editor, level=2)
    submitted_assessment(world.campaign, world.own, editor, level=2)
    submitted_assessment(world.campaign, world.same_region, editor, level=3)
    services.start_assessment(world.campaign, world.other_region, editor)  # 11: a draft
    _exercise(world.own, editor, today - dt.timedelta(days=30))
    registers.save_activity(world.own, None, {
        "kind": ActivityKind.CARE_SERVICE, "name": "Urgences", "pca_status": PlanStatus.TESTED},
        editor, None)
    regional = factories.campaign(2026, region="53", name="Campagne Bretagne 2026")
    db.session.commit()

    def text(payloads: dict) -> str:
        return json.dumps(payloads, sort_keys=True, default=str)

    for campaign in (world.campaign, last_year, regional):
        scopes = refresh.scopes_of(campaign)
        alone = {s: refresh.compute(campaign, s, refresh.KINDS, today) for s in scopes}
        grouped = refresh.compute_scopes(campaign, today)
        assert text(grouped) == text(alone), campaign.name
    grouped = refresh.compute_scopes(world.campaign, today)
    assert grouped["11"]["overall"]["n"] == 0 and grouped["53"]["overall"]["n"] == 2
    assert grouped["53"]["change"]["n"] == 2 and grouped["11"]["change"]["n"] == 0
    assert grouped["53"]["plans"] and grouped["11"]["plans"] == {}

    steps = []
    assert refresh.rebuild(world.campaign, today, progress=steps.append) == 3
    db.session.commit()
    assert steps == [1] * len(refresh.REBUILD_STEPS)
    stored = {(s, k): p for (c, s, k), p in _stored().items() if c == world.campaign.id}
    assert {(s, k) for s, k in stored} == {(s, k) for s in grouped for k in refresh.KINDS}
    for (scope, kind), payload in stored.items():
        assert text(payload) == text(grouped[scope][kind]), (scope, kind)


def test_an_import_keeps_the_summaries_equal_to_a_recompute(app) -> None:  # noqa: ANN001
    """An import adds an establishment to a region and moves another: the regions' figures
    (participation, exercise share, D2…) and the lines count them at once, not at the next
    register change."""
    from careapp.organisations.services import import_establishments
    from tests.organisations.test_import import HEADER, make_finess

    world = make_world()
    editor = world.users["editor"]
    submitted_assessment(world.campaign, world.own, editor, level=2)
    db.session.commit()
    before = _stored()
    assert before[(world.campaign.id, "53", "exercises")]["n"] == 2
    moved = world.same_region
    report = import_establishments("\n".join([
        HEADER,
        f"{make_finess('35', 7)};{make_finess('35', 7)};Clinique ajoutée;CLINIQUE;"
        "prive_lucratif;53;;;Rennes",
        f"{moved.finess_et};{moved.finess_ej};{moved.name};CH;public;11;;;Paris"]))
    assert report.ok, report.errors
    db.session.commit()
    after, lines = _stored(), _lines()
    assert after[(world.campaign.id, "53", "exercises")]["n"] == 2  # one in, one out
    assert after[(world.campaign.id, "11", "exercises")]["n"] == 2
    assert after[(world.campaign.id, NATIONAL, "participation")]["total"] == 4
    assert lines[(world.campaign.id, moved.id)][_LINE_COLUMNS.index("region_code")] == "11"
    assert after == _from_scratch()
    assert lines == _lines()
