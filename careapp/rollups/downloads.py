"""Downloads of regional tables (CSV, XLSX): the same scope and access rules as the pages.

A region outside the person's scope answers 404; an establishment account (which sees no
regional dashboard) 403, as /region/ does. The registers' columns go to the ARS of the region
only (`can_see_register_summaries_of_region`); GRADeS, national and admin get the rest.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from typing import Any

from flask import Blueprint, Response, abort, request, send_file
from flask_babel import get_locale
from flask_login import current_user

from careapp.assessments.models import Campaign
from careapp.auth.access import (
    can_see_register_summaries_of_region,
    get_region_or_404,
    visible_region_codes,
)
from careapp.db import db
from careapp.organisations.models import Region
from careapp.rollups import followup
from careapp.rollups.exports import to_csv, to_xlsx
from careapp.rollups.region_results import region_results

bp = Blueprint("downloads", __name__, url_prefix="/region/<code>/export")

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _region_and_campaign(code: str) -> tuple[Region, Campaign]:
    """The page's rules: the region (403/404, access.get_region_or_404) and the campaign
    (the `campagne` parameter, else the page's default)."""
    from careapp.rollups.views import region_campaign_or_404  # the views import this module

    region = get_region_or_404(code)
    return region, region_campaign_or_404(code, request.args.get("campagne"))


def _download(code: str, fmt: str) -> Response:
    region, campaign = _region_and_campaign(code)
    locale = get_locale()
    table = region_results(
        region.code, campaign,
        with_registers=can_see_register_summaries_of_region(current_user, region.code),
        lang=locale.language if locale else "fr")
    name = f"care-{_slug(region.name)}-{campaign.year}-etablissements"
    if fmt == "csv":
        data = to_csv(table.columns, table.rows)
    else:
        data = to_xlsx(table.columns, table.rows, title=f"{region.name} {campaign.year}")
    response = send_file(io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True,
                         download_name=f"{name}.{fmt}", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/etablissements.csv")
def establishments_csv(code: str) -> Response:
    return _download(code, "csv")


@bp.get("/etablissements.xlsx")
def establishments_xlsx(code: str) -> Response:
    return _download(code, "xlsx")


# -- the ARS dashboard's tables, as filtered on the page --------------------------------------

def _send(table: Any, name: str, fmt: str, title: str) -> Response:
    data = (to_csv(table.columns, table.rows) if fmt == "csv"
            else to_xlsx(table.columns, table.rows, title=title))
    response = send_file(io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True,
                         download_name=f"{name}.{fmt}", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def _dashboard_download(code: str, fmt: str, what: str) -> Response:
    """The establishment table (`tableau`) or the « à relancer » list of the dashboard, with
    the page's filters and sort (bad values fall back to the defaults, as on the page)."""
    from careapp.rollups import dashboard
    from careapp.rollups.region_results import dashboard_table, followup_table

    region, campaign = _region_and_campaign(code)
    with_registers = can_see_register_summaries_of_region(current_user, region.code)
    frame, _comparison = dashboard.with_change(dashboard.lines(campaign, region.code),
                                               campaign, region.code)
    db.session.commit()  # lines read for the first time have just been stored
    today = dt.date.today()
    rows, _filters = dashboard.filtered_rows(frame, request.args, with_registers=with_registers)
    if what == "tableau":
        table = dashboard_table(rows, with_registers=with_registers, today=today)
    else:
        table = followup_table(followup.to_follow_up(rows, campaign.deadline, today,
                                                     with_registers))
    return _send(table, f"care-{_slug(region.name)}-{campaign.year}-{what}", fmt,
                 f"{region.name} {campaign.year}")


def _scores_download(code: str, fmt: str) -> Response:
    """The synthesis' scores table (median, quartiles, n per axis), from the summaries."""
    from careapp.assessments.services import questionnaire_of_campaign
    from careapp.rollups import dashboard
    from careapp.rollups.region_results import scores_table

    region, campaign = _region_and_campaign(code)
    figures = dashboard.headline(campaign, region.code)
    db.session.commit()  # a scope read for the first time has just been stored
    locale = get_locale()
    table = scores_table(questionnaire_of_campaign(campaign), figures,
                         locale.language if locale else "fr")
    return _send(table, f"care-{_slug(region.name)}-{campaign.year}-scores", fmt,
                 f"{region.name} {campaign.year}")


@bp.get("/scores.csv")
def scores_csv(code: str) -> Response:
    return _scores_download(code, "csv")


@bp.get("/scores.xlsx")
def scores_xlsx(code: str) -> Response:
    return _scores_download(code, "xlsx")


@bp.get("/tableau.csv")
def table_csv(code: str) -> Response:
    return _dashboard_download(code, "csv", "tableau")


@bp.get("/tableau.xlsx")
def table_xlsx(code: str) -> Response:
    return _dashboard_download(code, "xlsx", "tableau")


@bp.get("/a-relancer.csv")
def followup_csv(code: str) -> Response:
    return _dashboard_download(code, "csv", "a-relancer")


@bp.get("/a-relancer.xlsx")
def followup_xlsx(code: str) -> Response:
    return _dashboard_download(code, "xlsx", "a-relancer")


# -- the national dashboard's regions table (national staff and administrators) ---------------

national_bp = Blueprint("national_downloads", __name__, url_prefix="/national/export")


def _national_download(fmt: str) -> Response:
    """403 for whoever does not see every region (the national page's audience); the campaign is
    the `campagne` parameter or, as on the page, the default national one; 404 without one."""
    from careapp.rollups import national

    if visible_region_codes(current_user) is not None:
        abort(403)
    campaign = national.chosen_campaign(national.national_campaigns(),
                                        request.args.get("campagne", type=int))
    if campaign is None:
        abort(404)
    columns = national.regions_columns()
    rows = national.regions_rows(national.dashboard(campaign))
    name = f"care-national-{campaign.year}-regions"
    data = (to_csv(columns, rows) if fmt == "csv"
            else to_xlsx(columns, rows, title=f"Régions {campaign.year}"))
    response = send_file(io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True,
                         download_name=f"{name}.{fmt}", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@national_bp.get("/regions.csv")
def regions_csv() -> Response:
    return _national_download("csv")


@national_bp.get("/regions.xlsx")
def regions_xlsx() -> Response:
    return _national_download("xlsx")
