"""A workbook of tables, one sheet each, as a statistics page exports what it shows.

Every sheet reads the same way: its title (bold, larger), one caption row saying what the figures cover
(scope, filters, the day they were counted), the header row (bold, filled, frozen above the data), the rows,
and an optional totals row; columns are as wide as their headers. Texts that start like a formula are
neutralised (export.safe_cell).

    book = TablesWorkbook(caption)
    book.sheet(title, headers, rows, total=["合计", ...])
    return book.download("统计", day, actor=user, object_type="app.statistics", data={...})

A statistics page whose `context(request)` gives (form, figures, info) and whose `workbook(figures, scope=,
description=)` writes them exports through `export_statistics`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .. import audit, events
from ..scoping import can
from .export import HEADER_FILL, append_row, sheet_title, workbook_response

HEADER_ROW = 3  # title, caption, header


class TablesWorkbook:
    """Sheets of title, caption, header, rows and totals; the first sheet takes the workbook's own."""

    def __init__(self, caption: str) -> None:
        self.caption = caption
        self.workbook = Workbook()
        self._first = True

    def sheet(
        self,
        title: str,
        headers: Sequence[Any],
        rows: Iterable[Sequence[Any]],
        *,
        total: Sequence[Any] | None = None,
    ) -> None:
        """One table: `rows` under `headers`, then the `total` row when given."""
        ws = self.workbook.active if self._first else self.workbook.create_sheet()
        self._first = False
        assert ws is not None
        ws.title = sheet_title(title)
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([self.caption])
        ws["A2"].alignment = Alignment(wrap_text=False)
        ws.append([str(h) for h in headers])
        for cell in ws[HEADER_ROW]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
        for row in [*rows, *([total] if total is not None else [])]:
            append_row(ws, row)
        ws.freeze_panes = f"A{HEADER_ROW + 1}"
        for i, h in enumerate(headers, start=1):
            width = max(10, min(40, len(str(h)) * 2 + 4))
            ws.column_dimensions[ws.cell(HEADER_ROW, i).column_letter].width = width

    def response(self, name: str, day: dt.date) -> HttpResponse:
        """The .xlsx download, named after `name` and the day the figures were counted."""
        return workbook_response(self.workbook, f"{name}-{day:%Y%m%d}.xlsx")

    def download(
        self, name: str, day: dt.date, *, actor: Any, object_type: str, data: Mapping[str, Any]
    ) -> HttpResponse:
        """The download, recorded as one EXPORT_DOWNLOADED audit row (`data`: what was asked for)."""
        audit.record(None, events.EXPORT_DOWNLOADED, actor=actor, object_type=object_type, data=dict(data))
        return self.response(name, day)


def export_statistics(
    request: HttpRequest,
    model: type[Model],
    context: Callable[[HttpRequest], tuple[Any, Any, dict[str, Any]]],
    workbook: Callable[..., TablesWorkbook],
    *,
    name: str,
    object_type: str,
) -> HttpResponse:
    """A statistics page's figures under its filters as .xlsx: 403 without `export` on `model`, else the page's
    `context` (its figures have `today` and `filters`) written by `workbook` and downloaded, the audit row
    naming the filters and the day."""
    if not can(request.user, "export", model):
        raise PermissionDenied(_("您无权导出此数据。"))
    _form, figures, info = context(request)
    book = workbook(figures, scope=info["scope"], description=info["description"])
    return book.download(
        name,
        figures.today,
        actor=request.user,
        object_type=object_type,
        data={"filters": dict(figures.filters.query_items()), "today": figures.today.isoformat()},
    )
