"""Crisis exercise indicators (pure): the 12-month rule at its boundaries, RETEX due dates,
planned exercises, yearly counts and warnings — worked examples and a Hypothesis property."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careapp.resilience.indicators import (
    RETEX_DUE_DAYS,
    exercise_indicators,
    held_within_12_months,
    one_year_before,
    retex_overdue,
)
from tests.fakes import Exercise

TODAY = dt.date(2026, 11, 23)
NO_EXERCISE = ("Aucun exercice de crise cyber réalisé au cours des 12 derniers mois : "
               "l'exercice annuel est obligatoire.")



def held(exercise_id: int, day: dt.date, retex_on: dt.date | None = None) -> Exercise:
    return Exercise(exercise_id, day, retex_on, held=True)


def planned(exercise_id: int, day: dt.date) -> Exercise:
    return Exercise(exercise_id, day, None, held=False)


def days_ago(n: int, today: dt.date = TODAY) -> dt.date:
    return today - dt.timedelta(days=n)


# -- one year before, the 12-month rule -----------------------------------------------------------

@pytest.mark.parametrize(("today", "expected"), [
    (dt.date(2026, 11, 23), dt.date(2025, 11, 23)),
    (dt.date(2028, 2, 29), dt.date(2027, 2, 28)),  # no 29 February in 2027
    (dt.date(2025, 3, 1), dt.date(2024, 3, 1)),
    (dt.date(2025, 2, 28), dt.date(2024, 2, 28)),
    (dt.date(2026, 1, 1), dt.date(2025, 1, 1)),
])
def test_one_year_before(today: dt.date, expected: dt.date) -> None:
    assert one_year_before(today) == expected


@pytest.mark.parametrize(("held_on", "counts"), [
    (dt.date(2025, 11, 23), True),   # the same day one year ago is included
    (dt.date(2025, 11, 22), False),  # the day before is not
    (dt.date(2026, 11, 23), True),   # today is included
    (dt.date(2026, 6, 1), True),
    (dt.date(2026, 11, 24), False),  # tomorrow is not "within the last 12 months"
])
def test_the_12_month_window_boundaries(held_on: dt.date, counts: bool) -> None:
    assert held_within_12_months(held_on, TODAY) is counts
    indicators = exercise_indicators([held(1, held_on)], TODAY)
    assert indicators.within_12_months is counts
    assert (NO_EXERCISE in indicators.warnings) is (not counts)


def test_held_one_year_ago_to_the_day() -> None:
    indicators = exercise_indicators([held(1, dt.date(2025, 11, 23), retex_on=dt.date(2025, 12, 1))],
                                     TODAY)
    assert indicators.within_12_months
    assert indicators.last_held_on == dt.date(2025, 11, 23)
    assert indicators.days_since_last == 365
    assert indicators.warnings == []


def test_held_one_year_and_one_day_ago() -> None:
    indicators = exercise_indicators([held(1, dt.date(2025, 11, 22), retex_on=dt.date(2025, 12, 1))],
                                     TODAY)
    assert not indicators.within_12_months
    assert indicators.last_held_on == dt.date(2025, 11, 22)
    assert indicators.days_since_last == 366
    assert indicators.warnings == [NO_EXERCISE]


def test_held_today_counts() -> None:
    indicators = exercise_indicators([held(1, TODAY)], TODAY)
    assert indicators.within_12_months
    assert indicators.last_held_on == TODAY
    assert indicators.days_since_last == 0
    assert indicators.retex_missing == ()  # day 0: the RETEX is not due yet
    assert indicators.warnings == []


def test_a_future_held_date_is_ignored() -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    indicators = exercise_indicators([held(1, tomorrow)], TODAY)
    assert indicators.last_held_on is None
    assert indicators.days_since_last is None
    assert not indicators.within_12_months
    assert indicators.held_per_year == {}
    assert indicators.next_planned_on is None  # it is not a planned exercise either
    assert indicators.warnings == [NO_EXERCISE]

    # beside an old held exercise, the future one does not become "the last one"
    old = held(2, dt.date(2025, 1, 10), retex_on=dt.date(2025, 1, 20))
    indicators = exercise_indicators([held(1, tomorrow), old], TODAY)
    assert indicators.last_held_on == dt.date(2025, 1, 10)
    assert not indicators.within_12_months
    assert indicators.held_per_year == {2025: 1}


def test_29_february_today() -> None:
    today = dt.date(2028, 2, 29)
    assert exercise_indicators([held(1, dt.date(2027, 2, 28))], today).within_12_months
    assert not exercise_indicators([held(1, dt.date(2027, 2, 27))], today).within_12_months


def test_29_february_held() -> None:
    leap = dt.date(2024, 2, 29)
    # one year after 29/02/2024 is 01/03/2025: the window then starts on 01/03/2024
    assert not exercise_indicators([held(1, leap)], dt.date(2025, 3, 1)).within_12_months
    assert exercise_indicators([held(1, leap)], dt.date(2025, 2, 28)).within_12_months


def test_empty_register() -> None:
    indicators = exercise_indicators([], TODAY)
    assert indicators.today == TODAY
    assert indicators.last_held_on is None
    assert indicators.days_since_last is None
    assert not indicators.within_12_months
    assert indicators.held_per_year == {}
    assert indicators.next_planned_on is None
    assert indicators.retex_missing == ()
    assert indicators.planned_in_past == ()
    assert indicators.warnings == [NO_EXERCISE]


# -- figures ---------------------------------------------------------------------------------------

def test_days_since_the_last_held_exercise() -> None:
    exercises = [held(1, dt.date(2024, 5, 2), retex_on=dt.date(2024, 5, 20)),
                 held(2, dt.date(2026, 9, 24), retex_on=dt.date(2026, 10, 1)),  # 60 days ago
                 held(3, dt.date(2025, 3, 3), retex_on=dt.date(2025, 3, 4)),
                 planned(4, dt.date(2026, 11, 1))]  # a later planned date is not "held"
    indicators = exercise_indicators(exercises, TODAY)
    assert indicators.last_held_on == dt.date(2026, 9, 24)
    assert indicators.days_since_last == 60
    assert indicators.within_12_months


def test_count_per_year_counts_held_exercises_only() -> None:
    exercises = [held(1, dt.date(2024, 3, 1), dt.date(2024, 3, 2)),
                 held(2, dt.date(2026, 2, 1), dt.date(2026, 2, 2)),
                 held(3, dt.date(2024, 10, 1), dt.date(2024, 10, 2)),
                 held(4, dt.date(2026, 6, 1), dt.date(2026, 6, 2)),
                 held(5, dt.date(2026, 10, 1), dt.date(2026, 10, 2)),
                 planned(6, dt.date(2025, 5, 1)),
                 planned(7, dt.date(2026, 12, 15)),
                 planned(8, dt.date(2027, 3, 1))]
    indicators = exercise_indicators(exercises, TODAY)
    assert indicators.held_per_year == {2024: 2, 2026: 3}
    assert list(indicators.held_per_year) == [2024, 2026]  # in year order


# -- RETEX -----------------------------------------------------------------------------------------

def test_retex_due_days_is_30() -> None:
    assert RETEX_DUE_DAYS == 30


def test_retex_missing_from_day_31() -> None:
    day_30 = exercise_indicators([held(7, days_ago(30))], TODAY)
    assert day_30.retex_missing == ()
    assert day_30.warnings == []
    assert not retex_overdue(held(7, days_ago(30)), TODAY)

    day_31 = exercise_indicators([held(7, days_ago(31))], TODAY)
    assert day_31.retex_missing == (7,)
    assert retex_overdue(held(7, days_ago(31)), TODAY)
    assert day_31.warnings == ["RETEX manquant plus de 30 jours après l'exercice : 1 exercice(s)."]


def test_retex_not_missing_when_written_or_for_planned_exercises() -> None:
    exercises = [held(1, days_ago(200), retex_on=days_ago(150)),  # RETEX written (late, but done)
                 planned(2, days_ago(90)),  # planned, date gone by: no RETEX expected
                 held(3, days_ago(45)),  # missing
                 held(4, days_ago(400))]  # missing
    indicators = exercise_indicators(exercises, TODAY)
    assert indicators.retex_missing == (4, 3)  # held date order
    assert not retex_overdue(planned(2, days_ago(90)), TODAY)
    assert not retex_overdue(held(1, days_ago(200), retex_on=days_ago(150)), TODAY)
    assert "RETEX manquant plus de 30 jours après l'exercice : 2 exercice(s)." in indicators.warnings


# -- planned exercises -----------------------------------------------------------------------------

def test_planned_in_the_past_and_next_planned_date() -> None:
    exercises = [planned(1, days_ago(1)),
                 planned(2, days_ago(100)),
                 planned(3, TODAY + dt.timedelta(days=40)),
                 planned(4, TODAY + dt.timedelta(days=10)),
                 held(5, days_ago(20))]
    indicators = exercise_indicators(exercises, TODAY)
    assert indicators.planned_in_past == (2, 1)
    assert indicators.next_planned_on == TODAY + dt.timedelta(days=10)
    assert indicators.warnings == [
        "2 exercice(s) planifié(s) dont la date est passée : indiquez s'ils ont eu lieu."]


def test_planned_today_is_upcoming_not_past() -> None:
    indicators = exercise_indicators([planned(1, TODAY), held(2, days_ago(3))], TODAY)
    assert indicators.planned_in_past == ()
    assert indicators.next_planned_on == TODAY
    assert indicators.warnings == []


def test_only_past_planned_exercises_leave_no_next_date() -> None:
    indicators = exercise_indicators([planned(1, days_ago(5))], TODAY)
    assert indicators.next_planned_on is None
    assert indicators.planned_in_past == (1,)
    assert not indicators.within_12_months  # a planned exercise is not a held one


def test_all_three_warnings_in_order() -> None:
    exercises = [held(1, days_ago(500)), planned(2, days_ago(10))]
    indicators = exercise_indicators(exercises, TODAY)
    assert indicators.warnings == [
        NO_EXERCISE,
        "RETEX manquant plus de 30 jours après l'exercice : 1 exercice(s).",
        "1 exercice(s) planifié(s) dont la date est passée : indiquez s'ils ont eu lieu.",
    ]


def test_no_warning_for_a_register_in_order() -> None:
    exercises = [held(1, days_ago(100), retex_on=days_ago(80)),
                 planned(2, TODAY + dt.timedelta(days=200))]
    indicators = exercise_indicators(exercises, TODAY)
    assert indicators.warnings == []
    assert indicators.within_12_months
    assert indicators.next_planned_on == TODAY + dt.timedelta(days=200)


# -- property ----------------------------------------------------------------------------------------

DATES = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


@settings(max_examples=200)
@given(today=DATES, entries=st.lists(st.tuples(DATES, st.booleans()), max_size=6))
def test_within_12_months_iff_a_held_exercise_falls_in_the_window(
        today: dt.date, entries: list[tuple[dt.date, bool]]) -> None:
    exercises = [Exercise(i, day, None, held=is_held) for i, (day, is_held) in enumerate(entries)]
    expected = any(is_held and one_year_before(today) <= day <= today for day, is_held in entries)
    assert exercise_indicators(exercises, today).within_12_months is expected
