"""One display rule for figures (careapp/numbers.py): exact value in, one rounding half up to the
displayed precision, Babel formatting in the person's language, never across a bound."""

from __future__ import annotations

from decimal import Decimal

import pytest

from careapp.numbers import format_number, format_percent, format_score, rounded

NBSP = "\u00a0"


@pytest.mark.parametrize(("value", "french", "english"), [
    (100 * 67 / 74, f"90,5{NBSP}%", "90.5%"),  # 90.54…: was "90 %"
    (100 * 17 / 19, f"89,5{NBSP}%", "89.5%"),  # 89.47…: was "90 %" (89.5 rounded half to even)
    (90.55, f"90,6{NBSP}%", "90.6%"),  # a half goes up
    (0.25, f"0,3{NBSP}%", "0.3%"),  # Python's round(0.25, 1) gives 0.2
    (100, f"100,0{NBSP}%", "100.0%"),
    (100 * 1999 / 2000, f"99,95{NBSP}%", "99.95%"),  # below 100: never shown "100,0 %"
    (0, f"0,0{NBSP}%", "0.0%"),
])
def test_percentages(value: float, french: str, english: str) -> None:
    assert format_percent(value, locale="fr") == french
    assert format_percent(value, locale="en") == english


@pytest.mark.parametrize(("value", "french", "english"), [
    (82.54, "82,5", "82.5"),  # was "82"
    (52.53, "52,5", "52.5"),  # was "52"
    (49.55, "49,6", "49.6"),  # was "50" next to "1 — Partiel"
    (49.97, "49,97", "49.97"),  # level 1: never shown "50,0"
    (float(sum((300 / 21, 1300 / 33, 2600 / 27))) / 3, "49,99", "49.99"),
    (74.96, "74,96", "74.96"),
    (24.951, "24,95", "24.95"),  # "25,0" at 0.1: two decimals keep it below 25
    (50, "50,0", "50.0"),
    (100 * 11 / 18, "61,1", "61.1"),
    (2.25, "2,3", "2.3"),
])
def test_scores(value: float, french: str, english: str) -> None:
    assert format_score(value, "fr") == french
    assert format_score(value, "en") == english


def test_a_figure_stored_by_method_1_keeps_its_digits() -> None:
    for stored in (49.6, 89.5, 57.0, 0.1):
        assert rounded(stored) == Decimal(repr(stored)).quantize(Decimal("0.1"))
    assert format_score(49.6, "fr") == "49,6" and format_percent(89.5, locale="fr") == f"89,5{NBSP}%"


def test_other_precisions_and_bounds() -> None:
    assert format_number(11 / 6, 2, locale="fr") == "1,83"
    assert format_number(80.0, None, locale="fr") == "80"  # as many decimals as it has
    assert format_number(0.1 + 0.2, None, locale="en") == "0.3"
    assert format_percent(79.99, below=[80], locale="fr") == f"79,99{NBSP}%"  # coverage threshold
    assert format_percent(54.99, below=[0.55 * 100], locale="fr") == f"54,99{NBSP}%"
    assert format_number(1234.56, 1, locale="fr") == "1\u202f234,6"
    assert rounded(49.999999999, 0, [50]) == Decimal("49.999999")  # at most six decimals, down


def test_outside_a_request_the_default_language_is_french() -> None:
    assert format_score(49.55) == "49,6"
    with pytest.raises(TypeError):
        format_score("49.55")  # type: ignore[arg-type]


def test_a_signed_figure_shows_its_sign_once_rounded() -> None:
    assert format_number(3.15, 1, locale="fr", signed=True) == "+3,2"
    assert format_number(-1.5, 1, locale="fr", signed=True) == "\u22121,5"
    assert format_number(-1.5, 1, locale="en", signed=True) == "\u22121.5"
    assert format_number(-0.04, 1, locale="fr", signed=True) == "0,0"  # rounds to nothing
    assert format_number(1234.5, 1, locale="fr", signed=True) == "+1\u202f234,5"
    assert format_number(-1.5, 1, locale="fr") == "-1,5"  # unsigned: Babel's own minus
