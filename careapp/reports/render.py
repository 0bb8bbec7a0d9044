"""Rendering: a report's plain data → HTML (Jinja, autoescaped) → PDF (WeasyPrint).

The templates are careapp/templates/reports/*.html, the print stylesheet and the fonts
careapp/static/reports/ (README in reports/). WeasyPrint reads resources through
`ReportFetcher` only: the vendored assets, nothing else.

Speed (bench/pdf.py, figures in bench/RESULTS.md): the stylesheet is parsed, and its fonts
registered with fontconfig/Pango, once per process and stylesheet (`stylesheet()`), then given
to every render with the same FontConfiguration, so Pango's font and shaping caches stay warm;
the document itself links no stylesheet. Python's cyclic garbage collector is paused during a
render (WeasyPrint allocates hundreds of thousands of objects and the collector would walk them
again and again); it runs again afterwards. Renders of one process are serialised by a lock:
the shared font configuration is not meant for concurrent use.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from careapp.reports.fetcher import ReportFetcher, asset_url

AUTHOR = "CaRE — auto-évaluation cybersécurité des établissements de santé"
# Tagged PDF (PDF/UA-1): headings, tables and reading order for screen readers; see README.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1"}


@dataclass
class Rendered:
    pdf: bytes
    html: str
    fetcher: ReportFetcher  # what the document asked for
    style_fetcher: ReportFetcher  # what its stylesheet asked for (fonts), when first parsed


@dataclass(frozen=True)
class Stylesheet:
    css: CSS
    fonts: FontConfiguration
    fetcher: ReportFetcher


_STYLESHEETS: dict[str, Stylesheet] = {}
_LOCK = threading.RLock()


def stylesheet(name: str = "report.css") -> Stylesheet:
    """The vendored stylesheet `name`, parsed once per process with its own font
    configuration (its @font-face fonts loaded through a ReportFetcher)."""
    with _LOCK:
        if name not in _STYLESHEETS:
            fetcher = ReportFetcher()
            fonts = FontConfiguration()
            css = CSS(url=asset_url(name), url_fetcher=fetcher, font_config=fonts)
            _STYLESHEETS[name] = Stylesheet(css, fonts, fetcher)
        return _STYLESHEETS[name]


@contextmanager
def page_context() -> Iterator[None]:
    """Templates (the charts' too) are rendered with Flask's render_template, which wants a
    request: the CLI and the batch have none, so they get an empty one."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context("/"):
        yield


def _html(template: str, report: Any) -> str:
    with page_context(), force_locale(report.lang):
        return render_template(template, report=report, lang=report.lang,
                               asset_url=asset_url)


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _pdf(html: str, report: Any, sheet_name: str,
         options: dict[str, Any] | None = None) -> Rendered:
    options = PDF_OPTIONS if options is None else options
    fetcher = ReportFetcher()
    with _LOCK, _collector_paused():
        sheet = stylesheet(sheet_name)
        document = HTML(string=html, url_fetcher=fetcher).render(
            stylesheets=[sheet.css], font_config=sheet.fonts, **options)
        meta = document.metadata
        meta.title = report.document_title
        meta.authors = [AUTHOR]
        meta.lang = report.lang
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        meta.created = meta.modified = now
        pdf = document.write_pdf(**options)
        del document
    return Rendered(pdf=pdf, html=html, fetcher=fetcher, style_fetcher=sheet.fetcher)


def render_establishment(report: Any, *, stylesheet: str = "report.css",
                         options: dict[str, Any] | None = None) -> Rendered:
    return _pdf(_html("reports/establishment.html", report), report, stylesheet, options)


def render_roadmap(report: Any, *, stylesheet: str = "report.css",
                   options: dict[str, Any] | None = None) -> Rendered:
    return _pdf(_html("reports/roadmap.html", report), report, stylesheet, options)


def render_region(report: Any, *, stylesheet: str = "report.css",
                  options: dict[str, Any] | None = None) -> Rendered:
    return _pdf(_html("reports/region.html", report), report, stylesheet, options)
