"""Rollup indicators on small hand-made frames with known medians, quartiles and counts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from careapp.rollups import indicators as ind
from careapp.rollups.suppression import apply_suppression, suppressed

D = dt.date
COLUMNS = ["establishment_id", "region_code", "category", "sector", "ght_code", "status",
           "submitted_at", "overall", "overall_level", "socle_rate"]


def establishments() -> pd.DataFrame:
    rows = [
        # id region category sector ght status submitted overall level socle
        (1, "53", "CH", "public", "GHT1", "submitted", dt.datetime(2026, 5, 1), 10.0, 0, 100.0),
        (2, "53", "CH", "public", "GHT1", "submitted", dt.datetime(2026, 7, 2), 20.0, 0, 50.0),
        (3, "53", "CH", "public", None, "submitted", dt.datetime(2026, 5, 3), 30.0, 1, 75.0),
        (4, "53", "CLINIQUE", "prive_lucratif", None, "submitted", dt.datetime(2026, 6, 30),
         40.0, 1, 100.0),
        (5, "53", "CLINIQUE", "prive_lucratif", None, "draft", None, None, None, None),
        (6, "53", "ESPIC", "prive_non_lucratif", None, None, None, None, None, None),
        (7, "11", "CH", "public", None, "submitted", dt.datetime(2026, 5, 1), 74.99, 1, 25.0),
    ]
    return pd.DataFrame(rows, columns=COLUMNS, dtype=object)


def test_participation_counts_and_lateness() -> None:
    frame = establishments()
    total = ind.participation(frame, deadline=D(2026, 6, 30), today=D(2026, 7, 1))
    assert total.loc[ind.ALL].to_dict() == {
        "not_started": 1, "draft": 1, "submitted": 5, "total": 7,
        "late": 2, "submitted_late": 1}  # establishment 2 submitted on 2 July
    on_deadline = ind.participation(frame, deadline=D(2026, 6, 30), today=D(2026, 6, 30))
    assert on_deadline.loc[ind.ALL, "late"] == 0  # the deadline day itself is not late
    by_region = ind.participation(frame, D(2026, 6, 30), D(2026, 7, 1), by="region_code")
    assert by_region.loc["53", "submitted"] == 4 and by_region.loc["11", "total"] == 1


def test_overall_median_and_quartiles() -> None:
    frame = establishments()
    region = frame[frame["region_code"] == "53"]
    result = ind.overall_distribution(region)
    assert result.loc[ind.ALL].to_dict() == {"n": 4, "median": 25.0, "q1": 17.5, "q3": 32.5}
    by_category = ind.overall_distribution(region, by="category")
    assert by_category.loc["CH"].to_dict() == {"n": 3, "median": 20.0, "q1": 15.0, "q3": 25.0}
    assert by_category.loc["CLINIQUE", "n"] == 1  # the draft has no score: not counted


def test_axis_distribution_per_axis() -> None:
    axes = pd.DataFrame([(1, "A1", 0.0, 0), (2, "A1", 100.0, 3), (3, "A1", 50.0, 2),
                         (1, "A2", 60.0, 2), (5, "A2", 99.0, 3)],
                        columns=["establishment_id", "axis_id", "score", "level"])
    result = ind.axis_distribution(axes, establishments())
    assert result.loc[(ind.ALL, "A1")].to_dict() == {"n": 3, "median": 50.0, "q1": 25.0,
                                                     "q3": 75.0}
    assert result.loc[(ind.ALL, "A2")].to_dict() == {"n": 1, "median": 60.0, "q1": 60.0,
                                                     "q3": 60.0}  # 5 is a draft


def test_level_distribution_uses_the_stored_level_then_the_scoring_rule() -> None:
    frame = establishments()
    counts = ind.level_distribution(frame)
    assert counts.loc[ind.ALL].to_dict() == {0: 2, 1: 3, 2: 0, 3: 0, "n": 5}
    # A snapshot without a stored level: the scoring rule on the exact value (74.99 → 2).
    frame.loc[frame["establishment_id"] == 7, "overall_level"] = None
    counts = ind.level_distribution(frame, by="region_code")
    assert counts.loc["11"].to_dict() == {0: 0, 1: 0, 2: 1, 3: 0, "n": 1}
    assert ind.level_of(49.999) == 1 and ind.level_of(50.0) == 2 and ind.level_of(None) is None


def test_socle_attainment_median_and_full_share() -> None:
    result = ind.socle_attainment(establishments(), by="region_code")
    assert result.loc["53", "median"] == 87.5 and result.loc["53", "n"] == 4
    assert result.loc["53", "full_share"] == 50.0
    assert result.loc["11", "full_share"] == 0.0


def test_domain_readiness_counts() -> None:
    domains = pd.DataFrame([(1, "D1", 3, 3), (2, "D1", 2, 3), (3, "D1", 0, 0), (1, "D2", 1, 1),
                            (5, "D1", 3, 3)],  # a draft: not counted
                           columns=["establishment_id", "domain", "met", "total"])
    result = ind.domain_readiness(domains, establishments())
    assert result.loc[(ind.ALL, "D1")].to_dict() == {"ready": 1, "not_ready": 1,
                                                     "not_assessable": 1}
    assert result.loc[(ind.ALL, "D2"), "ready"] == 1


def test_exercise_share_uses_the_yearly_rule() -> None:
    exercises = pd.DataFrame([(1, D(2025, 7, 1)), (2, D(2025, 6, 30)), (7, D(2026, 1, 1))],
                             columns=["establishment_id", "last_held_on"])
    result = ind.exercise_share(exercises, establishments(), D(2026, 7, 1), by="region_code")
    assert result.loc["53"].to_dict() == {"n": 6, "within_12_months": 1,
                                         "share": pytest.approx(100 / 6)}
    assert result.loc["11", "share"] == 100.0


def test_plans_by_kind() -> None:
    activities = pd.DataFrame([
        (1, "care_service", "tested", "formalised"), (2, "care_service", "formalised", "absent"),
        (3, "care_service", "in_progress", "tested"), (1, "imaging", "absent", "absent")],
        columns=["establishment_id", "kind", "pca_status", "pra_status"])
    result = ind.plans_by_kind(activities, establishments())
    assert result.loc[(ind.ALL, "care_service")].to_dict() == {
        "n": 3, "pca_formalised": 2, "pca_tested": 1, "pra_formalised": 2, "pra_tested": 1}
    assert result.loc[(ind.ALL, "imaging"), "pca_formalised"] == 0


def test_roadmap_progress() -> None:
    roadmap = pd.DataFrame([
        (1, "P1", "todo", D(2026, 1, 1)), (1, "P1", "done", D(2026, 1, 1)),
        (2, "P2", "in_progress", D(2026, 1, 1)), (2, "P1", "in_progress", None),
        (7, "P1", "abandoned", None)],
        columns=["establishment_id", "priority", "status", "due_on"])
    result = ind.roadmap_progress(roadmap, establishments(), D(2026, 7, 1), by="region_code")
    assert result.loc["53"].to_dict() == {"open": 3, "open_p1": 2, "overdue": 2}
    assert result.loc["11"].to_dict() == {"open": 0, "open_p1": 0, "overdue": 0}
    # per establishment, overdue P1 = open, P1 and due before the day at once: 2 has an
    # overdue P2 and a P1 without a due date, so none
    counts = ind.roadmap_counts(roadmap, D(2026, 7, 1)).set_index("establishment_id")
    assert counts["overdue_p1"].to_dict() == {1: 1, 2: 0, 7: 0}
    assert counts.loc[2].to_dict() == {"open": 2, "open_p1": 1, "overdue": 1, "overdue_p1": 0}


def test_change_since_previous_on_the_same_establishments() -> None:
    current = establishments()
    previous = current.copy()
    previous["overall"] = [5.0, 30.0, None, 10.0, 50.0, None, 70.0]
    previous["status"] = ["submitted", "submitted", "draft", "submitted", "submitted", None,
                          "submitted"]
    deltas = ind.per_establishment_change(current, previous)
    assert deltas["delta"].to_dict() == {1: 5.0, 2: -10.0, 4: 30.0, 7: pytest.approx(4.99)}
    change = ind.change_since_previous(current, previous, by="region_code")
    row = change.loc["53"]  # 1, 2, 4: before 5, 30, 10 → 10; now 10, 20, 40 → 20
    assert (row["n"], row["median_previous"], row["median_current"], row["median_change"],
            row["median_delta"]) == (3, 10.0, 20.0, 10.0, 5.0)


def test_national_groups() -> None:
    frame = ind.with_national_group(establishments())
    assert list(frame[ind.GROUP]) == [
        ind.GHT_MEMBER, ind.GHT_MEMBER, ind.PUBLIC_OUTSIDE_GHT, ind.PRIVATE_FORPROFIT,
        ind.PRIVATE_FORPROFIT, ind.PRIVATE_NONPROFIT, ind.PUBLIC_OUTSIDE_GHT]
    result = ind.participation(frame, D(2026, 6, 30), D(2026, 6, 1), by=ind.GROUP)
    assert result.loc[ind.PUBLIC_OUTSIDE_GHT, "submitted"] == 2


def test_the_group_rule_matches_the_model() -> None:
    from careapp.organisations.models import Establishment, Sector

    for sector in Sector:
        for ght_id in (None, 1):
            est = Establishment(sector=sector, ght_id=ght_id)
            assert ind.national_group(sector.value, ght_id is not None) == est.national_group


# -- suppression -------------------------------------------------------------------------------

def _region_by_category() -> pd.DataFrame:
    """A region where one category has 4 establishments."""
    return pd.DataFrame({"n": [12, 4, 7, 9], "median": [50.0, 41.0, 60.0, 55.0]},
                        index=pd.Index(["CH", "CLINIQUE", "ESPIC", "SSR"], name="category"))


def test_a_group_under_five_is_hidden_with_its_smallest_sibling() -> None:
    frame = _region_by_category()
    hidden = suppressed(frame)
    assert hidden.to_dict() == {"CH": False, "CLINIQUE": True, "ESPIC": True, "SSR": False}
    shown = apply_suppression(frame, hidden)
    assert shown.loc["CLINIQUE"].isna().all() and shown.loc["ESPIC"].isna().all()
    # From the total (32) and the cells shown, the hidden ones cannot be told apart.
    assert frame["n"].sum() - shown["n"].dropna().sum() == 11


def test_two_small_groups_need_no_complement() -> None:
    frame = pd.DataFrame({"n": [12, 4, 3]}, index=pd.Index(["A", "B", "C"]))
    assert suppressed(frame).to_list() == [False, True, True]


def test_complementary_suppression_in_a_two_way_table() -> None:
    index = pd.MultiIndex.from_tuples(
        [("53", "CH"), ("53", "CLINIQUE"), ("53", "SSR"), ("11", "CH"), ("11", "CLINIQUE"),
         ("11", "SSR")], names=["region", "category"])
    frame = pd.DataFrame({"n": [12, 4, 7, 20, 8, 30]}, index=index)
    hidden = suppressed(frame)
    # 53/CLINIQUE (4) is primary; within CLINIQUE the other region (8) goes; within 53 the
    # smallest other (SSR, 7); within region 11, SSR (it also completes the SSR column).
    assert sorted(hidden[hidden].index) == [("11", "CLINIQUE"), ("11", "SSR"),
                                            ("53", "CLINIQUE"), ("53", "SSR")]
    for level in (0, 1):  # no sibling set has exactly one hidden cell
        assert all(g.sum() != 1 for _, g in hidden.groupby(level=level))


def test_an_empty_scope_has_its_row() -> None:
    empty = establishments().iloc[0:0]
    assert ind.participation(empty, D(2026, 6, 30), D(2026, 7, 1)).loc[ind.ALL, "total"] == 0
    assert ind.overall_distribution(empty).loc[ind.ALL, "n"] == 0
    assert ind.socle_attainment(empty).loc[ind.ALL, "full_share"] is None
    assert ind.level_distribution(empty).loc[ind.ALL, "n"] == 0


def test_axes_change_equals_the_change_of_each_axis() -> None:
    def lines(scores: dict[int, dict[str, float | None]], status: str = "submitted"
              ) -> pd.DataFrame:
        return pd.DataFrame([{"establishment_id": e, "status": status, "axes": axes}
                             for e, axes in scores.items()],
                            columns=["establishment_id", "status", "axes"], dtype=object)

    current = lines({1: {"A1": 50.0, "A2": 20.0}, 2: {"A1": 70.0, "A2": None},
                     3: {"A1": 10.0, "A2": 30.0}, 4: {"A1": 90.0}})
    previous = lines({1: {"A1": 40.0, "A2": 30.0}, 2: {"A1": 40.0, "A2": 10.0},
                      3: {"A1": 30.0, "A2": 10.0}})
    table = ind.axes_change_since_previous(current, previous)
    assert list(table.index) == ["A1", "A2"]
    for axis in ("A1", "A2"):
        def column(frame: pd.DataFrame, axis: str = axis) -> pd.DataFrame:
            return frame[["establishment_id", "status"]].assign(
                score=[a.get(axis) for a in frame["axes"]])
        one = ind.change_since_previous(column(current), column(previous), "score")
        assert table.loc[axis].to_dict() == one.loc[ind.ALL].to_dict()
    # A1: deltas 10, 30, -20 on 1, 2, 3; medians 50 vs 40
    assert table.loc["A1"].to_dict() == {"n": 3, "median_previous": 40.0,
                                         "median_current": 50.0, "median_change": 10.0,
                                         "median_delta": 10.0}
    assert table.loc["A2", "n"] == 2
    assert ind.axes_change_since_previous(current, lines({1: {"A1": 5.0}}, "draft")).empty


def test_axes_change_by_group_equals_each_group_alone() -> None:
    """With `by` (the group of each establishment taken from the current frame): the rows of
    each group are what the group's own frames give (what a rebuild relies on)."""
    def lines(scores: dict[int, dict[str, float | None]], status: str = "submitted"
              ) -> pd.DataFrame:
        return pd.DataFrame([{"establishment_id": e, "status": status, "axes": axes,
                              "region_code": "53" if e < 4 else "11"}
                             for e, axes in scores.items()],
                            columns=["establishment_id", "status", "axes", "region_code"],
                            dtype=object)

    current = lines({1: {"A1": 50.0, "A2": 20.0}, 2: {"A1": 70.0, "A2": None},
                     3: {"A1": 10.0, "A2": 30.0}, 4: {"A1": 90.0}, 5: {"A1": 15.0},
                     6: {"A2": 12.5}})
    previous = lines({1: {"A1": 40.0, "A2": 30.0}, 2: {"A1": 40.0, "A2": 10.0},
                      3: {"A1": 30.0, "A2": 10.0}, 5: {"A1": 35.0}, 7: {"A1": 1.0}})
    table = ind.axes_change_since_previous(current, previous, by="region_code")
    assert list(table.index) == [("11", "A1"), ("53", "A1"), ("53", "A2")]
    for region in ("11", "53"):
        alone = ind.axes_change_since_previous(current[current["region_code"] == region],
                                               previous[previous["region_code"] == region])
        assert table.xs(region, level=0).to_dict() == alone.to_dict()
    assert table.loc[("11", "A1")].to_dict() == {"n": 1, "median_previous": 35.0,
                                                 "median_current": 15.0,
                                                 "median_change": -20.0, "median_delta": -20.0}
    empty = ind.axes_change_since_previous(current, lines({1: {"A1": 5.0}}, "draft"),
                                           by="region_code")
    assert empty.empty and empty.index.names == ["region_code", "axis_id"]
