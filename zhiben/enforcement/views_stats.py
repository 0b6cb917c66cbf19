"""执法统计: the statistics page and its Excel export (read-only; the one row written is the export's audit row).

Every number on the page and in the workbook comes from one `stats.figures()` call for the user's scope and the
filter bar, and both render the rows through `row_values()`, so the two agree by construction. Enterprise
users get 403: a unit sees its own cases, not district statistics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhiben.core.bounds import BoundedForm
from zhiben.core.documents import chinese_date
from zhiben.core.excel.tables import TablesWorkbook, export_statistics
from zhiben.core.scoping import can
from zhiben.core.widgets import FastSelect
from zhiben.registry.forms import statistics_region_choices

from . import stats
from .models import Case

# The columns of every breakdown (department, township, quarter), in the page's and the workbook's order.
ROW_HEADERS = (
    gettext_lazy("检查次数"),
    gettext_lazy("四不两直"),
    gettext_lazy("四不两直占比（%）"),
    gettext_lazy("发现重大隐患"),
    gettext_lazy("平均每次检查发现重大隐患（项）"),
    gettext_lazy("处罚决定"),
    gettext_lazy("罚款金额（元）"),
    gettext_lazy("责令限期整改"),
    gettext_lazy("发现问题的检查"),
    gettext_lazy("其中未采取任何措施"),
    gettext_lazy("只检查不处罚率（%）"),
)


# ------------------------------------------------------------------------------------------------ access


def _require_statistics(user: Any) -> None:
    if not can(user, "view", Case) or not stats.may_view_statistics(user):
        raise PermissionDenied(_("执法统计仅向区安委办、监管部门、乡镇（街道）和区领导开放。"))


# ------------------------------------------------------------------------------------------------ filter


def _region_choices(user: Any) -> list[tuple[str, str]]:
    """Counties and townships the user's scope reaches (a township official: its own)."""
    return statistics_region_choices(set(stats.region_prefixes(user)))


class StatsFilterForm(BoundedForm):
    """The filter bar: every field optional; a bad value is reported on its field and left out."""

    year = forms.TypedChoiceField(label=gettext_lazy("年度"), required=False, coerce=int, empty_value=None)
    quarter = forms.TypedChoiceField(label=gettext_lazy("季度"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(
        label=gettext_lazy("或日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.ChoiceField(label=gettext_lazy("区域"), required=False)
    department = forms.ChoiceField(label=gettext_lazy("部门"), required=False)

    def __init__(self, data: Any = None, *, user: Any, today: dt.date) -> None:
        super().__init__(data)
        self.today = today
        first = min(stats.FIRST_YEAR, today.year)
        options: dict[str, list[tuple[str, str]]] = {
            "year": [(str(y), f"{y}年") for y in range(today.year, first - 1, -1)],
            "quarter": [(str(q), _("第%(q)s季度") % {"q": "一二三四"[q - 1]}) for q in range(1, 5)],
            "region": _region_choices(user),
            "department": stats.department_choices(user),
        }
        for name, choices in options.items():
            f = self.fields[name]
            f.choices = [("", _("全部") if name in ("region", "department") else _("不限")), *choices]  # type: ignore[attr-defined]
            f.widget = FastSelect(choices=f.choices)  # type: ignore[attr-defined]
            f.error_messages["invalid_choice"] = _("“%(value)s”不是有效的选项，已忽略。")
        self.fields["year"].widget.choices = [("", _("本年")), *options["year"]]  # type: ignore[attr-defined]
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = _("请输入有效的日期（如 2025-01-31），已忽略。")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and start > self.today:
            self.add_error("date_from", _("开始日期不能晚于今天。"))
        elif start and end and start > end:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        elif start or end:
            period = stats.StatsFilter(date_from=start, date_to=end).period(self.today)
            if len(period.quarters) > stats.MAX_QUARTERS:
                self.add_error(
                    "date_to", _("统计期间最长 %(n)s 个季度，请缩短日期范围。") % {"n": stats.MAX_QUARTERS}
                )
                data.pop("date_from", None)  # the range is refused whole, not cut to a longer one
        return data

    def filters(self) -> stats.StatsFilter:
        """The valid part of the submitted filters (an invalid field is dropped, with its error shown)."""
        if not self.is_bound:
            return stats.StatsFilter()
        self.is_valid()
        data = self.cleaned_data
        return stats.StatsFilter(
            year=data.get("year"),
            quarter=data.get("quarter"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            region=data.get("region") or "",
            department=data.get("department") or "",
        )


# ---------------------------------------------------------------------------------------------- figures


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def row_values(c: stats.Counts) -> list[Any]:
    """One row's numbers in ROW_HEADERS order (the page and the workbook share them)."""
    return [
        c.inspections,
        c.unannounced,
        c.unannounced_share.percent,
        c.major_found,
        c.major_per_inspection,
        c.penalties,
        c.fines,
        c.orders,
        c.inspect_only_rate.denominator,
        c.inspect_only_rate.numerator,
        c.inspect_only_rate.percent,
    ]


def chart_data(f: stats.Figures) -> dict[str, Any]:
    return {
        "quarters": {
            "categories": [r.label for r in f.quarters],
            "inspections": [r.counts.inspections for r in f.quarters],
            "penalties": [r.counts.penalties for r in f.quarters],
            "orders": [r.counts.orders for r in f.quarters],
        },
        "departments": {
            "categories": [r.label for r in f.departments],
            "inspections": [r.counts.inspections for r in f.departments],
            "penalties": [r.counts.penalties for r in f.departments],
            "zero": [r.counts.zero_penalty for r in f.departments],
        },
        "rates": {
            "categories": [r.label for r in f.departments],
            "percent": [r.counts.inspect_only_rate.percent for r in f.departments],
            "numerator": [r.counts.inspect_only_rate.numerator for r in f.departments],
            "denominator": [r.counts.inspect_only_rate.denominator for r in f.departments],
        },
    }


def _link(filters: stats.StatsFilter, **changes: str) -> str:
    items = dict(filters.query_items())
    items.update(changes)
    return "?" + urlencode(items)


def _context(request: HttpRequest) -> tuple[StatsFilterForm, stats.Figures, dict[str, Any]]:
    _require_statistics(request.user)
    today = timezone.localdate()
    form = StatsFilterForm(request.GET or None, user=request.user, today=today)
    filters = form.filters()
    figures = stats.figures(request.user, filters, today)
    info = {
        "scope": stats.scope_label(request.user),
        "description": stats.describe(filters, figures.period),
        "query": urlencode(filters.query_items()),
    }
    return form, figures, info


def _table(rows: Sequence[stats.Row], links: dict[str, str] | None = None) -> list[dict[str, Any]]:
    return [
        {
            "row": r,
            "values": row_values(r.counts),
            "fines": money(r.counts.fines),
            "link": (links or {}).get(r.code, ""),
        }
        for r in rows
    ]


@login_required
def stats_page(request: HttpRequest) -> HttpResponse:
    form, figures, info = _context(request)
    f = figures.filters
    return render(
        request,
        "enforcement/stats/dashboard.html",
        {
            "title": _("执法统计"),
            "form": form,
            "figures": figures,
            "totals": figures.totals,
            "total_values": row_values(figures.totals),
            "total_fines": money(figures.totals.fines),
            "total_fines_wan": money(figures.totals.fines / 10000),
            "departments": _table(
                figures.departments, {r.code: _link(f, department=r.code) for r in figures.departments}
            ),
            "townships": _table(
                figures.townships, {r.code: _link(f, region=r.code) for r in figures.townships}
            ),
            "quarters": _table(figures.quarters),
            "zero_flags": [
                (flag, _link(f, **{"department" if flag.kind == "department" else "region": flag.code}))
                for flag in figures.zero_penalty
            ],
            "charts": chart_data(figures),
            "can_export": can(request.user, "export", Case),
            **info,
        },
    )


# ----------------------------------------------------------------------------------------------- export


def figures_workbook(figures: stats.Figures, *, scope: str, description: str) -> TablesWorkbook:
    """The figures the page shows: one sheet per table, the scope and filters described at the top of each."""
    book = TablesWorkbook(
        _("统计范围：%(s)s；%(d)s；统计日期：%(t)s")
        % {"s": scope, "d": description, "t": chinese_date(figures.today)}
    )
    c = figures.totals
    book.sheet(
        _("概览"),
        [_("指标"), _("数值"), _("分子"), _("分母")],
        [
            [_("检查次数"), c.inspections, None, None],
            [_("四不两直占比（%）"), c.unannounced_share.percent, c.unannounced, c.inspections],
            [_("发现重大隐患"), c.major_found, None, None],
            [_("平均每次检查发现重大隐患（项）"), c.major_per_inspection, c.major_found, c.inspections],
            [_("处罚决定"), c.penalties, None, None],
            [_("罚款金额（元）"), c.fines, None, None],
            [_("责令限期整改"), c.orders, None, None],
            [
                _("只检查不处罚率（%）"),
                c.inspect_only_rate.percent,
                c.inspect_only_rate.numerator,
                c.inspect_only_rate.denominator,
            ],
            [_("零处罚单位"), len(figures.zero_penalty), None, None],
        ],
    )
    book.sheet(
        _("零处罚单位"),
        [_("类别"), _("单位"), _("检查次数"), _("处罚决定")],
        [[flag.kind_label, flag.label, flag.inspections, 0] for flag in figures.zero_penalty],
    )
    for title, dimension, rows, flags in (
        (_("按部门"), _("部门"), figures.departments, True),
        (_("按乡镇（街道）"), _("乡镇（街道）"), figures.townships, figures.flags_townships),
        (_("按季度"), _("季度"), figures.quarters, False),
    ):
        headers = [dimension, *ROW_HEADERS, *([_("零处罚")] if flags else [])]
        book.sheet(
            title,
            headers,
            [[r.label, *row_values(r.counts), *([r.counts.zero_penalty] if flags else [])] for r in rows],
            total=[_("合计"), *row_values(figures.totals), *([None] if flags else [])],
        )
    book.sheet(
        _("检查方式"),
        [_("检查方式"), _("检查次数"), _("占比（%）")],
        [[m.label, m.count, m.share.percent] for m in figures.modes],
    )
    book.sheet(
        _("典型案例"),
        [_("案件编号"), _("当事人"), _("办案部门"), _("乡镇（街道）"), _("决定日期"), _("简介")],
        [[x.code, x.subject, x.department, x.township, x.day, x.summary] for x in figures.typical],
    )
    return book


@login_required
def stats_export(request: HttpRequest) -> HttpResponse:
    """The page's figures under the current filters as .xlsx."""
    _require_statistics(request.user)
    return export_statistics(
        request, Case, _context, figures_workbook, name="执法统计", object_type="enforcement.statistics"
    )
