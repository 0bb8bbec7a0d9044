"""Edge cases of the saving rules found by review (both databases): exact hours, retyping a
value on the conflict page, list order and line endings, multi-line findings, a language switch,
hostile hidden fields, and a person saving while the roadmap is being regenerated."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import select, text

from careapp.db import db
from careapp.resilience import services
from careapp.resilience.models import (
    ActivityKind,
    ContinuityProfile,
    CrisisExercise,
    CriticalActivity,
    ExerciseFinding,
    ExerciseStatus,
    ExerciseType,
    KitLevel,
    Scenario,
)
from careapp.roadmap import services as roadmap
from careapp.roadmap.models import ActionStatus, Priority, RoadmapAction
from tests.formpage import form_fields

NOTE = "Enregistré entre-temps par un autre utilisateur :"


def notes(page):
    return re.findall(r'class="stale-note"[^>]*>[^<]*<strong>([^<]*)</strong>', html.unescape(page))


def mkex(world, **kw):
    data = {
        "status": ExerciseStatus.HELD,
        "held_on": dt.date.today() - dt.timedelta(days=20),
        "type": ExerciseType.TABLETOP,
        "kit_level": KitLevel.BEGINNER,
        "scenario": Scenario.RANSOMWARE,
        "functions": ["it"],
        "duration_hours": 2.0,
        **kw,
    }
    row = services.save_exercise(world.own, None, data, world.users["editor"], None)
    db.session.commit()
    return row


def fresh(model, id):
    db.session.expire_all()
    return db.session.get(model, id)


@pytest.mark.parametrize("lang,typed", [("fr", "2,345"), ("en", "2.345")])
def test_hours_keep_every_decimal_through_a_save(world, editor, lang, typed):
    editor.client.post("/langue", data={"lang": lang, "csrf_token": editor.token()})
    url = f"/etablissements/{world.own.id}/continuite/activites/nouvelle"
    f = form_fields(editor.client.get(url).get_data(as_text=True))
    r = editor.post(
        url,
        {
            **f,
            "kind": "care_service",
            "name": "Urgences",
            "rto_hours": typed,
            "pca_status": "absent",
            "pra_status": "absent",
        },
    )
    assert r.status_code == 302, re.findall(r"error-summary.*?</div>", r.get_data(as_text=True), re.S)
    act = db.session.scalars(select(CriticalActivity)).one()
    url = f"/etablissements/{world.own.id}/continuite/activites/{act.id}"
    page = editor.client.get(url).get_data(as_text=True)
    f = form_fields(page)
    r = editor.post(url, {**f, "name": "Urgences adultes"})
    assert r.status_code == 302
    act = fresh(CriticalActivity, act.id)
    assert act.rto_hours == 2.345


def test_retyping_a_value_on_the_conflict_page_saves_it(world, editor):
    row = mkex(world)
    url = f"/etablissements/{world.own.id}/exercices/{row.id}"
    f = form_fields(editor.client.get(url).get_data(as_text=True))
    services.save_exercise(world.own, row, {"duration_hours": 4.0}, world.users["editor"], row.revision)
    db.session.commit()
    first = editor.post(url, {**f, "objectives": "obj"})
    assert first.status_code == 409
    f2 = form_fields(first.get_data(as_text=True))
    # the person decides: "no, it is 2 hours" and saves the field as shown/typed
    assert editor.post(url, {**f2, "duration_hours": "2"}).status_code == 302
    assert f2["duration_hours"] == "4"  # the conflict page showed the colleague's value
    ex = fresh(CrisisExercise, row.id)
    assert ex.duration_hours == 2.0


def test_list_order_is_no_change_and_a_colleagues_list_survives(world, editor):
    row = mkex(world, functions=["direction", "it", "communication", "medical"])  # demo order
    url = f"/etablissements/{world.own.id}/exercices/{row.id}"
    f = form_fields(editor.client.get(url).get_data(as_text=True))
    services.save_exercise(world.own, row, {"functions": ["it"]}, world.users["editor"], row.revision)
    db.session.commit()
    first = editor.post(url, {**f, "objectives": "obj"})
    assert first.status_code == 409
    second = editor.post(url, {**form_fields(first.get_data(as_text=True))})
    assert second.status_code == 302
    ex = fresh(CrisisExercise, row.id)
    assert ex.functions == ["it"]


def test_browser_line_endings_are_no_change(world, editor):
    row = mkex(world, objectives="Ligne 1\nLigne 2")
    url = f"/etablissements/{world.own.id}/exercices/{row.id}"
    f = form_fields(editor.client.get(url).get_data(as_text=True))
    f["objectives"] = f["objectives"].replace("\n", "\r\n")  # a browser submits CRLF
    services.save_exercise(world.own, row, {"objectives": "Colleague"}, world.users["editor"], row.revision)
    db.session.commit()
    first = editor.post(url, {**f, "retex_summary": "r"})
    assert first.status_code == 409
    f2 = form_fields(first.get_data(as_text=True))
    f2["objectives"] = f2["objectives"].replace("\r\n", "\n").replace("\n", "\r\n")
    assert editor.post(url, f2).status_code == 302
    ex = fresh(CrisisExercise, row.id)
    assert ex.objectives == "Colleague"


def test_a_multi_line_finding_gives_a_one_line_title_that_keeps_following(world, editor):
    row = mkex(world)
    services.add_finding(world.own, row, "Ligne 1\r\nLigne 2", world.users["editor"])
    db.session.commit()
    finding = db.session.scalars(select(ExerciseFinding)).one()
    action = roadmap.send_finding(world.own, finding, world.users["editor"])
    db.session.commit()
    url = f"/etablissements/{world.own.id}/feuille-de-route/{action.id}"
    f = form_fields(editor.client.get(url).get_data(as_text=True))
    f["title"] = f["title"].replace("\r", "").replace("\n", "")  # input type=text strips newlines
    a = fresh(RoadmapAction, action.id)
    roadmap.update_action(world.own, a, {"title": "Titre du collègue"}, world.users["editor"], a.revision)
    db.session.commit()
    first = editor.post(url, {**f, "owner": "Moi"})
    f2 = form_fields(first.get_data(as_text=True))
    f2["title"] = f2["title"].replace("\r", "").replace("\n", "")
    assert editor.post(url, f2).status_code == 302
    a = fresh(RoadmapAction, action.id)
    assert a.title == "Titre du collègue"


def test_a_language_switch_between_opening_and_saving_is_no_change(world, editor):
    roadmap.regenerate(world.own, world.users["editor"])
    db.session.commit()
    a = db.session.scalars(select(RoadmapAction).filter_by(key="d2:pssi")).one()
    url = f"/etablissements/{world.own.id}/feuille-de-route/{a.id}"
    f = form_fields(editor.client.get(url).get_data(as_text=True))
    editor.client.post("/langue", data={"lang": "en", "csrf_token": editor.token()})
    roadmap.update_action(world.own, a, {"comment": "c"}, world.users["editor"], a.revision)
    db.session.commit()
    first = editor.post(url, {**f, "owner": "Moi"})
    assert first.status_code == 409
    assert editor.post(url, form_fields(first.get_data(as_text=True))).status_code == 302
    a = fresh(RoadmapAction, a.id)
    assert a.title is None and a.owner == "Moi" and a.comment == "c"
    assert notes(first.get_data(as_text=True)) == ["c"]


@pytest.mark.parametrize("opened", ["[" * 5000, '{"a":' * 3000 + "1" + "}" * 3000])
def test_a_deeply_nested_opened_field_is_no_500(world, editor, opened):
    row = mkex(world)
    url = f"/etablissements/{world.own.id}/exercices/{row.id}"
    fields = form_fields(editor.client.get(url).get_data(as_text=True))
    r = editor.post(url, {**fields, "opened": opened, "objectives": "x"})
    roadmap.regenerate(world.own, world.users["editor"])
    db.session.commit()
    a = db.session.scalars(select(RoadmapAction)).first()
    url2 = f"/etablissements/{world.own.id}/feuille-de-route/{a.id}"
    f2 = form_fields(editor.client.get(url2).get_data(as_text=True))
    r2 = editor.post(url2, {**f2, "opened": opened, "owner": "x"})
    url3 = f"/etablissements/{world.own.id}/continuite"
    f3 = form_fields(editor.client.get(url3).get_data(as_text=True))
    r3 = editor.post(url3, {**f3, "opened": opened, "continuity_lead": "x"})
    assert (r.status_code, r2.status_code, r3.status_code) != (500,) * 3
    assert 500 not in (r.status_code, r2.status_code, r3.status_code)


def test_a_huge_revision_is_no_500(world, editor):
    row = mkex(world)
    url = f"/etablissements/{world.own.id}/exercices/{row.id}"
    fields = form_fields(editor.client.get(url).get_data(as_text=True))
    r = editor.post(url, {**fields, "revision": "9" * 5000, "objectives": "x"})
    roadmap.regenerate(world.own, world.users["editor"])
    db.session.commit()
    a = db.session.scalars(select(RoadmapAction)).first()
    r2 = editor.post(f"/etablissements/{world.own.id}/feuille-de-route/{a.id}/fait", {"revision": "9" * 5000})
    assert 500 not in (r.status_code, r2.status_code)


def test_a_non_utf8_opened_field_is_no_500(world, editor):
    row = mkex(world)
    url = f"/etablissements/{world.own.id}/exercices/{row.id}"
    fields = form_fields(editor.client.get(url).get_data(as_text=True))
    from urllib.parse import urlencode

    body = (
        urlencode({**fields, "csrf_token": editor.token("/etablissements/"), "objectives": "y"}).encode()
        + b"&opened=%FF%FE%7B"
    )
    r = editor.client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    assert r.status_code != 500


def get(key):
    db.session.expire_all()
    return db.session.scalars(select(RoadmapAction).filter_by(key=key)).one()


def test_a_priority_saved_during_a_regeneration_is_kept(world, editor, monkeypatch):
    roadmap.regenerate(world.own, world.users["editor"])
    db.session.commit()
    pssi = get("d2:pssi")
    assert pssi.priority is Priority.P3 and not pssi.priority_edited
    # registers change without a regeneration yet (e.g. a colleague's save whose regeneration runs now)
    db.session.add(ContinuityProfile(establishment_id=world.own.id, pssi_reviewed_on=dt.date(2021, 5, 1)))
    db.session.commit()
    real = roadmap.proposals_for

    def racing(*a, **k):
        # the person's save of the action commits while the regeneration computes
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE roadmap_actions SET priority='P2', priority_edited=:t, "
                    "revision=revision+1 WHERE id=:id"
                ),
                {"t": True, "id": pssi.id},
            )
        return real(*a, **k)

    monkeypatch.setattr(roadmap, "proposals_for", racing)
    assert editor.post(f"/etablissements/{world.own.id}/feuille-de-route/mise-a-jour").status_code == 302
    saved = get("d2:pssi")
    assert saved.priority is Priority.P2


def test_an_abandon_saved_during_a_regeneration_is_kept(world, editor, monkeypatch):
    roadmap.regenerate(world.own, world.users["editor"])
    services.save_exercise(
        world.own,
        None,
        {
            "status": ExerciseStatus.HELD,
            "held_on": dt.date.today() - dt.timedelta(days=30),
            "type": ExerciseType.TABLETOP,
            "kit_level": KitLevel.BEGINNER,
            "scenario": Scenario.RANSOMWARE,
            "functions": [],
            "retex_on": dt.date.today(),
        },
        world.users["editor"],
        None,
    )
    db.session.commit()
    y = get("exercise:yearly")
    assert y.gap_closed
    roadmap.mark_done(world.own, y, world.users["editor"], y.revision)
    db.session.commit()
    # the exercise gets older without regenerating (simulate): change held_on directly
    db.session.execute(
        text("UPDATE crisis_exercises SET held_on=:d"), {"d": dt.date.today() - dt.timedelta(days=400)}
    )
    db.session.commit()
    real = roadmap.proposals_for

    def racing(*a, **k):
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE roadmap_actions SET status='abandoned', abandon_reason='Plus pertinent', "
                    "revision=revision+1 WHERE id=:id"
                ),
                {"id": y.id},
            )
        return real(*a, **k)

    monkeypatch.setattr(roadmap, "proposals_for", racing)
    assert editor.post(f"/etablissements/{world.own.id}/feuille-de-route/mise-a-jour").status_code == 302
    saved = get("exercise:yearly")
    assert saved.status is ActionStatus.ABANDONED


def test_typed_dates_and_tiny_hours_round_trip(world, editor):
    u = world.users["editor"]
    held = dt.date.today() - dt.timedelta(days=20)
    row = services.save_exercise(
        world.own,
        None,
        {
            "status": ExerciseStatus.HELD,
            "held_on": held,
            "type": ExerciseType.TABLETOP,
            "kit_level": KitLevel.BEGINNER,
            "scenario": Scenario.RANSOMWARE,
            "functions": ["it"],
            "duration_hours": 2.0,
        },
        u,
        None,
    )
    act = services.save_activity(
        world.own, None, {"kind": ActivityKind.CARE_SERVICE, "name": "U", "rpo_hours": 0.004}, u, None
    )
    db.session.commit()
    url = f"/etablissements/{world.own.id}/exercices/{row.id}"
    f = form_fields(editor.client.get(url).get_data(as_text=True))
    services.save_exercise(world.own, row, {"held_on": held - dt.timedelta(days=1)}, u, row.revision)
    db.session.commit()
    first = editor.post(url, {**f, "held_on": held.strftime("%d/%m/%Y"), "objectives": "o"})
    assert first.status_code == 409
    second = editor.post(
        url, {**form_fields(first.get_data(as_text=True)), "held_on": held.strftime("%d/%m/%Y")}
    )
    assert second.status_code == 302
    db.session.expire_all()
    ex = db.session.get(CrisisExercise, row.id)
    # the person retyped the date they had opened: typed as 31/12/2026 it is still a change
    # over the colleague's (the conflict page showed the colleague's), and the objectives stay
    assert (ex.held_on, ex.objectives) == (held, "o")
    url = f"/etablissements/{world.own.id}/continuite/activites/{act.id}"
    f = form_fields(editor.client.get(url).get_data(as_text=True))
    assert f["rpo_hours"] == "0,004"  # every decimal shown, nothing rounded to 0
    assert editor.post(url, {**f, "name": "Urgences"}).status_code == 302
    assert db.session.get(CriticalActivity, act.id).rpo_hours == 0.004
