"""Pages of 双随机 draws: the list, the conditions form with the live pool size, a draw's file with its
commitment, results and verification, and each step (公布承诺, 抽取, 公开, 重新抽取) as a POST button."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.loop.web import posted_version, run_form, run_service
from zhiben.core.scoping import can
from zhiben.core.views import Column, ObjectListView, ScopedViewMixin, object_history
from zhiben.registry.models import Industry, Region

from ..choices import DrawStatus
from ..draw_algorithm import canonical_json
from ..filtersets.plans import DrawFilterSet
from ..forms.plans import DrawForm, RedrawForm
from ..models import Draw, Inspector
from ..services import draws, plans
from ..services.caps import grade_label
from ..steps import COMMIT_DRAW, PERFORM_DRAW, PUBLISH_DRAW, REDRAW

DRAW_COLORS = {
    DrawStatus.DRAFT: "secondary",
    DrawStatus.COMMITTED: "info",
    DrawStatus.DRAWN: "primary",
    DrawStatus.PUBLISHED: "success",
    DrawStatus.SUPERSEDED: "dark",
}
LIST_FIELDS = (
    "code",
    "title",
    "status",
    "entity_count",
    "officer_count",
    "committed_at",
    "drawn_at",
    "published_at",
    "created_at",
    "department__short_name",
    "department__sort_order",
)


class DrawListView(ObjectListView):
    """双随机抽查: the department's draws (the frozen pools are not loaded for the list)."""

    model = Draw
    filterset_class = DrawFilterSet
    title = _("双随机抽查")
    default_sort = "-created_at"
    create_url_name = "inspections:draw_create"
    list_only = LIST_FIELDS
    columns = [
        Column("code", _("抽查编号"), sort="code", link=True),
        Column("title", _("抽查任务"), sort="title"),
        Column("department.short_name", _("部门"), sort="department__sort_order"),
        Column("get_status_display", _("状态"), sort="status", badge=lambda d: DRAW_COLORS.get(d.status)),
        Column("entity_count", _("名录单位"), sort="entity_count"),
        Column("officer_count", _("执法人员"), sort="officer_count"),
        Column("committed_at", _("承诺公布"), sort="committed_at"),
        Column("published_at", _("结果公开"), sort="published_at"),
    ]

    def get_base_queryset(self) -> Any:
        return Draw.objects.select_related("department")


def _department(request: HttpRequest) -> Any:
    department = plans.default_department(request.user, "add", Draw)
    if department is None:
        raise PermissionDenied(_("只有监管部门可以组织双随机抽查。"))
    return department


class DrawCreateView(ScopedViewMixin, View):
    """创建抽查任务 (or edit a draft's conditions): the form shows the live pool size as filters change."""

    model = Draw
    action = "add"

    def _setup(self, request: HttpRequest, pk: int | None) -> tuple[Draw | None, Any]:
        if pk is None:
            self.check_action(request, "add")
            return None, _department(request)
        self.check_action(request, "change")
        obj = self.get_object(request, pk, "change")
        return obj, obj.department

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj, department = self._setup(request, pk)
        if obj is not None and obj.status != DrawStatus.DRAFT:
            messages.info(request, _("承诺值已公布，抽取条件已冻结。"))
            return redirect(obj.get_absolute_url())
        initial = DrawForm.initial_from(obj) if obj else {}
        if obj is None and request.GET.get("plan", "").isdigit():
            initial["plan"] = int(request.GET["plan"])
        return self.render(request, obj, DrawForm(department=department, initial=initial))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj, department = self._setup(request, pk)
        form = DrawForm(request.POST, department=department)

        def call() -> Draw:
            d, criteria = form.cleaned_data, form.criteria()
            if obj is None:
                return draws.create_draw(
                    actor=request.user,
                    department=department,
                    title=d["title"],
                    subject=d["subject"],
                    plan=d["plan"],
                    criteria=criteria,
                )
            return draws.update_draw(
                obj,
                actor=request.user,
                version=posted_version(request),
                title=d["title"],
                subject=d["subject"],
                plan=d["plan"],
                criteria=criteria,
            )

        saved, status = run_form(request, form, call)
        if status == 200:
            messages.success(request, _("已保存抽取条件。核对名录规模后，请“公布承诺值”。"))
            return redirect(saved.get_absolute_url())
        return self.render(request, obj, form, status)

    def render(
        self, request: HttpRequest, obj: Draw | None, form: forms.Form, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "inspections/plans/draw_form.html",
            {
                "object": obj,
                "form": form,
                "title": _("修改抽取条件") if obj else _("新建双随机抽查"),
                "conflict": status == 409,
            },
            status=status,
        )


class DrawPoolPreviewView(ScopedViewMixin, View):
    """The live pool size for the conditions on the form (an htmx fragment; also a plain page)."""

    model = Draw
    action = "add"

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        department = _department(request)
        data = request.GET.copy()
        # The pool does not depend on the task's name or date: fill what is still empty so the preview shows
        # from the first keystroke.
        defaults = {**DrawForm(department=department).initial, "title": "—"}
        for name, value in defaults.items():
            if not data.get(name):
                data[name] = value
        if not data.get("count") and not data.get("proportion"):
            data["count"] = "1"
        form = DrawForm(data, department=department)
        context: dict[str, Any] = {"form": form}

        def preview() -> tuple[Any, Any]:
            criteria = form.criteria()
            return criteria, draws.preview_pools(department, criteria, actor=request.user)

        # A read: no transaction; a refusal (from the form or the pool rules) is listed on the fragment.
        result, status = run_form(request, form, preview, atomic=False)
        if status == 200:
            criteria, pools = result
            context.update(
                pools=pools,
                count=pools.count_for(criteria) if pools.entities else 0,
                officers_per_check=criteria.officers_per_check,
                explicit=bool(request.GET.get("count") or request.GET.get("proportion")),
            )
        else:
            context["errors"] = [e for errs in form.errors.values() for e in errs]
        return render(request, "inspections/plans/_draw_pool.html", context)


def _officer_names(draw: Draw, rows: list[Any]) -> dict[int, Inspector]:
    ids = {o for r in rows for o in r.officer_ids}
    return Inspector.objects.unrestricted("the officers of a draw read in scope").in_bulk(ids)


class DrawDetailView(ScopedViewMixin, View):
    """A draw's file: conditions, the commitment, the results with their inspection tasks, and verification."""

    model = Draw

    def get_base_queryset(self) -> Any:
        return Draw.objects.select_related("department", "plan", "redraw_of").defer(*draws.BIG_FIELDS)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        obj = self.get_object(request, pk)
        rows = list(obj.assignments.select_related("enterprise__region", "inspection").order_by("position"))
        people = _officer_names(obj, rows)
        user = request.user
        may_draw = can(user, "draw", Draw) and Draw.objects.restrict(user, "draw").filter(pk=obj.pk).exists()
        revealed = obj.status in draws.REVEALED
        context = {
            "object": obj,
            "title": obj.title,
            "status_color": DRAW_COLORS.get(obj.status, "secondary"),
            "rows": [(r, [people.get(o) for o in r.officer_ids]) for r in rows],
            "criteria": _criteria_rows(obj),
            "excluded": obj.criteria.get("excluded") or {},
            "revealed": revealed,
            "report": draws.verification(obj) if revealed else None,
            "may_edit": may_draw and obj.status == DrawStatus.DRAFT and can(user, "change", Draw),
            "may_commit": may_draw and obj.status in COMMIT_DRAW.statuses,
            "may_perform": may_draw and obj.status in PERFORM_DRAW.statuses,
            "may_publish": may_draw and obj.status in PUBLISH_DRAW.statuses,
            "may_redraw": may_draw and obj.status in REDRAW.statuses,
            "redrawn_as": Draw.objects.unrestricted("the redraw of a draw in scope")
            .filter(redraw_of=obj)
            .only("code")
            .first(),
            "history": object_history(obj),
            "pair_count": obj.criteria.get("pairs", 0),
        }
        return render(request, "inspections/plans/draw_detail.html", context)


def _criteria_rows(obj: Draw) -> list[tuple[str, str]]:
    c = obj.criteria
    region = Region.objects.filter(code=c.get("region") or "-").values_list("name", flat=True).first()
    industry = Industry.objects.filter(code=c.get("industry") or "-").values_list("name", flat=True).first()
    out = [
        (_("行政区划"), region or c.get("region") or _("不限")),
        (_("行业领域"), industry or c.get("industry") or _("本部门全部行业")),
        (_("高危企业"), {True: _("仅高危"), False: _("仅非高危")}.get(c.get("high_risk"), _("不限"))),
        (_("标准化等级"), "、".join(grade_label(g) for g in c.get("grades") or []) or _("不限")),
        (
            _("排除近期已检查"),
            _("%(d)s 天内") % {"d": c.get("recent_days")} if c.get("recent_days") else _("不排除"),
        ),
        (
            _("抽取数量"),
            _("%(n)s 家") % {"n": c["count"]}
            if c.get("count")
            else _("名录的 %(p)s%%（向上取整）") % {"p": c.get("proportion")},
        ),
        (_("每组执法人员"), _("%(n)s 人") % {"n": c.get("officers_per_check")}),
        (
            _("每人最多检查"),
            _("%(n)s 家") % {"n": c["max_per_officer"]} if c.get("max_per_officer") else _("不限"),
        ),
        (
            _("回避"),
            _("已申报的利害关系；%(d)s 天内检查过该单位的执法人员") % {"d": c.get("pair_days")}
            if c.get("pair_days")
            else _("已申报的利害关系"),
        ),
        (_("风险加权"), _("是") if c.get("weighted") else _("否（等概率）")),
        (_("计划检查日期"), c.get("planned_on") or "—"),
    ]
    return [(str(k), str(v)) for k, v in out]


class DrawStepView(ScopedViewMixin, View):
    """公布承诺值 / 执行抽取 / 公开结果: one POST button each on the draw page."""

    model = Draw
    action = "draw"
    step = ""
    STEPS = {
        "commit": (draws.commit_draw, _("已冻结名录并公布承诺值（名录摘要和种子承诺值）。")),
        "perform": (
            draws.perform_draw,
            _("已完成抽取。核对结果后请“公开结果”，届时公布种子并生成检查任务。"),
        ),
        "publish": (draws.publish_draw, _("已公开结果和种子，并为每个抽中单位生成了检查任务。")),
    }

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        obj = self.get_object(request, pk, "draw")
        service, message = self.STEPS[self.step]
        done, _status = run_service(
            request, None, lambda: service(obj, actor=request.user, version=posted_version(request))
        )
        if done:
            messages.success(request, message)
        return redirect(obj.get_absolute_url())


class DrawRedrawView(ScopedViewMixin, View):
    """重新抽取 with a reason (kept and published with the superseded draw)."""

    model = Draw
    action = "draw"

    def _obj(self, request: HttpRequest, pk: int) -> Draw:
        self.check_action(request)
        return self.get_object(request, pk, "draw")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render(request, self._obj(request, pk), RedrawForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self._obj(request, pk)
        form = RedrawForm(request.POST)
        status = 400
        if form.is_valid():
            new, status = run_service(
                request,
                form,
                lambda: draws.redraw(
                    obj,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    version=posted_version(request),
                ),
            )
            if new:
                messages.success(request, _("已重新抽取：原抽查已作废并公开种子，新抽查已公布承诺值。"))
                return redirect(new.get_absolute_url())
        return self.render(request, obj, form, status)

    def render(self, request: HttpRequest, obj: Draw, form: forms.Form, status: int = 200) -> HttpResponse:
        return render(
            request,
            "inspections/plans/simple_form.html",
            {
                "object": obj,
                "form": form,
                "title": _("重新抽取"),
                "parent_label": _("双随机抽查"),
                "parent_url": "inspections:draw_list",
                "submit": _("作废并重新抽取"),
                "danger": True,
                "help": _(
                    "重新抽取将作废本次抽查（保留记录并公开其种子），按原条件重新冻结名录、生成新种子并公布承诺值。"
                    "理由记入审计日志并在公示页面公开。"
                ),
            },
            status=status,
        )


class DrawInputsView(ScopedViewMixin, View):
    """The frozen inputs as canonical JSON (the bytes pool_digest covers), for the department's own checks."""

    model = Draw

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        obj = self.get_object(request, pk)
        return HttpResponse(
            canonical_json(draws.frozen_document(obj)), content_type="application/json; charset=utf-8"
        )
