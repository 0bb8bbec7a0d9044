"""The region's establishment results as CSV and XLSX: the files read back equal what the
loaders (and the regional page) show, hostile names are neutralised, the registers' columns go
to the region's ARS only. Writers alone first (no database), then downloads (both databases)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from careapp.assessments.models import ScoreSnapshot
from careapp.db import db
from careapp.numbers import format_number, format_score
from careapp.rollups.exports import Column, neutralised, to_csv, to_xlsx
from careapp.rollups.loaders import region_status_rows, register_summaries
from tests import factories
from tests.world import login, make_world, submitted_assessment

HOSTILE = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\t=1", " =1", "\r=1"]
HARMLESS = ["CH de Rennes", "Clinique 1=1", "a-b", "", "'déjà cité"]
REGISTER_HEADERS = ("Exercice < 12 mois", "Dernier exercice le", "Jours depuis le dernier",
                    "RETEX manquants", "D2 atteints", "D2 total", "D2 inconnus", "P1 ouvertes",
                    "P2 ouvertes", "P3 ouvertes", "Actions en retard")


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


# -- writers -------------------------------------------------------------------------------------

COLUMNS = [Column("Nom"), Column("Score", "number", below=(25.0, 50.0, 75.0)),
           Column("Taux (%)", "number", below=(100,)), Column("Nombre", "int"),
           Column("Le", "date")]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_gets_a_leading_quote(text: str) -> None:
    assert neutralised(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_left_alone(text: str) -> None:
    assert neutralised(text) == text


def test_csv_french_excel_convention() -> None:
    rows = [["=1+1", 49.97, 99.96, 3, dt.date(2026, 3, 5)],
            ["Hôpital ; « Sud »", 90.45, 100.0, 0, dt.datetime(2026, 12, 31, 23, 30)],
            ["-2", None, None, None, None]]
    data = to_csv(COLUMNS, rows)
    assert data.startswith(codecs.BOM_UTF8) and b"\r\n" in data
    header, first, second, third = read_csv(data)
    assert header == ["Nom", "Score", "Taux (%)", "Nombre", "Le"]
    # rounded once, halves up, never onto a bound it is below (as the pages show it)
    assert first == ["'=1+1", "49,97", "99,96", "3", "05/03/2026"]
    assert second == ["Hôpital ; « Sud »", "90,5", "100,0", "0", "31/12/2026"]
    assert third == ["'-2", "", "", "", ""]


def test_xlsx_typed_cells_and_layout() -> None:
    rows = [[name, 49.97, 12.5, 3, dt.date(2026, 3, 5)] for name in HOSTILE + HARMLESS]
    sheet = load_workbook(io.BytesIO(to_xlsx(COLUMNS, rows, title="Bretagne 2026"))).active
    assert sheet.title == "Bretagne 2026" and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.column_dimensions["A"].width == COLUMNS[0].width
    for line, name in enumerate(HOSTILE + HARMLESS, start=2):
        cell = sheet.cell(line, 1)
        if name:
            # XML reads a carriage return back as a line feed; the quote stays first
            assert cell.data_type == "s"
            assert cell.value == neutralised(name).replace("\r", "\n")
    score, rate, count, day = (sheet.cell(2, i) for i in range(2, 6))
    assert score.value == 49.97 and score.data_type == "n" and score.number_format == "0.0"
    assert rate.value == 12.5 and count.value == 3 and count.number_format == "0"
    assert day.is_date and day.value.date() == dt.date(2026, 3, 5)
    assert day.number_format.upper() == "DD/MM/YYYY"


# -- downloads -----------------------------------------------------------------------------------

def _registers(establishment, editor, days_ago: int) -> None:  # noqa: ANN001
    from careapp.resilience import services as registers
    from careapp.resilience.models import ExerciseStatus, ExerciseType, KitLevel, Scenario
    from careapp.roadmap import services as roadmap

    registers.save_exercise(establishment, None, {
        "status": ExerciseStatus.HELD, "held_on": dt.date.today() - dt.timedelta(days=days_ago),
        "type": ExerciseType.TABLETOP, "kit_level": KitLevel.NONE,
        "scenario": Scenario.RANSOMWARE, "functions": []}, editor, None)
    registers.save_profile(establishment, {"pssi_reviewed_on": dt.date(2024, 1, 1)}, editor, None)
    roadmap.create_manual(establishment, {"title": "Former les cadres",
                                          "due_on": dt.date(2020, 1, 1)}, editor)


@pytest.fixture
def region(app):  # noqa: ANN001, ANN201
    """Region 53: the world's two establishments (`own` submitted at level 2, with registers),
    plus one per hostile name, every other one submitted at level 1."""
    world = make_world()
    editor = world.users["editor"]
    submitted_assessment(world.campaign, world.own, editor)
    _registers(world.own, editor, days_ago=45)
    for index, name in enumerate(HOSTILE):
        est = factories.establishment("53", name=name)
        editor.establishments.append(est)
        if index % 2 == 0:
            submitted_assessment(world.campaign, est, editor, level=1)
    db.session.commit()
    return world


def download(browser, path: str, **query: Any):  # noqa: ANN001, ANN201
    return browser.client.get(path, query_string=query)


def exact(value: float):  # noqa: ANN201
    return pytest.approx(value, rel=1e-15, abs=0)


def by_finess(header: list[str], lines: list[list[str]]) -> dict[str, dict[str, str]]:
    return {line[0]: dict(zip(header, line, strict=True)) for line in lines}


def test_ars_csv_equals_the_loaders_and_the_page(region, browser) -> None:  # noqa: ANN001
    login(browser, region, "ars")
    response = download(browser, "/region/53/export/etablissements.csv",
                        campagne=region.campaign.id)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "text/csv"
    assert ("filename=care-bretagne-2026-etablissements.csv"
            in response.headers["Content-Disposition"])
    header, *lines = read_csv(response.data)
    assert set(REGISTER_HEADERS) <= set(header)
    table = by_finess(header, lines)
    page = browser.client.get("/region/", query_string={"code": "53"}).get_data(as_text=True)

    rows = region_status_rows("53", region.campaign)
    assert len(lines) == len(rows) == 2 + len(HOSTILE)
    summaries = register_summaries([r["id"] for r in rows])
    for row in rows:
        line = table[row["finess_et"]]
        assert line["Établissement"] == neutralised(row["name"])
        if row["overall"] is None:
            assert line["Score global"] == "" and line["Soumise le"] == ""
            assert line["État"] in ("Non commencée", "Brouillon")
            continue
        assert line["État"] == "Soumise"
        assert line["Soumise le"] == row["submitted_at"].strftime("%d/%m/%Y")
        assert line["Score global"] == format_score(row["overall"], "fr")
        assert format_score(row["overall"], "fr") in page  # the figure the page shows
        for axis, score in row["axes"].items():
            assert line[f"Score {axis}"] == format_score(score, "fr")
        assert line["Socle Cyber atteint (%)"] == format_number(row["socle_rate"], 1, (100,), "fr")
        results = db.session.get(ScoreSnapshot, row["snapshot_id"]).results
        for key, short in (("D1", "D1"), ("D2", "D2"), ("HOSPICONNECT", "HospiConnect")):
            domain = results["domains"][key]
            rate = line[f"{short} atteint (%)"]
            if domain["rate"] is None:
                assert rate == "" and line[f"{short} prêt"] == "Non évaluable"
            else:
                assert rate == format_number(domain["rate"], 1, (100,), "fr")
                assert line[f"{short} prêt"] == ("Prêt" if domain["ready"] else "Non prêt")
        summary = summaries[row["id"]]
        assert line["Exercice < 12 mois"] == ("Oui" if summary.indicators.within_12_months
                                              else "Non")
        assert line["D2 atteints"] == str(summary.d2.met)
        assert line["D2 total"] == str(summary.d2.total)
        assert line["D2 inconnus"] == str(summary.d2.unknown)
        assert line["P1 ouvertes"] == str(summary.roadmap.open_by_priority["P1"])
        assert line["Actions en retard"] == str(summary.roadmap.overdue)

    own = table[region.own.finess_et]
    assert own["Jours depuis le dernier"] == "45" and own["RETEX manquants"] == "1"
    assert own["Dernier exercice le"] == (dt.date.today() - dt.timedelta(days=45)).strftime("%d/%m/%Y")
    assert own["Actions en retard"] == "1" and own["Code GHT"] == "GHT-TEST"
    assert own["GHT"] == "GHT de test" and own["FINESS EJ"] == region.own.finess_ej
    assert "," in own["Score global"]  # decimal comma
    assert own["Niveau global"] in {"0", "1", "2", "3"} and own["Niveau"]
    assert own["D1 prêt"] == "Prêt" and own["D1 atteint (%)"] == "100,0"  # answered at level 2
    for name in HOSTILE:
        assert any(line["Établissement"] == "'" + name for line in table.values())


def test_ars_xlsx_typed_and_neutralised(region, browser) -> None:  # noqa: ANN001
    login(browser, region, "ars")
    response = download(browser, "/region/53/export/etablissements.xlsx")  # default campaign
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "care-bretagne-2026-etablissements.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.freeze_panes == "A2" and all(c.font.bold for c in sheet[1])
    header = [c.value for c in sheet[1]]
    assert set(REGISTER_HEADERS) <= set(header)
    cells = {line[0].value: dict(zip(header, line, strict=True))
             for line in sheet.iter_rows(min_row=2)}
    rows = region_status_rows("53", region.campaign)
    assert len(cells) == len(rows)
    for row in rows:
        line = cells[row["finess_et"]]
        name = line["Établissement"]
        assert name.data_type == "s"
        assert name.value == neutralised(row["name"]).replace("\r", "\n")  # XML reads CR as LF
        if row["overall"] is None:
            assert line["Score global"].value is None
            continue
        overall = line["Score global"]
        # the exact value, to the 16 significant digits openpyxl writes (Excel keeps 15)
        assert overall.value == exact(row["overall"]) and overall.data_type == "n"
        assert overall.number_format == "0.0"
        assert line["Socle Cyber atteint (%)"].value == exact(row["socle_rate"])
        for axis, score in row["axes"].items():
            assert line[f"Score {axis}"].value == exact(score)
        submitted = line["Soumise le"]
        assert submitted.is_date and submitted.value.date() == row["submitted_at"].date()
    own = cells[region.own.finess_et]
    assert own["Jours depuis le dernier"].value == 45 and own["D2 total"].data_type == "n"
    assert own["Dernier exercice le"].is_date
    for name in HOSTILE:
        assert any(c["Établissement"].value == "'" + name.replace("\r", "\n")
                   for c in cells.values())
    assert not any(c.data_type == "f" for line in sheet.iter_rows() for c in line)


@pytest.mark.parametrize("who", ["grades", "national", "admin"])
def test_others_get_no_registers_columns(region, browser, who: str) -> None:  # noqa: ANN001
    login(browser, region, who)
    response = download(browser, "/region/53/export/etablissements.csv")
    assert response.status_code == 200
    header, *lines = read_csv(response.data)
    assert "Score global" in header and len(lines) == 2 + len(HOSTILE)
    assert not set(REGISTER_HEADERS) & set(header)
    sheet = load_workbook(io.BytesIO(
        download(browser, "/region/53/export/etablissements.xlsx").data)).active
    assert [c.value for c in sheet[1]] == header


def test_out_of_scope_region_or_campaign_is_not_found(region, browser) -> None:  # noqa: ANN001
    other_campaign = factories.campaign(2026, region="11", name="Campagne IDF")
    own_campaign = factories.campaign(2027, region="53", name="Campagne Bretagne")
    db.session.commit()
    login(browser, region, "ars")
    for path, query in [("/region/11/export/etablissements.csv", {}),
                        ("/region/99/export/etablissements.csv", {}),
                        ("/region/53/export/etablissements.csv", {"campagne": other_campaign.id}),
                        ("/region/53/export/etablissements.csv", {"campagne": "x"}),
                        ("/region/53/export/etablissements.xlsx", {"campagne": 2**40})]:
        assert download(browser, path, **query).status_code == 404, (path, query)
    # the regional campaign of the region: no assessment yet, every establishment not started
    response = download(browser, "/region/53/export/etablissements.csv", campagne=own_campaign.id)
    assert response.status_code == 200
    assert "care-bretagne-2027-etablissements.csv" in response.headers["Content-Disposition"]
    header, *lines = read_csv(response.data)
    assert {line[header.index("État")] for line in lines} == {"Non commencée"}


def test_region_page_links_to_both_files(region, browser) -> None:  # noqa: ANN001
    login(browser, region, "grades")
    page = browser.client.get("/region/").get_data(as_text=True)
    campaign = region.campaign.id
    assert f'href="/region/53/export/etablissements.csv?campagne={campaign}"' in page
    assert f'href="/region/53/export/etablissements.xlsx?campagne={campaign}"' in page


def test_without_campagne_a_download_is_about_the_pages_default_campaign(region, browser
                                                                      ) -> None:  # noqa: ANN001
    """A newer campaign with no assessment yet: the page (and so a download without
    `campagne`) stays on the campaign with data, never the empty newest one."""
    factories.campaign(2027, region="53", name="Campagne Bretagne 2027")
    db.session.commit()
    login(browser, region, "ars")
    for path in ("/region/53/export/etablissements.csv", "/region/53/export/tableau.csv"):
        response = download(browser, path)
        assert response.status_code == 200, path
        assert f"-{region.campaign.year}-" in response.headers["Content-Disposition"], path
        header, *lines = read_csv(response.data)
        assert "Soumise" in {line[header.index("État")] for line in lines}, path
