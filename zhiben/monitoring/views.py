"""Pages of 监测预警: the overview, an enterprise's live panel (latest values, sparklines, alarms, refused
messages; refreshed by htmx), devices (list, 登记, history chart by range), the alarm board with each alarm's
page and steps, on-site check tasks, and the coverage and alarm-fatigue figures."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.accounts.roles import Role
from zhiben.core.loop.calls import posted_version, run_form, run_service
from zhiben.core.loop.steps import action_label
from zhiben.core.loop.web import StepView
from zhiben.core.scoping import can, grants_for
from zhiben.core.views import (
    Badge,
    Column,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
    object_history,
)
from zhiben.core.widgets import pick_from
from zhiben.hazards.models import Hazard
from zhiben.registry.models import Enterprise
from zhiben.risk.models import RiskPoint

from . import queries, reference, services
from .choices import AlarmStatus, DeviceStatus, Level, TaskStatus
from .filtersets import TABS, AlarmFilterSet, DeviceFilterSet, TaskFilterSet
from .forms import DeviceEditForm, DeviceForm
from .models import Alarm, CheckTask, Device, Rejection
from .steps import FLOW, TASK_FLOW

LEVEL_COLORS = {Level.RED: "danger", Level.ORANGE: "warning", Level.YELLOW: "warning", Level.BLUE: "info"}
STATUS_COLORS = {
    AlarmStatus.RAISED: "danger",
    AlarmStatus.ACKNOWLEDGED: "primary",
    AlarmStatus.HANDLING: "info",
    AlarmStatus.CLEARED: "success",
}
DEVICE_COLORS = {DeviceStatus.ONLINE: "success", DeviceStatus.OFFLINE: "secondary", DeviceStatus.NEW: "light"}


def _device_state(d: Device) -> Badge:
    if not d.active:
        return Badge(_("已停用"), "dark")
    return Badge(d.get_status_display(), DEVICE_COLORS[DeviceStatus(d.status)])


def _level_badge(a: Alarm) -> str:
    return LEVEL_COLORS[Level(a.level)]


def _alarm_state(a: Alarm) -> Badge:
    if a.is_overdue():
        return Badge(_("确认超时"), "danger")
    return Badge(a.get_status_display(), STATUS_COLORS[AlarmStatus(a.status)])


def _reading(a: Alarm) -> str:
    if a.value is None:
        return "—"
    unit = a.device.sensor_type.unit
    return f"{a.value:g} {unit}（峰值 {a.peak:g}）" if a.peak is not None else f"{a.value:g} {unit}"


class HomeView(ScopedViewMixin, View):
    """监测总览: an enterprise's own panel, or for government the units with devices in scope and coverage."""

    model = Device

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        enterprises = Enterprise.objects.restrict(request.user, "view")
        devices = Device.objects.restrict(request.user, "view")
        with_devices = enterprises.filter(pk__in=devices.values("enterprise_id"))
        if _is_unit(request.user) and with_devices.count() == 1:
            return redirect("monitoring:panel", pk=with_devices.get().pk)
        open_alarms = Alarm.objects.restrict(request.user, "view").open()
        rows = (
            with_devices.annotate(
                n_devices=Count("devices", distinct=True),
                n_online=Count("devices", filter=Q(devices__status=DeviceStatus.ONLINE), distinct=True),
            )
            .select_related("region")
            .order_by("name")
        )
        alarm_counts = dict(
            open_alarms.values("enterprise_id").annotate(n=Count("pk")).values_list("enterprise_id", "n")
        )
        scope = queries.in_scope_enterprises().filter(pk__in=enterprises.values("pk"))
        context = {
            "title": _("监测预警"),
            "rows": [{"e": e, "alarms": alarm_counts.get(e.pk, 0)} for e in rows],
            "coverage": {"scope": scope.count(), "covered": queries.covered(scope).count()},
            "open_alarms": open_alarms.count(),
            "overdue": open_alarms.filter(status=AlarmStatus.RAISED, ack_due__lt=timezone.now()).count(),
            "can_add": can(request.user, "add", Device),
        }
        return render(request, "monitoring/home.html", context)


def _is_unit(user: Any) -> bool:
    return all(g.role == Role.ENTERPRISE for g in grants_for(user)) and bool(grants_for(user))


class PanelView(ScopedViewMixin, View):
    """An enterprise's live panel: each device's latest value, a two-hour sparkline and state; open alarms;
    refused messages. `?partial=1` (htmx, every 15 s) returns only the live part. The record is the enterprise
    (out of the reader's scope: 404); reading devices at all is the permission (else 403)."""

    model = Enterprise

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "view", Device):
            raise PermissionDenied(_("您无权查看监测数据。"))
        enterprise = get_object_or_404(Enterprise.objects.restrict(request.user, "view"), pk=pk)
        devices = list(
            Device.objects.restrict(request.user, "view")
            .filter(enterprise=enterprise)
            .select_related("sensor_type")
            .order_by("code")
        )
        if not devices and not can(request.user, "add", Device):
            return render(
                request,
                "monitoring/panel.html",
                {"title": enterprise.name, "enterprise": enterprise, "cards": []},
            )
        lines = queries.sparklines([d.pk for d in devices])
        alarms = list(
            Alarm.objects.restrict(request.user, "view")
            .filter(enterprise=enterprise)
            .open()
            .select_related("device__sensor_type")
        )
        by_device = {a.device_id: a for a in alarms if a.kind == "threshold"}
        cards = [
            {
                "d": d,
                "line": lines.get(d.pk, ""),
                "alarm": by_device.get(d.pk),
                "state": _device_state(d),
                "level": d.level_of(d.last_value) if d.last_value is not None else None,
            }
            for d in devices
        ]
        context = {
            "title": enterprise.name,
            "enterprise": enterprise,
            "cards": cards,
            "alarms": alarms,
            "level_colors": {k.value: v for k, v in LEVEL_COLORS.items()},
            "rejections": Rejection.objects.restrict(request.user, "view").filter(enterprise=enterprise)[:20],
            "now": timezone.now(),
            "can_add": can(request.user, "add", Device),
        }
        template = "monitoring/_panel_live.html" if request.GET.get("partial") else "monitoring/panel.html"
        return render(request, template, context)


class DeviceListView(ObjectListView):
    model = Device
    title = _("监测设备")
    filterset_class = DeviceFilterSet
    template_name = "monitoring/device_list.html"
    create_url_name = "monitoring:device_create"
    default_sort = "enterprise__name"
    columns = [
        Column("name", _("设备名称"), sort="name", link=True),
        Column("enterprise.name", _("生产经营单位"), sort="enterprise__name"),
        Column("location", _("安装位置")),
        Column("sensor_type.name", _("监测类型")),
        Column(
            "latest",
            _("最新读数"),
            display=lambda d: f"{d.last_value:g} {d.sensor_type.unit}" if d.last_value is not None else "—",
        ),
        Column("state", _("状态"), sort="status", display=lambda d: _device_state(d)),
        Column("last_seen_at", _("最后上报"), sort="last_seen_at"),
    ]

    def get_base_queryset(self) -> Any:
        return Device.objects.select_related("enterprise", "sensor_type")


class DeviceCreateForm(DeviceForm):
    enterprise = forms.ModelChoiceField(label=_("生产经营单位"), queryset=Enterprise.objects.none())
    field_order = ["enterprise"]


class DeviceCreateView(ScopedViewMixin, View):
    model = Device
    action = "add"

    def _form(self, request: HttpRequest, data: Any = None) -> DeviceCreateForm:
        form = DeviceCreateForm(data, initial={"enterprise": request.GET.get("enterprise")})
        pick_from(form.fields["enterprise"], Enterprise.objects.restrict(request.user, "view"))  # type: ignore[arg-type]
        points = form.fields["risk_point_ref"]
        points.queryset = RiskPoint.objects.restrict(request.user, "view").select_related("enterprise")  # type: ignore[attr-defined]
        points.label_from_instance = lambda p: f"{p.enterprise.name} · {p.name}"  # type: ignore[attr-defined]
        return form

    def _context(self, form: Any) -> dict[str, Any]:
        return {
            "title": _("登记监测设备"),
            "form": form,
            "verbose_name": _("监测设备"),
            "cancel_url": reverse("monitoring:device_list"),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        return render(request, "monitoring/device_form.html", self._context(self._form(request)))

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = self._form(request, request.POST)
        device, status = run_form(
            request, form, lambda: services.add_device(actor=request.user, **form.cleaned_data)
        )
        if device is not None:
            messages.success(
                request,
                _("已登记设备“%(n)s”。设备密钥：%(s)s（请配置到设备中，离开本页后不再显示）")
                % {"n": device.name, "s": device.secret},
            )
            return redirect(device.get_absolute_url())
        return render(request, "monitoring/device_form.html", self._context(form), status=status)


class DeviceDetailView(ScopedViewMixin, View):
    """A device: place, thresholds, state, the history chart (raw readings for 6 hours, 1-minute means for two
    days, 1-hour means beyond), its alarms and refused messages."""

    model = Device

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        device = get_object_or_404(
            Device.objects.restrict(request.user, "view").select_related("enterprise", "sensor_type"), pk=pk
        )
        key = request.GET.get("range", "2d")
        if key not in queries.RANGES:
            key = "2d"
        series = queries.history(device, key)
        chart = {
            "times": series.times,
            "mean": series.mean,
            "low": series.low,
            "high": series.high,
            "unit": device.sensor_type.unit,
            "name": device.sensor_type.name,
            "thresholds": [["一级", device.yellow], ["二级", device.orange], ["红色", device.red]],
        }
        values = list(series.mean)
        rejections = device_rejections(request.user, device)
        context = {
            "title": device.name,
            "object": device,
            "chart": chart,
            "series": series,
            "summary": {
                "n": len(values),
                "min": min(series.low) if values else None,
                "max": max(series.high) if values else None,
            },
            "ranges": [(k, v[0]) for k, v in queries.RANGES.items()],
            "range": key,
            "alarms": Alarm.objects.restrict(request.user, "view").filter(device=device)[:20],
            "rejections": rejections,
            "rejected_total": sum(r.count for r in rejections),
            "state": _device_state(device),
            "offline_after": device.interval_seconds * reference.offline_intervals(),
            "can_change": Device.objects.restrict(request.user, "change").filter(pk=device.pk).exists(),
            "can_rotate": services.may_rotate_secret(request.user, device),
            "history": object_history(device),
        }
        return render(request, "monitoring/device_detail.html", context)


def device_rejections(user: Any, device: Device) -> list[Rejection]:
    """The messages refused for a device, by reason: counted under its unit and code, so the rows from before it
    was registered and those while it was 停用 (refused as an unregistered code) are its own too."""
    return list(
        Rejection.objects.restrict(user, "view")
        .filter(enterprise_id=device.enterprise_id, device_code=device.code)
        .order_by("-last_at")
    )


class DeviceEditView(ObjectEditView):
    """修改监测设备 (the generic edit page: the posted version, 409 on a conflicting edit)."""

    model = Device
    form_class = DeviceEditForm

    def get_base_queryset(self) -> Any:
        return Device.objects.select_related("enterprise", "sensor_type", "risk_point_ref")

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        return services.update_device(obj, actor=actor, **data)


class DeviceSecretView(ScopedViewMixin, View):
    """重置密钥 (POST only): the new secret is shown on the answer to this POST and nowhere else — not stored
    in the session or a message, not cached. Posting the same page again is a 409 (the version moved on)."""

    model = Device
    action = "change"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)  # 403 before 405
        return HttpResponseNotAllowed(["POST"])

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        device = self.get_object(request, pk)
        secret, status = run_service(
            request,
            None,
            lambda: services.rotate_secret(device, actor=request.user, version=posted_version(request)),
        )
        if secret is None:  # the device page again, with the refusal and its status (403, 409)
            response = DeviceDetailView().get(request, pk)
            response.status_code = status
            return response
        response = render(
            request,
            "monitoring/device_secret.html",
            {
                "title": _("设备密钥已重置"),
                "object": device,
                "secret": secret,
                "next_seq": device.last_seq + 1,
            },
        )
        response["Cache-Control"] = "no-store"
        return response


class AlarmListView(ObjectListView):
    model = Alarm
    title = _("报警处置")
    filterset_class = AlarmFilterSet
    template_name = "monitoring/alarm_list.html"
    default_sort = "-started_at"
    columns = [
        Column("number", _("报警编号"), sort="number", link=True),
        Column("get_level_display", _("等级"), sort="level", badge=_level_badge),
        Column("get_kind_display", _("类别"), sort="kind"),
        Column("enterprise.name", _("生产经营单位"), sort="enterprise__name"),
        Column("device", _("设备"), display=lambda a: str(a.device)),
        Column("reading", _("读数"), display=_reading),
        Column("started_at", _("报警时间"), sort="started_at"),
        Column("state", _("状态"), display=_alarm_state),
    ]

    def get_base_queryset(self) -> Any:
        return Alarm.objects.select_related("enterprise", "device__sensor_type")

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        base = reverse("monitoring:alarm_list")
        alarms = Alarm.objects.restrict(request.user, "view")
        f = AlarmFilterSet(queryset=alarms, request=request)
        return {
            "tabs": [
                {
                    "key": k,
                    "label": label,
                    "url": f"{base}?tab={k}",
                    "count": f.by_tab(alarms, "tab", k).count(),
                }
                for k, label in TABS
            ],
            "tab": request.GET.get("tab", ""),
        }


class AlarmDetailView(ScopedViewMixin, View):
    model = Alarm

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        alarm = get_object_or_404(
            Alarm.objects.restrict(request.user, "view").select_related(
                "device__sensor_type", "enterprise", "acknowledged_by", "hazard"
            ),
            pk=pk,
        )
        hazard = None
        if alarm.hazard_id:
            hazard = Hazard.objects.restrict(request.user, "view").filter(pk=alarm.hazard_id).first()
        task = CheckTask.objects.restrict(request.user, "view").filter(alarm=alarm).first()
        context = {
            "title": str(alarm),
            "object": alarm,
            "steps": FLOW.available(request.user, alarm),
            "level_color": LEVEL_COLORS[Level(alarm.level)],
            "state": _alarm_state(alarm),
            "reading": _reading(alarm),
            "hazard": hazard,
            "task": task,
            "history": [
                {"row": h, "label": action_label(h)}
                for h in alarm.history.select_related("actor").order_by("at", "pk")
            ],
        }
        return render(request, "monitoring/alarm_detail.html", context)


class AlarmStepView(StepView):
    model = Alarm
    flow = FLOW
    list_url_name = "monitoring:alarm_list"
    list_label = _("报警处置")
    template_name = "monitoring/step.html"

    def get_base_queryset(self) -> Any:
        return Alarm.objects.select_related("device__sensor_type", "enterprise")

    def object_label(self, obj: Any) -> str:
        return str(obj.number)


class TaskListView(ObjectListView):
    model = CheckTask
    title = _("现场核查任务")
    filterset_class = TaskFilterSet
    default_sort = "-created_at"
    columns = [
        Column("alarm.number", _("报警编号"), link=True),
        Column("enterprise.name", _("生产经营单位"), sort="enterprise__name"),
        Column("alarm.device", _("设备"), display=lambda t: str(t.alarm.device)),
        Column("due_at", _("核查时限"), sort="due_at"),
        Column(
            "get_status_display",
            _("状态"),
            sort="status",
            badge=lambda t: "success" if t.status == TaskStatus.DONE else "danger",
        ),
    ]

    def get_base_queryset(self) -> Any:
        return CheckTask.objects.select_related("enterprise", "alarm__device")


class TaskDetailView(ScopedViewMixin, View):
    model = CheckTask

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        task = get_object_or_404(
            CheckTask.objects.restrict(request.user, "view").select_related(
                "alarm__device__sensor_type", "enterprise", "done_by"
            ),
            pk=pk,
        )
        alarm = Alarm.objects.restrict(request.user, "view").filter(pk=task.alarm_id).first()
        context = {
            "title": str(task),
            "object": task,
            "alarm": alarm,
            "steps": TASK_FLOW.available(request.user, task),
            "history": [
                {"row": h, "label": action_label(h)}
                for h in task.history.select_related("actor").order_by("at", "pk")
            ],
        }
        return render(request, "monitoring/task_detail.html", context)


class TaskStepView(StepView):
    model = CheckTask
    flow = TASK_FLOW
    list_url_name = "monitoring:task_list"
    list_label = _("现场核查任务")

    def get_base_queryset(self) -> Any:
        return CheckTask.objects.select_related("alarm", "enterprise")

    def object_label(self, obj: Any) -> str:
        return str(obj)


class FiguresView(ScopedViewMixin, View):
    """监测覆盖与报警疲劳: coverage of the 危化/粉尘涉爆 units in scope, and per enterprise the false-alarm share
    and the mean time to acknowledge."""

    model = Alarm

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        enterprises = Enterprise.objects.restrict(request.user, "view")
        scope = queries.in_scope_enterprises().filter(pk__in=enterprises.values("pk"))
        covered = set(queries.covered(scope).values_list("pk", flat=True))
        context = {
            "title": _("覆盖率与报警疲劳"),
            "scope_rows": [
                {"e": e, "covered": e.pk in covered} for e in scope.select_related("region").order_by("name")
            ],
            "covered": len(covered),
            "fatigue": queries.fatigue(Alarm.objects.restrict(request.user, "view"), enterprises),
            "industries": queries.COVERAGE_INDUSTRIES,
        }
        return render(request, "monitoring/figures.html", context)
