"""Pages of 双重预防 (风险分级) and 一会三卡: risk points (list, register, edit, page, assessment step, QR card,
phone patrol), the unit's 四色图 (site plan + zones), statistics with the townships' 四色 map, the 重大风险清单 by
department, band tables (versions and adoption), 一会三卡 (coverage, posts and cards, 班前会 and 体检卡 records,
emergency card print) and 动工卡 (list, apply, page, steps)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.loop.calls import run_form
from zhiben.core.loop.steps import action_label
from zhiben.core.loop.web import StepView
from zhiben.core.scoping import can, grants_for
from zhiben.core.views import Badge, Column, ObjectListView, ScopedViewMixin, object_history
from zhiben.hazards.models import Hazard
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Department, Enterprise, Region

from . import grading, reference, services
from .choices import COLOUR_BY_LEVEL, HEX, LEVEL_ORDER, ControlKind, Level, PermitStatus, PointStatus
from .coverage import coverage_of
from .filtersets import PermitFilterSet, PointFilterSet
from .forms import (
    AdoptForm,
    CheckForm,
    MeetingForm,
    PatrolForm,
    PermitForm,
    PlanForm,
    PointForm,
    PostForm,
    TableForm,
    controls_text,
    factors_text,
)
from .models import (
    Post,
    PreShiftCheck,
    RiskPoint,
    RiskTable,
    ShiftMeeting,
    SitePlan,
    TableAdoption,
    WorkPermit,
    latest_plan,
)
from .steps import PERMIT_FLOW, POINT_FLOW

LEVEL_BADGE = {Level.MAJOR: "danger", Level.LARGE: "warning", Level.GENERAL: "warning", Level.LOW: "primary"}


def _level(p: RiskPoint) -> Badge | str:
    if not p.level:
        return Badge(_("未评估"), "secondary")
    return Badge(f"{COLOUR_BY_LEVEL[p.level]} · {p.get_level_display()}", LEVEL_BADGE[p.level])  # type: ignore[index]


def _status(p: RiskPoint) -> Badge:
    return Badge(p.get_status_display(), "warning" if p.status == PointStatus.REASSESS else "light")


def _enterprises(user: Any, action: str = "view") -> Any:
    return Enterprise.objects.restrict(user, "view").order_by("name")


def qr_svg(url: str, scale: int = 4) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


# --- risk points ---------------------------------------------------------------------------------------------


class PointListView(ObjectListView):
    model = RiskPoint
    title = _("风险分级管控")
    filterset_class = PointFilterSet
    template_name = "risk/point_list.html"
    create_url_name = "risk:point_create"
    default_sort = "enterprise__name"
    columns = [
        Column("name", _("风险点"), sort="name", link=True),
        Column("enterprise.name", _("生产经营单位"), sort="enterprise__name"),
        Column("get_kind_display", _("类型"), sort="kind"),
        Column("level", _("风险等级"), sort="level", display=_level),
        Column("score", _("风险值"), display=lambda p: services.score_text(p.score)),
        Column("get_responsible_level_display", _("管控层级")),
        Column("status", _("状态"), sort="status", display=_status),
    ]

    def get_base_queryset(self) -> Any:
        return RiskPoint.objects.select_related("enterprise")

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        enterprise = None
        raw = request.GET.get("enterprise", "")
        if raw.isdigit():
            enterprise = _enterprises(request.user).filter(pk=int(raw)).first()
        return {"enterprise": enterprise}


class PointCreateView(ScopedViewMixin, View):
    model = RiskPoint
    action = "add"

    def form(self, request: HttpRequest, data: Any = None) -> PointForm:
        initial = {}
        raw = request.GET.get("enterprise", "")
        if raw.isdigit():
            initial["enterprise"] = raw
        return PointForm(data, enterprises=_enterprises(request.user), initial=initial)

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        return self.render(request, self.form(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = self.form(request, request.POST)
        point, status = run_form(
            request,
            form,
            lambda: services.register_point(actor=request.user, **form.cleaned_data),
        )
        if status == 200:
            messages.success(request, _("已登记风险点，请进行风险评估。"))
            return redirect(point.get_absolute_url())
        return self.render(request, form, status)

    def render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "core/object_form.html",
            {
                "form": form,
                "title": _("登记风险点"),
                "verbose_name": _("风险点"),
                "cancel_url": reverse("risk:point_list"),
            },
            status=status,
        )


class PointEditView(ScopedViewMixin, View):
    model = RiskPoint
    action = "change"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        point = self.get_object(request, pk)
        initial = {
            "enterprise": point.enterprise_id,
            "kind": point.kind,
            "name": point.name,
            "location": point.location,
            "factors": factors_text(point.factors),
            "controls": controls_text(point.controls),
            "responsible_level": point.responsible_level,
            "responsible_person": point.responsible_person,
        }
        form = PointForm(
            initial=initial,
            enterprises=Enterprise.objects.restrict(request.user, "view").filter(pk=point.enterprise_id),
        )
        return self.render(request, point, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        point = self.get_object(request, pk)
        form = PointForm(
            request.POST,
            enterprises=Enterprise.objects.restrict(request.user, "view").filter(pk=point.enterprise_id),
        )

        def save() -> Any:
            data = {k: v for k, v in form.cleaned_data.items() if k != "enterprise"}
            return services.update_point(
                point, actor=request.user, version=request.POST.get("version"), **data
            )

        _r, status = run_form(request, form, save)
        if status == 200:
            messages.success(request, _("已保存。"))
            return redirect(point.get_absolute_url())
        return self.render(request, point, form, status)

    def render(self, request: HttpRequest, point: RiskPoint, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "core/object_form.html",
            {
                "form": form,
                "object": point,
                "title": _("编辑风险点"),
                "verbose_name": _("风险点"),
                "cancel_url": point.get_absolute_url(),
                "conflict": status == 409,
            },
            status=status,
        )


class PointDetailView(ScopedViewMixin, View):
    model = RiskPoint

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        point = self.get_object(request, pk)
        patrols = list(
            point.patrols.select_related("checked_by", "hazard").order_by("-checked_at", "-pk")[:20]
        )
        visible_hazards = (
            set(
                Hazard.objects.restrict(request.user, "view")
                .filter(pk__in=[p.hazard_id for p in patrols if p.hazard_id])
                .values_list("pk", flat=True)
            )
            if can(request.user, "view", Hazard)
            else set()
        )
        kinds = dict(ControlKind.choices)
        context = {
            "title": point.name,
            "object": point,
            "level": _level(point),
            "factors": [
                {"name": reference.factor_name(f.get("category", "")), "text": f.get("text", "")}
                for f in point.factors
            ],
            "controls": [
                {"kind": kinds.get(c.get("kind"), ""), "text": c.get("text", "")} for c in point.controls
            ],
            "assessments": point.assessments.select_related("table", "assessed_by").order_by(
                "-assessed_on", "-pk"
            ),
            "patrols": [{"p": p, "hazard_visible": p.hazard_id in visible_hazards} for p in patrols],
            "steps": POINT_FLOW.available(request.user, point),
            "can_change": can(request.user, "change", RiskPoint)
            and RiskPoint.objects.restrict(request.user, "change").filter(pk=point.pk).exists(),
            "can_patrol": can(request.user, "patrol", RiskPoint),
            "history": [
                {"row": h, "label": action_label(h)}
                for h in point.history.select_related("actor").order_by("at", "pk")
            ],
            "audit": object_history(point),
            "score": services.score_text(point.score),
        }
        return render(request, "risk/point_detail.html", context)


class PointStepView(StepView):
    model = RiskPoint
    flow = POINT_FLOW
    list_url_name = "risk:point_list"
    list_label = _("风险分级管控")
    template_name = "risk/assess.html"

    def extra_context(self, obj: Any, step: Any) -> dict[str, Any]:
        region = obj.enterprise.region
        tables = [reference.table_for(m, region) for m in ("LEC", "LS")]
        return {
            "tables": [
                {"t": t, "scales": t.data.get("scales", {}), "bands": t.data.get("bands", [])} for t in tables
            ]
        }


class PointQrView(ScopedViewMixin, View):
    """The point's QR code (SVG): it opens the phone patrol page."""

    model = RiskPoint

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        point = self.get_object(request, pk)
        return HttpResponse(
            qr_svg(request.build_absolute_uri(point.patrol_url())), content_type="image/svg+xml"
        )


class PointCardView(ScopedViewMixin, View):
    """The printable 风险告知卡 of a point: name, level, factors, controls, the QR code for patrols."""

    model = RiskPoint

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        point = self.get_object(request, pk)
        kinds = dict(ControlKind.choices)
        return render(
            request,
            "risk/point_card.html",
            {
                "title": _("风险点告知卡"),
                "object": point,
                "level": _level(point),
                "qr": qr_svg(request.build_absolute_uri(point.patrol_url())),
                "factors": [f.get("text", "") for f in point.factors],
                "controls": [
                    {"kind": kinds.get(c.get("kind"), ""), "text": c.get("text", "")} for c in point.controls
                ],
            },
        )


class PatrolView(ScopedViewMixin, View):
    """The phone page the QR code opens: each control 符合/不符合; a 不符合 registers a 一般 hazard."""

    model = RiskPoint
    action = "patrol"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        point = self.get_object(request, pk, "view")
        return self.render(request, point, PatrolForm(point=point))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        point = self.get_object(request, pk, "view")
        form = PatrolForm(request.POST, point=point)
        patrol, status = run_form(
            request,
            form,
            lambda: services.record_patrol(
                point, actor=request.user, results=form.results(), note=form.cleaned_data["note"]
            ),
        )
        if status == 200:
            if patrol.hazard_id:
                messages.warning(
                    request, _("巡查已记录：发现不符合，已登记一般隐患 %(c)s。") % {"c": patrol.hazard.code}
                )
            else:
                messages.success(request, _("巡查已记录：管控措施全部符合。"))
            return redirect(patrol.get_absolute_url())
        return self.render(request, point, form, status)

    def render(
        self, request: HttpRequest, point: RiskPoint, form: PatrolForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "risk/patrol.html",
            {"title": _("风险点巡查"), "object": point, "form": form, "level": _level(point)},
            status=status,
        )


class ZoneView(ScopedViewMixin, View):
    """POST the point's zone (JSON list of [x, y] fractions) from the 四色图 editor."""

    model = RiskPoint
    action = "change"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        point = self.get_object(request, pk)
        try:
            vertices = json.loads(request.POST.get("zone") or "[]")
        except ValueError:
            vertices = None
        try:
            services.save_zone(point, actor=request.user, vertices=vertices if vertices is not None else "x")
        except ValidationError as exc:
            text = "；".join(m for ms in exc.message_dict.values() for m in ms)
            if request.headers.get("Accept", "").startswith("application/json"):
                return JsonResponse({"zone": [text]}, status=400)
            messages.error(request, text)
            return redirect(reverse("risk:map", args=[point.enterprise_id]))
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"zone": point.zone})
        messages.success(request, _("已保存“%(p)s”的区域。") % {"p": point.name})
        return redirect(reverse("risk:map", args=[point.enterprise_id]))


# --- 四色图 -------------------------------------------------------------------------------------------------


class MapView(ScopedViewMixin, View):
    """The unit's 四色图: its site plan with each risk point's zone coloured by level; upload and draw."""

    model = Enterprise

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "view", RiskPoint):
            raise PermissionDenied(_("您无权访问此页面。"))
        enterprise = self.get_object(request, pk)
        return self.render(request, enterprise, PlanForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "add", SitePlan):
            raise PermissionDenied(_("您无权上传平面图。"))
        enterprise = self.get_object(request, pk)
        form = PlanForm(request.POST, request.FILES)
        _p, status = run_form(
            request,
            form,
            lambda: services.upload_plan(enterprise, actor=request.user, image=form.cleaned_data["image"]),
        )
        if status == 200:
            messages.success(request, _("已上传平面图，请在图上绘制各风险点区域。"))
            return redirect(reverse("risk:map", args=[enterprise.pk]))
        return self.render(request, enterprise, form, status)

    def render(
        self, request: HttpRequest, enterprise: Enterprise, form: PlanForm, status: int = 200
    ) -> HttpResponse:
        points = list(
            RiskPoint.objects.restrict(request.user, "view").filter(enterprise=enterprise).order_by("name")
        )
        plan = latest_plan(enterprise)
        can_draw = can(request.user, "change", RiskPoint)
        zones = [
            {
                "p": p,
                "svg": " ".join(f"{x},{y}" for x, y in p.zone),
                "label": p.zone[0] if p.zone else None,
                "level": _level(p),
            }
            for p in points
        ]
        return render(
            request,
            "risk/map.html",
            {
                "title": _("四色图"),
                "object": enterprise,
                "plan": plan,
                "zones": zones,
                "form": form,
                "can_upload": can(request.user, "add", SitePlan),
                "can_draw": can_draw,
                "legend": [
                    {"colour": COLOUR_BY_LEVEL[lv], "label": lv.label, "hex": HEX[lv]} for lv in LEVEL_ORDER
                ],
            },
            status=status,
        )


class PlanImageView(ScopedViewMixin, View):
    model = SitePlan

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        plan = self.get_object(request, pk)
        response = FileResponse(plan.image.open("rb"), content_type=plan.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        return response


# --- statistics and the 重大风险清单 ---------------------------------------------------------------------------


def _counts(qs: Any) -> dict[str, int]:
    return qs.aggregate(total=Count("pk"), **{str(lv): Count("pk", filter=Q(level=lv)) for lv in LEVEL_ORDER})


class StatsView(ScopedViewMixin, View):
    """Risk points by level, township and industry, with a 四色 map of the townships (a tile per township,
    coloured by its highest level)."""

    model = RiskPoint

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        points = RiskPoint.objects.restrict(request.user, "view")
        total = _counts(points)
        townships = list(Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code"))
        rows = []
        for t in townships:
            c = _counts(points.filter(enterprise__region__code__startswith=t.scope_prefix))
            if (
                not c["total"]
                and not points.filter(enterprise__region__code__startswith=t.scope_prefix).exists()
            ):
                top = None
            else:
                top = next((lv for lv in LEVEL_ORDER if c[str(lv)]), None)
            rows.append(
                {
                    "t": t,
                    "c": c,
                    "top": top,
                    "hex": HEX[top] if top else "#e9ecef",
                    "colour": COLOUR_BY_LEVEL[top] if top else "",
                }
            )
        shown = [r for r in rows if r["c"]["total"]] or rows
        per_row = 4
        tiles = [
            {**r, "x": (i % per_row) * 100 + 4, "y": (i // per_row) * 64 + 4} for i, r in enumerate(rows)
        ]
        industries = list(
            points.values("enterprise__primary_industry__name")
            .annotate(total=Count("pk"), **{str(lv): Count("pk", filter=Q(level=lv)) for lv in LEVEL_ORDER})
            .order_by("-total")
        )
        return render(
            request,
            "risk/stats.html",
            {
                "title": _("风险分级统计"),
                "total": total,
                "levels": [
                    {
                        "key": str(lv),
                        "label": lv.label,
                        "colour": COLOUR_BY_LEVEL[lv],
                        "hex": HEX[lv],
                        "n": total[str(lv)],
                    }
                    for lv in LEVEL_ORDER
                ],
                "rows": shown,
                "tiles": tiles,
                "map_height": ((len(rows) + per_row - 1) // per_row) * 64 + 8,
                "industries": industries,
                "level_keys": [str(lv) for lv in LEVEL_ORDER],
            },
        )


class MajorListView(ObjectListView):
    """重大风险清单: 重大 risk points, by the departments that supervise their units (三管三必须)."""

    model = RiskPoint
    title = _("重大风险清单")
    filterset_class = PointFilterSet
    template_name = "risk/major_list.html"
    default_sort = "enterprise__name"
    columns = [
        Column("name", _("风险点"), sort="name", link=True),
        Column("enterprise.name", _("生产经营单位"), sort="enterprise__name"),
        Column("enterprise.primary_industry.name", _("行业领域")),
        Column("score", _("风险值"), display=lambda p: services.score_text(p.score)),
        Column("responsible_person", _("责任人")),
        Column("assessed_on", _("评估日期"), sort="assessed_on"),
        Column("status", _("状态"), display=_status),
    ]

    def get_base_queryset(self) -> Any:
        return RiskPoint.objects.select_related("enterprise", "enterprise__primary_industry").filter(
            level=Level.MAJOR
        )

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        mine = [g.department_ids for g in grants_for(request.user) if g.department_ids]
        own = (
            Department.objects.filter(pk__in=sorted(next(iter(mine), frozenset()))).first() if mine else None
        )
        return {"own_department": own}


# --- band tables -------------------------------------------------------------------------------------------------


class TableListView(ScopedViewMixin, View):
    model = RiskTable

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        reference.ensure_tables()
        tables = list(RiskTable.objects.select_related("created_by").order_by("method", "-created_at", "-pk"))
        for t in tables:
            t.bands_text = [  # type: ignore[attr-defined]
                f"{b['colour']}（{b['level']}）：{grading._bound_text(b).rsplit('（', 1)[0]}"
                for b in t.data.get("bands", [])
            ]
        adoptions = TableAdoption.objects.select_related("region", "table", "adopted_by").order_by(
            "-created_at", "-pk"
        )[:50]
        return render(
            request,
            "risk/table_list.html",
            {
                "title": _("风险分级表"),
                "tables": tables,
                "defaults": {m: reference.table_for(m) for m in ("LEC", "LS")},
                "adoptions": adoptions,
                "can_add": can(request.user, "add", RiskTable),
                "can_adopt": can(request.user, "add", TableAdoption),
            },
        )


class TableCreateView(ScopedViewMixin, View):
    model = RiskTable
    action = "add"

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        base = reference.table_for(
            request.GET.get("method", "LEC") if request.GET.get("method") in ("LEC", "LS") else "LEC"
        )
        initial = {
            "method": base.method,
            "name": base.name,
            "source": base.source,
            "content": json.dumps(
                {"scales": base.data["scales"], "bands": base.data["bands"]}, ensure_ascii=False, indent=1
            ),
        }
        return self.render(request, TableForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = TableForm(request.POST)
        _t, status = run_form(
            request,
            form,
            lambda: services.add_table(
                actor=request.user,
                code=form.cleaned_data["code"],
                method=form.cleaned_data["method"],
                name=form.cleaned_data["name"],
                source=form.cleaned_data["source"],
                data=form.cleaned_data["content"],
            ),
        )
        if status == 200:
            messages.success(request, _("已新增分级表版本；采用后，该区域新的评估使用此版本。"))
            return redirect(reverse("risk:table_list"))
        return self.render(request, form, status)

    def render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "core/object_form.html",
            {
                "form": form,
                "title": _("新增分级表版本"),
                "verbose_name": _("风险分级表"),
                "cancel_url": reverse("risk:table_list"),
            },
            status=status,
        )


class AdoptView(ScopedViewMixin, View):
    model = TableAdoption
    action = "add"

    def form(self, data: Any = None) -> AdoptForm:
        regions = Region.objects.filter(
            level__in=[
                RegionLevel.TOWNSHIP,
                *[
                    lv
                    for lv in RegionLevel.values
                    if lv != RegionLevel.TOWNSHIP and lv in ("district", "county")
                ],
            ]
        ).order_by("code")
        return AdoptForm(data, regions=regions, tables=RiskTable.objects.order_by("method", "-created_at"))

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        return self.render(request, self.form())

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = self.form(request.POST)
        _a, status = run_form(
            request, form, lambda: services.adopt_table(actor=request.user, **form.cleaned_data)
        )
        if status == 200:
            messages.success(request, _("已采用；该区域此后的评估使用新版本，原评估保留原版本。"))
            return redirect(reverse("risk:table_list"))
        return self.render(request, form, status)

    def render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "core/object_form.html",
            {
                "form": form,
                "title": _("采用分级表"),
                "verbose_name": _("风险分级表"),
                "cancel_url": reverse("risk:table_list"),
            },
            status=status,
        )


# --- 一会三卡 ----------------------------------------------------------------------------------------------------


class CardIndexView(ScopedViewMixin, View):
    """一会三卡 coverage of the units in scope (high-risk units first): posts with both cards, 班前会 days."""

    model = Post

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        today = timezone.localdate()
        start = today - dt.timedelta(days=29)
        units = list(
            _enterprises(request.user)
            .filter(Q(is_high_risk=True) | Q(primary_industry__high_risk=True))
            .select_related("region")[:300]
        )
        cov = coverage_of([u.pk for u in units], start, today)
        rows = [{"u": u, "c": cov[u.pk]} for u in units]
        rows.sort(key=lambda r: (r["c"].complete, r["u"].name))
        return render(
            request,
            "risk/card_index.html",
            {
                "title": _("一会三卡"),
                "rows": rows,
                "start": start,
                "today": today,
                "complete": sum(1 for r in rows if r["c"].complete),
            },
        )


class CardUnitView(ScopedViewMixin, View):
    """One unit's 一会三卡: posts and their cards, recent 班前会 and 体检卡 records, 动工卡; add a post."""

    model = Enterprise

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "view", Post):
            raise PermissionDenied(_("您无权访问此页面。"))
        enterprise = self.get_object(request, pk)
        return self.render(request, enterprise, self.post_form(enterprise))

    def post_form(self, enterprise: Enterprise, data: Any = None) -> PostForm:
        codes = set(enterprise.industries.values_list("code", flat=True))
        return PostForm(data, templates=reference.templates_for(codes))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "add", Post):
            raise PermissionDenied(_("您无权新增岗位。"))
        enterprise = self.get_object(request, pk)
        form = self.post_form(enterprise, request.POST)
        post, status = run_form(
            request,
            form,
            lambda: services.add_post(actor=request.user, enterprise=enterprise, **form.cleaned_data),
        )
        if status == 200:
            messages.success(request, _("已新增岗位“%(n)s”并制发体检卡和应急处置卡。") % {"n": post.name})
            return redirect(reverse("risk:card_unit", args=[enterprise.pk]))
        return self.render(request, enterprise, form, status)

    def render(
        self, request: HttpRequest, enterprise: Enterprise, form: PostForm, status: int = 200
    ) -> HttpResponse:
        today = timezone.localdate()
        start = today - dt.timedelta(days=29)
        posts = list(
            Post.objects.restrict(request.user, "view")
            .filter(enterprise=enterprise)
            .prefetch_related("cards")
        )
        meetings = (
            ShiftMeeting.objects.restrict(request.user, "view")
            .filter(enterprise=enterprise)
            .select_related("recorded_by")[:15]
        )
        checks = (
            PreShiftCheck.objects.restrict(request.user, "view")
            .filter(post__enterprise=enterprise)
            .select_related("post")[:15]
        )
        permits = WorkPermit.objects.restrict(request.user, "view").filter(enterprise=enterprise)[:10]
        return render(
            request,
            "risk/card_unit.html",
            {
                "title": _("一会三卡"),
                "object": enterprise,
                "posts": [{"p": p, "kinds": {c.kind for c in p.cards.all()}} for p in posts],
                "cov": coverage_of([enterprise.pk], start, today)[enterprise.pk],
                "start": start,
                "today": today,
                "meetings": meetings,
                "checks": checks,
                "permits": permits,
                "form": form,
                "can_add": can(request.user, "add", Post),
                "can_meet": can(request.user, "add", ShiftMeeting),
                "can_permit": can(request.user, "add", WorkPermit),
            },
            status=status,
        )


class PostDetailView(ScopedViewMixin, View):
    model = Post

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        post = self.get_object(request, pk)
        cards = {c.kind: c for c in post.cards.all()}
        return render(
            request,
            "risk/post_detail.html",
            {
                "title": post.name,
                "object": post,
                "check": cards.get("check"),
                "emergency": cards.get("emergency"),
                "checks": post.checks.select_related("recorded_by")[:15],
                "can_check": can(request.user, "add", PreShiftCheck),
            },
        )


class EmergencyCardView(ScopedViewMixin, View):
    """The post's 应急处置卡, printable, with a QR code that opens it on a phone."""

    model = Post

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        post = self.get_object(request, pk)
        card = post.cards.filter(kind="emergency").first()
        if card is None:
            raise Http404
        return render(
            request,
            "risk/emergency_card.html",
            {
                "title": _("应急处置卡"),
                "object": post,
                "card": card,
                "qr": qr_svg(request.build_absolute_uri(reverse("risk:emergency_card", args=[post.pk]))),
            },
        )


class MeetingCreateView(ScopedViewMixin, View):
    """安全班前会 record on the phone."""

    model = Enterprise

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "add", ShiftMeeting):
            raise PermissionDenied(_("您无权记录班前会。"))
        enterprise = self.get_object(request, pk)
        return self.render(request, enterprise, MeetingForm(initial={"held_on": timezone.localdate()}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "add", ShiftMeeting):
            raise PermissionDenied(_("您无权记录班前会。"))
        enterprise = self.get_object(request, pk)
        form = MeetingForm(request.POST)
        _m, status = run_form(
            request,
            form,
            lambda: services.record_meeting(actor=request.user, enterprise=enterprise, **form.cleaned_data),
        )
        if status == 200:
            messages.success(request, _("已记录班前会。"))
            return redirect(reverse("risk:card_unit", args=[enterprise.pk]))
        return self.render(request, enterprise, form, status)

    def render(
        self, request: HttpRequest, enterprise: Enterprise, form: Any, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "risk/phone_form.html",
            {
                "title": _("安全班前会"),
                "object": enterprise,
                "form": form,
                "prompts": reference.card_templates()["meeting"]["prompts"],
                "back": reverse("risk:card_unit", args=[enterprise.pk]),
            },
            status=status,
        )


class CheckCreateView(ScopedViewMixin, View):
    """A day's 体检卡 record of a post on the phone."""

    model = Post

    def _form(self, post: Post, data: Any = None) -> CheckForm:
        card = post.cards.filter(kind="check").first()
        return CheckForm(data, items=list(card.items) if card else [])

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "add", PreShiftCheck):
            raise PermissionDenied(_("您无权记录体检卡。"))
        post = self.get_object(request, pk)
        return self.render(request, post, self._form(post))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "add", PreShiftCheck):
            raise PermissionDenied(_("您无权记录体检卡。"))
        post = self.get_object(request, pk)
        form = self._form(post, request.POST)
        _c, status = run_form(
            request,
            form,
            lambda: services.record_check(actor=request.user, post=post, results=form.results()),
        )
        if status == 200:
            messages.success(request, _("已记录体检卡。"))
            return redirect(post.get_absolute_url())
        return self.render(request, post, form, status)

    def render(self, request: HttpRequest, post: Post, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "risk/phone_form.html",
            {
                "title": _("体检卡"),
                "object": post,
                "form": form,
                "prompts": [],
                "back": post.get_absolute_url(),
            },
            status=status,
        )


# --- 动工卡 -----------------------------------------------------------------------------------------------------


def _permit_status(p: WorkPermit) -> Badge:
    colours = {
        PermitStatus.APPLIED: "warning",
        PermitStatus.CONFIRMED: "primary",
        PermitStatus.FINISHED: "success",
    }
    return Badge(p.get_status_display(), colours[p.status])  # type: ignore[index]


class PermitListView(ObjectListView):
    model = WorkPermit
    title = _("动工卡")
    filterset_class = PermitFilterSet
    create_url_name = "risk:permit_create"
    default_sort = "-work_on"
    columns = [
        Column("number", _("编号"), sort="number", link=True),
        Column("enterprise.name", _("生产经营单位")),
        Column("get_kind_display", _("作业类型"), sort="kind"),
        Column("location", _("作业地点")),
        Column("work_on", _("作业日期"), sort="work_on"),
        Column("status", _("状态"), sort="status", display=_permit_status),
    ]

    def get_base_queryset(self) -> Any:
        return WorkPermit.objects.select_related("enterprise")


class PermitCreateView(ScopedViewMixin, View):
    model = WorkPermit
    action = "add"

    def _enterprise(self, request: HttpRequest) -> Enterprise:
        units = _enterprises(request.user)
        raw = request.GET.get("enterprise") or request.POST.get("enterprise") or ""
        unit = (
            units.filter(pk=int(raw)).first()
            if raw.isdigit()
            else (units.first() if units.count() == 1 else None)
        )
        if unit is None:
            raise Http404
        return unit

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        unit = self._enterprise(request)
        return self.render(request, unit, PermitForm(initial={"work_on": timezone.localdate()}))

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        unit = self._enterprise(request)
        form = PermitForm(request.POST)
        permit, status = run_form(
            request,
            form,
            lambda: services.apply_permit(actor=request.user, enterprise=unit, **form.cleaned_data),
        )
        if status == 200:
            messages.success(request, _("已申请动工卡，请安全管理人员逐项确认后动工。"))
            return redirect(permit.get_absolute_url())
        return self.render(request, unit, form, status)

    def render(self, request: HttpRequest, unit: Enterprise, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "risk/phone_form.html",
            {
                "title": _("申请动工卡"),
                "object": unit,
                "form": form,
                "prompts": [],
                "back": reverse("risk:permit_list"),
                "enterprise_id": unit.pk,
            },
            status=status,
        )


class PermitDetailView(ScopedViewMixin, View):
    model = WorkPermit

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        permit = self.get_object(request, pk)
        return render(
            request,
            "risk/permit_detail.html",
            {
                "title": str(permit),
                "object": permit,
                "status": _permit_status(permit),
                "steps": PERMIT_FLOW.available(request.user, permit),
                "history": [
                    {"row": h, "label": action_label(h)}
                    for h in permit.history.select_related("actor").order_by("at", "pk")
                ],
            },
        )


class PermitStepView(StepView):
    model = WorkPermit
    flow = PERMIT_FLOW
    list_url_name = "risk:permit_list"
    list_label = _("动工卡")
