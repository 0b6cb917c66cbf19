"""Accident pages: the register (filters, Excel of exactly what is filtered), 登记, an accident's page with its
steps, 续报 and findings, each step's page, the statistics (by township, industry and month; Excel equal to
the screen) and 责任倒查 (for an accident or a 重大 hazard; Excel and a printable page).

Reads go through `restrict()` (403 without the permission, 404 out of scope); writes go through the services."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.accounts.roles import Role
from zhiben.core import audit
from zhiben.core.bounds import BoundedForm
from zhiben.core.excel.tables import TablesWorkbook
from zhiben.core.formats import local_time
from zhiben.core.loop.steps import action_label
from zhiben.core.loop.web import StepView, run_form
from zhiben.core.scoping import can, grants_for
from zhiben.core.views import Column, ObjectListView, ScopedViewMixin
from zhiben.hazards.choices import Level
from zhiben.hazards.models import Hazard
from zhiben.indicators.registry import townships
from zhiben.registry.models import Enterprise, Industry

from . import events, lookback, reference, services
from .choices import GRADE_COLORS, STATUS_COLORS
from .filtersets import AccidentFilterSet
from .forms import AccidentForm
from .models import Accident
from .steps import FLOW


def _grade_badge(a: Accident) -> str:
    return GRADE_COLORS.get(a.grade, "warning")


COLUMNS = [
    Column("code", _("事故编号"), sort="code", link=True),
    Column("occurred_at", _("发生时间"), sort="occurred_at", display=lambda a: local_time(a.occurred_at)),
    Column("unit_name", _("事故单位"), sort="unit_name"),
    Column("region.name", _("区划"), sort="region__code"),
    Column("industry.name", _("行业领域"), sort="industry__code"),
    Column("type_name", _("事故类别")),
    Column("deaths", _("死亡"), sort="deaths"),
    Column("serious_injuries", _("重伤"), sort="serious_injuries"),
    Column("direct_loss", _("直接经济损失（元）"), sort="direct_loss"),
    Column("get_grade_display", _("等级"), sort="grade", badge=_grade_badge),
    Column(
        "get_concealment_display",
        _("瞒报谎报迟报"),
        display=lambda a: (
            a.get_concealment_display() if a.concealment else ("超时报告" if a.reported_late else "")
        ),
        badge=lambda a: "danger" if a.concealment else ("warning" if a.reported_late else None),
    ),
    Column(
        "get_status_display",
        _("状态"),
        sort="status",
        badge=lambda a: STATUS_COLORS.get(a.status, "secondary"),
    ),
]


class AccidentListView(ObjectListView):
    """事故登记: every accident in scope; the Excel export holds exactly the filtered, sorted rows."""

    model = Accident
    filterset_class = AccidentFilterSet
    title = _("事故登记")
    default_sort = "-occurred_at"
    create_url_name = "accidents:accident_create"
    columns = COLUMNS
    template_name = "accidents/accident_list.html"

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Accident.objects.select_related("region", "industry")

    def prepare_filter_form(self, request: HttpRequest, form: forms.Form) -> None:
        super().prepare_filter_form(request, form)
        for name in ("occurred_after", "occurred_before"):
            form.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        for name in ("region", "industry", "enterprise", "supplement", "overdue", "rectification", "deaths"):
            if name not in request.GET:  # reached from the workbench, a unit's file or the statistics
                form.fields.pop(name, None)


class AccidentCreateView(ScopedViewMixin, View):
    """登记事故: the first report (grade computed, late flag from the times)."""

    model = Accident
    action = "add"

    def _form(self, request: HttpRequest, data: Any = None, initial: Any = None) -> AccidentForm:
        return AccidentForm(
            data, initial=initial, enterprises=Enterprise.objects.restrict(request.user, "view")
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        initial: dict[str, Any] = {"reported_at": timezone.localtime().replace(second=0, microsecond=0)}
        raw = request.GET.get("enterprise", "")
        if raw.isdigit():
            ent = Enterprise.objects.restrict(request.user, "view").filter(pk=int(raw)).first()
            if ent is not None:
                initial.update(enterprise=ent.pk, region=ent.region_id, industry=ent.primary_industry_id)
        return self.render(request, self._form(request, initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = self._form(request, request.POST)

        def call() -> Accident:
            d = dict(form.cleaned_data)
            return services.register_accident(actor=request.user, **d)

        accident, status = run_form(request, form, call)
        if status == 200:
            messages.success(
                request,
                _("已登记：%(c)s（%(g)s）。") % {"c": accident.code, "g": accident.get_grade_display()},
            )
            return redirect(accident.get_absolute_url())
        return self.render(request, form, status=status)

    def render(self, request: HttpRequest, form: forms.Form, status: int = 200) -> HttpResponse:
        scheme = reference.grade_scheme()
        return render(
            request,
            "accidents/accident_form.html",
            {"form": form, "title": _("登记生产安全事故"), "scheme": scheme, "windows": reference.windows()},
            status=status,
        )


class AccidentDetailView(ScopedViewMixin, View):
    model = Accident

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        accident = get_object_or_404(
            Accident.objects.restrict(request.user).select_related(
                "region", "industry", "department", "enterprise", "tip"
            ),
            pk=pk,
        )
        user = request.user
        history = [
            {"row": t, "label": action_label(t)}
            for t in accident.history.select_related("actor").order_by("at", "pk")
        ]
        scheme = reference.grade_scheme()
        context = {
            "object": accident,
            "title": str(accident),
            "steps": FLOW.available(user, accident),
            "status_color": STATUS_COLORS.get(accident.status, "secondary"),
            "grade_color": GRADE_COLORS.get(accident.grade, "warning"),
            "updates": list(accident.updates.select_related("recorded_by"))
            if can(user, "view", accident.updates.model)
            else [],
            "findings": list(accident.findings.all()) if can(user, "view", accident.findings.model) else None,
            "rectifications": list(accident.rectifications.all())
            if can(user, "view", accident.rectifications.model)
            else None,
            "history": history if can(user, "view", accident.history.model) else [],
            "scheme": scheme,
            "windows": reference.windows(),
            "in_window": accident.in_supplement_window(),
            "overdue": accident.investigation_overdue(),
            "today": timezone.localdate(),
            "can_lookback": may_lookback(user),
            "type_list": next(
                (
                    tl
                    for tl in reference.type_lists()
                    if accident.accident_type.startswith(tl.version.rsplit("-", 1)[-1])
                ),
                None,
            ),
        }
        return render(request, "accidents/accident_detail.html", context)


def _is_enterprise(user: Any) -> bool:

    grants = grants_for(user)
    return bool(grants) and all(g.role == Role.ENTERPRISE for g in grants)


class AccidentStepView(StepView):
    model = Accident
    flow = FLOW
    list_url_name = "accidents:accident_list"
    list_label = _("事故登记")


# --- statistics ------------------------------------------------------------------------------------------------


class StatsForm(BoundedForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)


def statistics(qs: Any) -> dict[str, list[list[Any]]]:
    """Counts, deaths, serious injuries and loss by township, industry and month of `qs` (one query each)."""

    def totals(rows: Any) -> dict[Any, tuple[int, int, int, Decimal]]:
        return {
            r["k"]: (r["n"], r["d"] or 0, r["i"] or 0, r["l"] or Decimal(0))
            for r in rows.annotate(
                n=Count("pk"), d=Sum("deaths"), i=Sum("serious_injuries"), l=Sum("direct_loss")
            )
        }

    zero = (0, 0, 0, Decimal(0))
    by_town = totals(qs.annotate(k=Substr("region__code", 1, 9)).values("k"))
    towns = [[t.name, *by_town.get(t.scope_prefix, zero)] for t in townships()]
    by_ind = totals(qs.values(k=Substr("industry__code", 1, 100)))
    names = dict(Industry.objects.filter(code__in=list(by_ind)).values_list("code", "name"))
    industries = [[names.get(code, code), *v] for code, v in sorted(by_ind.items(), key=lambda kv: -kv[1][0])]
    by_month: dict[int, list[Any]] = defaultdict(lambda: [0, 0, 0, Decimal(0)])
    for a in qs.values("occurred_on", "deaths", "serious_injuries", "direct_loss"):
        row = by_month[a["occurred_on"].month]
        row[0] += 1
        row[1] += a["deaths"]
        row[2] += a["serious_injuries"]
        row[3] += a["direct_loss"]
    months = [[f"{m}月", *by_month.get(m, zero)] for m in range(1, 13)]
    total = [
        str(_("合计")),
        sum(r[1] for r in towns),
        sum(r[2] for r in towns),
        sum(r[3] for r in towns),
        sum((r[4] for r in towns), Decimal(0)),
    ]
    return {"towns": towns, "industries": industries, "months": months, "total": total}


HEADERS = [_("事故起数"), _("死亡人数"), _("重伤人数"), _("直接经济损失（元）")]


class StatsView(ScopedViewMixin, View):
    """事故统计 of the accidents the reader may see, for one year (by occurrence date)."""

    model = Accident

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = StatsForm(request.GET or None)
        year = timezone.localdate().year
        if form.is_bound and form.is_valid() and form.cleaned_data.get("year"):
            year = form.cleaned_data["year"]
        qs = Accident.objects.restrict(request.user).filter(occurred_on__year=year)
        figures = statistics(qs)
        caption = f"{year}年 · 按事故发生日期 · 统计于 {local_time(timezone.now())}"
        if request.GET.get("export") == "xlsx":
            if not can(request.user, "export", Accident):
                raise PermissionDenied(_("您无权导出此数据。"))
            book = TablesWorkbook(caption)
            book.sheet(
                "按乡镇（街道）", [_("乡镇（街道）"), *HEADERS], figures["towns"], total=figures["total"]
            )
            book.sheet("按行业领域", [_("行业领域"), *HEADERS], figures["industries"], total=figures["total"])
            book.sheet("按月份", [_("月份"), *HEADERS], figures["months"], total=figures["total"])
            return book.download(
                "事故统计",
                timezone.localdate(),
                actor=request.user,
                object_type="accidents.statistics",
                data={"year": year},
            )
        return render(
            request,
            "accidents/stats.html",
            {
                "form": form,
                "year": year,
                "figures": figures,
                "caption": caption,
                "headers": HEADERS,
                "can_export": can(request.user, "export", Accident),
            },
        )


# --- 责任倒查 ------------------------------------------------------------------------------------------------


def _months(request: HttpRequest) -> int:
    raw = request.GET.get("months", "")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 120 else lookback.MONTHS


def _lookback_response(request: HttpRequest, lb: lookback.Lookback, obj: Any) -> HttpResponse:
    months = _months(request)
    if request.GET.get("export") == "xlsx":
        book = TablesWorkbook(f"{lb.title} · {lb.start:%Y-%m-%d}至{lb.end:%Y-%m-%d}")
        book.sheet(
            "责任主体",
            [_("责任主体"), _("名称")],
            [
                ["监管部门（三管三必须）", lb.department.name if lb.department else "待核实"],
                ["属地乡镇（街道）", lb.township.name if lb.township else "—"],
                ["事故单位", lb.unit_name],
                ["主要负责人", lb.principal or "—"],
                ["实际控制人", lb.controller or "—"],
            ],
        )
        book.sheet(
            "时间线",
            [_("日期"), _("类别"), _("内容"), _("问题")],
            [[e.on, e.kind, e.text, "是" if e.missed else ""] for e in lb.events],
        )

        audit.record(obj, events.LOOKBACK_EXPORTED, actor=request.user, data={"months": months})
        return book.response("责任倒查", timezone.localdate())
    template = "accidents/lookback_print.html" if request.GET.get("print") else "accidents/lookback.html"
    return render(request, template, {"lb": lb, "months": months, "object": obj})


def may_lookback(user: Any) -> bool:
    """责任倒查 is read by government roles that read accidents (a unit reads its own file instead)."""
    return can(user, "view", Accident) and not _is_enterprise(user)


def _may_lookback(request: HttpRequest) -> None:
    if not may_lookback(request.user):
        raise PermissionDenied(_("您无权查看责任倒查。"))


class AccidentLookbackView(ScopedViewMixin, View):
    model = Accident

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        _may_lookback(request)
        accident = self.get_object(request, pk)
        return _lookback_response(
            request, lookback.for_accident(accident, request.user, _months(request)), accident
        )


class HazardLookbackView(ScopedViewMixin, View):
    """责任倒查 of a 重大 hazard (a general hazard has none: 404)."""

    model = Hazard

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        _may_lookback(request)
        self.check_action(request)
        hazard = self.get_object(request, pk)
        if hazard.level != Level.MAJOR:
            raise Http404
        return _lookback_response(
            request, lookback.for_hazard(hazard, request.user, _months(request)), hazard
        )
