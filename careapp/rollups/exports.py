"""Table writers for downloads (pure: column specs and rows in, file bytes out).

- CSV in the French Excel convention: `;` separator, UTF-8 with a BOM, decimal comma,
  dates dd/mm/yyyy, CRLF line ends, one header row. Figures are rounded once, here, with the
  display rule of careapp/numbers.py (0.1, halves up, never shown on a bound they are below).
- XLSX (openpyxl): typed cells (numbers as numbers with a display format, exact values kept;
  dates as dates), bold header, frozen header row, column widths.
- Formula injection: a text cell beginning with = + - @, a tab or a carriage return (also after
  leading spaces) is prefixed with a single quote, in both formats; in XLSX it is also forced to
  a plain string, never a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from careapp.numbers import rounded

Kind = Literal["text", "int", "number", "date"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold (openpyxl refuses them): dropped from XLSX text cells.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NUMBER_FORMATS = {"int": "0", "number": "0.0", "date": "DD/MM/YYYY"}


@dataclass(frozen=True)
class Column:
    """One column: its header, the kind of its cells, and for numbers the bounds a rounded
    figure must not appear to reach (level bounds for a score, 100 for a rate)."""

    header: str
    kind: Kind = "text"
    width: int = 12
    below: tuple[float, ...] = ()


def neutralised(text: str) -> str:
    """`text` as a spreadsheet shows it literally: a leading quote before anything a
    spreadsheet would read as a formula (= + - @, tab, CR, also after leading spaces)."""
    if text.startswith(FORMULA_STARTS) or text.lstrip(" \u00a0").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def csv_cell(value: Any, column: Column) -> str:
    if value is None:
        return ""
    match column.kind:
        case "int":
            return str(int(value))
        case "number":
            return str(rounded(value, 1, column.below)).replace(".", ",")
        case "date":
            return _date(value).strftime("%d/%m/%Y")
    return neutralised(str(value))


def to_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralised(c.header) for c in columns])
    for row in rows:
        writer.writerow([csv_cell(value, column) for value, column in zip(row, columns, strict=True)])
    return out.getvalue().encode("utf-8-sig")


def _xlsx_value(value: Any, column: Column) -> Any:
    if value is None:
        return None
    match column.kind:
        case "int":
            return int(value)
        case "number":
            return float(value) if isinstance(value, Decimal) else value
        case "date":
            return _date(value)
    return _ILLEGAL_XML.sub("", neutralised(str(value)))


def to_xlsx(columns: Sequence[Column], rows: Iterable[Sequence[Any]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = _ILLEGAL_XML.sub("", re.sub(r"[\\/*?:\[\]]", " ", title))[:31] or "Export"
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=_xlsx_value(column.header, Column("")))
        cell.data_type = "s"
        cell.font = bold
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for number, row in enumerate(rows, start=2):
        for index, (value, column) in enumerate(zip(row, columns, strict=True), start=1):
            cell = sheet.cell(row=number, column=index, value=_xlsx_value(value, column))
            if value is None:
                continue
            if column.kind == "text":
                cell.data_type = "s"  # never a formula, whatever the text
            else:
                cell.number_format = _NUMBER_FORMATS[column.kind]
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
