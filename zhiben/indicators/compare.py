"""The comparison tables (`/indicators/compare/?by=township|department&period=…`): every scope the reader may
see as a row, every connected indicator that can be cut that way as a column, each value a link to the records
it counts — the 乡镇 × 指标 and 部门 × 指标 tables of the command centre — and their Excel export (`&export=xlsx`)
from the same rows. Indicators whose module is not built are named under the table as 未接入, never a 0."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core.calendar import quarter_label
from zhiben.core.excel.tables import TablesWorkbook

from . import registry, snapshots, tables
from .registry import DEPARTMENT, TOWNSHIP, Indicator, Scope, Value
from .views import _period, _reach, _value_text

KINDS = {TOWNSHIP: _("乡镇（街道）"), DEPARTMENT: _("部门")}


@dataclass(frozen=True)
class Cell:
    value: Value
    text: str
    link: str


@dataclass(frozen=True)
class Line:
    scope: Scope
    label: str
    cells: list[Cell]


def columns(kind: str) -> tuple[list[Indicator], list[Indicator]]:
    """(connected indicators that can be cut by `kind`, those still 未接入)."""
    cut = [i for i in registry.all() if kind in i.scopes]
    return [i for i in cut if i.available], [i for i in cut if not i.available]


def lines(indicators: list[Indicator], scopes: list[Scope], period: str) -> list[Line]:
    """One row per scope; the values come from `tables.values` (the snapshot for a frozen quarter)."""
    by_indicator = {ind.id: tables.values(ind, scopes, period) for ind in indicators}
    out = []
    for n, scope in enumerate(scopes):
        cells = []
        for ind in indicators:
            v = by_indicator[ind.id][n].value
            cells.append(
                Cell(v, _value_text(ind, v), tables.records_page_url(ind, scope, period, tables.NUMERATOR))
            )
        out.append(Line(scope, scope.label(), cells))
    return out


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    reach = _reach(request)
    kind = request.GET.get("by") or (TOWNSHIP if reach.everything or reach.townships else DEPARTMENT)
    if kind not in KINDS:
        raise Http404(_("没有这种对比方式。"))
    form, period = _period(request)
    shown, absent = columns(kind)
    rows = lines(shown, reach.scopes(kind), period)
    headers = [str(KINDS[kind]), *[f"{i.name}（{i.unit}）" for i in shown]]
    if request.GET.get("export") == "xlsx":
        return _export(request, kind, period, headers, rows)
    return render(
        request,
        "indicators/compare.html",
        {
            "kind": kind,
            "kinds": [(k, label) for k, label in KINDS.items() if k in reach.kinds],
            "form": form,
            "period": period,
            "period_label": quarter_label(period),
            "frozen": snapshots.is_frozen(period),
            "indicators": shown,
            "absent": absent,
            "rows": rows,
        },
    )


def _export(
    request: HttpRequest, kind: str, period: str, headers: list[str], rows: list[Line]
) -> HttpResponse:
    title = _("%(kind)s指标对比") % {"kind": KINDS[kind]}
    book = TablesWorkbook(
        _("%(period)s · 数值由记录计算（已冻结季度取季度快照）") % {"period": quarter_label(period)}
    )
    data: list[list[Any]] = [[r.label, *[c.text for c in r.cells]] for r in rows]
    book.sheet(title, headers, data)
    return book.download(
        title,
        timezone.localdate(),
        actor=request.user,
        object_type="indicators.compare",
        data={"by": kind, "period": period},
    )
