"""Walk: exercise → RETEX finding → roadmap action → D2 checklist (test client)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from careapp.db import db
from careapp.resilience.models import CrisisExercise, ExerciseFinding
from careapp.roadmap.models import RoadmapAction
from tests.world import login, make_world


def test_walk(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    login(browser, world, "editor")
    base = f"/etablissements/{world.own.id}"
    page = browser.client.get(f"{base}/exercices")
    assert page.status_code == 200, page.get_data(as_text=True)
    assert "Aucun exercice de crise cyber réalisé" in page.get_data(as_text=True)
    held = (dt.date.today() - dt.timedelta(days=40)).isoformat()
    response = browser.post(f"{base}/exercices/nouveau", {
        "status": "held", "held_on": held, "type": "tabletop", "kit_level": "beginner",
        "scenario": "ransomware", "functions": ["direction", "it"], "duration_hours": "3,5",
        "objectives": "Tester la cellule de crise"}, page=f"{base}/exercices/nouveau")
    assert response.status_code == 302, response.get_data(as_text=True)
    exercise = db.session.scalars(select(CrisisExercise)).one()
    page = browser.client.get(f"{base}/exercices").get_data(as_text=True)
    assert "RETEX manquant" in page
    response = browser.post(f"{base}/exercices/{exercise.id}/constats",
                            {"text": "Annuaire de crise papier absent"})
    assert response.status_code == 302
    finding = db.session.scalars(select(ExerciseFinding)).one()
    response = browser.post(f"{base}/constats/{finding.id}/feuille-de-route")
    assert response.status_code == 302
    edit = browser.client.get(response.headers["Location"])
    assert edit.status_code == 200, edit.get_data(as_text=True)
    assert "Annuaire de crise papier absent" in edit.get_data(as_text=True)
    roadmap = browser.client.get(f"{base}/feuille-de-route").get_data(as_text=True)
    assert "Annuaire de crise papier absent" in roadmap
    assert "Rédiger le RETEX" in roadmap
    continuity = browser.client.get(f"{base}/continuite")
    assert continuity.status_code == 200, continuity.get_data(as_text=True)
    assert "Préparation D2" in continuity.get_data(as_text=True)
    keys = set(db.session.scalars(select(RoadmapAction.key)))
    assert "d2:pssi" in keys
