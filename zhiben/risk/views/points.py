"""Risk points: list, register, edit, page, the 风险评估 step, the QR code and 告知卡, the phone patrol."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.loop.calls import run_form
from zhiben.core.loop.steps import action_label
from zhiben.core.loop.web import StepView
from zhiben.core.scoping import can
from zhiben.core.views import Column, ObjectListView, ScopedViewMixin, object_history
from zhiben.hazards.models import Hazard
from zhiben.registry.models import Enterprise

from .. import reference, services
from ..choices import ControlKind
from ..filtersets import PointFilterSet
from ..forms import (
    PatrolForm,
    PointForm,
    controls_text,
    factors_text,
)
from ..models import RiskPoint
from ..steps import POINT_FLOW
from .common import level_badge, qr_svg, status_badge, units_in_scope


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
        Column("level", _("风险等级"), sort="level", display=level_badge),
        Column("score", _("风险值"), display=lambda p: services.score_text(p.score)),
        Column("get_responsible_level_display", _("管控层级")),
        Column("status", _("状态"), sort="status", display=status_badge),
    ]

    def get_base_queryset(self) -> Any:
        return RiskPoint.objects.select_related("enterprise")

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        enterprise = None
        raw = request.GET.get("enterprise", "")
        if raw.isdigit():
            enterprise = units_in_scope(request.user).filter(pk=int(raw)).first()
        return {"enterprise": enterprise}


class PointCreateView(ScopedViewMixin, View):
    model = RiskPoint
    action = "add"

    def form(self, request: HttpRequest, data: Any = None) -> PointForm:
        initial = {}
        raw = request.GET.get("enterprise", "")
        if raw.isdigit():
            initial["enterprise"] = raw
        return PointForm(data, enterprises=units_in_scope(request.user), initial=initial)

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
            "level": level_badge(point),
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
                "level": level_badge(point),
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
            {"title": _("风险点巡查"), "object": point, "form": form, "level": level_badge(point)},
            status=status,
        )
