"""打非治违 pages: the list of illegal operations, a record's file (facts, location, evidence, history, cases),
recording and editing, each step (责令停止, 取缔, 整改合法, 纳入监管), and the evidence upload and download.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core import audit
from zhiben.core.loop.steps import action_label
from zhiben.core.loop.web import StepView, run_service
from zhiben.core.scoping import can
from zhiben.core.views import Column, ObjectEditView, ObjectListView, ScopedViewMixin
from zhiben.registry.filter_options import code_select, department_options

from . import events, operations
from .choices import OPERATION_COLORS, STATUS_COLORS, OperationStatus
from .filtersets import OperationFilterSet
from .forms import EvidenceForm, OperationForm
from .models import Case, IllegalOperation, IllegalOperationEvidence
from .steps import OPERATION_FLOW


class OperationListView(ObjectListView):
    """打非治违: illegal operations found in scope, including subjects with no registration."""

    model = IllegalOperation
    filterset_class = OperationFilterSet
    title = _("打非治违")
    default_sort = "-discovered_on"
    create_url_name = "enforcement:operation_create"
    template_name = "enforcement/operation_list.html"
    columns = [
        Column("code", _("编号"), sort="code", link=True),
        Column("subject_name", _("当事人/经营者"), sort="subject_name"),
        Column("uscc", _("统一社会信用代码"), display=lambda o: o.uscc or _("无")),
        Column("get_kind_display", _("违法类型"), sort="kind"),
        Column("region.name", _("区划"), sort="region__code"),
        Column("address", _("地点")),
        Column("discovered_on", _("发现日期"), sort="discovered_on"),
        Column("department.short_name", _("查处部门"), sort="department__code"),
        Column(
            "get_status_display",
            _("状态"),
            sort="status",
            badge=lambda o: OPERATION_COLORS.get(o.status, "secondary"),
        ),
        Column("enterprise.name", _("纳入监管的单位")),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return IllegalOperation.objects.select_related("region", "department", "enterprise")

    def prepare_filter_form(self, request: HttpRequest, form: Any) -> None:
        super().prepare_filter_form(request, form)
        form.fields["department"].widget = code_select(department_options())
        for name in ("discovered_after", "discovered_before"):
            form.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        if "region" not in request.GET:
            form.fields.pop("region", None)


class OperationDetailView(ScopedViewMixin, View):
    model = IllegalOperation

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        op = self.get_object(request, pk)
        steps = OPERATION_FLOW.available(request.user, op)
        history = [
            {"row": t, "label": action_label(t)}
            for t in op.history.select_related("actor").order_by("at", "pk")
        ]
        cases = Case.objects.restrict(request.user).filter(operation=op).select_related("department")
        context = {
            "object": op,
            "title": op.subject_name,
            "steps": steps,
            "status_color": OPERATION_COLORS.get(op.status, "secondary"),
            "evidence": op.evidence.select_related("uploaded_by").order_by("pk"),
            "history": history,
            "cases": cases,
            "case_colors": STATUS_COLORS,
            "can_edit": op.status != OperationStatus.CONVERTED
            and IllegalOperation.objects.restrict(request.user, "change").filter(pk=op.pk).exists(),
            "can_attach": can(request.user, "add", IllegalOperationEvidence),
            "can_file_case": can(request.user, "add", Case),
            "evidence_form": EvidenceForm(),
        }
        return render(request, "enforcement/operation_detail.html", context)


class OperationEditView(ObjectEditView):
    """登记 (pk None) or 修改 an illegal operation's facts."""

    model = IllegalOperation
    form_class = OperationForm

    def get(self, request: HttpRequest, pk: Any = None) -> HttpResponse:
        if pk is None:
            self.check_action(request, "add")
            form = OperationForm(initial={"discovered_on": timezone.localdate()}, user=request.user)
            return self.render_form(request, None, form)
        return super().get(request, pk)

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        if obj is None:
            return operations.record_operation(actor=actor, **data)
        return operations.update_operation(obj, actor=actor, **data)

    def cancel_url(self, obj: Any) -> str:
        return obj.get_absolute_url() if obj is not None else reverse("enforcement:operation_list")


class OperationStepView(StepView):
    model = IllegalOperation
    flow = OPERATION_FLOW
    template_name = "enforcement/step.html"
    list_url_name = "enforcement:operation_list"
    list_label = _("打非治违")


class EvidenceUploadView(ScopedViewMixin, View):
    """Upload a photo or PDF to a record (a form on the record's page; POST only)."""

    model = IllegalOperation

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)  # no permission at all → 403 before the method answer
        return HttpResponseNotAllowed(["POST"])

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        op = self.get_object(request, pk)
        form = EvidenceForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        else:
            d = form.cleaned_data
            _done, status = run_service(
                request,
                None,
                lambda: operations.add_evidence(
                    op,
                    actor=request.user,
                    upload=d["upload"],
                    note=d.get("note", ""),
                    captured_at=d.get("captured_at"),
                ),
            )
            if status == 200:
                messages.success(request, _("已上传证据。"))
        return redirect(op.get_absolute_url() + "#evidence")


class EvidenceDownloadView(ScopedViewMixin, View):
    """Evidence is read only through here: scoped like its record, audited, never executed by the browser."""

    model = IllegalOperationEvidence

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        evidence = get_object_or_404(IllegalOperationEvidence.objects.restrict(request.user), pk=pk)
        audit.record(
            evidence,
            events.OPERATION_EVIDENCE_VIEWED,
            actor=request.user,
            data={"operation": evidence.operation_id},
        )
        response = FileResponse(
            evidence.file.open("rb"),
            content_type=evidence.content_type,
            as_attachment=False,
            filename=evidence.file.name.rsplit("/", 1)[-1],
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        return response
