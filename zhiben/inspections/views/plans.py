"""Pages of annual inspection plans (年度监督检查计划), the cap table and cap exceptions (超频次检查审批).

Reads go through `restrict()` (403 without the permission, 404 out of scope); every write calls one service of
plans.py or caps.py, so the pages and the API share one set of rules.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.loop.web import posted_version, run_service
from zhiben.core.scoping import can
from zhiben.core.views import (
    Column,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
    object_history,
)

from ..choices import DrawStatus, ExceptionStatus, PlanStatus, PlanUnitKind
from ..filtersets.plans import CapExceptionFilterSet, CapFilterSet, PlanFilterSet
from ..forms.plans import CapExceptionForm, CapForm, DecisionForm, PlanForm, PlanUnitForm, ReviewForm
from ..models import CapException, Draw, InspectionCap, InspectionPlan, PlanUnit
from ..services import caps, plans
from ..steps import APPROVE_EXCEPTION, APPROVE_PLAN, SUBMIT_PLAN

PLAN_COLORS = {
    PlanStatus.DRAFT: "secondary",
    PlanStatus.SUBMITTED: "warning",
    PlanStatus.APPROVED: "success",
    PlanStatus.RETURNED: "danger",
}
EXCEPTION_COLORS = {
    ExceptionStatus.PENDING: "warning",
    ExceptionStatus.APPROVED: "success",
    ExceptionStatus.REJECTED: "secondary",
}


# --- plans ---------------------------------------------------------------------------------------------------


class PlanListView(ObjectListView):
    """年度监督检查计划: each department's plans; the committee office sees all and approves them."""

    model = InspectionPlan
    filterset_class = PlanFilterSet
    title = _("年度监督检查计划")
    default_sort = "-year"
    create_url_name = "inspections:plan_create"
    columns = [
        Column("title", _("计划名称"), sort="title", link=True),
        Column("department.name", _("部门"), sort="department__sort_order"),
        Column("year", _("年度"), sort="year"),
        Column("random_ratio", _("抽查比例（%）"), sort="random_ratio"),
        Column("get_status_display", _("状态"), sort="status", badge=lambda p: PLAN_COLORS.get(p.status)),
        Column("is_public", _("已公开"), sort="is_public"),
        Column("submitted_at", _("提交时间"), sort="submitted_at"),
    ]

    def get_base_queryset(self) -> Any:
        return InspectionPlan.objects.select_related("department")


class PlanEditView(ObjectEditView):
    """编制/修改计划: create for the user's department, edit while a draft or returned."""

    model = InspectionPlan
    form_class = PlanForm

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        if obj is None:
            department = plans.default_department(actor, "add", InspectionPlan)
            if department is None:
                raise PermissionDenied
            return plans.create_plan(actor=actor, department=department, **data)
        return plans.update_plan(obj, actor=actor, version=obj.version, **data)


class PlanDetailView(ScopedViewMixin, View):
    """A plan: facts, progress against plan, key units with their caps, its draws, and the next steps."""

    model = InspectionPlan

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        plan = self.get_object(request, pk)
        units = list(
            plan.units.select_related("enterprise__region", "enterprise__primary_industry", "inspection")
        )
        unit_caps = plans.unit_caps([u.enterprise for u in units], plan.year)
        user = request.user
        may_change = can(user, "change", InspectionPlan) and (
            InspectionPlan.objects.restrict(user, "change").filter(pk=plan.pk).exists()
        )
        may_approve = can(user, "approve", InspectionPlan) and plan.status in APPROVE_PLAN.statuses
        context = {
            "object": plan,
            "title": plan.title,
            "status_color": PLAN_COLORS.get(plan.status, "secondary"),
            "progress": plans.plan_progress(plan),
            "rows": [(u, unit_caps[u.enterprise_id]) for u in units],
            "key_count": sum(1 for u in units if u.kind == PlanUnitKind.KEY),
            "draws": plan.draws.order_by("-created_at").only(
                "code", "title", "status", "entity_count", "committed_at", "published_at"
            ),
            "editable": may_change and plan.status in plans.EDITABLE,
            "may_submit": may_change and plan.status in SUBMIT_PLAN.statuses,
            "may_publish": may_change and plan.status == PlanStatus.APPROVED,
            "may_approve": may_approve,
            "may_draw": can(user, "add", Draw) and plan.status == PlanStatus.APPROVED,
            "history": object_history(plan),
            "draw_published": DrawStatus.PUBLISHED,
        }
        return render(request, "inspections/plans/plan_detail.html", context)


class PlanSubmitView(ScopedViewMixin, View):
    """提交审批 (a button on the plan page)."""

    model = InspectionPlan
    action = "change"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        plan = self.get_object(request, pk, "change")
        done, _status = run_service(
            request,
            None,
            lambda: plans.submit_plan(plan, actor=request.user, version=posted_version(request)),
        )
        if done:
            messages.success(request, _("已提交区安委办审批。"))
        return redirect(plan.get_absolute_url())


class PlanPublicView(ScopedViewMixin, View):
    """向社会公开 / 撤回公开 (a button on an approved plan's page)."""

    model = InspectionPlan
    action = "change"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        plan = self.get_object(request, pk, "change")
        public = request.POST.get("public") == "1"
        done, _status = run_service(
            request,
            None,
            lambda: plans.set_plan_public(
                plan, actor=request.user, public=public, version=posted_version(request)
            ),
        )
        if done:
            messages.success(request, _("计划已向社会公开。") if public else _("已撤回公开。"))
        return redirect(plan.get_absolute_url())


class PlanReviewView(ScopedViewMixin, View):
    """审批年度计划 (区安委办): approve, or return with what to change."""

    model = InspectionPlan
    action = "approve"

    def _plan(self, request: HttpRequest, pk: int) -> InspectionPlan:
        self.check_action(request)
        return self.get_object(request, pk, "view")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self._plan(request, pk)
        return self.render(request, plan, ReviewForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self._plan(request, pk)
        form = ReviewForm(request.POST)
        status = 400
        if form.is_valid():
            note, version = form.cleaned_data["note"], posted_version(request)
            if request.POST.get("decision") == "approve":
                done, status = run_service(
                    request,
                    form,
                    lambda: plans.approve_plan(plan, actor=request.user, note=note, version=version),
                )
            else:
                done, status = run_service(
                    request,
                    form,
                    lambda: plans.return_plan(plan, actor=request.user, note=note, version=version),
                )
            if done:
                messages.success(request, _("已审批。"))
                return redirect(plan.get_absolute_url())
        return self.render(request, plan, form, status)

    def render(
        self, request: HttpRequest, plan: InspectionPlan, form: forms.Form, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "inspections/plans/plan_review.html",
            {"object": plan, "form": form, "title": _("审批年度监督检查计划"), "conflict": status == 409},
            status=status,
        )


class PlanUnitAddView(ScopedViewMixin, View):
    """列入重点检查单位 (a draft or returned plan)."""

    model = InspectionPlan
    action = "change"

    def _setup(self, request: HttpRequest, pk: int) -> tuple[InspectionPlan, Any]:
        self.check_action(request)
        plan = self.get_object(request, pk, "change")
        units = (
            plans.in_department_scope(plan.department)
            .operating()
            .exclude(pk__in=plan.units.values("enterprise_id"))
        )
        units = units.restrict(request.user, "view")
        return plan, units

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan, units = self._setup(request, pk)
        return self.render(request, plan, PlanUnitForm(units=units))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan, units = self._setup(request, pk)
        form = PlanUnitForm(request.POST, units=units)
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            done, status = run_service(
                request,
                form,
                lambda: plans.add_plan_unit(
                    plan, actor=request.user, enterprise=d["enterprise"], planned_quarter=d["planned_quarter"]
                ),
            )
            if done:
                messages.success(request, _("已列入重点检查单位：%(n)s") % {"n": d["enterprise"].name})
                return redirect(plan.get_absolute_url())
        return self.render(request, plan, form, status)

    def render(
        self, request: HttpRequest, plan: InspectionPlan, form: forms.Form, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "inspections/plans/simple_form.html",
            {
                "object": plan,
                "form": form,
                "title": _("列入重点检查单位"),
                "parent_label": _("年度监督检查计划"),
                "parent_url": "inspections:plan_list",
                "submit": _("列入计划"),
            },
            status=status,
        )


class PlanUnitRemoveView(ScopedViewMixin, View):
    """移出计划 (a button on a key unit's row)."""

    model = PlanUnit
    action = "delete"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        unit = get_object_or_404(
            PlanUnit.objects.restrict(request.user, "delete").select_related("plan"), pk=pk
        )
        _done, status = run_service(request, None, lambda: plans.remove_plan_unit(unit, actor=request.user))
        if status == 200:
            messages.success(request, _("已移出计划。"))
        return redirect(unit.plan.get_absolute_url())


# --- caps ----------------------------------------------------------------------------------------------------


def _cap_source(cap: InspectionCap) -> str:
    return f"{cap.source}" if cap.verified else f"{cap.source}（待核实）"


class CapListView(ObjectListView):
    """检查频次上限表 (国办发〔2024〕54号): editable by the committee office; unverified rows say 待核实."""

    model = InspectionCap
    filterset_class = CapFilterSet
    title = _("涉企检查频次上限")
    default_sort = "industry__sort_order"
    create_url_name = "inspections:cap_create"
    template_name = "inspections/plans/cap_list.html"
    columns = [
        Column(
            "industry.name",
            _("行业领域"),
            sort="industry__sort_order",
            link=True,
            display=lambda c: c.industry.name if c.industry_id else _("全部行业"),
        ),
        Column("get_risk_class_display", _("风险类别"), sort="risk_class"),
        Column(
            "standardisation_grade",
            _("标准化等级"),
            sort="standardisation_grade",
            display=lambda c: caps.grade_label(c.standardisation_grade),
        ),
        Column("max_per_year", _("每年最多检查（次）"), sort="max_per_year"),
        Column(
            "verified",
            _("核实"),
            sort="verified",
            display=lambda c: _("已核实") if c.verified else _("待核实"),
            badge=lambda c: "success" if c.verified else "warning",
        ),
        Column("source", _("依据"), display=lambda c: c.source),
    ]

    def get_base_queryset(self) -> Any:
        return InspectionCap.objects.select_related("industry")


class CapEditView(ObjectEditView):
    """新增/修改检查频次上限 (区安委办)."""

    model = InspectionCap
    form_class = CapForm
    template_name = "inspections/plans/cap_form.html"

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        data = {
            **data,
            "risk_class": data.get("risk_class") or "",
            "standardisation_grade": data.get("standardisation_grade") or "",
        }
        if obj is None:
            return caps.create_cap(actor=actor, **data)
        return caps.update_cap(obj, actor=actor, version=obj.version, **data)

    def success_url(self, obj: Any) -> str:
        return reverse("inspections:cap_list")


class CapDeleteView(ScopedViewMixin, View):
    """删除一条上限 (a button on the edit page)."""

    model = InspectionCap
    action = "delete"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        cap = self.get_object(request, pk, "delete")
        _done, status = run_service(
            request, None, lambda: caps.delete_cap(cap, actor=request.user, version=posted_version(request))
        )
        if status == 200:
            messages.success(request, _("已删除。"))
        return redirect("inspections:cap_list")


# --- cap exceptions ------------------------------------------------------------------------------------------


class CapExceptionListView(ObjectListView):
    """超频次检查审批: requests of the departments, decided by the committee office."""

    model = CapException
    filterset_class = CapExceptionFilterSet
    title = _("超频次检查审批")
    default_sort = "-created_at"
    create_url_name = "inspections:cap_exception_create"
    columns = [
        Column("enterprise.name", _("生产经营单位"), sort="enterprise__name", link=True),
        Column("department.short_name", _("申请部门"), sort="department__sort_order"),
        Column("year", _("年度"), sort="year"),
        Column("reason", _("理由")),
        Column(
            "get_status_display", _("状态"), sort="status", badge=lambda e: EXCEPTION_COLORS.get(e.status)
        ),
        Column("created_at", _("申请时间"), sort="created_at"),
        Column("decided_at", _("审批时间"), sort="decided_at"),
    ]

    def get_base_queryset(self) -> Any:
        return CapException.objects.select_related("enterprise", "department")


class CapExceptionCreateView(ScopedViewMixin, View):
    """申请超频次检查 (a department, for a unit in its industries)."""

    model = CapException
    action = "add"

    def _units(self, request: HttpRequest) -> Any:
        department = plans.default_department(request.user, "add", CapException)
        if department is None:
            raise PermissionDenied
        units = plans.in_department_scope(department).restrict(request.user, "view")
        return department, units

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        _department, units = self._units(request)
        form = CapExceptionForm(units=units)
        if request.GET.get("enterprise", "").isdigit():
            form.initial["enterprise"] = int(request.GET["enterprise"])
        return self.render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        department, units = self._units(request)
        form = CapExceptionForm(request.POST, units=units)
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            done, status = run_service(
                request,
                form,
                lambda: plans.request_cap_exception(
                    actor=request.user,
                    department=department,
                    enterprise=d["enterprise"],
                    year=d["year"],
                    reason=d["reason"],
                ),
            )
            if done:
                messages.success(request, _("已提交超频次检查申请。"))
                return redirect(done.get_absolute_url())
        return self.render(request, form, status)

    def render(self, request: HttpRequest, form: forms.Form, status: int = 200) -> HttpResponse:
        return render(
            request,
            "inspections/plans/simple_form.html",
            {
                "form": form,
                "title": _("申请超频次检查"),
                "parent_label": _("超频次检查审批"),
                "parent_url": "inspections:cap_exception_list",
                "submit": _("提交申请"),
                "help": _(
                    "单位本年度的检查次数已达频次上限（国办发〔2024〕54号）时，确需检查的，应说明理由并经区安委办批准；"
                    "批准后创建检查任务时选用本审批。"
                ),
            },
            status=status,
        )


class CapExceptionDetailView(ScopedViewMixin, View):
    """An exception request with the unit's cap standing, and the office's decision form."""

    model = CapException

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        exception = self.get_object(request, pk)
        return self.render(request, exception, DecisionForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request, "approve")
        exception = self.get_object(request, pk)
        form = DecisionForm(request.POST)
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            done, status = run_service(
                request,
                form,
                lambda: plans.decide_cap_exception(
                    exception, actor=request.user, approve=d["approve"], note=d["note"]
                ),
            )
            if done:
                messages.success(request, _("已审批。"))
                return redirect(exception.get_absolute_url())
        return self.render(request, exception, form, status)

    def render(
        self, request: HttpRequest, exception: CapException, form: forms.Form, status: int = 200
    ) -> HttpResponse:
        standing = caps.cap_status(exception.enterprise, exception.year)
        return render(
            request,
            "inspections/plans/cap_exception_detail.html",
            {
                "object": exception,
                "title": str(exception),
                "standing": standing,
                "form": form,
                "may_decide": can(request.user, "approve", CapException)
                and exception.status in APPROVE_EXCEPTION.statuses,
                "status_color": EXCEPTION_COLORS.get(exception.status, "secondary"),
                "inspections": exception.inspections.order_by("-planned_on")[:20],
                "history": object_history(exception),
            },
            status=status,
        )
