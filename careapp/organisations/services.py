"""Establishment import: validate every row first, then write all of them or none."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select

from careapp import events
from careapp.db import db
from careapp.organisations.finess import finess_error, normalise_finess
from careapp.organisations.models import CATEGORIES, Establishment, Ght, Region, Sector

REQUIRED_COLUMNS = ("finess_et", "finess_ej", "nom", "categorie", "statut", "region")
OPTIONAL_COLUMNS = ("ght_code", "ght_nom", "commune")
SECTOR_ALIASES = {
    "public": Sector.PUBLIC,
    "prive_non_lucratif": Sector.PRIVATE_NONPROFIT,
    "espic": Sector.PRIVATE_NONPROFIT,
    "prive_lucratif": Sector.PRIVATE_FORPROFIT,
}


class _Semicolon(csv.excel):
    delimiter = ";"  # the public FINESS extract uses semicolons


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Row:
    line: int
    finess_et: str
    finess_ej: str
    name: str
    category: str
    sector: Sector
    region_code: str
    ght_code: str
    ght_name: str
    city: str


def import_establishments(text: str) -> ImportReport:
    """Import a semicolon- or comma-separated file; on any bad row nothing is written."""
    report = ImportReport()
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,")
    except csv.Error:
        dialect = _Semicolon
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        report.errors.append((1, f"colonnes manquantes : {', '.join(missing)}"))
        return report
    reader.fieldnames = header
    regions = {r.code for r in db.session.scalars(select(Region))}
    # A GHT belongs to one region: known ones from the database, new ones from their first row.
    ght_regions: dict[str, str] = {code: region for code, region in db.session.execute(
        select(Ght.code, Ght.region_code))}
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num  # the file's own line number, blank lines included
        row, problems = _parse(line, raw, regions)
        finess_et = normalise_finess(raw.get("finess_et") or "")
        if finess_et in seen:
            problems.append(f"FINESS ET {finess_et} déjà présent ligne {seen[finess_et]}")
        seen.setdefault(finess_et, line)
        if row is not None and row.ght_code:
            ght_region = ght_regions.setdefault(row.ght_code, row.region_code)
            if ght_region != row.region_code:
                problems.append(f"le GHT {row.ght_code} est rattaché à la région {ght_region}, "
                                f"pas à la région {row.region_code}")
        if problems:
            report.errors.extend((line, p) for p in problems)
        elif row is not None:
            rows.append(row)
    if report.errors:
        return report
    regions: set[str] = set()
    for row in rows:
        regions |= _upsert(row, report, set(header))
    db.session.flush()
    # The dashboards' figures count every establishment of a region: they follow the import.
    events.establishments_changed.send(frozenset(regions))
    return report


def _parse(line: int, raw: dict[str, str | None], regions: set[str]) -> tuple[_Row | None, list[str]]:
    if None in raw:  # more cells than columns
        return None, ["trop de colonnes sur cette ligne"]
    get = {k: (v or "").strip() for k, v in raw.items()}
    problems = []
    finess_et = normalise_finess(get["finess_et"])
    finess_ej = normalise_finess(get["finess_ej"])
    for label, value in (("FINESS ET", finess_et), ("FINESS EJ", finess_ej)):
        reason = finess_error(value)
        if reason:
            problems.append(f"{label} « {value} » : {reason}")
    if not get["nom"]:
        problems.append("nom manquant")
    elif len(get["nom"]) > 200:
        problems.append("nom trop long (200 caractères au plus)")
    category = get["categorie"].upper()
    if category not in CATEGORIES:
        problems.append(f"catégorie inconnue « {get['categorie']} » "
                        f"(attendu : {', '.join(CATEGORIES)})")
    sector = SECTOR_ALIASES.get(get["statut"].lower())
    if sector is None:
        problems.append(f"statut inconnu « {get['statut']} » "
                        "(attendu : public, prive_non_lucratif, prive_lucratif)")
    region_code = get["region"].zfill(2) if get["region"].isdigit() else get["region"]
    if region_code not in regions:
        problems.append(f"code région INSEE inconnu « {get['region']} »")
    ght_code = get.get("ght_code", "")
    for column, label, limit in (("ght_code", "code GHT", 20), ("ght_nom", "nom du GHT", 200),
                                 ("commune", "commune", 120)):
        if len(get.get(column, "")) > limit:
            problems.append(f"{label} trop long ({limit} caractères au plus)")
    if problems or sector is None:
        return None, problems
    return _Row(line, finess_et, finess_ej, get["nom"], category, sector, region_code, ght_code,
                get.get("ght_nom", ""), get.get("commune", "")), []


def _upsert(row: _Row, report: ImportReport, columns: set[str]) -> set[str]:
    """Create or update; an optional column absent from the file leaves its field as it is.
    Returns the regions the establishment leaves or joins (one when it stays)."""
    ght = None
    if row.ght_code:
        ght = db.session.scalar(select(Ght).filter_by(code=row.ght_code))
        if ght is None:
            ght = Ght(code=row.ght_code, name=row.ght_name or row.ght_code,
                      region_code=row.region_code)
            db.session.add(ght)
        elif row.ght_name:
            ght.name = row.ght_name
    establishment = db.session.scalar(select(Establishment).filter_by(finess_et=row.finess_et))
    if establishment is None:
        establishment = Establishment(finess_et=row.finess_et)
        db.session.add(establishment)
        report.created += 1
    else:
        report.updated += 1
    regions = {row.region_code} | ({establishment.region_code} if establishment.region_code else set())
    establishment.finess_ej = row.finess_ej
    establishment.name = row.name
    establishment.category = row.category
    establishment.sector = row.sector
    establishment.region_code = row.region_code
    if "commune" in columns or establishment.city is None:
        establishment.city = row.city
    if "ght_code" in columns:
        establishment.ght = ght
    return regions
