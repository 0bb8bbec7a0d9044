"""One display rule for figures: computed on exact values, rounded once, written in the
person's language.

Scores, coverages, rates and completeness are kept exact (careapp/assessments/scoring.py) and
rounded only here, once, to the displayed precision (0.1 unless said otherwise), halves up
(Decimal ROUND_HALF_UP, not Python's half-to-even), then formatted by Babel in the current
locale: "90,5 %" and "49,6" in French, "90.5%" and "49.6" in English.

A figure below a bound that gives it a meaning (a level bound, the coverage threshold, 100 %)
is never shown as reaching it: it keeps the decimals it needs to stay below (49.97 with the
bound 50 is shown "49,97", not "50,0", next to the level "Partiel").

The same functions serve the pages (Jinja filters `score_text`, `percent_text`, `number_text`)
and, later, the PDFs and exports (pass `locale`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern
from flask import Flask
from flask_babel import get_locale

DEFAULT_PLACES = 1
MAX_PLACES = 6
DEFAULT_LOCALE = "fr"


def exact_decimal(value: float | int | Decimal) -> Decimal:
    """The decimal a stored figure stands for: a float is read as its shortest decimal form
    (the float nearest 49.95 is 49.95), so that rounding it does not depend on binary noise."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def rounded(value: float | int | Decimal, places: int | None = DEFAULT_PLACES,
            below: Iterable[float | int] = ()) -> Decimal:
    """`value` rounded half up to `places` decimals (None: as many as it has, up to
    MAX_PLACES), with more decimals when that would carry it onto a bound it is below."""
    exact = exact_decimal(value)
    if places is None:
        shortest = exact.quantize(_quantum(MAX_PLACES), rounding=ROUND_HALF_UP).normalize()
        places = max(-shortest.as_tuple().exponent, 0)  # type: ignore[operator]
    # a bound computed in floats (0.55 × 100 = 55.00000000000001) stands for its short value
    bounds = [exact_decimal(b).quantize(_quantum(9), rounding=ROUND_HALF_UP) for b in below]
    while True:
        shown = exact.quantize(_quantum(places), rounding=ROUND_HALF_UP)
        if not any(exact < bound <= shown for bound in bounds):
            return shown
        if places >= MAX_PLACES:
            return exact.quantize(_quantum(places), rounding=ROUND_DOWN)
        places += 1


def _locale(locale: Locale | str | None) -> Locale:
    if isinstance(locale, Locale):
        return locale
    if locale:
        return Locale.parse(locale)
    try:
        current = get_locale()
    except RuntimeError:  # outside an application
        current = None
    return current or Locale.parse(DEFAULT_LOCALE)


def _digits(number: Decimal) -> int:
    return max(-number.as_tuple().exponent, 0)  # type: ignore[operator]


@functools.lru_cache(maxsize=256)
def _pattern_with_places(pattern: str, places: int) -> NumberPattern:
    # Parsing a pattern costs more than applying it: a dashboard shows ~200 figures.
    fresh = parse_pattern(pattern)
    fresh.frac_prec = (places, places)
    return fresh


def _with_places(pattern: NumberPattern, places: int) -> NumberPattern:
    return _pattern_with_places(pattern.pattern, places)


MINUS = "\u2212"  # the typographic minus sign of a signed figure


def format_number(value: float | int | Decimal, places: int | None = DEFAULT_PLACES,
                  below: Iterable[float | int] = (), locale: Locale | str | None = None,
                  signed: bool = False) -> str:
    """A figure with `places` decimals (more only to stay below a bound), e.g. "49,6".
    `signed`: a change, always with its sign once rounded ("+3,2", "−1,5", "0,0" when it
    rounds to nothing)."""
    loc = _locale(locale)
    number = rounded(value, places, below)
    if not signed:
        return _with_places(loc.decimal_formats[None], _digits(number)).apply(number, loc)
    text = _with_places(loc.decimal_formats[None], _digits(number)).apply(abs(number), loc)
    return text if number.is_zero() else ("+" if number > 0 else MINUS) + text


def format_score(value: float | int | Decimal, locale: Locale | str | None = None) -> str:
    """A score out of 100: 0.1, never shown on a level bound it has not reached."""
    from careapp.assessments.scoring import LEVEL_BOUNDS

    return format_number(value, DEFAULT_PLACES, LEVEL_BOUNDS, locale)


def format_percent(value: float | int | Decimal, places: int | None = DEFAULT_PLACES,
                   below: Iterable[float | int] = (), locale: Locale | str | None = None) -> str:
    """A percentage given out of 100 (90.54 → "90,5 %"); below 100 it never shows "100"."""
    loc = _locale(locale)
    number = rounded(value, places, (*below, 100))
    pattern = _with_places(loc.percent_formats[None], _digits(number))
    return pattern.apply(number / 100, loc)


def _filter(function: Any) -> Any:
    def apply(value: Any, *args: Any, **kwargs: Any) -> str:
        return "—" if value is None else function(value, *args, **kwargs)

    return apply


def init_app(app: Flask) -> None:
    from careapp.assessments.scoring import SCORING_VERSION, WEAKEST_LIMIT

    app.jinja_env.filters["score_text"] = _filter(format_score)
    app.jinja_env.filters["percent_text"] = _filter(format_percent)
    app.jinja_env.filters["number_text"] = _filter(format_number)
    app.jinja_env.globals["current_scoring_version"] = SCORING_VERSION  # results page
    app.jinja_env.globals["weakest_limit"] = WEAKEST_LIMIT
