"""Hazard pages: the register (隐患台账), the 重大事故隐患清单, a hazard's file with its 台账, and each step.

Reads go through `restrict()` (403 without the permission, 404 out of scope); writes go through the
services via the steps declared in steps.py (core.loop), so the page and the API share one set of rules.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core import audit
from zhiben.core.calendar import CalendarUnavailable, workdays_between
from zhiben.core.loop.web import StepView, run_form, run_service
from zhiben.core.scoping import can
from zhiben.core.views import Column, ObjectListView, ScopedViewMixin
from zhiben.registry.filter_options import code_select, department_options, industry_options, region_options
from zhiben.registry.models import Enterprise

from . import deadlines, events, services, steps
from .choices import EscalationKind, Level, Stage, Status
from .filtersets import EscalationFilterSet, HazardFilterSet
from .forms import HazardRegisterForm
from .models import Escalation, Hazard, HazardAttachment
from .origins import origins_of
from .steps import FLOW

STATUS_COLORS = {
    Status.REPORTED: "info",
    Status.CONFIRMED: "primary",
    Status.RECTIFYING: "warning",
    Status.ACCEPTANCE_REQUESTED: "warning",
    Status.SELF_ACCEPTED: "primary",
    Status.CLOSED: "success",
    Status.REJECTED: "secondary",
    Status.MERGED: "secondary",
}


def _deadline_display(h: Hazard) -> str:
    if h.deadline is None:
        return "—"
    if h.is_overdue(timezone.localdate()):
        return f"{h.deadline:%Y-%m-%d}（逾期 {(timezone.localdate() - h.deadline).days} 天）"
    return f"{h.deadline:%Y-%m-%d}"


def _deadline_badge(h: Hazard) -> str | None:
    return "danger" if h.is_overdue(timezone.localdate()) else None


HAZARD_COLUMNS = [
    Column("code", _("隐患编号"), sort="code", link=True),
    Column("title", _("隐患名称")),
    Column("enterprise.name", _("生产经营单位"), sort="enterprise__name"),
    Column("region.name", _("区划"), sort="region__code"),
    Column("industry.name", _("行业领域"), sort="industry__code"),
    Column("department.short_name", _("监管部门"), sort="department__code"),
    Column(
        "get_level_display",
        _("等级"),
        sort="level",
        badge=lambda h: "danger" if h.level == Level.MAJOR else "secondary",
    ),
    Column("get_source_display", _("来源"), sort="source"),
    Column("discovered_on", _("发现日期"), sort="discovered_on"),
    Column(
        "get_status_display",
        _("状态"),
        sort="status",
        badge=lambda h: STATUS_COLORS.get(h.status, "secondary"),
    ),
    Column("deadline", _("整改期限"), sort="deadline", display=_deadline_display, badge=_deadline_badge),
    Column("get_escalation_display", _("督办"), sort="escalation"),
]


class HazardListView(ObjectListView):
    """隐患台账: every hazard in scope, filterable by the dimensions of the statistics."""

    model = Hazard
    filterset_class = HazardFilterSet
    title = _("隐患台账")
    default_sort = "-discovered_on"
    create_url_name = "hazards:hazard_create"
    import_url_name = "hazards:exchange_import"
    columns = HAZARD_COLUMNS
    list_only = (
        "code",
        "title",
        "level",
        "source",
        "status",
        "discovered_on",
        "deadline",
        "escalation",
        "enterprise__name",
        "region__name",
        "region__code",
        "industry__name",
        "industry__code",
        "department__short_name",
        "department__code",
    )

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return self.base_filter(
            Hazard.objects.select_related("enterprise", "region", "industry", "department")
        )

    def base_filter(self, qs: Any) -> Any:
        return qs

    def prepare_filter_form(self, request: HttpRequest, form: forms.Form) -> None:
        super().prepare_filter_form(request, form)
        form.fields["region"].widget = code_select(region_options(request.user))
        form.fields["industry"].widget = code_select(industry_options())
        form.fields["department"].widget = code_select(department_options())
        for name in ("discovered_after", "discovered_before"):
            form.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        if "enterprise" not in request.GET:  # reached from a unit's page only
            form.fields.pop("enterprise", None)

    template_name = "hazards/hazard_list.html"
    subtitle: Any = ""

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"subtitle": self.subtitle, "exchange": False}


def _waited(h: Hazard) -> str:
    """已等待: working days since the report was registered (calendar days when the year is not entered)."""
    today = timezone.localdate()
    start = deadlines.registered_on(h)
    try:
        return _("%(n)s 个工作日") % {"n": workdays_between(start, today)}
    except CalendarUnavailable:
        return _("%(n)s 天") % {"n": (today - start).days}


def _judge_deadline_display(h: Hazard) -> str:
    if h.judge_deadline is None:
        return "—"
    if h.is_judgement_overdue(timezone.localdate()):
        return _("%(d)s（已超期）") % {"d": f"{h.judge_deadline:%Y-%m-%d}"}
    return f"{h.judge_deadline:%Y-%m-%d}"


def _judge_escalation_display(h: Hazard) -> str:
    kind = getattr(h, "judge_escalation", None)
    return str(EscalationKind(kind).label) if kind else "—"


class MajorListTabs:
    """The 清单's tabs: the list itself (judged 重大 hazards) and 待判定 (reports of 重大 awaiting 判定)."""

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        waiting = Hazard.objects.restrict(request.user, "view").major().awaiting_judgement()
        counts = waiting.aggregate(
            n=Count("pk"), late=Count("pk", filter=Q(judge_deadline__lt=timezone.localdate()))
        )
        return {
            "subtitle": self.subtitle,  # type: ignore[attr-defined]
            "exchange": can(request.user, "export", Hazard) and self.tab == "list",  # type: ignore[attr-defined]
            "tabs": [
                {
                    "key": "list",
                    "label": _("重大事故隐患清单"),
                    "url": reverse("hazards:major_list"),
                    "count": None,
                },
                {
                    "key": "pending",
                    "label": _("待判定"),
                    "url": reverse("hazards:major_pending"),
                    "count": counts["n"],
                    "late": counts["late"],
                },
            ],
            "tab": self.tab,  # type: ignore[attr-defined]
        }


class MajorHazardListView(MajorListTabs, HazardListView):
    """重大事故隐患清单 (一单四制的“一单”): confirmed 重大 hazards, open first."""

    tab = "list"
    title = _("重大事故隐患清单")
    subtitle = _(
        "一单四制之“一单”：经判定的重大事故隐患，照单逐条整改销号；可按全国重大事故隐患数据库交换格式导出。"
    )
    default_sort = "deadline"
    create_url_name = None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The list is worked from: open it on what is still to be done (the filter shows it; 全部 lifts it).
        if not request.GET:
            self.check_action(request)
            return redirect(f"{request.path}?open=true")
        return super().get(request, *args, **kwargs)

    def base_filter(self, qs: Any) -> Any:
        # The 清单 is formed after 判定 (研究认定): reports awaiting it are on the 待判定 tab.
        return qs.filter(level=Level.MAJOR).exclude(
            status__in=(Status.REPORTED, Status.REJECTED, Status.MERGED)
        )


class MajorPendingListView(MajorListTabs, HazardListView):
    """清单 · 待判定: reports of 重大 hazards waiting for the department's 判定, oldest deadline first, with
    how long they have waited, their 判定 deadline (overdue marked) and the latest 逾期未判定 督办."""

    tab = "pending"
    title = _("重大事故隐患清单 · 待判定")
    subtitle = _(
        "登记为重大事故隐患、尚待监管部门判定的报告：判定期限按工作日计算（见隐患规则设置），"
        "逾期未判定的由区安委办向监管部门函告、通报。"
    )
    default_sort = "judge_deadline"
    create_url_name = None
    import_url_name = None
    columns = [
        Column("code", _("隐患编号"), sort="code", link=True),
        Column("title", _("隐患名称")),
        Column("enterprise.name", _("生产经营单位"), sort="enterprise__name"),
        Column("department.short_name", _("监管部门"), sort="department__code"),
        Column("get_source_display", _("来源"), sort="source"),
        Column(
            "created_at",
            _("登记日期"),
            sort="created_at",
            display=lambda h: f"{deadlines.registered_on(h):%Y-%m-%d}",
        ),
        Column("created_at", _("已等待"), display=_waited),
        Column(
            "judge_deadline",
            _("判定期限"),
            sort="judge_deadline",
            display=_judge_deadline_display,
            badge=lambda h: "danger" if h.is_judgement_overdue(timezone.localdate()) else None,
        ),
        Column("judge_escalation", _("督办"), display=_judge_escalation_display),
    ]
    list_only = ()

    def base_filter(self, qs: Any) -> Any:
        latest = (
            Escalation.objects.unrestricted("the listed hazard's own 督办; the hazard is read in scope")
            .filter(hazard=OuterRef("pk"), rule__stage=Stage.JUDGE, deadline=OuterRef("judge_deadline"))
            .order_by("-applied_on", "-pk")
            .values("kind")[:1]
        )
        return qs.filter(level=Level.MAJOR, status=Status.REPORTED).annotate(
            judge_escalation=Subquery(latest)
        )


class ClosureListView(HazardListView):
    """销号记录: hazards the supervising departments have closed, with who closed them and whether on time."""

    title = _("销号记录")
    default_sort = "-closed_on"
    create_url_name = None
    import_url_name = None
    columns = [
        Column("code", _("隐患编号"), sort="code", link=True),
        Column("title", _("隐患名称")),
        Column("enterprise.name", _("生产经营单位"), sort="enterprise__name"),
        Column("department.short_name", _("监管部门"), sort="department__code"),
        Column(
            "get_level_display",
            _("等级"),
            sort="level",
            badge=lambda h: "danger" if h.level == Level.MAJOR else "secondary",
        ),
        Column("deadline", _("整改期限"), sort="deadline"),
        Column("closed_on", _("销号日期"), sort="closed_on"),
        Column(
            "closed_by",
            _("销号人"),
            display=lambda h: h.closed_by.name_and_unit if h.closed_by else "—",
        ),
        Column(
            "closed_on_time",
            _("按期"),
            sort="closed_on_time",
            display=lambda h: _("按期") if h.closed_on_time else _("逾期"),
            badge=lambda h: "success" if h.closed_on_time else "danger",
        ),
    ]
    list_only = ()

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Hazard.objects.filter(status=Status.CLOSED).select_related(
            "enterprise", "region", "industry", "department", "closed_by"
        )


class EscalationListView(ObjectListView):
    """逾期督办记录: each ladder step with its document."""

    model = Escalation
    filterset_class = EscalationFilterSet
    title = _("逾期督办")
    default_sort = "-applied_on"
    columns = [
        Column("applied_on", _("督办日期"), sort="applied_on"),
        Column(
            "get_kind_display",
            _("督办措施"),
            sort="kind",
            badge=lambda e: "danger" if e.kind in ("exposure", "listed") else "warning",
        ),
        Column(
            "rule.stage",
            _("事由"),
            display=lambda e: _("逾期未判定") if e.stage == Stage.JUDGE else _("逾期未整改"),
        ),
        Column("hazard.code", _("隐患编号"), link=True),
        Column("hazard.title", _("隐患名称")),
        Column("hazard.enterprise.name", _("生产经营单位")),
        Column("deadline", _("对应期限"), sort="deadline"),
        Column("overdue_workdays", _("逾期工作日"), sort="overdue_workdays"),
        Column("document.number", _("文号"), display=lambda e: e.document.number if e.document_id else "—"),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Escalation.objects.select_related("hazard__enterprise", "document", "rule")


SHOWN_PROGRESS = 20  # the 整改台账 rows a hazard's page shows unless all are asked for (?all=1)
SHOWN_HISTORY = 30  # the 流转记录 rows likewise


def _latest(rows: Any, order: tuple[str, ...], shown: int | None) -> tuple[list[Any], int]:
    """(the latest `shown` rows in `order`, oldest first; the number of rows): a hazard reported on every week
    for years keeps a page of bounded size; `shown=None` gives them all."""
    total = rows.count()
    if shown is None or total <= shown:
        return list(rows.order_by(*order)), total
    latest = rows.order_by(*(f"-{field}" for field in order))[:shown]
    return list(reversed(list(latest))), total


def _timeline(hazard: Hazard, shown: int | None = None) -> tuple[list[Any], int]:
    return _latest(hazard.transitions.select_related("actor"), ("at", "id"), shown)


class HazardDetailView(ScopedViewMixin, View):
    """A hazard's file: facts, 判定依据, 五落实, the 台账 of progress, deadlines, notices, escalations, history."""

    model = Hazard

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        hazard = self.get_object(request, pk)
        today = timezone.localdate()
        steps = FLOW.available(request.user, hazard)
        can_attach = can(request.user, "add", HazardAttachment) and hazard.status not in (Status.MERGED,)
        every = request.GET.get("all") == "1"
        progress, progress_total = _latest(
            hazard.progress.select_related("actor").prefetch_related("attachments"),
            ("entry_on", "id"),
            None if every else SHOWN_PROGRESS,
        )
        timeline, timeline_total = _timeline(hazard, None if every else SHOWN_HISTORY)
        context = {
            "object": hazard,
            "title": hazard.title,
            "today": today,
            "overdue": hazard.is_overdue(today),
            "judge_overdue": hazard.is_judgement_overdue(today),
            "days_left": (hazard.deadline - today).days if hazard.deadline and hazard.is_open else None,
            "steps": steps,
            "status_color": STATUS_COLORS.get(hazard.status, "secondary"),
            "progress": progress,
            "progress_total": progress_total,
            "timeline_total": timeline_total,
            "attachments": hazard.attachments.filter(progress__isnull=True),
            "extensions": hazard.extensions.select_related("requested_by", "decided_by"),
            "transfers": hazard.transfers.select_related("from_department", "to_department", "actor"),
            "notices": hazard.notices.all(),
            "escalations": hazard.escalations.select_related("document", "rule"),
            "can_schedule_interview": can(request.user, "supervise", Hazard),
            "timeline": timeline,
            "duplicates": hazard.duplicates.all(),
            "can_attach": can_attach,
            "lifecycle": _lifecycle(hazard),
            "origins": origins_of(hazard, request.user),
        }
        return render(request, "hazards/hazard_detail.html", context)


_STAGES = (
    (Status.REPORTED, _("登记")),
    (Status.CONFIRMED, _("判定交办")),
    (Status.RECTIFYING, _("整改")),
    (Status.ACCEPTANCE_REQUESTED, _("申请验收")),
    (Status.SELF_ACCEPTED, _("企业验收")),
    (Status.CLOSED, _("销号")),
)


def _lifecycle(hazard: Hazard) -> list[dict[str, Any]]:
    order = [s for s, _ in _STAGES]
    current = order.index(hazard.status) if hazard.status in order else -1
    return [
        {"label": label, "done": i < current or hazard.status == Status.CLOSED, "current": i == current}
        for i, (_status, label) in enumerate(_STAGES)
    ]


class HazardRegisterView(ScopedViewMixin, View):
    """登记隐患: an enterprise records its own; departments and townships record what they find."""

    model = Hazard
    action = "add"

    def _enterprises(self, request: HttpRequest) -> Any:
        return Enterprise.objects.restrict(request.user, "view").order_by("name")

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        initial: dict[str, Any] = {"discovered_on": timezone.localdate()}
        ents = self._enterprises(request)
        if request.GET.get("enterprise", "").isdigit():
            initial["enterprise"] = request.GET["enterprise"]
        elif ents.count() == 1:
            initial["enterprise"] = ents.first().pk
        form = HazardRegisterForm(initial=initial, user=request.user, enterprises=ents)
        return self.render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = HazardRegisterForm(request.POST, user=request.user, enterprises=self._enterprises(request))

        def call() -> Hazard:
            d = form.cleaned_data
            return services.register_hazard(
                actor=request.user,
                enterprise=d["enterprise"],
                level=d["level"],
                clause=d.get("clause"),
                source=d.get("source") or None,
                title=d["title"],
                description=d.get("description", ""),
                location=d.get("location", ""),
                discovered_on=d["discovered_on"],
                finder=d.get("finder", ""),
            )

        hazard, status = run_form(request, form, call)
        if status == 200:
            messages.success(request, _("已登记隐患 %(c)s。") % {"c": hazard.code})
            return redirect(hazard.get_absolute_url())
        return self.render(request, form, status=400)

    def render(self, request: HttpRequest, form: forms.Form, status: int = 200) -> HttpResponse:
        return render(
            request,
            "hazards/hazard_register.html",
            {"form": form, "title": _("登记隐患"), "verbose_name": _("隐患台账")},
            status=status,
        )


class HazardStepView(StepView):
    """One step of the loop (判定, 方案, 进展, 验收, 销号 …) as a form page."""

    model = Hazard
    flow = steps.FLOW
    template_name = "hazards/hazard_step.html"
    list_url_name = "hazards:hazard_list"
    list_label = _("隐患台账")

    def object_label(self, obj: Any) -> str:
        return str(obj.code)


class AttachmentUploadView(ScopedViewMixin, View):
    model = Hazard

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        hazard = self.get_object(request, pk)
        upload = request.FILES.get("upload")
        if upload is None:
            messages.error(request, _("请选择文件。"))
        else:
            _done, status = run_service(
                request, None, lambda: services.add_attachment(hazard, actor=request.user, upload=upload)
            )
            if status == 200:
                messages.success(request, _("已上传。"))
        return redirect(hazard.get_absolute_url() + "#attachments")


class AttachmentDownloadView(ScopedViewMixin, View):
    """Files are read only through here: scoped like their hazard, audited, never executed by the browser."""

    model = HazardAttachment

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        att = get_object_or_404(HazardAttachment.objects.restrict(request.user), pk=pk)
        audit.record(att, events.HAZARD_ATTACHMENT_VIEWED, actor=request.user, data={"hazard": att.hazard_id})
        inline = att.content_type in ("image/jpeg", "image/png", "application/pdf")
        response = FileResponse(
            att.file.open("rb"), content_type=att.content_type, as_attachment=not inline, filename=att.name
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        return response
