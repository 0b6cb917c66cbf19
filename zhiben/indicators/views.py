"""指标库 pages: the registry (`/indicators/`), one indicator (`/indicators/<id>/`: the value for my scope, the
township and department tables, the trend by quarter, each number a link to its records), the records behind
a number (`/indicators/<id>/records/?scope=…&key=…&period=…&part=…`) and the Excel export of the indicator
page (`?export=xlsx`), written from the same rows as the screen.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhiben.core.bounds import BoundedForm
from zhiben.core.calendar import QUARTER_RE, quarter_label, quarter_of, shift_quarter
from zhiben.core.excel.tables import TablesWorkbook

from . import registry, snapshots, tables
from .access import Reach, reach_of
from .registry import (
    DEPARTMENT,
    DIRECTION_LABELS,
    DISTRICT,
    SCOPE_LABELS,
    TOWNSHIP,
    Indicator,
    Scope,
)

PAGE_SIZE = 50


def _reach(request: HttpRequest) -> Reach:
    reach = reach_of(request.user)
    if not reach.any:
        raise PermissionDenied(_("指标仅向区安委办、区领导、监管部门和乡镇（街道）开放。"))
    return reach


def _indicator(indicator_id: str) -> Indicator:
    try:
        return registry.get(indicator_id)
    except KeyError:
        raise Http404(_("没有这个指标。")) from None


def _period_choices() -> list[tuple[str, str]]:
    current = quarter_of(timezone.localdate())
    return [(q, quarter_label(q)) for q in (shift_quarter(current, -i) for i in range(12))]


class PeriodForm(BoundedForm):
    period = forms.ChoiceField(label=gettext_lazy("季度"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = _period_choices()


def _period(request: HttpRequest) -> tuple[PeriodForm, str]:
    form = PeriodForm(request.GET or None)
    period = tables.default_period(None)
    if form.is_bound and form.is_valid() and form.cleaned_data.get("period"):
        period = form.cleaned_data["period"]
    return form, period


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _reach(request)
    groups: dict[str, list[Indicator]] = {}
    for ind in registry.all():
        groups.setdefault(ind.group or _("其他"), []).append(ind)
    return render(
        request,
        "indicators/index.html",
        {"groups": groups, "directions": DIRECTION_LABELS, "scope_labels": SCOPE_LABELS},
    )


def _cell(ind: Indicator, row: tables.Row) -> dict[str, Any]:
    """A value as the page shows it: the number, its fraction and the links to the records."""
    v = row.value
    links = {}
    if v.available:
        links["numerator"] = tables.records_page_url(ind, row.scope, v.period, tables.NUMERATOR)
        if v.denominator is not None:
            links["denominator"] = tables.records_page_url(ind, row.scope, v.period, tables.DENOMINATOR)
    return {"row": row, "value": v, "links": links}


def page_rows(ind: Indicator, reach: Reach, period: str) -> dict[str, list[tables.Row]]:
    """The tables of the indicator page (and of its export): my scope, townships, departments."""
    home = reach.home()
    mine = tables.values(ind, [home], period) if home is not None and ind.supports(home) else []
    return {
        "mine": mine,
        TOWNSHIP: tables.table(ind, TOWNSHIP, reach, period),
        DEPARTMENT: tables.table(ind, DEPARTMENT, reach, period),
    }


def _value_text(ind: Indicator, v: registry.Value) -> str:
    if not v.available:
        return _("未接入")
    if v.value is None:
        return "—"
    return f"{v.value}{ind.unit}" if ind.unit == "%" else f"{v.value}"


def _number(n: Any) -> Any:
    return "—" if n is None else n


@login_required
def detail(request: HttpRequest, indicator_id: str) -> HttpResponse:
    reach = _reach(request)
    ind = _indicator(indicator_id)
    form, period = _period(request)
    rows = page_rows(ind, reach, period)
    if request.GET.get("export") == "xlsx":
        return _export(request, ind, reach, period, rows)
    home = reach.home()
    trend = (
        tables.trend(ind, home, period) if home is not None and ind.supports(home) and ind.available else []
    )
    chart = {
        "labels": [label for label, _v in trend],
        "values": [float(v.value) if v.value is not None else None for _l, v in trend],
        "unit": ind.unit,
        "target": float(ind.target) if ind.target is not None else None,
    }
    return render(
        request,
        "indicators/detail.html",
        {
            "ind": ind,
            "form": form,
            "period": period,
            "period_label": quarter_label(period),
            "frozen": snapshots.is_frozen(period),
            "mine": [_cell(ind, r) for r in rows["mine"]],
            "townships": [_cell(ind, r) for r in rows[TOWNSHIP]],
            "departments": [_cell(ind, r) for r in rows[DEPARTMENT]],
            "trend": [(label, v, _value_text(ind, v)) for label, v in trend],
            "chart": chart,
            "direction": DIRECTION_LABELS[ind.direction],
            "scope_labels": [
                SCOPE_LABELS[k] for k in (DISTRICT, TOWNSHIP, DEPARTMENT, "industry") if k in ind.scopes
            ],
            "export_query": f"period={period}&export=xlsx",
        },
    )


HEADERS = (
    gettext_lazy("范围"),
    gettext_lazy("指标值"),
    gettext_lazy("分子"),
    gettext_lazy("分母"),
)


def _export(
    request: HttpRequest, ind: Indicator, reach: Reach, period: str, rows: dict[str, list[tables.Row]]
) -> HttpResponse:
    """The page's tables as .xlsx: my scope, townships, departments — the rows and numbers of the screen."""
    caption = _("%(name)s（%(unit)s）· %(period)s · 口径：%(definition)s") % {
        "name": ind.name,
        "unit": ind.unit,
        "period": quarter_label(period),
        "definition": ind.definition,
    }
    book = TablesWorkbook(caption)

    def lines(items: list[tables.Row]) -> list[list[Any]]:
        return [
            [r.label, _value_text(ind, r.value), _number(r.value.numerator), _number(r.value.denominator)]
            for r in items
        ]

    book.sheet(_("本级"), HEADERS, lines(rows["mine"]))
    book.sheet(_("按乡镇（街道）"), HEADERS, lines(rows[TOWNSHIP]))
    book.sheet(_("按部门"), HEADERS, lines(rows[DEPARTMENT]))
    return book.download(
        f"指标-{ind.name}",
        timezone.localdate(),
        actor=request.user,
        object_type="indicators.indicator",
        data={"indicator": ind.id, "period": period},
    )


class RecordsForm(BoundedForm):
    scope = forms.ChoiceField(choices=[(k, k) for k in registry.SCOPE_KINDS], required=False)
    key = forms.CharField(required=False, max_length=20)
    period = forms.RegexField(regex=QUARTER_RE, required=False)
    part = forms.ChoiceField(choices=[(p, p) for p in tables.PARTS], required=False)


@login_required
def records(request: HttpRequest, indicator_id: str) -> HttpResponse:
    reach = _reach(request)
    ind = _indicator(indicator_id)
    form = RecordsForm(request.GET)
    if not form.is_valid():
        raise Http404(_("链接参数有误。"))
    data = form.cleaned_data
    kind = data.get("scope") or DISTRICT
    key = data.get("key") or ""
    if kind == DISTRICT and key:
        raise Http404
    scope = Scope(kind, key)
    if not ind.available or not ind.supports(scope) or not reach.allows(scope):
        raise Http404
    period = data.get("period") or tables.default_period(None)
    part = data.get("part") or tables.NUMERATOR
    parts = ind.parts(scope, period)
    qs = parts.numerator if part == tables.NUMERATOR else parts.denominator
    if qs is None:
        raise Http404
    page = Paginator(tables.record_rows(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    value = ind.value(scope, period)
    return render(
        request,
        "indicators/records.html",
        {
            "ind": ind,
            "scope_label": scope.label(),
            "period_label": quarter_label(period),
            "part_label": ind.numerator_label if part == tables.NUMERATOR else ind.denominator_label,
            "page": page,
            "rows": [(o, tables.record_name(o), tables.record_url(o)) for o in page.object_list],
            "value": value,
            "record_type": str(qs.model._meta.verbose_name),
            "query": tables.records_query(scope, period, part),
        },
    )
