"""Every API endpoint for each role with a real token, on the objects of the page matrix
(tests/auth/test_access_matrix.py): the pages' rules, 404 outside the person's scope, 403 for
a visible object the person may not read this way; and the figures equal what the pages'
services compute for the same data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select

from careapp.assessments import services
from careapp.assessments.models import Assessment
from careapp.auth import access
from careapp.db import db
from careapp.rollups import refresh
from careapp.rollups.loaders import register_summaries
from tests import factories
from tests.api.helpers import get, token_for
from tests.world import make_world, submitted_assessment

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
ROLES = ("editor", "reader", "ars", "grades", "ars_other", "national", "admin")

# Objects: establishments own (editor's, region 53), same_region (53), other_region (11);
# regions 53 and 11.
ESTABLISHMENT_VIEW = {  # results: the results page's rule (access.can_view)
    #              own        same_region  other_region
    "editor": (OK, NOT_FOUND, NOT_FOUND),
    "reader": (OK, NOT_FOUND, NOT_FOUND),
    "ars": (OK, OK, NOT_FOUND),
    "grades": (OK, OK, NOT_FOUND),
    "ars_other": (NOT_FOUND, NOT_FOUND, OK),
    "national": (OK, OK, OK),
    "admin": (OK, OK, OK),
}
REGISTERS = {  # members and the ARS of the region only (access.can_see_register_summary)
    "editor": (OK, NOT_FOUND, NOT_FOUND),
    "reader": (OK, NOT_FOUND, NOT_FOUND),
    "ars": (OK, OK, NOT_FOUND),
    "grades": (FORBIDDEN, FORBIDDEN, NOT_FOUND),
    "ars_other": (NOT_FOUND, NOT_FOUND, OK),
    "national": (FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "admin": (FORBIDDEN, FORBIDDEN, FORBIDDEN),
}
REGION_SUMMARY = {  # the regional dashboard's rule: its ARS and GRADeS, national, admin
    #              region 53   region 11
    "editor": (FORBIDDEN, FORBIDDEN),
    "reader": (FORBIDDEN, FORBIDDEN),
    "ars": (OK, NOT_FOUND),
    "grades": (OK, NOT_FOUND),
    "ars_other": (NOT_FOUND, OK),
    "national": (OK, OK),
    "admin": (OK, OK),
}
NATIONAL_SUMMARY = {"editor": FORBIDDEN, "reader": FORBIDDEN, "ars": FORBIDDEN,
                    "grades": FORBIDDEN, "ars_other": FORBIDDEN, "national": OK, "admin": OK}
LISTED = {  # /api/v1/establishments
    "editor": {"own"}, "reader": {"own"}, "ars": {"own", "same_region"},
    "grades": {"own", "same_region"}, "ars_other": {"other_region"},
    "national": {"own", "same_region", "other_region"},
    "admin": {"own", "same_region", "other_region"},
}
CAMPAIGNS = {  # national ones, and regional ones of the person's region
    "editor": {"national", "region53"}, "reader": {"national", "region53"},
    "ars": {"national", "region53"}, "grades": {"national", "region53"},
    "ars_other": {"national", "region11"},
    "national": {"national", "region53", "region11"},
    "admin": {"national", "region53", "region11"},
}
SCOPES = ("own", "same_region", "other_region")


@pytest.fixture
def api_world(app):  # noqa: ANN001, ANN201
    world = make_world()
    editor = world.users["editor"]
    scopes = {"own": world.own, "same_region": world.same_region,
              "other_region": world.other_region}
    submitted = {name: submitted_assessment(world.campaign, est, editor, level=2 + (i % 2))
                 for i, (name, est) in enumerate(scopes.items())}
    campaigns = {"national": world.campaign,
                 "region53": factories.campaign(2026, region="53", name="Campagne Bretagne"),
                 "region11": factories.campaign(2026, region="11", name="Campagne IDF")}
    db.session.commit()
    secrets = {role: token_for(world.users[role]) for role in ROLES}
    return world, scopes, submitted, campaigns, secrets


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_what_the_pages_allow(api_world, client, role: str) -> None:  # noqa: ANN001
    world, scopes, _submitted, campaigns, secrets = api_world
    secret = secrets[role]
    failures = []

    def check(url: str, expected: int) -> Any:
        response = get(client, url, secret)
        if response.status_code != expected:
            failures.append(f"{role} {url}: expected {expected}, got {response.status_code}")
        elif expected != OK:
            body = response.get_json()
            if body.get("code") != expected or not body.get("message"):
                failures.append(f"{role} {url}: error body {body}")
        return response

    national = campaigns["national"].id
    for index, name in enumerate(SCOPES):
        eid = scopes[name].id
        check(f"/api/v1/establishments/{eid}/results?campaign={national}",
              ESTABLISHMENT_VIEW[role][index])
        check(f"/api/v1/establishments/{eid}/registers", REGISTERS[role][index])
    for index, code in enumerate(("53", "11")):
        check(f"/api/v1/regions/{code}/campaigns/{national}/summary", REGION_SUMMARY[role][index])
    # a regional campaign of another region is not found, even where the region is visible
    if REGION_SUMMARY[role][0] == OK:
        check(f"/api/v1/regions/53/campaigns/{campaigns['region11'].id}/summary", NOT_FOUND)
        check(f"/api/v1/regions/53/campaigns/{campaigns['region53'].id}/summary", OK)
    check(f"/api/v1/national/campaigns/{national}/summary", NATIONAL_SUMMARY[role])
    if NATIONAL_SUMMARY[role] == OK:  # a regional campaign has no national summary
        check(f"/api/v1/national/campaigns/{campaigns['region53'].id}/summary", NOT_FOUND)
    # unknown objects: 404 for everyone allowed the kind
    if ESTABLISHMENT_VIEW[role][0] == OK:
        check(f"/api/v1/establishments/{2**31 - 1}/results?campaign={national}", NOT_FOUND)
        check(f"/api/v1/establishments/{scopes['own'].id}/results?campaign={2**31 - 1}",
              NOT_FOUND)
        # a regional campaign that does not cover the establishment
        check(f"/api/v1/establishments/{scopes['own'].id}/results?campaign="
              f"{campaigns['region11'].id}", NOT_FOUND)

    listed = check("/api/v1/establishments", OK).get_json()
    shown = {name for name, est in scopes.items() if est.id in {e["id"] for e in listed}}
    if shown != LISTED[role] or len(listed) != len(LISTED[role]):
        failures.append(f"{role} establishments listed: {shown}")
    seen = {c["id"] for c in check("/api/v1/campaigns", OK).get_json()}
    if {name for name, c in campaigns.items() if c.id in seen} != CAMPAIGNS[role]:
        failures.append(f"{role} campaigns listed: {seen}")
    assert not failures, "\n".join(failures)


def _plain(data: Any) -> Any:
    return json.loads(json.dumps(data, default=str))


def test_results_equal_the_results_page_figures(api_world, client) -> None:  # noqa: ANN001
    world, scopes, submitted, campaigns, secrets = api_world
    assessment = db.session.get(Assessment, submitted["own"].id)
    expected = services.results_of(assessment)
    body = get(client, f"/api/v1/establishments/{world.own.id}/results?campaign="
                       f"{campaigns['national'].id}", secrets["editor"]).get_json()
    assert body["status"] == "submitted" and body["assessment_id"] == assessment.id
    assert body["overall"] == expected["overall"]  # exact, a JSON number
    assert isinstance(body["overall"], float | int)
    assert body["overall_level"] == expected["overall_level"]
    assert body["scoring_version"] == expected["scoring_version"]
    assert {k: v["score"] for k, v in body["axes"].items()} == {
        k: v["score"] for k, v in expected["axes"].items()}
    assert {k: v["level"] for k, v in body["axes"].items()} == {
        k: v["level"] for k, v in expected["axes"].items()}
    assert body["socle"]["rate"] == expected["socle"]["rate"]
    assert {k: (v["met"], v["total"], v["rate"]) for k, v in body["domains"].items()} == {
        k: (v["met"], v["total"], v["rate"]) for k, v in expected["domains"].items()}
    assert dt.datetime.fromisoformat(body["submitted_at"])  # ISO 8601
    # a draft: provisional figures; not started: status only
    draft = services.start_assessment(campaigns["region53"], world.own, world.users["editor"])
    db.session.commit()
    body = get(client, f"/api/v1/establishments/{world.own.id}/results?campaign="
                       f"{campaigns['region53'].id}", secrets["editor"]).get_json()
    assert body["status"] == "draft" and body["assessment_id"] == draft.id
    assert body["overall"] == services.results_of(draft)["overall"]
    body = get(client, f"/api/v1/establishments/{world.same_region.id}/results?campaign="
                       f"{campaigns['region53'].id}", secrets["ars"]).get_json()
    assert body == {"establishment_id": world.same_region.id,
                    "campaign_id": campaigns["region53"].id, "assessment_id": None,
                    "status": "not_started"}


def test_summaries_equal_the_dashboards_figures(api_world, client) -> None:  # noqa: ANN001
    world, _scopes, _submitted, campaigns, secrets = api_world
    campaign = campaigns["national"]
    body = get(client, f"/api/v1/regions/53/campaigns/{campaign.id}/summary",
               secrets["ars"]).get_json()
    stored = refresh.summaries(campaign, "53", refresh.KINDS)
    assert body["scope"] == "53" and body["campaign"]["id"] == campaign.id
    assert body["participation"] == refresh.participation_as_of(
        stored["participation"], campaign.deadline)
    assert body["participation"]["submitted"] == 2 and body["participation"]["total"] == 2
    assert body["overall"] == _plain(stored["overall"])
    assert body["overall"]["n"] == 2 and isinstance(body["overall"]["median"], float)
    assert set(body["axes"]) == set(stored["axes"])
    for axis, figures in stored["axes"].items():
        assert body["axes"][axis]["median"] == figures["median"]
    assert body["levels"] == stored["levels"]
    assert body["socle"]["median"] == stored["socle"]["median"]
    assert body["domains"] == stored["domains"]
    assert body["exercises"]["n"] == stored["exercises"]["n"]
    assert body["roadmap"] == stored["roadmap"]
    assert dt.date.fromisoformat(body["as_of"]) == dt.date.today()
    national = get(client, f"/api/v1/national/campaigns/{campaign.id}/summary",
                   secrets["national"]).get_json()
    assert national["scope"] == "national" and national["participation"]["submitted"] == 3
    assert national["overall"]["n"] == 3


def test_registers_equal_the_regional_page_summary(api_world, client) -> None:  # noqa: ANN001
    world, _scopes, _submitted, _campaigns, secrets = api_world
    from tests.auth.test_access_matrix import build_registers

    build_registers(world.same_region, world.users["editor"])
    summary = register_summaries([world.same_region.id])[world.same_region.id]
    body = get(client, f"/api/v1/establishments/{world.same_region.id}/registers",
               secrets["ars"]).get_json()
    assert body["exercise_within_12_months"] is summary.indicators.within_12_months is True
    assert body["last_exercise_on"] == summary.indicators.last_held_on.isoformat()
    assert body["retex_missing"] == len(summary.indicators.retex_missing)
    assert (body["d2_met"], body["d2_total"]) == (summary.d2.met, summary.d2.total)
    assert body["roadmap_open_by_priority"] == summary.roadmap.open_by_priority
    assert body["roadmap_total"] == summary.roadmap.total > 0


def test_establishments_are_paginated(api_world, client) -> None:  # noqa: ANN001
    world, _scopes, _submitted, _campaigns, secrets = api_world
    for n in range(4):
        factories.establishment("53", name=f"CH supplémentaire {n}")
    db.session.commit()
    expected = [e.id for e in db.session.scalars(
        access.visible_establishments(world.users["ars"]))]
    pages = []
    for page in (1, 2, 3):
        response = get(client, f"/api/v1/establishments?page={page}&page_size=2",
                       secrets["ars"])
        assert response.status_code == 200
        pages.append([e["id"] for e in response.get_json()])
        meta = json.loads(response.headers["X-Pagination"])
        assert meta["total"] == len(expected) == 6 and meta["total_pages"] == 3
    assert [i for p in pages for i in p] == expected  # by name, as the pages
    assert get(client, "/api/v1/establishments?page_size=100000",
               secrets["ars"]).status_code == 422
    assert db.session.scalar(select(Assessment.id).limit(1)) is not None


def test_a_region_without_establishments_has_empty_figures(api_world, client) -> None:  # noqa: ANN001
    _world, _scopes, _submitted, campaigns, secrets = api_world
    response = get(client, f"/api/v1/regions/84/campaigns/{campaigns['national'].id}/summary",
                   secrets["national"])
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["participation"]["total"] == 0 and body["overall"]["n"] == 0
    assert body["overall"]["median"] is None
    assert get(client, f"/api/v1/regions/ZZ/campaigns/{campaigns['national'].id}/summary",
               secrets["national"]).status_code == 404
