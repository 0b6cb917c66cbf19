"""The handlers' pages of the tips (举报办理): the list with its tabs, filters and Excel export, a tip's page with
its steps as buttons, each step's page, and the working copies of the attachments.

Reads go through `restrict()` (403 without the permission, 404 out of scope: a department sees a tip only once
it was transferred to it). Everyone reads the working copy (另行编辑件); the custodian alone also sees the
original text, and each time that is an audited view (R13).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core import audit
from zhiben.core.loop import Step
from zhiben.core.loop.steps import action_label
from zhiben.core.loop.web import StepView
from zhiben.core.scoping import can
from zhiben.core.views import Column, ObjectListView, ScopedViewMixin, object_history
from zhiben.core.widgets import FastSelect
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Department, Region

from .. import deadlines
from ..choices import Outcome, TipStatus
from ..duplicates import find_duplicates, first_rewardable
from ..filtersets import TABS, TipFilterSet, tab_q
from ..history import TIP_ATTACHMENT_VIEWED, TIP_ORIGINAL_VIEWED
from ..models import Tip, TipAttachment
from ..reminders import ESCALATION_LABELS
from ..steps import FLOW

STATUS_COLORS = {
    TipStatus.RECEIVED: "warning",
    TipStatus.ACCEPTED: "info",
    TipStatus.VERIFYING: "primary",
    TipStatus.CONCLUDED: "info",
    TipStatus.CLOSED: "success",
    TipStatus.REJECTED: "secondary",
    TipStatus.MERGED: "secondary",
}
OUTCOME_COLORS = {Outcome.FOUNDED: "danger", Outcome.PARTLY: "warning", Outcome.UNFOUNDED: "secondary"}


def may_read_original(user: Any) -> bool:
    """The custodian (受理保密员) alone reads the original text (R13)."""
    return can(user, "intake", Tip)


def _deadline_cell(t: Tip) -> str:
    deadline = deadlines.current_deadline(t)
    return deadline.strftime("%Y-%m-%d") if deadline else ""


def _overdue_badge(t: Tip) -> str | None:
    return "danger" if deadlines.is_overdue(t) else None


def _unit(t: Tip) -> str:
    return t.enterprise.name if t.enterprise_id else (t.unit_name or "—")  # type: ignore[union-attr]


def _preview(t: Tip) -> str:
    text = " ".join((t.working_text or "").split())
    if not text:
        return "（待另行编辑）"
    return text[:30] + ("…" if len(text) > 30 else "")


COLUMNS = [
    Column("code", _("举报编号"), sort="code", link=True),
    Column("get_category_display", _("举报类别"), sort="category"),
    Column("unit", _("被举报单位"), display=_unit),
    Column("working_text", _("举报内容（另行编辑件）"), display=_preview),
    Column("township.name", _("属地"), sort="township__code"),
    Column("department.short_name", _("承办部门"), sort="department__code"),
    Column(
        "get_status_display",
        _("办理状态"),
        sort="status",
        badge=lambda t: STATUS_COLORS.get(t.status, "secondary"),
    ),
    Column("received_at", _("收到时间"), sort="received_at"),
    Column("deadline", _("当前期限"), display=_deadline_cell, badge=_overdue_badge),
    Column(
        "get_outcome_display",
        _("核查结论"),
        sort="outcome",
        badge=lambda t: OUTCOME_COLORS.get(t.outcome) if t.outcome else None,
    ),
]


class TipListView(ObjectListView):
    """举报办理: tabs by stage (and 已超期), filters, and the Excel export of exactly the screen."""

    model = Tip
    filterset_class = TipFilterSet
    title = _("举报办理")
    default_sort = "-received_at"
    columns = COLUMNS
    template_name = "tips/handling/list.html"

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Tip.objects.select_related("enterprise", "township", "department")

    def prepare_filter_form(self, request: HttpRequest, form: forms.Form) -> None:
        super().prepare_filter_form(request, form)
        form.fields.pop("tab", None)  # the tabs above the table
        form.fields.pop("status", None)
        if "enterprise" not in request.GET:
            form.fields.pop("enterprise", None)
        form.fields["department"].widget = FastSelect(
            choices=[("", "全部")]
            + [(d.code, d.short_name or d.name) for d in Department.objects.order_by("sort_order", "code")]
        )
        form.fields["township"].widget = FastSelect(
            choices=[("", "全部")]
            + [(r.code, r.name) for r in Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code")]
        )
        for name in ("received_after", "received_before"):
            form.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        visible = Tip.objects.restrict(request.user, "view")
        counts = visible.aggregate(
            **{code: Count("pk", filter=tab_q(code)) if tab_q(code) else Count("pk") for code, _label in TABS}
        )
        current = request.GET.get("tab", "all") or "all"
        query = request.GET.copy()
        query.pop("page", None)
        tabs = []
        for code, label in TABS:
            query["tab"] = code
            tabs.append(
                {
                    "code": code,
                    "label": label,
                    "count": counts.get(code, 0),
                    "url": "?" + query.urlencode(),
                    "active": code == current,
                }
            )
        return {"tabs": tabs}


def _lifecycle(tip: Tip) -> list[dict[str, Any]]:
    order = [
        TipStatus.RECEIVED,
        TipStatus.ACCEPTED,
        TipStatus.VERIFYING,
        TipStatus.CONCLUDED,
        TipStatus.CLOSED,
    ]
    labels = ["收到", "受理", "转办核查", "办结", "答复"]
    current = order.index(tip.status) if tip.status in order else -1  # type: ignore[arg-type]
    return [
        {"label": label, "done": i < current or tip.status == TipStatus.CLOSED, "current": i == current}
        for i, label in enumerate(labels)
    ]


class TipDetailView(ScopedViewMixin, View):
    """A tip's page: the working copy, attachments, deadlines, the check's links, steps and history."""

    model = Tip

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Tip.objects.select_related(
            "enterprise", "industry", "department", "township", "place", "merged_into", "inspection"
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        tip = self.get_object(request, pk)
        user = request.user
        custodian = may_read_original(user)
        if custodian:
            audit.record(tip, TIP_ORIGINAL_VIEWED, actor=user, data={"code": tip.code})
        today = timezone.localdate()
        dates = [
            ("受理期限", tip.accept_deadline, tip.status == TipStatus.RECEIVED),
            ("核查期限", tip.verify_deadline, tip.status in (TipStatus.ACCEPTED, TipStatus.VERIFYING)),
            ("反馈期限", tip.feedback_deadline, tip.status == TipStatus.CONCLUDED),
        ]
        deadline_rows = [
            {
                "label": label,
                "date": d,
                "running": running,
                "overdue": running and d is not None and d < today,
            }
            for label, d, running in dates
            if d is not None
        ]
        duplicates = find_duplicates(tip, user)
        grouped = bool(duplicates) or tip.merged_into_id is not None or tip.duplicates.exists()
        rewardable = first_rewardable(tip) if grouped and (custodian or can(user, "supervise", Tip)) else None
        hazards = tip.hazards.all().order_by("pk")
        cases = tip.cases.all().order_by("pk")
        extension = tip.extensions.order_by("-pk").first()
        context = {
            "object": tip,
            "title": tip.code,
            "custodian": custodian,
            "steps": FLOW.available(user, tip),
            "status_color": STATUS_COLORS.get(tip.status, "secondary"),  # type: ignore[call-overload]
            "lifecycle": _lifecycle(tip),
            "deadlines": deadline_rows,
            "duplicates": duplicates,
            "rewardable": rewardable,
            "attachments": tip.attachments.all(),
            "hazards": hazards,
            "cases": cases,
            "extension": extension,
            "escalation": ESCALATION_LABELS.get(tip.escalation, ""),
            "transitions": [
                {"row": t, "label": action_label(t)}
                for t in tip.transitions.select_related("actor").order_by("at", "pk")
            ],
            "history": object_history(tip),
            "new_inspection_url": (
                reverse("inspections:inspection_create") + f"?enterprise={tip.enterprise_id}"
                if tip.enterprise_id and tip.inspection_id is None
                else ""
            ),
        }
        return render(request, "tips/handling/detail.html", context)


class TipStepView(StepView):
    model = Tip
    flow = FLOW
    template_name = "tips/handling/step.html"
    list_url_name = "tips:manage"
    list_label = _("举报办理")

    def object_label(self, obj: Any) -> str:
        return obj.code

    def extra_context(self, tip: Any, step: Step) -> dict[str, Any]:
        show_original = step.name == "accept" and may_read_original(self.request.user)
        if show_original:
            audit.record(
                tip, TIP_ORIGINAL_VIEWED, actor=self.request.user, data={"code": tip.code, "step": step.name}
            )
        return {"show_original": show_original, "duplicates": find_duplicates(tip, self.request.user)}


class TipAttachmentView(ScopedViewMixin, View):
    """The working copy of an attachment (no EXIF/GPS, no document properties): scoped like its tip, audited,
    never executed by the browser. The encrypted original is the vault's."""

    model = TipAttachment

    def get(self, request: HttpRequest, pk: int, attachment: int) -> HttpResponse:
        self.check_action(request)
        att = get_object_or_404(TipAttachment.objects.restrict(request.user), pk=attachment, tip_id=pk)
        audit.record(
            att, TIP_ATTACHMENT_VIEWED, actor=request.user, data={"tip": att.tip_id, "name": att.name}
        )
        inline = att.content_type in ("image/jpeg", "image/png", "application/pdf")
        response = FileResponse(
            att.working_file.open("rb"),
            content_type=att.content_type,
            as_attachment=not inline,
            filename=att.name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        response["Cache-Control"] = "no-store"
        return response
