"""Pages of the worker roster (从业人员名册): list, add, edit, 离岗, training hours, the Excel import, and the
workers' 应训未训 (units short of pre-job or annual hours by township and department, drilled into a unit)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core import audit
from zhiben.core import events as core_events
from zhiben.core.excel import export_response
from zhiben.core.excel.web import ImportErrorReportView, ImportStatusView, ImportTemplateView, ImportView
from zhiben.core.loop.web import run_form
from zhiben.core.scoping import can
from zhiben.core.views import Column, ObjectDetailView, ObjectEditView, ObjectListView, ScopedViewMixin
from zhiben.registry.models import Enterprise
from zhiben.registry.scoping import industry_ids_of_department

from .. import duties
from ..choices import WorkerStatus, WorkerTrainingKind
from ..excel import worker_import_spec
from ..filtersets import WorkerFilterSet
from ..forms import LeaveForm, WorkerForm, WorkerTrainingForm, departments, townships
from ..models import Worker
from ..services import workers
from ..services.workers import attendances_for
from .common import _is_government, _year

STATUS_COLORS = {WorkerStatus.ON: "success", WorkerStatus.LEFT: "secondary"}


class WorkerListView(ObjectListView):
    model = Worker
    filterset_class = WorkerFilterSet
    title = _("从业人员名册")
    default_sort = "enterprise__name"
    create_url_name = "training:worker_create"
    import_url_name = "training:worker_import"
    template_name = "training/worker_list.html"
    columns = [
        Column("name", _("姓名"), sort="name", link=True),
        Column("enterprise.name", _("用工单位"), sort="enterprise__name"),
        Column("post", _("岗位"), sort="post"),
        Column("get_employment_display", _("用工形式"), sort="employment"),
        Column("employer", _("派遣（用人）单位")),
        Column("hired_on", _("入职（进场）日期"), sort="hired_on"),
        Column("masked_id_number", _("身份证号")),
        Column(
            "get_status_display",
            _("状态"),
            sort="status",
            badge=lambda o: STATUS_COLORS.get(o.status, "secondary"),
        ),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Worker.objects.select_related("enterprise")


class WorkerEditView(ObjectEditView):
    model = Worker
    form_class = WorkerForm

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        return workers.save_worker(obj, actor=actor, **data)

    def cancel_url(self, obj: Any) -> str:
        return obj.get_absolute_url() if obj is not None else reverse("training:worker_list")


class WorkerDetailView(ObjectDetailView):
    model = Worker
    template_name = "training/worker_detail.html"
    hidden_fields = ("id_key", "id_number")

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        today = timezone.localdate()
        can_change = Worker.objects.restrict(request.user, "change").filter(pk=obj.pk).exists()
        on = can_change and obj.status == WorkerStatus.ON
        return {
            "edit_url": reverse("training:worker_edit", args=[obj.pk]) if on else "",
            "masked_id": obj.masked_id_number,
            "trainings": obj.trainings.select_related("attendance__session").order_by("-held_on", "-pk"),
            "shortfalls": duties.worker_shortfalls(
                Worker.objects.restrict(request.user, "view").filter(pk=obj.pk), today.year, today
            ),
            "training_form": WorkerTrainingForm(attendances=attendances_for(obj)) if on else None,
            "leave_form": LeaveForm(initial={"left_on": today}) if on else None,
        }


class _WorkerPost(ScopedViewMixin, View):
    model = Worker

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        return HttpResponseNotAllowed(["POST"])

    def _say(self, request: HttpRequest, form: Any, status: int, done: str) -> None:
        if status == 200:
            messages.success(request, done)
        else:
            messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))


class WorkerLeaveView(_WorkerPost):
    """离岗 (POST only; the form is on the worker's page)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request, "change")
        worker = self.get_object(request, pk, "change")
        form = LeaveForm(request.POST)
        _w, status = run_form(
            request,
            form,
            lambda: workers.leave_worker(
                worker,
                actor=request.user,
                left_on=form.cleaned_data["left_on"],
                version=request.POST.get("version"),
            ),
        )
        self._say(request, form, status, str(_("已办理离岗。")))
        return redirect(worker.get_absolute_url())


class WorkerTrainingAddView(_WorkerPost):
    """登记培训学时 (POST only)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request, "change")
        worker = self.get_object(request, pk, "change")
        form = WorkerTrainingForm(request.POST, attendances=attendances_for(worker))
        _r, status = run_form(
            request,
            form,
            lambda: workers.record_worker_training(worker, actor=request.user, **form.cleaned_data),
        )
        self._say(request, form, status, str(_("已登记培训学时。")))
        return redirect(worker.get_absolute_url() + "#trainings")


# --- import ------------------------------------------------------------------------------------------------------


class WorkerImportView(ImportView):
    model = Worker
    spec_factory = worker_import_spec
    import_note = _(
        "导入到本单位的从业人员名册：按身份证号匹配，已在名册中的人员更新，其余新登记；重复导入同一文件不会产生重复数据。"
        "身份证号有误、岗位不在清单中、同一身份证号重复的行列入错误报告。"
    )
    template_url_name = "training:worker_import_template"
    errors_url_name = "training:worker_import_errors"
    status_url_name = "training:worker_import_status"
    list_url_name = "training:worker_list"


class WorkerImportStatusView(ImportStatusView):
    model = Worker
    errors_url_name = "training:worker_import_errors"
    import_url_name = "training:worker_import"
    list_url_name = "training:worker_list"


class WorkerImportTemplateView(ImportTemplateView):
    model = Worker
    spec_factory = worker_import_spec


class WorkerImportErrorsView(ImportErrorReportView):
    model = Worker


# --- the workers' 应训未训 ------------------------------------------------------------------------------------------


class WorkerGapsView(ScopedViewMixin, View):
    """从业人员应训未训: units with workers short of pre-job or the year's 再培训 hours, in the reader's scope,
    filtered by township or department; `?enterprise=` drills into one unit's workers and their shortfall."""

    model = Worker

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        year = _year(request)
        today = timezone.localdate()
        roster = Worker.objects.restrict(request.user, "view")
        towns = list(townships())
        depts = list(departments())
        town = next((t for t in towns if t.code == request.GET.get("township", "")), None)
        dept = next((d for d in depts if str(d.pk) == request.GET.get("department", "")), None)
        if town is not None:
            roster = roster.filter(enterprise__region__code__startswith=town.scope_prefix)
        if dept is not None:
            ids = industry_ids_of_department(dept.pk)
            roster = roster.filter(
                enterprise__in=Enterprise.objects.unrestricted("the department's units")
                .filter(industries__in=ids)
                .values("pk")
            )
        unit = None
        raw = request.GET.get("enterprise", "")
        if raw.isdigit():
            unit = Enterprise.objects.restrict(request.user, "view").filter(pk=int(raw)).first()
            roster = roster.filter(enterprise_id=unit.pk) if unit else roster.none()
        rules = duties.worker_rules()
        shortfalls = duties.worker_shortfalls(roster, year, today, rules)
        units = duties.units_short(roster, shortfalls)
        if request.GET.get("export") == "xlsx":
            if not can(request.user, "export", Worker):
                raise PermissionDenied(_("您无权导出此数据。"))
            audit.record(
                None,
                core_events.EXPORT_DOWNLOADED,
                actor=request.user,
                object_type="training.worker",
                data={"filters": request.GET.dict(), "rows": len(shortfalls)},
            )
            return export_response(
                f"从业人员应训未训-{year}",
                ["单位", "姓名", "岗位", "用工形式", "派遣（用人）单位", "培训类别", "应训学时", "已训学时"],
                (
                    [
                        s.worker.enterprise.name,
                        s.worker.name,
                        s.worker.post,
                        s.worker.get_employment_display(),
                        s.worker.employer,
                        s.kind_label,
                        s.need,
                        s.got,
                    ]
                    for s in shortfalls
                ),
            )
        enterprises = [u.enterprise for u in units]
        context = {
            "title": _("从业人员应训未训"),
            "year": year,
            "unit": unit,
            "units": units,
            "shortfalls": shortfalls if unit is not None else [],
            "pre_job": sum(1 for s in shortfalls if s.kind == WorkerTrainingKind.PRE_JOB),
            "annual": sum(1 for s in shortfalls if s.kind == WorkerTrainingKind.ANNUAL),
            "townships": towns,
            "departments": depts if _is_government(request.user) else [],
            "township": town.code if town else "",
            "department": dept.pk if dept else "",
            "by_township": duties.counts_by_township(enterprises),
            "by_department": duties.counts_by_department(enterprises) if _is_government(request.user) else [],
            "rules": [*rules.pre_job.values(), *rules.annual.values()],
        }
        return render(request, "training/worker_gaps.html", context)
