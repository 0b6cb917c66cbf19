"""Exports: exactly the given rows as .xlsx; a text that starts like a formula is neutralised (CSV/XLSX injection)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from zhiben.core.formats import EXCEL_DATETIME_FORMAT, excel_time

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


# ---------------------------------------------------------------------------------------------------------
# Export


def safe_cell(value: Any) -> Any:
    """A text starting like a formula is prefixed with an apostrophe so Excel shows it as text (CSV/XLSX injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return excel_time(value)  # Beijing time, naive: openpyxl refuses an aware datetime
    return value


def append_row(ws: Any, row: Sequence[Any]) -> None:
    """One data row through safe_cell(); a time cell gets the one date-time number format."""
    ws.append([safe_cell(v) for v in row])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, dt.datetime):
            cell.number_format = EXCEL_DATETIME_FORMAT


def build_workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Workbook:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet_title(title)
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row in rows:
        append_row(ws, row)
    ws.freeze_panes = "A2"
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(40, len(str(h)) * 2 + 4))
    return wb


def workbook_response(wb: Workbook, filename: str) -> HttpResponse:
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def export_response(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """An .xlsx download of exactly these rows, named after the title and today's date."""
    wb = build_workbook(title, headers, rows)
    return workbook_response(wb, f"{title}-{timezone.localdate():%Y%m%d}.xlsx")


def sheet_title(title: str) -> str:
    # Excel forbids []:*?/\ in sheet names and caps them at 31 characters.
    return re.sub(r"[\[\]:*?/\\]", "", str(title))[:31] or "Sheet1"
