"""动工卡 on the loop kit: list, apply (phone), page with its steps and history, the step page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.loop.calls import run_form
from zhiben.core.loop.steps import action_label
from zhiben.core.loop.web import StepView
from zhiben.core.views import Badge, Column, ObjectListView, ScopedViewMixin
from zhiben.registry.models import Enterprise

from .. import services
from ..choices import PermitStatus
from ..filtersets import PermitFilterSet
from ..forms import PermitForm
from ..models import WorkPermit
from ..steps import PERMIT_FLOW
from .common import units_in_scope


def _permit_status(p: WorkPermit) -> Badge:
    colours = {
        PermitStatus.APPLIED: "warning",
        PermitStatus.CONFIRMED: "primary",
        PermitStatus.FINISHED: "success",
        PermitStatus.RETURNED: "danger",
        PermitStatus.CANCELLED: "secondary",
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
        units = units_in_scope(request.user)
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
