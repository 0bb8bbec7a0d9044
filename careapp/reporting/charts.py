"""Server-side SVG charts (plain Jinja SVG templates: no JavaScript, usable in PDFs too)."""

from __future__ import annotations

from typing import Any

from flask import render_template
from markupsafe import Markup

from careapp.questionnaires.model import Questionnaire, tr


def axis_bars_svg(questionnaire: Questionnaire, results: dict[str, Any], lang: str = "fr"
                  ) -> Markup:
    bars = []
    for axis in questionnaire.axes:
        axis_result = results["axes"][axis.id]
        bars.append({
            "label": tr(axis.title, lang),
            "score": axis_result["score"],
            "provisional": axis_result["provisional"],
        })
    # The SVG comes from an autoescaped Jinja template: it is already safe markup.
    return Markup(render_template("charts/axis_bars.svg", bars=bars, overall=results["overall"]))  # noqa: S704


# -- the ARS dashboard's charts (careapp/rollups/dashboard.py) --------------------------------

def _svg(template: str, **context: Any) -> Markup:
    # Autoescaped Jinja templates: already safe markup.
    return Markup(render_template(template, **context))  # noqa: S704


def axis_distribution_svg(questionnaire: Questionnaire, axes: dict[str, Any],
                          overall: dict[str, Any] | None = None, lang: str = "fr",
                          chart_id: str = "chart-axes") -> Markup:
    """Median and quartiles (Q1–Q3 box, median line) of each axis's score, 0 to 100, with n;
    `axes` is the summaries' payload (axis id → {n, median, q1, q3})."""
    empty = {"n": 0, "median": None, "q1": None, "q3": None}
    rows = [{"id": a.id, "label": tr(a.title, lang), **(axes.get(a.id) or empty)}
            for a in questionnaire.axes]
    if overall is not None:
        rows.insert(0, {"id": "overall", "label": None, **overall})
    return _svg("charts/axis_distribution.svg", rows=rows, chart_id=chart_id)


def levels_svg(levels: list[dict[str, Any]], chart_id: str = "chart-levels") -> Markup:
    """Horizontal bars of the number of submitted assessments at each maturity level;
    `levels`: [{level, label, count}]."""
    top = max([lv["count"] for lv in levels] + [1])
    total = sum(lv["count"] for lv in levels)
    return _svg("charts/levels.svg", levels=levels, top=top, total=total, chart_id=chart_id)


def participation_svg(points: list[tuple[Any, int]], total: int, start: Any, deadline: Any,
                      end: Any, chart_id: str = "chart-participation") -> Markup:
    """Cumulative submissions by day (a step line) from `start` to `end`, the deadline marked,
    against the number of establishments `total`."""
    span = max((end - start).days, 1)
    top = max(total, 1)

    def x(day: Any) -> float:
        return round(min(max((day - start).days, 0), span) / span, 4)

    steps = [(x(day), count / top) for day, count in points]
    return _svg("charts/participation.svg", path=_step_path(steps), total=total, points=points,
                deadline_x=x(deadline), deadline=deadline, start=start, end=end,
                chart_id=chart_id)


# The participation chart's plot area (charts/participation.svg uses the same numbers).
_LEFT, _WIDTH, _TOP_Y, _HEIGHT = 50, 460, 12, 150


def _step_path(steps: list[tuple[float, float]]) -> str:
    """The SVG path of the cumulative step line (steps: (x 0–1, y 0–1)), built here rather
    than by string concatenation in the template (quadratic in the number of days)."""
    last_y: float = _TOP_Y + _HEIGHT
    parts = [f"M {_LEFT} {last_y}"]
    for sx, sy in steps:
        px, py = round(_LEFT + _WIDTH * sx, 1), round(_TOP_Y + _HEIGHT * (1 - sy), 1)
        parts.append(f" L {px} {last_y} L {px} {py}")
        last_y = py
    parts.append(f" L {_LEFT + _WIDTH} {last_y}")
    return "".join(parts)
