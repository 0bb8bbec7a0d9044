"""The ARS dashboard's establishment table (pure): filters read from a query string, search,
sort and paging of the establishment rollups frame (one row per establishment, see
loaders.establishment_rollups_frame). No database, no request: plain mappings in, frames out.

Bad input never raises: an unknown value is dropped, the default used, and a French message
(a lazy string) is returned for the page to show.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from flask_babel import lazy_gettext as _l

PER_PAGE = 50
STATUSES = ("not_started", "draft", "submitted")
MAX_SEARCH = 100

# Sort keys (query string value → frame column). Register keys only for who may see registers.
SORTS = {
    "nom": "name", "finess": "finess_et", "categorie": "category", "ght": "ght_code",
    "etat": "status_key", "soumise": "submitted_at", "global": "overall", "socle": "socle_rate",
    "evolution": "change",  # dashboard.with_change: overall now minus the previous campaign's
}
REGISTER_SORTS = {
    "exercice": "last_exercise_on", "retex": "retex_missing", "d2": "d2_met",
    "p1": "open_p1", "retard": "overdue",
}
_STATUS_ORDER = {"not_started": 0, "draft": 1, "submitted": 2}


@dataclass
class Filters:
    category: str | None = None
    ght: str | None = None
    status: str | None = None
    search: str = ""
    sort: str = "nom"
    descending: bool = False
    page: int = 1
    errors: list[Any] = field(default_factory=list)

    def query(self, **changes: Any) -> dict[str, Any]:
        """The query-string parameters of these filters (with `changes`), defaults left out."""
        values = {"categorie": self.category, "ght": self.ght, "etat": self.status,
                  "q": self.search or None, "tri": self.sort if self.sort != "nom" else None,
                  "ordre": "desc" if self.descending else None,
                  "page": self.page if self.page != 1 else None}
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}


def _clean(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c)[0] != "C").strip()


def parse_filters(args: Mapping[str, str], categories: list[str], ghts: list[str],
                  with_registers: bool) -> Filters:
    """Filters from the query string; anything unknown goes back to its default with a
    message."""
    f = Filters()
    errors = f.errors
    choices = (("categorie", "category", categories,
                _l("Catégorie inconnue : le filtre par catégorie est ignoré.")),
               ("ght", "ght", ghts, _l("GHT inconnu : le filtre par GHT est ignoré.")),
               ("etat", "status", STATUSES, _l("État inconnu : le filtre par état est ignoré.")))
    for param, attribute, allowed, unknown in choices:
        value = args.get(param) or None
        if value is None:
            continue
        if value in allowed:
            setattr(f, attribute, value)
        else:
            errors.append(unknown)
    search = _clean(args.get("q", ""))
    if len(search) > MAX_SEARCH:
        errors.append(_l("Recherche trop longue : seuls les 100 premiers caractères sont pris."))
        search = search[:MAX_SEARCH]
    f.search = search
    sorts = {**SORTS, **(REGISTER_SORTS if with_registers else {})}
    sort = args.get("tri") or "nom"
    if sort in sorts:
        f.sort = sort
    else:
        errors.append(_l("Tri inconnu : le tableau est trié par nom."))
    order = args.get("ordre") or "asc"
    if order not in ("asc", "desc"):
        errors.append(_l("Ordre de tri inconnu : ordre croissant."))
    f.descending = order == "desc"
    page = args.get("page") or "1"
    if page.isdigit() and 0 < int(page) < 10**6:
        f.page = int(page)
    else:
        errors.append(_l("Numéro de page invalide : première page."))
    return f


def _folded(text: Any) -> str:
    return _fold(str(text or ""))


@functools.lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    """Accents and case ignored (cached: every page sorts the same names again)."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def status_key(frame: pd.DataFrame) -> pd.Series:
    return frame["status"].astype(object).where(frame["status"].notna(), "not_started").map(str)


def filtered(frame: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The rows matching the filters and the search (name or FINESS, accents and case
    ignored)."""
    frame = frame.assign(status_key=status_key(frame))
    keep = pd.Series(True, index=frame.index)
    if f.category:
        keep &= frame["category"] == f.category
    if f.ght:
        keep &= frame["ght_code"] == f.ght
    if f.status:
        keep &= frame["status_key"] == f.status
    if f.search:
        needle = _folded(f.search)
        keep &= pd.Series([needle in _folded(n) or needle in str(fi or "")
                           for n, fi in zip(frame["name"], frame["finess_et"], strict=True)],
                          index=frame.index, dtype=bool)
    return frame[keep]


def sorted_frame(frame: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Sorted by the chosen column, missing values last whatever the order, then by name."""
    column = {**SORTS, **REGISTER_SORTS}[f.sort]
    if frame.empty:
        return frame
    if "status_key" not in frame:
        frame = frame.assign(status_key=status_key(frame))
    values = frame[column]
    if column == "status_key":
        values = values.map(_STATUS_ORDER)
    elif column in ("name", "category", "ght_code", "finess_et"):
        values = values.map(lambda v: _folded(v) if v is not None and v == v else None)
    keyed = frame.assign(_key=values, _missing=values.isna(),
                         _name=frame["name"].map(_folded))
    keyed = keyed.sort_values(["_missing", "_key", "_name"],
                              ascending=[True, not f.descending, True], kind="stable",
                              na_position="last")
    return keyed.drop(columns=["_key", "_missing", "_name"])


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    number: int
    pages: int
    total: int


def paginate(frame: pd.DataFrame, number: int, per_page: int = PER_PAGE) -> Page:
    """One page of rows (a page past the last shows the last)."""
    total = len(frame)
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, number), pages)
    chunk = frame.iloc[(number - 1) * per_page: number * per_page]
    columns = list(chunk.columns)
    rows = [{k: (None if _missing(v) else v) for k, v in zip(columns, values, strict=True)}
            for values in zip(*(chunk[c].tolist() for c in columns), strict=True)]
    return Page(rows, number, pages, total)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float):  # numpy floats too
        return value != value  # noqa: PLR0124 - NaN is the one value not equal to itself
    if isinstance(value, (str, int, dt.date)):  # the frame's usual values: no pandas call
        return False
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def page_links(number: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and `around` each side of the current one;
    None where pages are skipped."""
    shown = sorted({1, pages, *range(max(1, number - around), min(pages, number + around) + 1)})
    out: list[int | None] = []
    for previous, n in zip([0, *shown], shown, strict=False):
        if n - previous > 1:
            out.append(None)
        out.append(n)
    return out
