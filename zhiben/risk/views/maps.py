"""The unit's 四色图: the site plan (upload, image) and the risk points' zones drawn over it."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.loop.calls import run_form
from zhiben.core.scoping import can
from zhiben.core.views import ScopedViewMixin
from zhiben.registry.models import Enterprise

from .. import services
from ..choices import COLOUR_BY_LEVEL, HEX, LEVEL_ORDER
from ..forms import PlanForm
from ..models import (
    RiskPoint,
    SitePlan,
    latest_plan,
)
from .common import level_badge


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
                "level": level_badge(p),
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
