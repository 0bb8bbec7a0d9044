"""Locale selection: French unless the person chose English."""

from __future__ import annotations

from flask import Flask, current_app, session

from careapp import numbers
from careapp.messages import translate


def select_locale() -> str:
    lang = session.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config[
        "BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.filters["translate"] = translate
    numbers.init_app(app)  # score_text, percent_text, number_text: one rounding, in the locale
