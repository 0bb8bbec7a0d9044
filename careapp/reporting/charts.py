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
