"""Rendering: a report's plain data → HTML (Jinja, autoescaped) → PDF (WeasyPrint).

The templates are careapp/templates/reports/*.html, the print stylesheet and the fonts
careapp/static/reports/ (README in reports/). WeasyPrint reads resources through
`ReportFetcher` only: the vendored assets, nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from weasyprint import HTML

from careapp.reports.fetcher import ReportFetcher, asset_url

AUTHOR = "CaRE — auto-évaluation cybersécurité des établissements de santé"
# Tagged PDF (PDF/UA-1): headings, tables and reading order for screen readers; see README.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1"}


@dataclass
class Rendered:
    pdf: bytes
    html: str
    fetcher: ReportFetcher


@contextmanager
def page_context() -> Iterator[None]:
    """Templates (the charts' too) are rendered with Flask's render_template, which wants a
    request: the CLI and the batch have none, so they get an empty one."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context("/"):
        yield


def _html(template: str, report: Any, stylesheet: str) -> str:
    with page_context(), force_locale(report.lang):
        return render_template(template, report=report, lang=report.lang,
                               stylesheet=asset_url(stylesheet), asset_url=asset_url)


def _pdf(html: str, report: Any, options: dict[str, Any] | None = None) -> Rendered:
    options = PDF_OPTIONS if options is None else options
    fetcher = ReportFetcher()
    document = HTML(string=html, url_fetcher=fetcher).render(**options)
    meta = document.metadata
    meta.title = report.document_title
    meta.authors = [AUTHOR]
    meta.lang = report.lang
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    meta.created = meta.modified = now
    pdf = document.write_pdf(**options)
    return Rendered(pdf=pdf, html=html, fetcher=fetcher)


def render_establishment(report: Any, *, stylesheet: str = "report.css",
                         options: dict[str, Any] | None = None) -> Rendered:
    return _pdf(_html("reports/establishment.html", report, stylesheet), report, options)


def render_roadmap(report: Any, *, stylesheet: str = "report.css",
                   options: dict[str, Any] | None = None) -> Rendered:
    return _pdf(_html("reports/roadmap.html", report, stylesheet), report, options)
