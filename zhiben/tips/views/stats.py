"""举报统计: the statistics page and its Excel export (read-only; the one row written is the export's audit row).

Every number on the page and in the workbook comes from one `stats.figures()` call for the user's scope and
the year/quarter filter, and both render the rows through `row_values()`, so the two agree by construction.
Enterprise users get 403 (a unit never sees tips). No identity and no original text is read.
"""

from __future__ import annotations

import datetime as dt
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

from .. import stats
from ..models import Tip

ROW_HEADERS = (
    gettext_lazy("收到举报"),
    gettext_lazy("已受理"),
    gettext_lazy("不予受理"),
    gettext_lazy("已办结"),
    gettext_lazy("受理及时率（%）"),
    gettext_lazy("核查按期办结率（%）"),
    gettext_lazy("属实"),
    gettext_lazy("属实率（%）"),
    gettext_lazy("奖励决定（件）"),
    gettext_lazy("奖励决定金额（元）"),
    gettext_lazy("已发放（件）"),
    gettext_lazy("已发放金额（元）"),
)


def row_values(c: stats.Counts) -> list[Any]:
    """One row's numbers in ROW_HEADERS order (the page and the workbook share them)."""
    return [
        c.received,
        c.accepted,
        c.rejected,
        c.closed,
        c.acceptance.percent,
        c.verification.percent,
        c.founded,
        c.founded_rate.percent,
        c.rewards_decided,
        c.rewards_decided_sum,
        c.rewards_paid,
        c.rewards_paid_sum,
    ]


def _require_statistics(user: Any) -> None:
    if not can(user, "view", Tip) or not stats.may_view_statistics(user):
        raise PermissionDenied(
            _("举报统计仅向区安委办、举报受理保密员、监管部门、乡镇（街道）和区领导开放。")
        )


class StatsFilterForm(BoundedForm):
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), required=False, coerce=int, empty_value=None)
    quarter = forms.TypedChoiceField(label=gettext_lazy("季度"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any = None, *, today: dt.date) -> None:
        super().__init__(data)
        years = [(str(y), f"{y}年") for y in range(today.year, min(stats.FIRST_YEAR, today.year) - 1, -1)]
        quarters = [(str(q), _("第%(q)s季度") % {"q": "一二三四"[q - 1]}) for q in range(1, 5)]
        for name, choices, blank in (("year", years, _("本年")), ("quarter", quarters, _("全年"))):
            f = self.fields[name]
            f.choices = [("", blank), *choices]  # type: ignore[attr-defined]
            f.widget = FastSelect(choices=f.choices)  # type: ignore[attr-defined]
            f.error_messages["invalid_choice"] = _("“%(value)s”不是有效的选项，已忽略。")

    def filters(self) -> stats.StatsFilter:
        if not self.is_bound:
            return stats.StatsFilter()
        self.is_valid()
        data = self.cleaned_data
        return stats.StatsFilter(year=data.get("year"), quarter=data.get("quarter"))


def money(value: Any) -> str:
    return f"{value:,.2f}"


def _context(request: HttpRequest) -> tuple[StatsFilterForm, stats.Figures, dict[str, Any]]:
    _require_statistics(request.user)
    today = timezone.localdate()
    form = StatsFilterForm(request.GET or None, today=today)
    filters = form.filters()
    figures = stats.figures(request.user, filters, today)
    info = {
        "scope": stats.scope_label(request.user),
        "description": stats.describe(filters, figures.period),
        "query": urlencode(filters.query_items()),
    }
    return form, figures, info


def _table(rows: list[stats.Row]) -> list[dict[str, Any]]:
    return [{"row": r, "values": row_values(r.counts)} for r in rows]


@login_required
def stats_page(request: HttpRequest) -> HttpResponse:
    form, figures, info = _context(request)
    return render(
        request,
        "tips/stats/dashboard.html",
        {
            "title": _("举报统计"),
            "form": form,
            "figures": figures,
            "totals": figures.totals,
            "headers": [str(h) for h in ROW_HEADERS],
            "total_values": row_values(figures.totals),
            "tables": [(title, dim, _table(rows)) for title, dim, rows in figures.tables],
            "decided_sum": money(figures.totals.rewards_decided_sum),
            "paid_sum": money(figures.totals.rewards_paid_sum),
            "definitions": stats.DEFINITIONS,
            "can_export": can(request.user, "export", Tip),
            **info,
        },
    )


def figures_workbook(figures: stats.Figures, *, scope: str, description: str) -> TablesWorkbook:
    """What the page shows: the overview, then one sheet per breakdown, and the definitions."""
    book = TablesWorkbook(
        _("统计范围：%(s)s；%(d)s；统计日期：%(t)s")
        % {"s": scope, "d": description, "t": chinese_date(figures.today)}
    )
    c = figures.totals
    book.sheet(
        _("概览"),
        [_("指标"), _("数值"), _("分子"), _("分母")],
        [
            [_("收到举报"), c.received, None, None],
            [_("已受理"), c.accepted, None, None],
            [_("不予受理"), c.rejected, None, None],
            [_("已办结"), c.closed, None, None],
            [_("受理及时率（%）"), c.acceptance.percent, c.accept_timely, c.accept_due],
            [_("核查按期办结率（%）"), c.verification.percent, c.verify_timely, c.verify_due],
            [_("属实率（%）"), c.founded_rate.percent, c.founded, c.concluded],
            [_("奖励决定（件）"), c.rewards_decided, None, None],
            [_("奖励决定金额（元）"), c.rewards_decided_sum, None, None],
            [_("已发放（件）"), c.rewards_paid, None, None],
            [_("已发放金额（元）"), c.rewards_paid_sum, None, None],
            [_("奖励兑现率（%）"), c.fulfilment.percent, c.rewards_paid, c.rewards_decided],
        ],
    )
    for title, dimension, rows in figures.tables:
        book.sheet(
            title,
            [dimension, *ROW_HEADERS],
            [[r.label, *row_values(r.counts)] for r in rows],
            total=[_("合计"), *row_values(c)],
        )
    book.sheet(_("统计口径"), [_("项目"), _("口径")], [list(d) for d in stats.DEFINITIONS])
    return book


@login_required
def stats_export(request: HttpRequest) -> HttpResponse:
    _require_statistics(request.user)
    return export_statistics(
        request, Tip, _context, figures_workbook, name="举报统计", object_type="tips.tip"
    )
