"""Peer comparison on an establishment's results page (issue #11): the region's and the
category's median and quartiles, groups under 5 hidden whole, the same for every reader."""

from __future__ import annotations

import re

from careapp.assessments import services
from careapp.db import db
from careapp.numbers import format_score
from careapp.organisations.models import Sector
from careapp.rollups import indicators
from careapp.rollups.loaders import axis_scores_frame, establishments_frame
from careapp.rollups.peers import CATEGORY, REGION, peer_comparison
from tests import factories
from tests.world import login, submitted_assessment

AXES = ["GOV", "RES", "SEN", "OPS"]
HIDDEN = ("Comparaison masquée : moins de 5 établissements de ce groupe ont soumis leur "
          "évaluation")


def _peer(world, region: str = "53", category: str = "CH"):  # noqa: ANN001, ANN202
    est = factories.establishment(region, category=category, sector=Sector.PUBLIC)
    world.users["editor"].establishments.append(est)
    return est


def _submit(world, est, level: int = 2):  # noqa: ANN001, ANN202
    return submitted_assessment(world.campaign, est, world.users["editor"], level)


def _section(html: str, kind: str) -> str:
    """One group's part of the comparison: up to the next group or the end of the section."""
    start = html.index(f'<div class="peer-group" id="comparaison-{kind}">')
    ends = [i for i in (html.find('<div class="peer-group"', start + 1),
                        html.find("</section>", start)) if i != -1]
    return html[start:min(ends)]


def _page(browser, assessment_id: int) -> str:  # noqa: ANN001
    response = browser.client.get(f"/evaluations/{assessment_id}/resultats")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_figures_equal_the_indicator_functions(world) -> None:  # noqa: ANN001
    """Region 53 (every category) and category CH (every region), submitted only, the
    establishment itself included."""
    own = _submit(world, world.own, level=1)
    _submit(world, world.same_region, level=3)
    for level, category in ((0, "CH"), (2, "CHU"), (3, "CH"), (1, "CHU")):
        _submit(world, _peer(world, "53", category), level)
    for level in (2, 3, 0):
        _submit(world, _peer(world, "11", "CH"), level)
    services.start_assessment(world.campaign, _peer(world, "53", "CH"), world.users["editor"])
    db.session.commit()

    axis_ids = AXES
    result = peer_comparison(own, axis_ids)
    nation = establishments_frame(world.campaign.id)
    axes = axis_scores_frame(world.campaign.id)
    expected = {
        REGION: (indicators.overall_distribution(nation, by="region_code").loc["53"],
                 indicators.axis_distribution(axes, nation, by="region_code").loc["53"]),
        CATEGORY: (indicators.overall_distribution(nation, by="category").loc["CH"],
                   indicators.axis_distribution(axes, nation, by="category").loc["CH"]),
    }
    assert result.submitted and [g.kind for g in result.groups] == [REGION, CATEGORY]
    region, category = result.groups
    assert region.shown and region.overall.n == 6  # the draft does not count
    assert category.shown and category.overall.n == 7  # 4 in region 53, 3 in region 11
    for group in result.groups:
        overall, by_axis = expected[group.kind]
        assert (group.overall.n, group.overall.median, group.overall.q1, group.overall.q3) == (
            overall["n"], overall["median"], overall["q1"], overall["q3"])
        assert set(group.axes) == set(axis_ids) == set(by_axis.index)
        for axis_id, figures in group.axes.items():
            row = by_axis.loc[axis_id]
            assert (figures.n, figures.median, figures.q1, figures.q3) == (
                row["n"], row["median"], row["q1"], row["q3"])
    assert result.own_overall == own.snapshot.overall
    assert result.own_axes == {a.axis_id: a.score for a in own.snapshot.axis_scores}


def test_a_category_of_four_is_hidden_and_five_shows(world, browser) -> None:  # noqa: ANN001
    own = _submit(world, world.own, level=1)
    for level in (0, 3):
        _submit(world, _peer(world, "53", "CH"), level)
    _submit(world, _peer(world, "11", "CH"), 2)  # CH: 4 submitted, the region 5
    _submit(world, _peer(world, "53", "CHU"), 3)
    _submit(world, _peer(world, "53", "CHU"), 0)

    result = peer_comparison(own, AXES)
    region, category = result.groups
    assert region.shown and region.overall.n == 5
    assert not category.shown and category.overall is None and category.axes == {}

    login(browser, world, "editor")
    html = _page(browser, own.id)
    hidden = _section(html, CATEGORY)
    assert HIDDEN in hidden and "<table" not in hidden and "<svg" not in hidden
    assert not re.search(r"\d", re.sub(r"<[^>]+>", "", hidden).replace(HIDDEN, "")), hidden
    shown = _section(html, REGION)
    assert HIDDEN not in shown and format_score(region.overall.median, "fr") in shown

    _submit(world, _peer(world, "76", "CH"), 2)
    category = peer_comparison(own, AXES).groups[1]
    assert category.shown and category.overall.n == 5
    html = _page(browser, own.id)
    shown = _section(html, CATEGORY)
    assert HIDDEN not in html and "<td>5</td>" in shown
    assert format_score(category.overall.median, "fr") in shown

    # Aggregates only, the same for every reader of the results page.
    sections = {}
    for who in ("reader", "ars", "grades", "national", "admin"):
        login(browser, world, who)
        page = _page(browser, own.id)
        sections[who] = (_section(page, REGION), _section(page, CATEGORY))
    assert all(s == (_section(html, REGION), shown) for s in sections.values())


def test_a_draft_says_the_comparison_comes_after_submission(world, editor) -> None:  # noqa: ANN001
    for _ in range(5):
        _submit(world, _peer(world, "53", "CH"), 2)
    draft = services.start_assessment(world.campaign, world.own, world.users["editor"])
    db.session.commit()
    assert not peer_comparison(draft, AXES).submitted
    html = _page(editor, draft.id)
    assert "La comparaison avec les établissements de la région et de la même catégorie " \
           "s’affichera une fois l’évaluation soumise." in html
    assert 'id="comparaison-region"' not in html and "Médiane" not in html


def test_english_page_formats_numbers_the_english_way(world, editor) -> None:  # noqa: ANN001
    own = _submit(world, world.own, level=1)
    for level in (0, 2, 3, 3):
        _submit(world, _peer(world, "53", "CH"), level)
    region = peer_comparison(own, AXES).groups[0]
    figures = [region.overall.q1, region.overall.median, region.overall.q3]
    assert any(f != int(f) for f in figures)  # a decimal to format
    page = f"/evaluations/{own.id}/resultats"
    editor.post("/langue", {"lang": "en", "next": page}, page=page)
    html = _page(editor, own.id)
    assert '<html lang="en">' in html and "Region" in html
    section = _section(html, REGION)
    for value in figures:
        assert format_score(value, "en") in section
        if value != int(value):
            assert format_score(value, "fr") not in section
