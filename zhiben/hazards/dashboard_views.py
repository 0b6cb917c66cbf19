"""隐患统计分析: the statistics dashboard, its Excel export and the 通报 page (read models only; the one write,
issuing a 通报, goes through bulletins.issue_bulletin).

Every number on the page, in the workbook and in a 通报 comes from one `stats.figures()` call for the user's
scope and the filter bar, so the three agree by construction. Enterprise-only users get 403: a unit sees its
own hazards in the register, not district statistics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhiben.core import calendar
from zhiben.core.bounds import BoundedForm
from zhiben.core.documents import DocumentError, chinese_date, download_url
from zhiben.core.errors import DomainError
from zhiben.core.excel.tables import TablesWorkbook, export_statistics
from zhiben.core.scoping import can
from zhiben.core.widgets import FastSelect
from zhiben.registry.forms import statistics_region_choices
from zhiben.registry.models import Department, Industry

from . import bulletins, stats
from .choices import Level, Source
from .models import Hazard, HazardTally

# Above this many regions the filter offers counties and cities only (a province has thousands of townships).
FIRST_QUARTER = "2023Q1"  # the campaign's stock year; earlier stock appears when the register has it

BREAKDOWN_HEADERS = (
    gettext_lazy("隐患总数"),
    gettext_lazy("待判定"),
    gettext_lazy("在办"),
    gettext_lazy("逾期"),
    gettext_lazy("已销号"),
    gettext_lazy("按期销号"),
    gettext_lazy("应按期整改（含逾期）"),
    gettext_lazy("按期整改率（%）"),
    gettext_lazy("存量隐患"),
    gettext_lazy("存量已销号"),
    gettext_lazy("存量销号率（%）"),
    gettext_lazy("重大隐患在办"),
    gettext_lazy("重大隐患逾期"),
    gettext_lazy("判定超期"),
)


# ------------------------------------------------------------------------------------------------ access


def _require_statistics(user: Any) -> None:
    if not user.is_authenticated:
        raise PermissionDenied
    if not can(user, "view", Hazard) or not stats.may_view_statistics(user):
        raise PermissionDenied(_("隐患统计分析仅向区安委办、监管部门、乡镇（街道）和区领导开放。"))


def hazard_list_url() -> str:
    try:
        return reverse("hazards:hazard_list")
    except NoReverseMatch:
        return "/hazards/"


# ------------------------------------------------------------------------------------------------ filter


def _quarter_choices(today: dt.date) -> list[tuple[str, str]]:
    first = HazardTally.objects.aggregate(q=Min("quarter"))["q"] or FIRST_QUARTER
    first = min(first, FIRST_QUARTER, key=calendar.parse_quarter)
    quarters = calendar.quarters_between(first, calendar.quarter_of(today))
    return [(q, calendar.quarter_label(q)) for q in reversed(quarters)]


def _region_choices(user: Any) -> list[tuple[str, str]]:
    """Counties and townships the user's statistics scope reaches (a township official: its own); a scope of
    more than MAX_REGION_OPTIONS offers cities and counties instead."""
    return statistics_region_choices({g.region_prefix for g in stats.statistics_grants(user)})


def _select(choices: Sequence[tuple[str, str]]) -> FastSelect:
    return FastSelect(choices=[("", _("全部")), *choices])


class StatsFilterForm(BoundedForm):
    """The filter bar: every field optional; a bad value is reported on its field and left out."""

    region = forms.ChoiceField(label=gettext_lazy("区域"), required=False)
    industry = forms.ChoiceField(label=gettext_lazy("行业领域"), required=False)
    department = forms.ChoiceField(label=gettext_lazy("监管部门"), required=False)
    level = forms.ChoiceField(label=gettext_lazy("隐患等级"), required=False)
    source = forms.ChoiceField(label=gettext_lazy("隐患来源"), required=False)
    stock = forms.ChoiceField(label=gettext_lazy("存量/新增"), required=False)
    quarter_from = forms.ChoiceField(label=gettext_lazy("发现时间自"), required=False)
    quarter_to = forms.ChoiceField(label=gettext_lazy("至"), required=False)

    def __init__(self, data: Any = None, *, user: Any, today: dt.date) -> None:
        super().__init__(data)
        industries = [
            (i.code, ("\u3000" + i.name) if i.parent_id else i.name)
            for i in Industry.objects.order_by("sort_order", "code")
        ]
        departments = list(Department.objects.order_by("sort_order", "code").values_list("code", "name"))
        quarters = _quarter_choices(today)
        options: dict[str, list[tuple[str, str]]] = {
            "region": _region_choices(user),
            "industry": industries,
            "department": departments,
            "level": [(str(v), str(label)) for v, label in Level.choices],
            "source": [(str(v), str(label)) for v, label in Source.choices],
            "stock": [("1", _("存量隐患（2023年底前）")), ("0", _("新增隐患"))],
            "quarter_from": quarters,
            "quarter_to": quarters,
        }
        for name, choices in options.items():
            field = self.fields[name]
            field.choices = [("", _("全部")), *choices]  # type: ignore[attr-defined]
            field.widget = _select(choices)
            field.error_messages["invalid_choice"] = _("“%(value)s”不是有效的选项，已忽略。")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("quarter_from"), data.get("quarter_to")
        if start and end and calendar.parse_quarter(start) > calendar.parse_quarter(end):
            self.add_error("quarter_to", _("结束季度不能早于开始季度。"))
        return data

    def filters(self) -> stats.StatsFilter:
        """The valid part of the submitted filters (an invalid field is dropped, with its error shown)."""
        if not self.is_bound:
            return stats.StatsFilter()
        self.is_valid()
        data = self.cleaned_data
        stock = data.get("stock") or ""
        return stats.StatsFilter(
            region=data.get("region") or "",
            industry=data.get("industry") or "",
            department=data.get("department") or "",
            level=data.get("level") or "",
            source=data.get("source") or "",
            stock=None if stock == "" else stock == "1",
            quarter_from=data.get("quarter_from") or "",
            quarter_to=data.get("quarter_to") or "",
        )


# ---------------------------------------------------------------------------------------------- figures


def breakdown_values(counts: stats.Counts) -> list[Any]:
    """One breakdown row's numbers, in BREAKDOWN_HEADERS order (the page and the workbook share them)."""
    on_time, stock = counts.on_time_rate, counts.stock_clearance
    return [
        counts.counted,
        counts.reported,
        counts.open,
        counts.overdue,
        counts.closed,
        on_time.numerator,
        on_time.denominator,
        on_time.percent,
        counts.stock,
        stock.numerator,
        stock.percent,
        counts.major_open,
        counts.major_overdue,
        counts.judge_overdue,
    ]


def chart_data(figures: stats.Figures) -> dict[str, Any]:
    return {
        "trend": {
            "categories": ["\n".join(p.label_lines) for p in figures.trend],
            "current": [p.count for p in figures.trend],
            "yearBefore": [p.year_before for p in figures.trend],
            "change": [p.change for p in figures.trend],
        },
        "funnel": [{"name": s.label, "value": s.count} for s in figures.funnel],
        "ageing": {
            "categories": list(stats.AGE_LABELS),
            "open": list(figures.totals.open_age),
            "overdue": list(figures.totals.overdue_age),
        },
    }


def short_name(name: str) -> str:
    """An industry's name without its parenthesised gloss, for narrow table headers (the full name is the
    header's title): 道路运输（两客一危一货一面一校） → 道路运输."""
    return name.split("（")[0].split("(")[0] or name


def heat_rows(figures: stats.Figures) -> list[dict[str, Any]]:
    """The heat table turned for the page: one row per industry, one column per region (a district has a
    handful of townships and a dozen industries, so this way it fits the card without scrolling)."""
    heat = figures.heat
    links = heat_links(figures)
    return [
        {
            "code": code,
            "name": name,
            "short": short_name(name),
            "cells": [(heat.cells[i][j], links[i][j]) for i in range(len(heat.areas))],
            "total": heat.column_totals[j],
        }
        for j, (code, name) in enumerate(heat.industries)
    ]


def list_params(filters: stats.StatsFilter, **extra: str) -> dict[str, str]:
    """The hazard list's parameters for the hazards behind a figure under `filters` (hazards/filtersets.py)."""
    params: dict[str, str] = {}
    for key in ("region", "industry", "department", "level", "source"):
        if getattr(filters, key):
            params[key] = getattr(filters, key)
    if filters.stock is not None:
        params["is_stock"] = "true" if filters.stock else "false"
    if filters.quarter_from:
        params["discovered_after"] = calendar.quarter_start(filters.quarter_from).isoformat()
    if filters.quarter_to:
        params["discovered_before"] = calendar.quarter_end(filters.quarter_to).isoformat()
    params.update(extra)
    return params


def list_link(filters: stats.StatsFilter, **extra: str) -> str:
    return f"{hazard_list_url()}?{urlencode(list_params(filters, **extra))}"


def heat_links(figures: stats.Figures) -> list[list[str]]:
    """The filtered hazard list behind each heat-table cell: that region and industry, open 重大 hazards."""
    f = figures.filters
    links = []
    for area, _area_name in figures.heat.areas:
        # A filter narrower than the row or column (a village, a sub-industry) stays in the link.
        region = f.region if f.region and len(f.region) > len(area) else area
        links.append(
            [
                list_link(f, region=region, industry=f.industry or industry, level=Level.MAJOR, open="true")
                for industry, _name in figures.heat.industries
            ]
        )
    return links


def kpi_links(filters: stats.StatsFilter) -> dict[str, str]:
    return {
        "open": list_link(filters, open="true"),
        "overdue": list_link(filters, overdue="true"),
        "reported": list_link(filters, status="reported"),
        "judge_overdue": list_link(filters, status="reported", judge_overdue="true"),
        "stock": list_link(filters, is_stock="true"),
    }


def _context(request: HttpRequest) -> tuple[StatsFilterForm, stats.Figures, dict[str, Any]]:
    _require_statistics(request.user)
    today = timezone.localdate()
    form = StatsFilterForm(request.GET or None, user=request.user, today=today)
    filters = form.filters()
    figures = stats.figures(request.user, filters, today)
    query = urlencode(filters.query_items())
    info = {
        "scope": stats.scope_label(request.user),
        "description": stats.describe(filters),
        "query": query,
    }
    return form, figures, info


@login_required
def stats_page(request: HttpRequest) -> HttpResponse:
    form, figures, info = _context(request)
    return render(
        request,
        "hazards/stats/dashboard.html",
        {
            "title": _("隐患统计分析"),
            "form": form,
            "figures": figures,
            "totals": figures.totals,
            "heat_rows": heat_rows(figures),
            "breakdown_headers": BREAKDOWN_HEADERS,
            "breakdown_tables": [
                (b, [(row, breakdown_values(row.counts)) for row in b.rows], breakdown_values(figures.totals))
                for b in figures.breakdowns
            ],
            "charts": chart_data(figures),
            "can_export": can(request.user, "export", Hazard),
            "can_issue": can(request.user, "supervise", Hazard),
            "hazard_list_url": hazard_list_url(),
            "kpi_links": kpi_links(figures.filters),
            **info,
        },
    )


# ----------------------------------------------------------------------------------------------- export


def figures_workbook(figures: stats.Figures, *, scope: str, description: str) -> TablesWorkbook:
    """The figures shown under the current filters: one sheet per table, the filter described at the top."""
    book = TablesWorkbook(
        _("统计范围：%(s)s；筛选条件：%(d)s；统计日期：%(t)s")
        % {"s": scope, "d": description, "t": chinese_date(figures.today)}
    )
    t = figures.totals
    book.sheet(
        _("概览"),
        [_("指标"), _("数值"), _("分子"), _("分母")],
        [
            [
                _("按期整改率（%）"),
                t.on_time_rate.percent,
                t.on_time_rate.numerator,
                t.on_time_rate.denominator,
            ],
            [
                _("存量隐患销号率（%）"),
                t.stock_clearance.percent,
                t.stock_clearance.numerator,
                t.stock_clearance.denominator,
            ],
            [_("隐患总数"), t.counted, None, None],
            [_("在办隐患"), t.open, None, None],
            [_("逾期未整改"), t.overdue, None, None],
            [_("已销号"), t.closed, None, None],
            [_("待判定"), t.reported, None, None],
            [_("判定超期"), t.judge_overdue, None, None],
            [_("重大隐患在办"), t.major_open, None, None],
            [_("重大隐患逾期"), t.major_overdue, None, None],
        ],
    )
    book.sheet(
        _("重大隐患季度趋势"),
        [_("季度"), _("新增重大隐患"), _("上年同期"), _("同比变化（%）")],
        [[p.label, p.count, p.year_before, p.change] for p in figures.trend],
    )
    book.sheet(
        _("隐患账龄"),
        [_("天数"), _("在办隐患（自发现起）"), _("逾期隐患（自期限起）")],
        [list(row) for row in figures.ageing],
    )
    book.sheet(_("销号进度"), [_("环节"), _("隐患数")], [[s.label, s.count] for s in figures.funnel])
    for b in figures.breakdowns:
        book.sheet(
            b.title,
            [b.dimension, *BREAKDOWN_HEADERS],
            [[row.label, *breakdown_values(row.counts)] for row in b.rows],
            total=[_("合计"), *breakdown_values(figures.totals)],
        )
    book.sheet(
        _("区域×行业重大隐患"),
        [figures.area_label, _("行业领域"), _("重大隐患在办"), _("其中逾期")],
        [
            [area_name, industry_name, c.major_open, c.major_overdue]
            for (_code, area_name), cells in zip(figures.heat.areas, figures.heat.cells, strict=True)
            for (_icode, industry_name), c in zip(figures.heat.industries, cells, strict=True)
            if c.major_open or c.major_overdue
        ],
    )
    return book


@login_required
def stats_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures under the current filters as .xlsx."""
    _require_statistics(request.user)
    return export_statistics(
        request, Hazard, _context, figures_workbook, name="隐患统计分析", object_type="hazards.statistics"
    )


# -------------------------------------------------------------------------------------------- bulletins


class BulletinForm(BoundedForm):
    period = forms.ChoiceField(label=gettext_lazy("通报期间"))

    def __init__(self, data: Any = None, *, today: dt.date) -> None:
        super().__init__(data)
        months = bulletins.recent_periods(today, monthly=True)
        quarters = bulletins.recent_periods(today, monthly=False)
        self.fields["period"].choices = [  # type: ignore[attr-defined]
            (_("季度通报"), [(p, bulletins.period_label(p)) for p in quarters]),
            (_("月度通报"), [(p, bulletins.period_label(p)) for p in months]),
        ]
        self.fields["period"].error_messages["invalid_choice"] = _("请选择一个已经结束的月份或季度。")


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    """通报: the bulletins issued so far, and (for the committee office) the form that issues the next one."""
    _require_statistics(request.user)
    can_issue = can(request.user, "supervise", Hazard)
    today = timezone.localdate()
    form = BulletinForm(today=today)
    if request.method == "POST":
        if not can_issue:
            raise PermissionDenied(_("只有区安委办可以生成通报。"))
        form = BulletinForm(request.POST, today=today)
        if form.is_valid():
            try:
                document = bulletins.issue_bulletin(form.cleaned_data["period"], actor=request.user)
            except (DomainError, DocumentError, ValidationError) as exc:
                form.add_error(
                    "period", getattr(exc, "message", None) or "；".join(getattr(exc, "messages", []))
                )
            else:
                messages.success(request, _("已生成通报 %(n)s。") % {"n": document.number})
                return redirect("hazards:bulletin_list")
    documents = list(bulletins.issued_bulletins().select_related("template", "issued_by")[:100])
    rows = [
        {
            "document": d,
            "period": bulletins.period_label(str(d.context.get("period", "")))
            if d.context.get("period")
            else "",
            "docx": download_url(d, "docx"),
            "pdf": download_url(d, "pdf"),
        }
        for d in documents
    ]
    return render(
        request,
        "hazards/stats/bulletins.html",
        {"title": _("隐患通报"), "form": form, "rows": rows, "can_issue": can_issue},
        status=400 if form.errors else 200,
    )
