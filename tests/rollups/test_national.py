"""The national dashboard (/region/ for national staff and administrators): the regions' figures
equal the indicators on the same data, regions without data show dashes, small national groups
are hidden with their complement, the regions table's CSV and XLSX equal the page."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import html as html_lib
import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from careapp.db import db
from careapp.numbers import format_number, format_percent, format_score
from careapp.organisations.models import Sector
from careapp.resilience import services as registers
from careapp.resilience.models import ExerciseStatus, ExerciseType, KitLevel, Scenario
from careapp.rollups import indicators as ind
from careapp.rollups import loaders, national
from careapp.rollups.loaders import establishments_frame, exercises_frame, register_summaries
from tests import factories
from tests.rollups.test_synthesis import _region_with_results
from tests.world import login, submitted_assessment

DASH = "—"


def _nation(previous: bool = False):  # noqa: ANN202
    """Region 53: 4 submitted (two private for-profit clinics), a draft, one not started, an
    exercise (without its RETEX) and a continuity profile at `own`; region 11: one submitted;
    other regions empty. `previous`: a 2025 national campaign where `own`, `same_region` and
    `other_region` submitted too."""
    world = _region_with_results(clinic_sector=Sector.PRIVATE_FORPROFIT)
    editor = world.users["editor"]
    if previous:
        editor.establishments.extend([world.same_region, world.other_region])
        world.previous = factories.campaign(2025, name="Campagne 2025")
        db.session.commit()
        for establishment, level in ((world.own, 1), (world.same_region, 2),
                                     (world.other_region, 1)):
            submitted_assessment(world.previous, establishment, editor, level=level)
    registers.save_exercise(world.own, None, {
        "status": ExerciseStatus.HELD, "held_on": dt.date.today() - dt.timedelta(days=60),
        "type": ExerciseType.TABLETOP, "kit_level": KitLevel.BEGINNER,
        "scenario": Scenario.RANSOMWARE, "functions": ["direction", "it"]}, editor, None)
    registers.save_profile(world.own, {"crisis_cell_defined": True, "backup_policy": True,
                                       "backup_isolable": True}, editor, None)
    db.session.commit()
    return world


def _text(cell: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def _rows(page: str, table: str) -> dict[str, list[str]]:
    """The rows of a table by their data-region (or data-group): the header cell, then the
    figures."""
    body = re.search(rf'<table id="{table}".*?</table>', page, re.S).group(0)
    rows = {}
    for key, row in re.findall(r'<tr data-(?:region|group)="(\w+)">(.*?)</tr>', body, re.S):
        rows[key] = [_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
    return rows


def _pct(value: float | None) -> str:
    return DASH if value is None else format_percent(float(value), locale="fr")


def _score(value: float | None) -> str:
    return DASH if value is None else format_score(float(value), "fr")


def _change(value: float | None) -> str:
    return DASH if value is None else format_number(float(value), 1, locale="fr", signed=True)


def _expected(campaign, today: dt.date, previous=None) -> dict[str, list[str]]:  # noqa: ANN001
    """Each region's cells as computed here from the indicators (D2 and RETEX from the regional
    page's register summaries, an independent path; the change on the loaders' frames of both
    campaigns)."""
    frame = establishments_frame(campaign.id)
    part = ind.participation(frame, campaign.deadline, today, by="region_code")
    overall = ind.overall_distribution(frame, by="region_code")
    socle = ind.socle_attainment(frame, by="region_code")
    exercise = ind.exercise_share(exercises_frame(None, today), frame, today, by="region_code")
    summaries = register_summaries([int(e) for e in frame["establishment_id"]], today)
    d2 = pd.Series([summaries[int(e)].d2.met for e in frame["establishment_id"]],
                   index=frame["region_code"], dtype=float).groupby(level=0).median()
    ready = pd.Series([summaries[int(e)].d2.ready for e in frame["establishment_id"]],
                      index=frame["region_code"], dtype=float).groupby(level=0).mean() * 100
    retex = pd.Series([bool(summaries[int(e)].indicators.retex_missing)
                       for e in frame["establishment_id"]],
                      index=frame["region_code"], dtype=int).groupby(level=0).sum()
    change = (ind.change_since_previous(frame, establishments_frame(previous.id),
                                        by="region_code") if previous is not None else None)
    expected = {}
    for code in part.index:
        p, o = part.loc[code], overall.loc[code] if code in overall.index else None
        expected[code] = [
            str(p["total"]), str(p["submitted"]), str(p["draft"]), str(p["not_started"]),
            _pct(p["submitted"] / p["total"] * 100),
            *(_score(o[k] if o is not None else None) for k in ("median", "q1", "q3")),
            str(o["n"] if o is not None else 0),
            _pct(socle.loc[code, "median"] if code in socle.index else None),
            _pct(exercise.loc[code, "share"]), format_number(float(d2[code]), locale="fr"),
            _pct(ready[code]), str(retex[code]),
            *((_change(change.loc[code, "median_change"]), str(change.loc[code, "n"]))
              if change is not None and code in change.index else (DASH, DASH))]
    return expected


def test_the_page_shows_the_indicators_and_dashes_without_data(app, browser) -> None:  # noqa: ANN001
    world = _nation()
    today = dt.date.today()
    expected = _expected(world.campaign, today)
    assert set(expected) == {"53", "11"}
    assert expected["53"][:5] == ["6", "4", "1", "1", _pct(4 / 6 * 100)]
    assert expected["53"][10] == _pct(100 / 6) and expected["53"][11] != "0"
    for who in ("national", "admin"):
        login(browser, world, who)
        response = browser.client.get("/region/")
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "Tableau de bord national" in page, who
        assert f'<option value="{world.campaign.id}" selected>' in page
        rows = _rows(page, "national-regions")
        assert len(rows) == 19  # the 18 regions and the nation
        for code, cells in expected.items():
            assert rows[code][1:] == cells, (who, code)
        assert rows["94"][1:] == [DASH] * 16  # Corse: no establishment, no figure
        assert f'href="/region/?code=53&amp;campagne={world.campaign.id}"' in page

        frame = establishments_frame(world.campaign.id)
        nation = ind.overall_distribution(frame).loc[ind.ALL]
        assert rows["national"][1:5] == ["7", "5", "1", "1"]
        assert rows["national"][6:10] == [_score(nation[k]) for k in ("median", "q1", "q3")
                                          ] + ["5"]
        levels = ind.level_distribution(frame).loc[ind.ALL]
        for level in ind.LEVELS:
            badge = re.search(rf'data-level="{level}">[^<]*: (\d+)<', page).group(1)
            assert int(badge) == levels[level]
        # every national group has fewer than 5 submitted assessments here: all hidden
        groups = _rows(page, "national-groups")
        assert [cells[0] for cells in groups.values()] == list(ind.NATIONAL_GROUPS)
        assert all(cells[1:] == ["masqué"] for cells in groups.values())


def _frame(groups: dict[tuple[str, str | None], list[float]]) -> pd.DataFrame:
    rows, serial = [], 0
    for (sector, ght), scores in groups.items():
        for score in scores:
            serial += 1
            rows.append({"establishment_id": serial, "region_code": "53", "sector": sector,
                         "ght_code": ght, "status": "submitted", "overall": score,
                         "overall_level": None, "socle_rate": 50.0, "submitted_at": None})
    return pd.DataFrame(rows, dtype=object)


def test_a_group_of_four_is_hidden_with_its_complement() -> None:
    frame = _frame({("public", "GHT-1"): [10, 20, 30, 40, 50, 60],
                    ("public", None): [15, 25, 35, 45],
                    ("prive_non_lucratif", None): [5, 55, 65, 70, 80],
                    ("prive_lucratif", None): [12, 22, 32, 42, 52, 62, 72]})
    groups = {g["group"]: g for g in national.national_groups(frame)}
    assert list(groups) == list(ind.NATIONAL_GROUPS)
    # 4 is hidden; the smallest other group (5) too, else 4 = total - the others
    assert {g for g, row in groups.items() if row["hidden"]} == {ind.PUBLIC_OUTSIDE_GHT,
                                                                 ind.PRIVATE_NONPROFIT}
    for name in (ind.PUBLIC_OUTSIDE_GHT, ind.PRIVATE_NONPROFIT):
        assert [groups[name][k] for k in ("n", "median", "q1", "q3")] == [None] * 4
    table = ind.overall_distribution(ind.with_national_group(frame), by=ind.GROUP)
    for name in (ind.GHT_MEMBER, ind.PRIVATE_FORPROFIT):
        assert {k: groups[name][k] for k in ("n", "median", "q1", "q3")} == \
            table.loc[name].to_dict()
    assert groups[ind.GHT_MEMBER]["median"] == 35.0


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def _as_csv(cell: str) -> str:
    """A page cell as the CSV writes it: no dash, no percent sign."""
    return "" if cell == DASH else re.sub(r"[\s\u202f\xa0]*%$", "", cell)


def test_the_export_equals_the_page(app, browser) -> None:  # noqa: ANN001
    world = _nation()
    login(browser, world, "national")
    page = browser.client.get(f"/region/?campagne={world.campaign.id}").get_data(as_text=True)
    shown = _rows(page, "national-regions")
    csv_response = browser.client.get(
        f"/national/export/regions.csv?campagne={world.campaign.id}")
    assert csv_response.status_code == 200
    assert csv_response.headers["Content-Type"].startswith("text/csv")
    assert "care-national-2026-regions.csv" in csv_response.headers["Content-Disposition"]
    header, *lines = _read_csv(csv_response.data)
    assert header[:3] == ["Code région", "Région", "Établissements"] and len(header) == 18
    assert len(lines) == 19
    for line in lines:
        key = line[0] or "national"
        assert [line[1], *line[2:]] == [shown[key][0], *map(_as_csv, shown[key][1:])], key

    xlsx = browser.client.get(f"/national/export/regions.xlsx?campagne={world.campaign.id}")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[1]] == header
    data = national.dashboard(world.campaign)
    by_code = {r["code"]: r for r in data["rows"]}
    for values in sheet.iter_rows(min_row=2, values_only=True):
        figures = by_code[values[0]] if values[0] else data["nation"]
        for value, key in zip(values[2:], national.FIGURES, strict=True):
            # XLSX keeps 15 significant digits of the exact figure
            exact = figures[key]
            assert value is None if exact is None else value == pytest.approx(exact, rel=1e-12)
    assert sheet.cell(2, 1).value == lines[0][0]


def test_who_lands_where(app, browser) -> None:  # noqa: ANN001
    world = _nation()
    for who in ("ars", "grades"):
        login(browser, world, who)
        page = browser.client.get("/region/").get_data(as_text=True)
        assert "Synthèse régionale" in page and "Tableau de bord national" not in page
        assert browser.client.get("/national/export/regions.csv").status_code == 403


def test_d2_retex_and_change_columns_equal_a_recompute(app, browser) -> None:  # noqa: ANN001
    world = _nation(previous=True)
    today = dt.date.today()
    expected = _expected(world.campaign, today, world.previous)
    # 53: own (2 vs 1) and same_region (1 vs 2) both years; 11: other_region (3 vs 1)
    assert expected["53"][-1] == "2" and expected["11"][-1] == "1"
    assert expected["53"][-3] == "1" and expected["11"][-3] == "0"  # own's exercise: no RETEX
    login(browser, world, "national")
    page = browser.client.get(f"/region/?campagne={world.campaign.id}").get_data(as_text=True)
    rows = _rows(page, "national-regions")
    for code, cells in expected.items():
        assert rows[code][1:] == cells, code
    frame = establishments_frame(world.campaign.id)
    nation = ind.change_since_previous(frame, establishments_frame(world.previous.id))
    assert rows["national"][-2:] == [_change(nation.loc[ind.ALL, "median_change"]), "3"]
    assert "Campagne 2025" in page

    # the page reads the stored summaries: a figure no data gives shows as stored
    from sqlalchemy import select

    from careapp.rollups.models import RollupSummary

    row = db.session.scalar(select(RollupSummary).filter_by(
        campaign_id=world.campaign.id, scope="11", kind="retex"))
    row.payload = {**row.payload, "with_missing": 7}
    db.session.commit()
    page = browser.client.get(f"/region/?campagne={world.campaign.id}").get_data(as_text=True)
    assert _rows(page, "national-regions")["11"][-3] == "7"


def test_the_narrow_reads_equal_the_full_lines(app) -> None:  # noqa: ANN001
    """The pages read a few columns of the stored lines (loaders.page_lines,
    loaders.group_lines): the same values as establishment_rollups_frame, also before any
    line is stored (then the full read stores them), and the same national groups."""
    from sqlalchemy import delete as sa_delete

    from careapp.rollups.loaders import establishment_rollups_frame
    from careapp.rollups.models import EstablishmentRollup

    world = _nation()
    db.session.execute(sa_delete(EstablishmentRollup))  # nothing stored: the fallback path
    for _attempt in ("not stored yet", "stored"):
        narrow = loaders.page_lines(world.campaign, "53")
        full = establishment_rollups_frame(world.campaign.id, "53")
        assert narrow.to_dict("records") == full[loaders.PAGE_COLUMNS].to_dict("records")
        groups = loaders.group_lines(world.campaign)
        everyone = establishment_rollups_frame(world.campaign.id)
        submitted = everyone[everyone["status"] == "submitted"][loaders.GROUP_COLUMNS]
        # (not stored yet: the full read's four columns, every status)
        assert sorted(groups[groups["status"] == "submitted"].to_dict("records"), key=repr) \
            == sorted(submitted.to_dict("records"), key=repr)
        assert national.national_groups(groups) == national.national_groups(everyone)
        db.session.commit()
    assert len(loaders.page_lines(world.campaign, "11")) == len(
        establishment_rollups_frame(world.campaign.id, "11")) == 1
