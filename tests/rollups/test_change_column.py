"""The ARS table's « Évolution » (dashboard.with_change): the overall score now minus the same
establishment's in the previous campaign (refresh.previous_campaign, the `change` summary's),
equal to indicators.per_establishment_change; "—" without both submissions or across
questionnaire versions; sortable; in the table's CSV and XLSX as a number. Both databases."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from careapp.db import db
from careapp.numbers import format_number
from careapp.rollups import dashboard, indicators, loaders
from tests import factories
from tests.rollups.test_loaders import counting_queries
from tests.rollups.test_synthesis import _region_with_results
from tests.world import login, submitted_assessment

HEADER = "Évolution du score global depuis la campagne précédente"


def _page(browser, url: str) -> str:  # noqa: ANN001
    response = browser.client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _changes(html: str) -> dict[int, str]:
    """Establishment id → the text of its « Évolution » cell, in the table's order."""
    table = html.split('id="table-etablissements"')[1].split("</table>")[0]
    return {int(eid): re.sub(r"<[^>]+>", "", cell).strip() for eid, cell in re.findall(
        r'<tr data-establishment="(\d+)">.*?<td class="evolution">(.*?)</td>', table, re.S)}


def _with_previous(version: str = "1.0.0"):  # noqa: ANN202
    """_region_with_results (2026: own level 2, Brest level 1, two clinics, a draft, one not
    started) and a previous national campaign (2025) where own answered level 1 and Brest
    level 3; a clinic only started there."""
    world = _region_with_results()
    editor = world.users["editor"]
    last_year = factories.campaign(2025, name="Campagne 2025", version=version)
    db.session.commit()
    submitted_assessment(last_year, world.own, editor, level=1)
    submitted_assessment(last_year, world.same_region, editor, level=3)
    return world, last_year


def test_the_column_equals_per_establishment_change(app, browser) -> None:  # noqa: ANN001
    world, last_year = _with_previous()
    expected = indicators.per_establishment_change(
        loaders.establishment_rollups_frame(world.campaign.id, "53"),
        loaders.establishment_rollups_frame(last_year.id, "53"))["delta"]
    db.session.commit()
    assert set(expected.index) == {world.own.id, world.same_region.id}
    assert expected[world.own.id] > 0 > expected[world.same_region.id]

    login(browser, world, "ars")
    html = _page(browser, f"/region/?code=53&campagne={world.campaign.id}")
    shown = _changes(html)
    assert len(shown) == 6
    for eid, text in shown.items():
        if eid in expected.index:
            assert text == format_number(float(expected[eid]), 1, locale="fr", signed=True)
        else:  # not submitted in both campaigns
            assert text == "—"
    assert shown[world.own.id].startswith("+") and shown[world.same_region.id].startswith("−")
    assert "Pas d’évaluation soumise dans les deux campagnes" in html
    assert "à la campagne précédente (Campagne 2025)" in html

    # one extra narrow query: the previous campaign, then its lines' three columns
    frame = loaders.page_lines(world.campaign, "53")
    with counting_queries() as queries:
        changed, comparison = dashboard.with_change(frame, world.campaign, "53")
    assert len(queries) == 2 and comparison.comparable
    assert {int(e): c for e, c in zip(changed["establishment_id"], changed["change"],
                                      strict=True) if c is not None} \
        == {int(e): float(d) for e, d in expected.items()}


def test_sorting_by_the_change(app, browser) -> None:  # noqa: ANN001
    world, _last_year = _with_previous()
    login(browser, world, "grades")  # not a register column: GRADeS sorts by it too
    base = f"/region/?code=53&campagne={world.campaign.id}&tri=evolution"
    up = list(_changes(_page(browser, base)))
    down_html = _page(browser, base + "&ordre=desc")
    down = list(_changes(down_html))
    assert up[:2] == [world.same_region.id, world.own.id]  # falling first
    assert down[:2] == [world.own.id, world.same_region.id]
    assert len(up) == len(down) == 6 and set(up[2:]) == set(down[2:])  # no figure: last
    assert 'aria-sort="descending"' in down_html


def test_the_table_downloads_carry_the_change(app, browser) -> None:  # noqa: ANN001
    world, last_year = _with_previous()
    expected = indicators.per_establishment_change(
        loaders.establishment_rollups_frame(world.campaign.id, "53"),
        loaders.establishment_rollups_frame(last_year.id, "53"))["delta"]
    db.session.commit()
    names = {world.own.name: world.own.id, world.same_region.name: world.same_region.id}
    login(browser, world, "ars")
    base = f"/region/53/export/tableau.%s?campagne={world.campaign.id}&tri=evolution"
    data = browser.client.get(base % "csv").data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    column = rows[0].index(HEADER)
    body = {r[0]: r[column] for r in rows[1:]}
    assert len(body) == 6
    for name, eid in names.items():
        assert body[name] == f"{float(expected[eid]):.1f}".replace(".", ",")
    assert body[world.same_region.name].startswith("-")  # a number, not neutralised text
    assert [r[0] for r in rows[1:3]] == [world.same_region.name, world.own.name]
    assert all(body[n] == "" for n in body if n not in names)

    sheet = load_workbook(io.BytesIO(browser.client.get(base % "xlsx").data)).active
    values = list(sheet.iter_rows(values_only=True))
    column = values[0].index(HEADER)
    cells = {row[0]: row[column] for row in values[1:]}
    for name, eid in names.items():
        assert isinstance(cells[name], float) and cells[name] == float(expected[eid])
    assert all(cells[n] is None for n in cells if n not in names)


def test_no_figure_across_questionnaire_versions_or_without_a_previous_campaign(
        app, browser) -> None:  # noqa: ANN001
    world = _region_with_results()
    login(browser, world, "ars")
    url = f"/region/?code=53&campagne={world.campaign.id}"
    html = _page(browser, url)
    assert set(_changes(html).values()) == {"—"}
    assert "Évolution : aucune campagne précédente à comparer." in html

    editor = world.users["editor"]
    last_year = factories.campaign(2025, name="Campagne 2025", version="2.0.0")
    db.session.commit()
    submitted_assessment(last_year, world.own, editor, level=1)
    html = _page(browser, url)
    assert set(_changes(html).values()) == {"—"}
    assert "utilise une autre version du questionnaire" in html
    frame = loaders.page_lines(world.campaign, "53")
    changed, comparison = dashboard.with_change(frame, world.campaign, "53")
    assert comparison.previous_id == last_year.id and not comparison.comparable
    assert changed["change"].isna().all()
