"""The ARS dashboard (/region/) on both databases: figures equal to the summaries, filters,
search, sort, paging, bad input, what GRADeS may not see, and the dashboard's downloads read
back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from careapp.db import db
from careapp.numbers import format_score
from careapp.rollups import refresh
from tests import factories
from tests.rollups.test_synthesis import _region_with_results
from tests.world import login


def _page(browser, url: str) -> str:  # noqa: ANN001
    response = browser.client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _row_ids(html: str) -> list[int]:
    table = html.split('id="table-etablissements"')[1].split("</table>")[0]
    return [int(i) for i in re.findall(r'<tr data-establishment="(\d+)">', table)]


def _text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</div>', html, re.S)
    assert match, element_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_headline_and_charts_equal_the_summaries(app, browser) -> None:  # noqa: ANN001
    world = _region_with_results()
    login(browser, world, "ars")
    html = _page(browser, f"/region/?code=53&campagne={world.campaign.id}")
    stored = refresh.summaries(world.campaign, "53", ("participation", "overall", "exercises",
                                                      "roadmap"))
    p, o = stored["participation"], stored["overall"]
    assert f"{p['submitted']} / {p['total']}" in _text(html, "chiffre-participation")
    assert (p["submitted"], p["total"]) == (4, 6)
    overall = _text(html, "chiffre-global")
    assert format_score(o["median"], "fr") in overall and f"n = {o['n']}" in overall
    assert f"sur {int(stored['exercises']['n'])}" in _text(html, "chiffre-exercices")
    assert f"{int(stored['roadmap']['open_p1'])} P1 ouvertes" in _text(html, "chiffre-actions")
    # three charts, each with its title, description and a caption
    for chart in ("chart-axes", "chart-levels", "chart-participation"):
        assert f'<title id="{chart}-title">' in html and f'<desc id="{chart}-desc">' in html
    assert html.count("<figcaption>") == 3
    assert "4 évaluation(s) soumise(s) sur 6 établissement(s)" in html
    # the table: the region's six establishments, no other region's
    assert len(_row_ids(html)) == 6 and world.other_region.name not in html


def test_filters_search_sort_and_paging(app, browser) -> None:  # noqa: ANN001
    world = _region_with_results()
    for n in range(55):
        factories.establishment("53", name=f"EHPAD Zéphyr {n:02}", category="EHPAD")
    db.session.commit()
    login(browser, world, "ars")
    base = f"/region/?code=53&campagne={world.campaign.id}"
    html = _page(browser, base)
    assert len(_row_ids(html)) == 50 and "Page 1 sur 2" in html
    assert 'aria-sort="ascending"' in html  # by name
    second = _page(browser, base + "&page=2")
    assert len(_row_ids(second)) == 11 and 'aria-current="page"' in second
    assert not set(_row_ids(html)) & set(_row_ids(second))

    assert _row_ids(_page(browser, base + "&q=rennes")) == [world.own.id]
    assert _row_ids(_page(browser, base + f"&q={world.same_region.finess_et}")) == [
        world.same_region.id]
    clinics = _page(browser, base + "&categorie=CLINIQUE")
    assert len(_row_ids(clinics)) == 2 and "2 établissement(s) sur 61" in clinics
    assert len(_row_ids(_page(browser, base + "&etat=submitted"))) == 4
    assert _row_ids(_page(browser, base + "&ght=GHT-TEST")) == [world.own.id]

    by_score = _page(browser, base + "&etat=submitted&tri=global&ordre=desc")
    assert 'aria-sort="descending"' in by_score
    scores = [float(s.replace(",", ".")) for s in re.findall(
        r'<td><span class="badge badge-submitted">[^<]*</span></td>\s*<td>[^<]*</td>\s*'
        r'<td>([\d,]+)</td>', by_score)]
    assert len(scores) == 4 and scores == sorted(scores, reverse=True)
    # the sort link keeps the filters and goes back to page 1
    assert "etat=submitted" in re.search(r'<a href="([^"]*tri=nom[^"]*)"', by_score).group(1)


@pytest.mark.parametrize(("query", "rows"), [
    ("categorie=%3Cscript%3E", 6), ("ght=NOPE", 6), ("etat=perdu", 6), ("tri=%27%3B--", 6),
    ("ordre=sideways", 6), ("page=-1", 6), ("page=99999999999999999999", 6),
    ("campagne=abc", 6), ("campagne=999999", 6), ("page=%00", 6), ("tri=retard", 6),
    ("q=" + "x" * 300, 0),  # cut to 100 characters: matches nothing, says so
])
def test_bad_input_gives_a_message_and_the_defaults(app, browser, query: str,  # noqa: ANN001
                                                    rows: int) -> None:
    world = _region_with_results()
    login(browser, world, "grades")  # GRADeS may not sort by the registers' columns
    html = _page(browser, f"/region/?code=53&{query}")
    assert 'class="error-summary" role="alert"' in html
    assert len(_row_ids(html)) == rows and "<script>" not in html.split("<main")[-1]


def test_grades_reads_without_reopening_or_registers(app, browser) -> None:  # noqa: ANN001
    world = _region_with_results()
    url = f"/region/?code=53&campagne={world.campaign.id}"
    login(browser, world, "ars")
    ars = _page(browser, url)
    assert "RETEX manquants" in ars and "/reouvrir" in ars
    assert "Aucun exercice de crise réalisé dans les 12 derniers mois." in ars
    browser.client.post("/deconnexion")
    login(browser, world, "grades")
    grades = _page(browser, url)
    assert "Synthèse régionale" in grades and "Lecture seule." in grades
    for hidden in ("RETEX manquants", "/reouvrir", "Jours depuis le dernier",
                   "Aucun exercice de crise réalisé"):
        assert hidden not in grades, hidden
    assert "Socle Cyber non entièrement atteint" in grades  # assessment reasons stay


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_dashboard_downloads_follow_the_filters(app, browser) -> None:  # noqa: ANN001
    world = _region_with_results()
    login(browser, world, "ars")
    base = f"/region/53/export/tableau.csv?campagne={world.campaign.id}"
    rows = _csv(browser.client.get(base + "&etat=submitted&tri=global&ordre=desc").data)
    header, body = rows[0], rows[1:]
    assert "RETEX manquants" in header and len(body) == 4
    scores = [float(r[header.index("Score global")].replace(",", ".")) for r in body]
    assert scores == sorted(scores, reverse=True)
    everyone = _csv(browser.client.get(base).data)[1:]
    assert len(everyone) == 6 and world.other_region.name not in str(everyone)

    book = load_workbook(io.BytesIO(browser.client.get(
        f"/region/53/export/tableau.xlsx?campagne={world.campaign.id}&categorie=CLINIQUE").data))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 3 and all(isinstance(v[6], float) for v in values[1:])
    assert all(isinstance(v[5], dt.datetime) for v in values[1:])

    follow = _csv(browser.client.get(
        f"/region/53/export/a-relancer.csv?campagne={world.campaign.id}").data)
    assert follow[0] == ["Établissement", "FINESS ET", "Motifs"]
    assert any("Aucun exercice de crise" in r[2] for r in follow[1:])

    scores = _csv(browser.client.get(
        f"/region/53/export/scores.csv?campagne={world.campaign.id}").data)
    overall = refresh.summaries(world.campaign, "53", ("overall",))["overall"]
    assert scores[0] == ["Axe", "Médiane", "1er quartile", "3e quartile", "n"]
    assert scores[1] == ["Global", format_score(overall["median"], "fr"),
                         format_score(overall["q1"], "fr"), format_score(overall["q3"], "fr"), "4"]

    browser.client.post("/deconnexion")
    login(browser, world, "grades")
    header = _csv(browser.client.get(base).data)[0]
    assert "RETEX manquants" not in header and "D2 atteints" not in header
    follow = _csv(browser.client.get(
        f"/region/53/export/a-relancer.csv?campagne={world.campaign.id}").data)
    assert not any("exercice" in r[2] for r in follow[1:])
    assert browser.client.get(
        f"/region/11/export/tableau.csv?campagne={world.campaign.id}").status_code == 404
