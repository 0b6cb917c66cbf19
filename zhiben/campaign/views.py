"""Campaign pages: the plan (goals by year, measures with their tasks), a measure (tasks, sub-plans, reports), a
task (its steps as buttons, reports with evidence, history, escalations), the step pages, files, and the
registers with counts per township.

Reads go through `restrict()` (403 without the permission, 404 out of scope); writes through the services."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from zhiben.core import audit
from zhiben.core.excel.tables import TablesWorkbook
from zhiben.core.loop.steps import action_label
from zhiben.core.loop.web import StepView, run_form
from zhiben.core.scoping import can, grants_for
from zhiben.core.views import ScopedViewMixin
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Department, Region

from . import events, goals, services
from .choices import (
    OPEN_TASK_STATUSES,
    REGISTER_UNITS,
    STATUS_COLORS,
    YEARS,
    RegisterKind,
    TaskStatus,
)
from .deadlines import reminder_horizon
from .forms import EntryForm, SubPlanForm
from .models import Goal, Measure, RegisterEntry, SubPlan, Task, TaskAttachment, TaskReport, TaskRule
from .steps import FLOW, leads

STATUS_FILTERS = (
    ("", _("全部")),
    ("overdue", _("逾期")),
    ("due", _("临期")),
    ("open", _("推进中")),
    ("review", _("待审核")),
    ("returned", _("已退回")),
    ("done", _("已完成")),
)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 6 else None


def task_rows(tasks: Any, today: Any) -> list[dict[str, Any]]:
    rows = []
    for t in tasks:
        label, color = t.timeliness(today)
        rows.append(
            {"task": t, "timeliness": label, "timeliness_color": color, "color": STATUS_COLORS[t.status]}
        )
    return rows


def filter_tasks(qs: Any, params: Any, user: Any, today: Any) -> Any:
    """The plan's filters: year, measure numbers (repeatable), lead department (code), status, 我牵头的 (mine)."""
    year = _int(params.get("year"))
    if year:
        qs = qs.filter(year=year)
    numbers = [n for n in (_int(v) for v in params.getlist("measure")) if n]
    if numbers:
        qs = qs.filter(measure__number__in=numbers)
    if params.get("department"):
        qs = qs.filter(
            Q(lead_department__code=params["department"]) | Q(co_departments__code=params["department"])
        )
        qs = qs.distinct()
    state = params.get("status", "")
    if state == "overdue":
        qs = qs.filter(status__in=OPEN_TASK_STATUSES, due_on__lt=today)
    elif state == "due":  # 临期: open, due between today and the reminders' horizon
        qs = qs.filter(status__in=OPEN_TASK_STATUSES, due_on__gte=today, due_on__lte=reminder_horizon(today))
    elif state == "open":
        qs = qs.filter(status=TaskStatus.OPEN)
    elif state == "review":
        qs = qs.filter(status__in=[TaskStatus.REVIEWING, TaskStatus.FINAL_REVIEW])
    elif state in ("returned", "done"):
        qs = qs.filter(status=state)
    if params.get("mine"):
        departments = [g.extra.get("department_id") for g in grants_for(user) if g.extra.get("department_id")]
        prefixes = [g.region_prefix for g in grants_for(user) if g.role == "township" and g.region_prefix]
        mine = Q(lead_department_id__in=departments)
        for p in prefixes:
            mine |= Q(township__code__startswith=p)
        qs = qs.filter(mine)
    return qs


class PlanView(ScopedViewMixin, View):
    """治本攻坚 · 三年行动: the goals of the chosen year (or all) and the measures with the tasks in scope."""

    model = Task

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        today = timezone.localdate()
        params = request.GET
        year = _int(params.get("year"))
        scoped = Task.objects.restrict(request.user)
        tasks = filter_tasks(scoped, params, request.user, today)
        tasks = list(
            tasks.select_related("lead_department", "township", "measure").order_by(
                "measure__number", "year", "sort_order", "pk"
            )
        )
        by_measure: dict[int, list[Task]] = defaultdict(list)
        for t in tasks:
            by_measure[t.measure_id].append(t)
        filtered = any(params.get(k) for k in ("year", "measure", "department", "status", "mine"))
        sections: list[dict[str, Any]] = []
        for m in (
            Measure.objects.restrict(request.user).prefetch_related("lead_departments").order_by("number")
        ):
            rows = task_rows(by_measure.get(m.pk, []), today)
            if filtered and not rows:
                continue
            if not sections or sections[-1]["name"] != m.section:
                sections.append({"name": m.section, "measures": []})
            sections[-1]["measures"].append({"measure": m, "tasks": rows})
        summary = {
            "total": len(tasks),
            "done": sum(1 for t in tasks if t.status == TaskStatus.DONE),
            "overdue": sum(1 for t in tasks if t.is_overdue(today)),
            "review": sum(1 for t in tasks if t.status in (TaskStatus.REVIEWING, TaskStatus.FINAL_REVIEW)),
        }
        progress = goals.progress(request.user, today)
        if params.get("export") == "xlsx":
            return self.export(request, progress, today)
        context = {
            "title": _("治本攻坚三年行动"),
            "progress": progress,
            "measure_filter": [n for n in (_int(v) for v in params.getlist("measure")) if n],
            "sections": sections,
            "summary": summary,
            "years": YEARS,
            "year": year,
            "departments": Department.objects.unrestricted("reference data").order_by("sort_order", "code"),
            "status_filters": STATUS_FILTERS,
            "params": params,
            "filtered": filtered,
            "can_registers": can(request.user, "view", RegisterEntry),
            "rules": TaskRule.objects.restrict(request.user).filter(active=True).order_by("kind", "days"),
        }
        return render(request, "campaign/plan.html", context)

    def export(self, request: HttpRequest, progress: goals.Progress, today: Any) -> HttpResponse:
        """The goals table as .xlsx: the rows, figures, statuses and gaps of the screen, cell for cell."""
        if not can(request.user, "export", Goal):
            raise PermissionDenied(_("您无权导出此数据。"))
        scope = progress.scope_label or _("本人职责范围")
        book = TablesWorkbook(
            _("统计范围：%(scope)s · 截至 %(day)s · 各年度数值为当年年末（本年为今天）")
            % {"scope": scope, "day": today.strftime("%Y-%m-%d")}
        )
        headers, rows = goals.export_rows(progress)
        book.sheet(_("阶段目标进度"), headers, rows)
        return book.download(
            _("治本攻坚目标进度"),
            today,
            actor=request.user,
            object_type="campaign.goal",
            data={"rows": len(rows), "scope": scope},
        )


class MeasureDetailView(ScopedViewMixin, View):
    """A measure: the seed's text, its units, its tasks in scope, the member units' sub-plans, recent reports."""

    model = Measure

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        measure = self.get_object(request, pk)
        return self.render(request, measure, SubPlanForm(initial=self._initial(request)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """上传子方案."""
        measure = self.get_object(request, pk)
        if not can(request.user, "add", SubPlan):
            raise PermissionDenied(_("您无权上传子方案。"))
        form = SubPlanForm(request.POST, request.FILES)
        _result, status = run_form(
            request,
            form,
            lambda: services.add_subplan(measure, actor=request.user, **form.cleaned_data),
        )
        if status == 200:
            messages.success(request, _("子方案已上传。"))
            return redirect(measure.get_absolute_url() + "#subplans")
        return self.render(request, measure, form, status=status)

    def _initial(self, request: HttpRequest) -> dict[str, Any]:
        for g in grants_for(request.user):
            if g.extra.get("department_id"):
                dept = (
                    Department.objects.unrestricted("reference data")
                    .filter(pk=g.extra["department_id"])
                    .first()
                )
                return {"department": dept.code if dept else None}
        return {}

    def render(self, request: HttpRequest, measure: Measure, form: Any, status: int = 200) -> HttpResponse:
        today = timezone.localdate()
        tasks = (
            Task.objects.restrict(request.user)
            .filter(measure=measure)
            .select_related("lead_department", "township")
            .prefetch_related("co_departments")
            .order_by("year", "sort_order", "pk")
        )
        reports = (
            TaskReport.objects.restrict(request.user)
            .filter(task__measure=measure)
            .select_related("task", "reported_by")
            .order_by("-reported_on", "-pk")[:10]
        )
        context = {
            "title": str(measure),
            "object": measure,
            "tasks": task_rows(tasks, today),
            "subplans": measure.subplans.select_related("department").order_by("-issued_on", "-pk"),
            "reports": reports,
            "form": form,
            "can_upload": can(request.user, "add", SubPlan),
        }
        return render(request, "campaign/measure_detail.html", context, status=status)


class TaskDetailView(ScopedViewMixin, View):
    """A task: what it delivers, by when, who leads; its steps as buttons; reports, escalations, history."""

    model = Task

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        task = self.get_object(request, pk)
        today = timezone.localdate()
        label, color = task.timeliness(today)
        reports = list(
            task.reports.select_related("reported_by", "reviewed_by").prefetch_related("attachments")
        )
        history = [
            {"row": t, "label": action_label(t)}
            for t in task.history.select_related("actor").order_by("at", "pk")
        ]
        context = {
            "title": task.title,
            "object": task,
            "steps": FLOW.available(request.user, task),
            "status_color": STATUS_COLORS[task.status],
            "timeliness": label,
            "timeliness_color": color,
            "reports": reports,
            "history": history,
            "escalations": task.escalations.order_by("applied_on", "pk"),
            "co_departments": task.co_departments.order_by("sort_order"),
            "is_lead": leads(request.user, task),
        }
        return render(request, "campaign/task_detail.html", context)


class TaskStepView(StepView):
    model = Task
    flow = FLOW
    list_url_name = "campaign:plan"
    list_label = _("治本攻坚")
    template_name = "campaign/step.html"

    def object_label(self, obj: Any) -> str:
        return obj.code


# --- files: read only through here, scoped like their record, audited, never executed by the browser --------


def _file_response(
    request: HttpRequest, record: Any, field: Any, content_type: str, name: str
) -> HttpResponse:
    audit.record(record, events.FILE_VIEWED, actor=request.user, data={"name": name})
    response = FileResponse(field.open("rb"), content_type=content_type, as_attachment=False, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


class AttachmentView(ScopedViewMixin, View):
    model = TaskAttachment

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        att = self.get_object(request, pk)
        return _file_response(request, att, att.file, att.content_type, att.name)


class SubPlanFileView(ScopedViewMixin, View):
    model = SubPlan

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        plan = self.get_object(request, pk)
        return _file_response(request, plan, plan.file, plan.content_type, plan.name)


class EntryEvidenceView(ScopedViewMixin, View):
    model = RegisterEntry

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        entry = self.get_object(request, pk)
        if not entry.evidence:
            return redirect(reverse("campaign:register_list"))
        return _file_response(
            request, entry, entry.evidence, entry.evidence_type, entry.evidence.name.rsplit("/", 1)[-1]
        )


# --- registers ------------------------------------------------------------------------------------------------


def _townships() -> list[Region]:
    return list(
        Region.objects.unrestricted("reference data").filter(level=RegionLevel.TOWNSHIP).order_by("code")
    )


def register_counts(qs: Any) -> dict[str, Any]:
    """Entries and quantities per kind × township (the districts' departments' own entries in their column)."""
    cells: dict[tuple[str, int | None], dict[str, Any]] = {}
    for row in qs.values("kind", "township").annotate(n=Count("pk"), q=Sum("quantity")):
        cells[(row["kind"], row["township"])] = {"n": row["n"], "q": row["q"] or Decimal(0)}
    return cells


class RegisterListView(ScopedViewMixin, View):
    """攻坚登记: counts per township for each kind, then the entries of the chosen kind and township."""

    model = RegisterEntry

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        qs = RegisterEntry.objects.restrict(request.user)
        kind = request.GET.get("kind", "")
        township = request.GET.get("township", "")
        townships = _townships()
        cells = register_counts(qs)
        table = []
        for k in RegisterKind:
            counts = [cells.get((k.value, t.pk), {"n": 0, "q": 0}) for t in townships]
            other = cells.get((k.value, None), {"n": 0, "q": 0})
            total_n = sum(c["n"] for c in counts) + other["n"]
            total_q = sum(Decimal(c["q"]) for c in counts) + Decimal(other["q"])
            table.append(
                {
                    "kind": k,
                    "unit": REGISTER_UNITS[k],
                    "counts": counts,
                    "other": other,
                    "n": total_n,
                    "q": total_q,
                }
            )
        entries = qs.select_related("township", "department", "recorded_by")
        if kind in RegisterKind.values:
            entries = entries.filter(kind=kind)
        if township:
            entries = entries.filter(township__code=township)
        context = {
            "title": _("攻坚登记"),
            "table": table,
            "townships": townships,
            "entries": entries.order_by("-on", "-pk")[:200],
            "kinds": RegisterKind.choices,
            "kind": kind,
            "township": township,
            "can_add": can(request.user, "add", RegisterEntry),
        }
        return render(request, "campaign/register_list.html", context)


class EntryCreateView(ScopedViewMixin, View):
    """新增登记: a township its own, a department its own, the office any."""

    model = RegisterEntry
    action = "add"

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        initial: dict[str, Any] = {"on": timezone.localdate()}
        if request.GET.get("kind") in RegisterKind.values:
            initial["kind"] = request.GET["kind"]
        for g in grants_for(request.user):
            if g.extra.get("department_id"):
                dept = (
                    Department.objects.unrestricted("reference data")
                    .filter(pk=g.extra["department_id"])
                    .first()
                )
                initial["department"] = dept.code if dept else None
            elif g.role == "township" and g.region_prefix:
                town = next((t for t in _townships() if t.code.startswith(g.region_prefix)), None)
                initial["township"] = town.code if town else None
        return self.render(request, EntryForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = EntryForm(request.POST, request.FILES)
        _result, status = run_form(
            request,
            form,
            lambda: services.add_entry(actor=request.user, **form.cleaned_data),
        )
        if status == 200:
            messages.success(request, _("已登记。"))
            return redirect(reverse("campaign:register_list") + f"?kind={form.cleaned_data['kind']}")
        return self.render(request, form, status=status)

    def render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request, "campaign/entry_form.html", {"title": _("新增登记"), "form": form}, status=status
        )
