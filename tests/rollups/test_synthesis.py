"""Loaders into DataFrames, the "Synthèse régionale" block, the default campaign and the region
chooser, on both databases."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

from careapp.assessments.models import CampaignStatus
from careapp.db import db
from careapp.numbers import format_percent, format_score
from careapp.organisations.models import Sector
from careapp.rollups import indicators as ind
from careapp.rollups.loaders import (
    activities_frame,
    axis_scores_frame,
    domains_frame,
    establishments_frame,
    exercises_frame,
    roadmap_frame,
)
from careapp.rollups.views import default_campaign
from tests import factories
from tests.world import login, make_world, submitted_assessment


def _region_with_results(clinic_sector: Sector = Sector.PUBLIC):  # noqa: ANN202
    """Region 53: 4 submitted (two CLINIQUE of `clinic_sector`), a draft, one not started;
    region 11: one submitted."""
    world = make_world()
    editor = world.users["editor"]
    submitted_assessment(world.campaign, world.own, editor, level=2)
    submitted_assessment(world.campaign, world.same_region, editor, level=1)
    for level in (3, 0):
        est = factories.establishment("53", category="CLINIQUE", sector=clinic_sector)
        editor.establishments.append(est)
        submitted_assessment(world.campaign, est, editor, level=level)
    draft = factories.establishment("53")
    editor.establishments.append(draft)
    from careapp.assessments import services

    services.start_assessment(world.campaign, draft, editor)
    factories.establishment("53")  # not started
    submitted_assessment(world.campaign, world.other_region, editor, level=3)
    db.session.commit()
    return world


def test_loaders_read_the_stored_snapshots(app) -> None:  # noqa: ANN001
    from careapp.assessments.models import ScoreSnapshot

    world = _region_with_results()
    frame = establishments_frame(world.campaign.id, "53")
    assert len(frame) == 6 and set(frame["region_code"]) == {"53"}
    assert ind.status_of(frame).value_counts().to_dict() == {
        "submitted": 4, "draft": 1, "not_started": 1}
    own = frame.set_index("establishment_id").loc[world.own.id]
    snapshot = world.own.id and db.session.scalars(db.select(ScoreSnapshot)).all()
    stored = {s.assessment.establishment_id: s for s in snapshot}[world.own.id]
    assert (own["overall"], own["overall_level"], own["socle_rate"], own["ght_code"]) == (
        stored.overall, stored.overall_level, stored.socle_rate, "GHT-TEST")
    assert own["sector"] == "public" and own["status"] == "submitted"

    axes = axis_scores_frame(world.campaign.id, "53")
    assert set(axes["establishment_id"]) == set(frame.loc[frame["status"] == "submitted",
                                                          "establishment_id"])
    own_axes = axes[axes["establishment_id"] == world.own.id]
    assert dict(zip(own_axes["axis_id"], own_axes["score"], strict=True)) == {
        a.axis_id: a.score for a in stored.axis_scores}

    domains = domains_frame(world.campaign.id, "53")
    own_domains = domains[domains["establishment_id"] == world.own.id]
    assert {d: (m, t) for _, d, m, t in own_domains.itertuples(index=False)} == {
        key: (r["met"], r["total"]) for key, r in stored.results["domains"].items()}
    assert len(establishments_frame(world.campaign.id)) == 7  # the nation

    for loader in (activities_frame, exercises_frame, roadmap_frame):
        assert list(loader("53").columns) == list(loader().columns)
    roadmap = roadmap_frame("53")
    assert len(roadmap) > 0 and set(roadmap["status"]) <= {"todo", "in_progress", "done",
                                                           "abandoned"}
    # the database's counts equal the pure function's on the same actions
    from careapp.rollups.indicators import roadmap_counts
    from careapp.rollups.loaders import roadmap_counts_frame

    for today in (dt.date(2020, 1, 1), dt.date.today(), dt.date(2100, 1, 1)):
        in_sql = roadmap_counts_frame("53", today).sort_values("establishment_id")
        in_pandas = roadmap_counts(roadmap, today)
        in_pandas = in_pandas[in_pandas["open"] > 0].sort_values("establishment_id")
        assert in_sql.reset_index(drop=True).astype(int).equals(
            in_pandas.reset_index(drop=True).astype(int)), today


def _row(html: str, key: str) -> list[str]:
    match = re.search(rf'<tr data-row="{key}">(.*?)</tr>', html, re.S)
    assert match, key
    return [re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td>(.*?)</td>", match.group(1), re.S)]


def test_the_synthesis_shows_the_indicators(app, browser) -> None:  # noqa: ANN001
    world = _region_with_results()
    frame = establishments_frame(world.campaign.id, "53")
    axes = axis_scores_frame(world.campaign.id, "53")
    overall = ind.overall_distribution(frame).loc[ind.ALL]
    by_axis = ind.axis_distribution(axes, frame)
    levels = ind.level_distribution(frame).loc[ind.ALL]
    socle = ind.socle_attainment(frame).loc[ind.ALL]
    assert overall["n"] == 4 and overall["q1"] < overall["median"] < overall["q3"]

    for who in ("ars", "grades", "national", "admin"):
        login(browser, world, who)
        html = browser.client.get(f"/region/?code=53&campagne={world.campaign.id}").get_data(
            as_text=True)
        assert "Synthèse régionale" in html, who
        assert _row(html, "overall") == [format_score(overall[k], "fr")
                                         for k in ("median", "q1", "q3")] + ["4"]
        for (_, axis), row in by_axis.iterrows():
            assert _row(html, axis) == [format_score(row[k], "fr")
                                        for k in ("median", "q1", "q3")] + [str(row["n"])]
        shown = re.search(r'id="synthese-participation">(.*?)</p>', html, re.S).group(1)
        assert "Soumises : 4 · brouillons : 1 · non commencées : 1, sur 6" in shown
        for level in ind.LEVELS:
            badge = re.search(rf'data-level="{level}">[^<]*: (\d+)<', html).group(1)
            assert int(badge) == levels[level]
        assert sum(levels[level] for level in ind.LEVELS) == 4
        socle_text = re.search(r'id="synthese-socle">(.*?)</p>', html, re.S).group(1)
        assert format_percent(socle["median"], locale="fr") in socle_text.replace("&nbsp;", "\xa0")


def test_the_default_campaign_is_the_one_with_data(app, browser) -> None:  # noqa: ANN001
    world = _region_with_results()
    regional = factories.campaign(2026, region="53", name="Campagne régionale 53")
    db.session.commit()
    login(browser, world, "ars")
    html = browser.client.get("/region/").get_data(as_text=True)
    assert f'<option value="{world.campaign.id}" selected>' in html  # the national one
    assert "Soumises : 4" in html
    # Asked for, the empty regional campaign is still shown.
    html = browser.client.get(f"/region/?campagne={regional.id}").get_data(as_text=True)
    assert f'<option value="{regional.id}" selected>' in html and "Soumises : 0" in html


def _campaign(id_: int, *, open_: bool = True, opens_on: dt.date = dt.date(2026, 1, 1)):  # noqa: ANN202
    status = CampaignStatus.OPEN if open_ else CampaignStatus.CLOSED
    return SimpleNamespace(id=id_, status=status, opens_on=opens_on)


def test_default_campaign_rule() -> None:
    today = dt.date(2026, 6, 1)
    regional, national, last_year = _campaign(3), _campaign(2), _campaign(1, open_=False)
    newest_first = [regional, national, last_year]
    assert default_campaign(newest_first, {2: 5}, today) is national
    assert default_campaign(newest_first, {3: 1, 2: 5}, today) is regional
    assert default_campaign(newest_first, {1: 9}, today) is last_year  # the only data
    assert default_campaign(newest_first, {}, today) is regional  # nothing anywhere
    future = _campaign(4, opens_on=dt.date(2026, 9, 1))
    assert default_campaign([future, national], {}, today) is national


def test_national_staff_choose_a_region(app, browser) -> None:  # noqa: ANN001
    from careapp.organisations.models import Region

    world = _region_with_results()
    for who in ("national", "admin"):
        login(browser, world, who)
        response = browser.client.get("/region/")
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "Tableau de bord national" in html
        regions = re.findall(r'<tr data-region="(\w+)">', html)  # and the nation
        assert len(regions) - 1 == db.session.query(Region).count() >= 18
        row = re.search(r'<tr data-region="53">(.*?)</tr>', html, re.S).group(1)
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row,
                                                                         re.S)]
        assert cells[:4] == ["6", "4", "1", "1"] and 'href="/region/?code=53&amp;' in row
    login(browser, world, "ars")  # a regional role lands on its region
    assert "Synthèse régionale" in browser.client.get("/region/").get_data(as_text=True)
