"""内部举报 pages: the unit's list and form (its own workers' reports, phone first), a report's page with its
steps (核实属实 → a hazard in the unit's ledger, 核实不属实, 登记奖励), and the counts per unit and township
that the office, departments and townships read (their scope), with the Excel of what is on screen.

The reporter's name is shown only to the unit's own users (it is encrypted in the row); lists, exports, the
counts and the audit log never carry it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zhiben.accounts.roles import Role
from zhiben.core.documents import chinese_date
from zhiben.core.excel.tables import TablesWorkbook, export_statistics
from zhiben.core.loop.web import StepView
from zhiben.core.scoping import can, grants_for
from zhiben.core.views import Column, ObjectEditView, ObjectListView, ScopedViewMixin, object_history
from zhiben.registry.models import Enterprise

from .. import indicators, stats
from ..choices import InternalStatus
from ..forms.internal import InternalReportForm
from ..models import InternalReport
from ..services import internal as services
from ..steps_internal import INTERNAL_FLOW
from .stats import StatsFilterForm

STATUS_COLORS = {
    InternalStatus.RECEIVED: "warning",
    InternalStatus.FOUNDED: "danger",
    InternalStatus.UNFOUNDED: "secondary",
}


def own_unit(user: Any, report: InternalReport) -> bool:
    """The user acts for the report's own unit (only they see the reporter's name)."""
    return any(
        g.role == Role.ENTERPRISE
        and g.enterprise_ids is not None
        and report.enterprise_id in g.enterprise_ids
        for g in grants_for(user)
    )


def acts_for_units(user: Any) -> bool:
    grants = grants_for(user)
    return bool(grants) and all(g.enterprise_ids is not None for g in grants)


def _summary(report: InternalReport) -> str:
    text = " ".join((report.content or "").split())
    return text if len(text) <= 40 else text[:40] + "…"


class InternalReportListView(ObjectListView):
    """The unit's internal reports (a government reader sees those of the units in its scope)."""

    model = InternalReport
    title = gettext_lazy("内部举报")
    default_sort = "-reported_on"
    create_url_name = "tips:internal_create"
    template_name = "tips/internal/list.html"
    paginate_by = 30
    columns = [
        Column("reported_on", gettext_lazy("报告日期"), sort="reported_on", link=True),
        Column(
            "get_status_display",
            gettext_lazy("核实结果"),
            sort="status",
            badge=lambda o: STATUS_COLORS.get(o.status, "secondary"),
        ),
        Column("enterprise.name", gettext_lazy("单位"), sort="enterprise__name"),
        Column("location", gettext_lazy("部位")),
        Column("content", gettext_lazy("报告内容"), display=_summary),
        Column("hazard.code", gettext_lazy("登记的隐患")),
        Column("reward_amount", gettext_lazy("奖励金额（元）"), sort="reward_amount"),
        Column("rewarded_on", gettext_lazy("奖励日期"), sort="rewarded_on"),
    ]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A unit's own user reads its own reports: the unit's name in every row says nothing (and on a phone it
        # pushes the result off the screen).
        if acts_for_units(request.user):
            self.columns = [c for c in type(self).columns if c.accessor != "enterprise.name"]
        return super().get(request, *args, **kwargs)

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return InternalReport.objects.select_related("enterprise", "hazard")

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {
            "government": not acts_for_units(request.user),
            "can_view_tip_stats": stats.may_view_statistics(request.user),
        }


class InternalReportDetailView(ScopedViewMixin, View):
    model = InternalReport

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        report = self.get_object(request, pk)
        mine = own_unit(request.user, report)
        context = {
            "object": report,
            "title": _("内部举报"),
            "status_color": STATUS_COLORS.get(report.status, "secondary"),
            "reporter": (report.reporter_name or _("匿名")) if mine else None,
            "hazard_visible": report.hazard is not None,
            "steps": INTERNAL_FLOW.available(request.user, report),
            "can_edit": report.status == InternalStatus.RECEIVED
            and InternalReport.objects.restrict(request.user, "change").filter(pk=report.pk).exists(),
            "history": object_history(report),
        }
        return render(request, "tips/internal/detail.html", context)


class InternalReportEditView(ObjectEditView):
    """登记 (pk None) or 修改 (while 待核实) an internal report."""

    model = InternalReport
    form_class = InternalReportForm
    template_name = "tips/internal/form.html"

    def get_form(self, request: HttpRequest, obj: Any, data: Any = None) -> Any:
        units = Enterprise.objects.restrict(request.user, "view")
        form = InternalReportForm(data, instance=obj, user=request.user, enterprises=units)
        if obj is None and data is None:
            first = list(units.order_by("name").values_list("pk", flat=True)[:2])
            if len(first) == 1:  # a unit's own user: its unit, chosen already
                form.initial["enterprise"] = first[0]
            form.initial.setdefault("reported_on", timezone.localdate())
        return form

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        if obj is None:
            return services.record_internal_report(actor=actor, **data)
        return services.update_internal_report(obj, actor=actor, version=obj.version, **data)

    def cancel_url(self, obj: Any) -> str:
        return obj.get_absolute_url() if obj is not None else reverse("tips:internal_list")


class InternalStepView(StepView):
    model = InternalReport
    flow = INTERNAL_FLOW
    list_url_name = "tips:internal_list"
    list_label = gettext_lazy("内部举报")

    def object_label(self, obj: Any) -> str:
        return f"{obj.reported_on:%Y-%m-%d} {obj.enterprise.name}"


# ------------------------------------------------------------------------------------ counts (government)


def _require_counts(user: Any) -> None:
    if not can(user, "view", InternalReport):
        raise PermissionDenied(_("您无权查看企业内部举报。"))


class _CountsFigures:
    """What the counts page and its workbook show (the shape `export_statistics` expects)."""

    def __init__(self, request: HttpRequest) -> None:
        self.today = timezone.localdate()
        self.form = StatsFilterForm(request.GET or None, today=self.today)
        self.filters = self.form.filters()
        self.period = self.filters.period(self.today)
        self.counts = indicators.internal_reporting(
            InternalReport.objects.restrict(request.user, "view"),
            start=self.period.start,
            end=self.period.end,
        )
        by_town: dict[str, list[int | Any]] = {}
        for u in self.counts.units:
            row = by_town.setdefault(u.township, [0, 0, 0, 0, 0])
            row[0] += 1
            row[1] += u.reports
            row[2] += u.founded
            row[3] += u.rewarded
            row[4] += u.reward_total
        self.townships = sorted(by_town.items())


def _counts_context(request: HttpRequest) -> tuple[Any, _CountsFigures, dict[str, Any]]:
    _require_counts(request.user)
    figures = _CountsFigures(request)
    info = {
        "scope": _("本单位") if acts_for_units(request.user) else _("管辖范围内的生产经营单位"),
        "description": _("统计期间：%(p)s（%(s)s）") % {"p": figures.period.label, "s": figures.period.span},
    }
    return figures.form, figures, info


UNIT_HEADERS = (
    gettext_lazy("单位"),
    gettext_lazy("乡镇（街道）"),
    gettext_lazy("内部举报（件）"),
    gettext_lazy("核实属实（件）"),
    gettext_lazy("已奖励（件）"),
    gettext_lazy("奖励金额（元）"),
)
TOWN_HEADERS = (
    gettext_lazy("乡镇（街道）"),
    gettext_lazy("有内部举报的单位（家）"),
    gettext_lazy("内部举报（件）"),
    gettext_lazy("核实属实（件）"),
    gettext_lazy("已奖励（件）"),
    gettext_lazy("奖励金额（元）"),
)


def _unit_rows(f: _CountsFigures) -> list[list[Any]]:
    return [[u.name, u.township, u.reports, u.founded, u.rewarded, u.reward_total] for u in f.counts.units]


def _town_rows(f: _CountsFigures) -> list[list[Any]]:
    return [[name, *values] for name, values in f.townships]


def _total(f: _CountsFigures) -> list[Any]:
    c = f.counts
    return [_("合计"), len(c.units), c.value, c.founded, c.rewarded, c.reward_total]


@login_required
def internal_counts(request: HttpRequest) -> HttpResponse:
    form, figures, info = _counts_context(request)
    query = "&".join(f"{k}={v}" for k, v in figures.filters.query_items())
    return render(
        request,
        "tips/internal/counts.html",
        {
            "title": _("企业内部举报统计"),
            "form": form,
            "figures": figures,
            "counts": figures.counts,
            "unit_headers": [str(h) for h in UNIT_HEADERS],
            "town_headers": [str(h) for h in TOWN_HEADERS],
            "unit_rows": _unit_rows(figures),
            "town_rows": _town_rows(figures),
            "total": _total(figures),
            "query": query,
            "can_export": can(request.user, "export", InternalReport),
            "definition": indicators.INDICATORS[-1].definition,
            **info,
        },
    )


def counts_workbook(figures: _CountsFigures, *, scope: str, description: str) -> TablesWorkbook:
    book = TablesWorkbook(
        _("统计范围：%(s)s；%(d)s；统计日期：%(t)s")
        % {"s": scope, "d": description, "t": chinese_date(figures.today)}
    )
    total = _total(figures)
    book.sheet(_("按乡镇（街道）"), list(TOWN_HEADERS), _town_rows(figures), total=total)
    book.sheet(_("按单位"), list(UNIT_HEADERS), _unit_rows(figures), total=[total[0], "", *total[2:]])
    book.sheet(
        _("统计口径"),
        [_("指标"), _("口径")],
        [[indicators.INDICATORS[-1].name, indicators.INDICATORS[-1].definition]],
    )
    return book


@login_required
def internal_counts_export(request: HttpRequest) -> HttpResponse:
    _require_counts(request.user)
    return export_statistics(
        request,
        InternalReport,
        _counts_context,
        counts_workbook,
        name="企业内部举报统计",
        object_type="tips.internalreport",
    )
