"""The ARS dashboard's pure parts: the table's filters, sort and paging, and the « à relancer »
rules, on hand-made frames."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from careapp.rollups import followup, table
from careapp.rollups.loaders import ROLLUP_COLUMNS

TODAY = dt.date(2026, 11, 2)


def _row(eid: int, name: str, **values: object) -> dict[str, object]:
    row = dict.fromkeys(ROLLUP_COLUMNS)
    row.update(establishment_id=eid, name=name, finess_et=f"35000000{eid}", region_code="53",
               category="CH", sector="public", ght_code="GHT-A", axes={}, domains={},
               d2_met=0, d2_total=0, d2_unknown=0, retex_missing=0, open_actions=0, open_p1=0,
               overdue=0, overdue_p1=0)
    row.update(values)
    return row


def _frame() -> pd.DataFrame:
    return pd.DataFrame([
        _row(1, "CH de Rennes", status="submitted", overall=62.5, socle_rate=100.0,
             submitted_at=dt.datetime(2026, 10, 1), last_exercise_on=dt.date(2026, 3, 1)),
        _row(2, "Clinique Émeraude", category="CLINIQUE", ght_code=None, status="draft",
             last_exercise_on=dt.date(2025, 1, 1), open_p1=2, overdue=3, overdue_p1=1),
        _row(3, "CHU de Brest", category="CHU", status="submitted", overall=40.0,
             socle_rate=80.0, submitted_at=dt.datetime(2026, 9, 1)),
        _row(4, "EHPAD des Lilas", category="EHPAD", ght_code="GHT-B"),
    ], dtype=object)


def _parse(**args: str) -> table.Filters:
    return table.parse_filters(args, ["CH", "CHU", "CLINIQUE", "EHPAD"], ["GHT-A", "GHT-B"],
                               with_registers=False)


def test_filters_search_and_status() -> None:
    frame = _frame()
    assert list(table.filtered(frame, _parse(categorie="CLINIQUE"))["establishment_id"]) == [2]
    assert list(table.filtered(frame, _parse(ght="GHT-B"))["establishment_id"]) == [4]
    assert list(table.filtered(frame, _parse(etat="not_started"))["establishment_id"]) == [4]
    assert list(table.filtered(frame, _parse(q="emeraude"))["establishment_id"]) == [2]
    assert list(table.filtered(frame, _parse(q="350000003"))["establishment_id"]) == [3]


@pytest.mark.parametrize(("args", "count"), [
    ({"categorie": "<script>"}, 1), ({"ght": "nope"}, 1), ({"etat": "perdu"}, 1),
    ({"tri": "exercice"}, 1), ({"ordre": "sideways"}, 1), ({"page": "-3"}, 1),
    ({"page": "9" * 30}, 1), ({"q": "x" * 500}, 1), ({"page": "2", "tri": "global"}, 0),
])
def test_bad_values_fall_back_with_a_message(args: dict[str, str], count: int) -> None:
    f = _parse(**args)
    assert len(f.errors) == count
    assert f.category is None and f.ght is None and f.status is None
    assert len(f.search) <= table.MAX_SEARCH


def test_register_sorts_only_with_registers() -> None:
    f = table.parse_filters({"tri": "retard"}, [], [], with_registers=True)
    assert f.sort == "retard" and not f.errors


def test_sort_missing_last_both_ways() -> None:
    frame = _frame()
    up = table.sorted_frame(frame, _parse(tri="global"))
    down = table.sorted_frame(frame, _parse(tri="global", ordre="desc"))
    assert list(up["establishment_id"]) == [3, 1, 2, 4]  # no score: by name, last
    assert list(down["establishment_id"]) == [1, 3, 2, 4]
    assert list(table.sorted_frame(frame, _parse())["establishment_id"]) == [1, 3, 2, 4]
    assert list(table.sorted_frame(frame, _parse(tri="etat"))["establishment_id"]) == [4, 2, 1, 3]


def test_paging() -> None:
    frame = pd.DataFrame([_row(i, f"E{i:03}") for i in range(1, 121)], dtype=object)
    page = table.paginate(frame, 3)
    assert (page.number, page.pages, page.total, len(page.rows)) == (3, 3, 120, 20)
    assert page.rows[0]["name"] == "E101"
    assert table.paginate(frame, 99).number == 3
    assert table.paginate(frame.iloc[:0], 1).pages == 1
    assert table.page_links(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert table.page_links(1, 1) == [1]


def test_follow_up_reasons() -> None:
    frame = _frame()
    deadline = TODAY + dt.timedelta(days=10)
    without = {f.establishment_id: [str(r) for r in f.reasons]
               for f in followup.to_follow_up(frame, deadline, TODAY, with_registers=False)}
    assert set(without) == {2, 3, 4}
    assert "à 10 jour(s) de la date limite" in without[2][0]
    assert without[3] == ["Socle Cyber non entièrement atteint (80 % des exigences)."]
    assert not any("exercice" in r for rs in without.values() for r in rs)
    with_registers = {f.establishment_id: [str(r) for r in f.reasons]
                      for f in followup.to_follow_up(frame, deadline, TODAY, True)}
    assert 1 not in with_registers  # submitted, full socle, exercise 8 months ago
    assert any("Aucun exercice de crise" in r for r in with_registers[2])
    assert any("P1" in r for r in with_registers[2])
    assert any("Aucun exercice de crise" in r for r in with_registers[4])


def test_follow_up_deadline_window() -> None:
    frame = pd.DataFrame([_row(1, "A")], dtype=object)
    far = followup.to_follow_up(frame, TODAY + dt.timedelta(days=31), TODAY, False)
    near = followup.to_follow_up(frame, TODAY + dt.timedelta(days=30), TODAY, False)
    past = followup.to_follow_up(frame, TODAY - dt.timedelta(days=1), TODAY, False)
    assert far == [] and len(near) == 1
    assert "est passée" in str(past[0].reasons[0])
