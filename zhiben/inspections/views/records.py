"""Inspection pages: 检查任务 list, 我的检查, creating a task, and the visit itself on a phone.

The visit page is worked on site: the team, each department's checklist one item per card with 符合 / 不符合 /
不适用 buttons (htmx posts; plain forms without JavaScript), findings with their hazards, photos, and the
现场检查笔录. Reads go through `restrict()` (403 without the permission, 404 out of scope); every write calls
one service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.documents import download_url
from zhiben.core.loop.web import posted_version, run_form, run_service
from zhiben.core.scoping import can
from zhiben.core.views import Column, ObjectListView, ScopedViewMixin, object_history
from zhiben.core.widgets import FastSelect
from zhiben.registry.models import Department, Enterprise
from zhiben.standards.models import ChecklistItem

from ..choices import Answer, InspectionStatus
from ..filtersets.records import InspectionFilterSet
from ..forms.records import (
    AnswerForm,
    CompleteForm,
    FindingForm,
    InspectionCreateForm,
    PatrolCreateForm,
    ReasonForm,
    department_label,
)
from ..models import Finding, Inspection, InspectionAnswer, InspectionPhoto
from ..services import records
from ..services.photos import save_photo
from ..steps import CANCEL, COMPLETE, START, may_lead, refusal

STATUS_COLORS = {
    InspectionStatus.PLANNED: "info",
    InspectionStatus.IN_PROGRESS: "warning",
    InspectionStatus.COMPLETED: "success",
    InspectionStatus.CANCELLED: "secondary",
}
ANSWER_COLORS = {Answer.PASS: "success", Answer.FAIL: "danger", Answer.NOT_APPLICABLE: "secondary"}
# The three answer buttons of an item card: value, label, colour.
ANSWER_BUTTONS = [(value, label, ANSWER_COLORS[value]) for value, label in Answer.choices]


def _departments_display(i: Inspection) -> str:
    return "、".join(department_label(r.department) for r in i.departments.all())


class InspectionListView(ObjectListView):
    """检查任务: every visit in scope, filterable by status, mode, department and date."""

    model = Inspection
    filterset_class = InspectionFilterSet
    title = _("检查任务")
    default_sort = "-planned_on"
    create_url_name = "inspections:inspection_create"
    template_name = "inspections/records/inspection_list.html"
    columns = [
        Column("code", _("检查编号"), sort="code", link=True),
        Column("enterprise.name", _("被检查单位"), sort="enterprise__name"),
        Column("get_mode_display", _("检查方式"), sort="mode"),
        Column("get_origin_display", _("检查来源"), sort="origin"),
        Column("departments", _("参检部门"), display=_departments_display),
        Column("planned_on", _("计划日期"), sort="planned_on"),
        Column(
            "get_status_display",
            _("状态"),
            sort="status",
            badge=lambda i: STATUS_COLORS.get(i.status, "secondary"),
        ),
        Column("started_at", _("开始时间"), sort="started_at"),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Inspection.objects.select_related("enterprise").prefetch_related("departments__department")

    def prepare_filter_form(self, request: HttpRequest, form: forms.Form) -> None:
        super().prepare_filter_form(request, form)
        form.fields["department"].widget = FastSelect(
            choices=[("", _("全部"))] + [(d.code, department_label(d)) for d in Department.objects.all()]
        )
        for name in ("planned_after", "planned_before"):
            form.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        if "enterprise" not in request.GET:
            form.fields.pop("enterprise", None)

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"mine_url": reverse("inspections:my_inspections")}


class MyInspectionsView(ScopedViewMixin, View):
    """我的检查: the visits the signed-in inspector is on — today's and those under way first."""

    model = Inspection

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        today = timezone.localdate()
        qs = (
            self.scoped_queryset(request)
            .assigned_to(request.user)
            .select_related("enterprise", "department")
            .prefetch_related("departments__department")
        )
        show = request.GET.get("show", "open")
        if show != "all":
            qs = qs.open()
        rows = list(qs.order_by("planned_on", "pk")[:200])

        def order(i: Inspection) -> tuple[int, int]:
            planned = i.planned_on or today
            if i.status == InspectionStatus.IN_PROGRESS:
                return (0, 0)
            if planned == today:
                return (1, 0)
            if planned > today:
                return (2, (planned - today).days)
            return (3, (today - planned).days)

        rows.sort(key=order)
        return render(
            request,
            "inspections/records/my_inspections.html",
            {
                "title": _("我的检查"),
                "rows": rows,
                "today": today,
                "show": show,
                "status_colors": STATUS_COLORS,
                "is_inspector": hasattr(request.user, "inspector"),
            },
        )


def _actor_departments(user: Any) -> Any:
    return Department.objects.filter(pk__in=records.department_ids_of(user))


def _patrols_only(user: Any) -> bool:
    """A township official (no department): the page offers the patrol of its own units, nothing else."""
    return bool(records.township_prefixes(user, "add")) and not records.department_ids_of(user)


class InspectionCreateView(ScopedViewMixin, View):
    """创建检查任务; for a township official, 创建乡镇巡查 of a unit of its territory."""

    model = Inspection
    action = "add"

    def _form(self, request: HttpRequest, data: Any = None) -> forms.Form:
        initial: dict[str, Any] = {"planned_on": timezone.localdate()}
        if request.GET.get("enterprise", "").isdigit():
            initial["enterprise"] = request.GET["enterprise"]
        if _patrols_only(request.user):
            return PatrolCreateForm(
                data,
                initial=initial,
                user=request.user,
                enterprises=Enterprise.objects.restrict(request.user, "view").order_by("name"),
            )
        return InspectionCreateForm(
            data,
            initial=initial,
            user=request.user,
            departments=_actor_departments(request.user),
            enterprises=Enterprise.objects.restrict(request.user, "view").order_by("name"),
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        return self.render(request, self._form(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = self._form(request, request.POST)
        if isinstance(form, PatrolCreateForm):
            return self._post_patrol(request, form)

        def call() -> Inspection:
            d = form.cleaned_data
            return records.create_inspection(
                actor=request.user,
                enterprise=d["enterprise"],
                department=d["department"],
                mode=d["mode"],
                origin=d["origin"],
                planned_on=d["planned_on"],
                officers=[d["lead_officer"], *[o for o in d["other_officers"] if o != d["lead_officer"]]],
                assistants=list(d["assistants"]),
                departments=list(d["joint_departments"]),
                checklists=d["checklists"],
                subject=d.get("subject", ""),
                cap_exception=d.get("cap_exception"),
                host_department=d.get("host_department"),
            )

        inspection, status = run_form(request, form, _errors_as(_renamed, call))
        if status == 200:
            messages.success(request, _("已创建检查任务 %(c)s。") % {"c": inspection.code})
            return redirect(inspection.get_absolute_url())
        return self.render(request, form, status=400)

    def _post_patrol(self, request: HttpRequest, form: PatrolCreateForm) -> HttpResponse:
        def call() -> Inspection:
            d = form.cleaned_data
            return records.create_patrol(
                actor=request.user,
                enterprise=d["enterprise"],
                planned_on=d["planned_on"],
                origin=d["origin"],
                subject=d.get("subject", ""),
                companions=d.get("companions", ""),
            )

        inspection, status = run_form(request, form, call)
        if status == 200:
            messages.success(request, _("已创建乡镇巡查 %(c)s。") % {"c": inspection.code})
            return redirect(inspection.get_absolute_url())
        return self.render(request, form, status=status)

    def render(self, request: HttpRequest, form: forms.Form, status: int = 200) -> HttpResponse:
        if isinstance(form, PatrolCreateForm):
            return render(
                request,
                "inspections/records/patrol_form.html",
                {"form": form, "title": _("创建乡镇巡查")},
                status=status,
            )
        return render(
            request,
            "inspections/records/inspection_form.html",
            {"form": form, "title": _("创建检查任务")},
            status=status,
        )


def _shown(form: forms.Form, exc: ValidationError) -> ValidationError:
    """Errors on fields the page does not show (hidden or left out) become the form's own errors."""
    if not hasattr(exc, "error_dict"):
        return exc
    visible = {f.name for f in form.visible_fields()}
    out: dict[str, Any] = {}
    for name, errors in exc.error_dict.items():
        out.setdefault(name if name in visible else "__all__", []).extend(errors)
    return ValidationError(out)


def _renamed(exc: ValidationError) -> ValidationError:
    """Service field names → the page's (officers → other_officers, departments → joint_departments …)."""
    if not hasattr(exc, "error_dict"):
        return exc
    names = {
        "officers": "other_officers",
        "departments": "joint_departments",
        "checklists": "joint_checklists",
    }
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


def _errors_as(
    fix: Callable[[ValidationError], ValidationError], call: Callable[[], Any]
) -> Callable[[], Any]:
    """`call` with its `ValidationError` rewritten by `fix` into this page's fields, for `run_service` to show."""

    def rewritten() -> Any:
        try:
            return call()
        except ValidationError as exc:
            raise fix(exc) from exc

    return rewritten


# --- the visit ---------------------------------------------------------------------------------------------------


def case_url(finding: Finding, user: Any) -> str:
    """立案 link for a finding sent to a case, when the enforcement app offers the page and the user may open
    cases (else "")."""
    if finding.handling not in records.CASE_HANDLINGS:
        return ""
    try:
        if not can(user, "add", apps.get_model("enforcement", "Case")):
            return ""
        return reverse("enforcement:case_create") + f"?finding={finding.pk}"
    except (LookupError, NoReverseMatch):
        return ""


def checklist_sections(inspection: Inspection) -> list[dict[str, Any]]:
    """Each taking-part department with its checklist's items and their answers (three queries)."""
    answers = {a.item_id: a for a in inspection.answers.select_related("finding") if a.item_id is not None}
    rows = list(inspection.departments.select_related("department", "checklist"))
    checklist_ids = [r.checklist_id for r in rows if r.checklist_id]
    items: dict[int, list[ChecklistItem]] = {}
    for item in ChecklistItem.objects.filter(checklist_id__in=checklist_ids).select_related(
        "clause__version__standard"
    ):
        items.setdefault(item.checklist_id, []).append(item)
    sections = []
    for row in rows:
        entries = [(item, answers.get(item.pk)) for item in items.get(row.checklist_id or 0, [])]
        done = sum(1 for _item, a in entries if a is not None)
        sections.append(
            {
                "row": row,
                "entries": entries,
                "done": done,
                "total": len(entries),
                "failed": sum(1 for _item, a in entries if a is not None and a.result == Answer.FAIL),
            }
        )
    return sections


class InspectionMixin(ScopedViewMixin):
    model = Inspection

    def inspection(self, request: HttpRequest, pk: int) -> Inspection:
        self.check_action(request)
        return self.get_object(request, pk)

    def workable(self, request: HttpRequest, inspection: Inspection) -> None:
        if not records.may_work_on(request.user, inspection):
            raise PermissionDenied(refusal(inspection))

    def leadable(self, request: HttpRequest, inspection: Inspection) -> None:
        """The visit's steps (开始, 完成, 取消): not for an assisting expert (steps.leads)."""
        if not may_lead(request.user, inspection):
            if inspection.is_patrol:
                raise PermissionDenied(refusal(inspection))
            raise PermissionDenied(_("只有参检部门的人员和执法检查人员可以开始、完成或取消检查。"))


class InspectionDetailView(InspectionMixin, View):
    """现场检查: the team, the checklists, findings, photos and the 笔录 — usable on a phone."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = self.inspection(request, pk)
        can_work = records.may_work_on(request.user, inspection)
        can_lead = may_lead(request.user, inspection)
        team = records.team_of(inspection)
        findings = list(
            inspection.findings.select_related("department", "clause__version", "hazard", "answer__item")
        )
        in_progress = inspection.status == InspectionStatus.IN_PROGRESS
        document = inspection.record_document
        context = {
            "object": inspection,
            "title": f"{inspection.code} {inspection.enterprise.name}",
            "status_color": STATUS_COLORS.get(inspection.status, "secondary"),
            "subjects": [o for o in team if o.is_legal_subject],
            "assistants": [o for o in team if not o.is_legal_subject],
            "sections": checklist_sections(inspection),
            "findings": [(f, case_url(f, request.user)) for f in findings],
            "photos": list(inspection.photos.order_by("pk")),
            "can_work": can_work and in_progress,
            "can_start": can_lead and inspection.status in START.statuses,
            "can_complete": can_lead and inspection.status in COMPLETE.statuses,
            "can_cancel": can_lead and inspection.status in CANCEL.statuses and not findings,
            "can_photo": can_work and in_progress and can(request.user, "add", InspectionPhoto),
            "document": document,
            "docx_url": download_url(document, "docx") if document else "",
            "pdf_url": download_url(document, "pdf") if document else "",
            "answers": ANSWER_BUTTONS,
            "history": object_history(inspection),
        }
        return render(request, "inspections/records/inspection_detail.html", context)


class InspectionStartView(InspectionMixin, View):
    """开始现场检查 (POST, with the version read)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = self.inspection(request, pk)
        self.leadable(request, inspection)
        _done, status = run_service(
            request,
            None,
            lambda: records.start_inspection(
                inspection,
                actor=request.user,
                version=posted_version(request),
                location=request.POST.get("location", ""),
            ),
        )
        if status == 200:
            messages.success(request, _("已开始现场检查。"))
        return redirect(inspection.get_absolute_url())


class AnswerView(InspectionMixin, View):
    """填写一项: htmx swaps the item's card; without JavaScript the page reloads at the item."""

    def post(self, request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
        inspection = self.inspection(request, pk)
        self.workable(request, inspection)
        item = get_object_or_404(
            ChecklistItem.objects.select_related("clause__version__standard"), pk=item_pk
        )
        form = AnswerForm(request.POST)
        error = ""
        status = 200
        answer: InspectionAnswer | None = None
        if not form.is_valid():
            error, status = str(_("请选择检查结果。")), 400
        else:
            saved, status = run_service(
                request,
                form,
                lambda: records.answer_item(
                    inspection,
                    actor=request.user,
                    item=item,
                    result=form.cleaned_data["result"],
                    note=form.cleaned_data.get("note", ""),
                )[0],
            )
            if status == 200:
                answer = (
                    InspectionAnswer.objects.unrestricted("re-read, just saved")
                    .select_related("finding")
                    .get(pk=saved.pk)
                )
            else:
                error = "；".join(e for errs in form.errors.values() for e in errs)
        if answer is None:
            answer = inspection.answers.filter(item=item).select_related("finding").first()
        if not getattr(request, "htmx", None):
            if error:
                messages.error(request, error)
            return redirect(f"{inspection.get_absolute_url()}#item-{item.pk}")
        inspection.refresh_from_db()
        return render(
            request,
            "inspections/records/_item.html",
            {
                "object": inspection,
                "item": item,
                "answer": answer,
                "can_work": inspection.status == InspectionStatus.IN_PROGRESS,
                "answers": ANSWER_BUTTONS,
                "error": error,
                "progress": next(
                    (
                        sec
                        for sec in checklist_sections(inspection)
                        if sec["row"].checklist_id == item.checklist_id and sec["total"]
                    ),
                    None,
                ),
            },
            status=status,
        )


class FindingCreateView(InspectionMixin, View):
    """记录发现问题: from a 不符合 item (?answer=<id>) or free, routed 当场整改 / 登记隐患 / 立案."""

    def _setup(self, request: HttpRequest, pk: int) -> tuple[Inspection, InspectionAnswer | None]:
        inspection = self.inspection(request, pk)
        self.workable(request, inspection)
        if not can(request.user, "add", Finding):
            raise PermissionDenied(_("您无权记录检查发现问题。"))
        raw = request.POST.get("answer") or request.GET.get("answer") or ""
        answer = None
        if raw:
            if not raw.isdigit():
                raise Http404
            answer = get_object_or_404(
                inspection.answers.select_related("item__clause__version", "department"),
                pk=int(raw),
                inspection=inspection,
            )
        return inspection, answer

    def _form(self, inspection: Inspection, answer: InspectionAnswer | None, data: Any = None) -> FindingForm:
        departments = Department.objects.filter(inspection_participations__inspection=inspection)
        initial: dict[str, Any] = {}
        if answer is not None:
            proposal = records.proposal_for(answer)
            initial = {"answer": answer.pk, "department": answer.department_id}
            if proposal is not None:
                initial.update(title=proposal.title, level=proposal.level)
        elif departments.count() == 1:
            initial["department"] = departments.first().pk  # type: ignore[union-attr]
        return FindingForm(
            data,
            initial=initial,
            departments=departments,
            clauses=answer is None or answer.item.clause_id is None,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection, answer = self._setup(request, pk)
        return self.render(request, inspection, answer, self._form(inspection, answer))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection, answer = self._setup(request, pk)
        form = self._form(inspection, answer, request.POST)

        def call() -> Finding:
            d = form.cleaned_data
            return records.record_finding(
                inspection,
                actor=request.user,
                handling=d["handling"],
                title=d["title"],
                answer=answer,
                department=d.get("department") if answer is None else None,
                level=d.get("level") or None,
                clause=d.get("clause"),
                description=d.get("description", ""),
                location=d.get("location", ""),
            )

        finding, status = run_form(request, form, _errors_as(lambda exc: _shown(form, exc), call))
        if status == 200:
            text = _("已记录发现问题。")
            if finding.hazard_id:
                text = _("已记录发现问题，并登记隐患 %(c)s。") % {"c": finding.hazard.code}  # type: ignore[union-attr]
            messages.success(request, text)
            return redirect(f"{inspection.get_absolute_url()}#findings")
        return self.render(request, inspection, answer, form, status=status)

    def render(
        self,
        request: HttpRequest,
        inspection: Inspection,
        answer: InspectionAnswer | None,
        form: forms.Form,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "inspections/records/finding_form.html",
            {"object": inspection, "answer": answer, "form": form, "title": _("记录发现问题")},
            status=status,
        )


class InspectionStepView(InspectionMixin, View):
    """完成检查 (with the 笔录) or 取消检查, each a form page posting with the version read."""

    step = ""  # "complete" | "cancel"

    def _setup(self, request: HttpRequest, pk: int) -> Inspection:
        inspection = self.inspection(request, pk)
        self.leadable(request, inspection)
        return inspection

    def form(self, data: Any = None, initial: Any = None) -> forms.Form:
        return CompleteForm(data, initial=initial) if self.step == "complete" else ReasonForm(data)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = self._setup(request, pk)
        initial = (
            {"unit_representative": inspection.enterprise.principal_name} if self.step == "complete" else None
        )
        return self.render(request, inspection, self.form(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = self._setup(request, pk)
        form = self.form(request.POST)

        def call() -> Any:
            if self.step == "complete":
                return records.complete_inspection(
                    inspection, actor=request.user, version=posted_version(request), **form.cleaned_data
                )
            return records.cancel_inspection(
                inspection,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                version=posted_version(request),
            )

        _done, status = run_form(request, form, call)
        if status == 200:
            record = _("巡查记录") if inspection.is_patrol else _("现场检查笔录")
            done = (
                _("已完成检查，%(r)s已生成。") % {"r": record}
                if self.step == "complete"
                else _("已取消检查任务。")
            )
            messages.success(request, done)
            return redirect(inspection.get_absolute_url())
        return self.render(request, inspection, form, status=status)

    def render(
        self, request: HttpRequest, inspection: Inspection, form: forms.Form, status: int = 200
    ) -> HttpResponse:
        title = _("完成检查") if self.step == "complete" else _("取消检查任务")
        return render(
            request,
            "inspections/records/inspection_step.html",
            {
                "object": inspection,
                "form": form,
                "title": title,
                "step": self.step,
                "conflict": status == 409,
                "unanswered": sum(s["total"] - s["done"] for s in checklist_sections(inspection))
                if self.step == "complete"
                else 0,
            },
            status=status,
        )


class PhotoUploadView(InspectionMixin, View):
    """上传检查照片 (POST): each file content-checked, with the capture time and place the device gives."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = self.inspection(request, pk)
        self.workable(request, inspection)
        files = request.FILES.getlist("photos")
        finding = None
        raw = request.POST.get("finding", "")
        if raw.isdigit():
            finding = inspection.findings.filter(pk=int(raw)).first()
        if inspection.status != InspectionStatus.IN_PROGRESS:
            messages.error(request, _("只有检查中的任务可以上传现场照片。"))
            return redirect(f"{inspection.get_absolute_url()}#photos")
        if not files:
            messages.error(request, _("请选择照片。"))
            return redirect(f"{inspection.get_absolute_url()}#photos")

        def call() -> None:
            for upload in files:
                save_photo(
                    actor=request.user,
                    enterprise=inspection.enterprise,
                    upload=upload,
                    inspection=inspection,
                    finding=finding,
                    latitude=request.POST.get("latitude") or None,
                    longitude=request.POST.get("longitude") or None,
                )

        _done, status = run_service(request, None, call)
        if status == 200:
            messages.success(request, _("已上传 %(n)s 张照片。") % {"n": len(files)})
        return redirect(f"{inspection.get_absolute_url()}#photos")
