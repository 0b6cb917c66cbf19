"""The write path of 监测预警: devices, alarms (raised and updated by the ingestion, then 确认/处置/确认险情/消警
by people), the acknowledgement SLA with its escalation and on-site check tasks, and offline detection.

Each public function is one transaction: permission and scope through the flow (403/404), the version pin
(409), the rows, one history and audit row, and the notices (outbox, after commit)."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import (
    TownshipOfficials,
    users_of_department,
    users_of_enterprise,
    users_of_office,
)
from zhiben.accounts.roles import Role
from zhiben.core import audit
from zhiben.core.errors import DomainError, NotPermitted
from zhiben.core.loop import pin, snapshot
from zhiben.core.outbox import notify_users
from zhiben.core.scoping import can, grants_for
from zhiben.core.sequences import next_value
from zhiben.core.workflow import compare_and_swap
from zhiben.hazards.choices import Source
from zhiben.hazards.services import register_hazard
from zhiben.hazards.services.common import supervising_department
from zhiben.registry.models import Enterprise

from . import events, reference, steps
from .choices import LEVEL_RANK, AlarmKind, AlarmStatus, ClearReason, DeviceStatus, Level
from .models import Alarm, CheckTask, Device, SensorType

CHECK_WITHIN = dt.timedelta(hours=2)  # an on-site check task's time limit (平台设定)


def _pin(alarm: Alarm, version: int | str | None) -> None:
    pin(alarm, version, _("该报警已被他人处理（当前版本 %(v)s），请刷新后重试。"))


def government_users(enterprise: Enterprise, *, office: bool = False) -> list[Any]:
    """The enterprise's supervising department (三管三必须 of its main industry) and its township (属地)."""
    users: list[Any] = []
    # An industry without a lead department raises: the township (and the office) still hear of it.
    with contextlib.suppress(DomainError):
        users += users_of_department(supervising_department(enterprise.primary_industry).pk)
    users += TownshipOfficials().of(enterprise.region.code)
    if office:
        users += users_of_office()
    return users


# --- devices ------------------------------------------------------------------------------------------------


def new_secret() -> str:
    return secrets.token_hex(16)


@transaction.atomic
def add_device(
    *,
    actor: Any,
    enterprise: Enterprise,
    code: str,
    name: str,
    sensor_type: SensorType,
    location: str,
    risk_point: str = "",
    risk_point_ref: Any = None,
    interval_seconds: int = 60,
    yellow: float | None = None,
    orange: float | None = None,
    red: float | None = None,
    secret: str | None = None,
) -> Device:
    """登记监测设备: the enterprise itself, or the office/department for a unit in its scope."""
    if actor is not None:
        if not can(actor, "add", Device):
            raise NotPermitted(_("您没有登记监测设备的权限。"))
        if not Enterprise.objects.restrict(actor, "view").filter(pk=enterprise.pk).exists():
            raise NotPermitted(_("该单位不在您的职责范围内。"))
    if risk_point_ref is not None and risk_point_ref.enterprise_id != enterprise.pk:
        raise ValidationError({"risk_point_ref": _("该风险点不属于所选单位。")})
    if Device.objects.unrestricted("uniqueness check").filter(enterprise=enterprise, code=code).exists():
        raise ValidationError({"code": _("本单位已有编号为“%(c)s”的设备。") % {"c": code}})
    device = Device.objects.create(
        enterprise=enterprise,
        code=code,
        name=name,
        sensor_type=sensor_type,
        location=location,
        risk_point=risk_point or (risk_point_ref.name if risk_point_ref is not None else ""),
        risk_point_ref=risk_point_ref,
        interval_seconds=interval_seconds,
        yellow=sensor_type.yellow if yellow is None else yellow,
        orange=sensor_type.orange if orange is None else orange,
        red=sensor_type.red if red is None else red,
        hysteresis=sensor_type.hysteresis,
        delay_seconds=sensor_type.delay_seconds,
        secret=secret or new_secret(),
    )
    audit.record(
        device, events.DEVICE_ADDED, actor=actor, data={"code": code, "name": name, "location": location}
    )
    return device


DEVICE_STALE = "该设备已被他人修改（当前版本 %(v)s），请刷新后重试。"
# Who may 重置密钥: the unit itself and the district office (a department edits, but the device is the unit's).
ROTATING_ROLES = frozenset({Role.ENTERPRISE, Role.DISTRICT_OFFICE})


def _require_device(actor: Any, device: Device, action: str = "change") -> None:
    if actor is None:
        return
    if not can(actor, action, Device):
        raise NotPermitted(_("您没有修改监测设备的权限。"))
    if not Device.objects.restrict(actor, action).filter(pk=device.pk).exists():
        raise NotPermitted(_("该设备不在您的职责范围内。"))


@transaction.atomic
def update_device(device: Device, *, actor: Any, version: int | str | None = None, **values: Any) -> Device:
    """修改监测设备: name, place, risk point, interval, its alarm values, 启用/停用. Compare-and-swap on the
    version (a conflicting edit is a 409); one audit row naming the changed fields (nothing changed: no row).

    停用: the ingestion refuses a disabled device's messages and counts them (reason 设备已停用), and
    `detect_offline` passes it over. Re-enabled, it is 未上报 until it reports
    again, so a long pause does not raise 离线 the moment it is switched back on. A running consumer applies
    the change at its next reload (within a minute); the gateway API at once."""
    unknown = set(values) - set(Device.EDITABLE)
    if unknown:
        raise TypeError(f"update_device: not editable: {sorted(unknown)}")
    _require_device(actor, device)
    pin(device, version, _(DEVICE_STALE))
    ref = values.get("risk_point_ref", device.risk_point_ref)
    if ref is not None and ref.enterprise_id != device.enterprise_id:
        raise ValidationError({"risk_point_ref": _("该风险点不属于本设备所在单位。")})
    if "risk_point_ref" in values and ref is not None and not values.get("risk_point"):
        values["risk_point"] = ref.name
    changed = {k: v for k, v in values.items() if getattr(device, k) != v}
    if not changed:
        return device
    if changed.get("active") is True:
        changed["status"] = DeviceStatus.NEW
    compare_and_swap(device, expected={}, changes=changed)
    audit.record(device, events.DEVICE_CHANGED, actor=actor, data=snapshot(changed))
    return device


def may_rotate_secret(actor: Any, device: Device) -> bool:
    """The unit's own people and the office, in scope, with `change` on devices."""
    q = None
    for grant in grants_for(actor):
        if grant.role in ROTATING_ROLES and grant.allows("change", Device):
            gq = grant.q_for(Device)
            if gq is not None:
                q = gq if q is None else q | gq
    if q is None:
        return False
    return Device.objects.unrestricted("the rotating grants' own filter").filter(q, pk=device.pk).exists()


@transaction.atomic
def rotate_secret(device: Device, *, actor: Any, version: int | str | None = None) -> str:
    """重置密钥: a new secret (stored encrypted, returned once for the page to show); from then on a message
    signed by the old one is refused (签名校验失败). The audit row names the device, never a secret. The
    device's seq must keep growing past `last_seq` (a replay check, not reset: a stale consumer state could
    write the old counter back)."""
    if actor is not None and not may_rotate_secret(actor, device):
        raise NotPermitted(_("只有本单位或区安委办可以重置设备密钥。"))
    pin(device, version, _(DEVICE_STALE))
    secret = new_secret()
    compare_and_swap(device, expected={}, changes={"secret": secret})
    audit.record(device, events.DEVICE_SECRET_ROTATED, actor=actor, data={"code": device.code})
    return secret


# --- alarms: raised by the ingestion ---------------------------------------------------------------------------


def _alarm_number(at: dt.datetime) -> str:
    year = timezone.localtime(at).year
    return f"BJ{year}-{next_value(f'monitoring-alarm-{year}'):06d}"


def _alarm_notice(alarm: Alarm, *, escalated: bool = False) -> None:
    device = alarm.device
    enterprise = device.enterprise
    what = f"{enterprise.name}{device.location}{device.sensor_type.name}"
    if alarm.kind == AlarmKind.OFFLINE:
        subject = _("监测设备离线：%(w)s") % {"w": what}
    else:
        subject = _("%(l)s报警：%(w)s 读数 %(v)s%(u)s") % {
            "l": alarm.get_level_display(),
            "w": what,
            "v": f"{alarm.value:g}" if alarm.value is not None else "—",
            "u": device.sensor_type.unit,
        }
    if escalated:
        subject = _("报警超时未确认：") + subject
    users = users_of_enterprise(enterprise.pk) + government_users(enterprise, office=escalated)
    notify_users(
        users,
        subject=subject,
        url=alarm.get_absolute_url(),
        topic="monitoring_alarm",
        obj=alarm,
        sms=alarm.level in (Level.RED, Level.ORANGE),
    )


def raise_alarm(
    device: Device,
    *,
    kind: str,
    level: str,
    at: dt.datetime,
    value: float | None = None,
    threshold: float | None = None,
) -> Alarm:
    """Open an alarm for the device and kind, or return the one already open (de-duplicated per device + kind
    while not 消警), raising its level when this one is worse. Called inside the ingestion's transaction."""
    existing = (
        Alarm.objects.unrestricted("ingestion")
        .filter(device=device, kind=kind)
        .exclude(status=AlarmStatus.CLEARED)
        .first()
    )
    if existing is not None:
        update_alarm(existing, level=level, value=value, threshold=threshold)
        return existing
    try:
        with transaction.atomic():
            alarm = Alarm.objects.create(
                number=_alarm_number(at),
                device=device,
                enterprise_id=device.enterprise_id,
                kind=kind,
                level=level,
                started_at=at,
                value=value,
                peak=value,
                threshold=threshold,
                readings=1 if value is not None else 0,
                ack_due=at + reference.ack_window(level),
            )
    except IntegrityError:  # another writer opened it a moment ago
        existing = (
            Alarm.objects.unrestricted("ingestion")
            .filter(device=device, kind=kind)
            .exclude(status=AlarmStatus.CLEARED)
            .get()
        )
        update_alarm(existing, level=level, value=value, threshold=threshold)
        return existing
    steps.FLOW.record_created(alarm, steps.RAISE, actor=None, data={"level": level, "value": value})
    _alarm_notice(alarm)
    return alarm


def update_alarm(alarm: Alarm, *, level: str, value: float | None, threshold: float | None = None) -> None:
    """A further reading beyond the threshold on an open alarm: count it, keep the peak, raise the level (never
    lower it). No version bump: a person's open form on the alarm stays valid."""
    changes: dict[str, Any] = {"readings": alarm.readings + 1, "normal_since": None}
    if value is not None:
        high = alarm.device.sensor_type.direction == "high"
        if alarm.peak is None or (value > alarm.peak if high else value < alarm.peak):
            changes["peak"] = value
    if LEVEL_RANK[Level(level)] > LEVEL_RANK[Level(alarm.level)]:
        changes["level"] = level
        changes["threshold"] = threshold
        if alarm.status == AlarmStatus.RAISED:
            changes["ack_due"] = min(alarm.ack_due, timezone.now() + reference.ack_window(level))
    Alarm.objects.unrestricted("ingestion").filter(pk=alarm.pk).update(**changes)
    for k, v in changes.items():
        setattr(alarm, k, v)
    if "level" in changes:
        _alarm_notice(alarm)


def mark_normal(alarm_id: int, at: dt.datetime) -> None:
    Alarm.objects.unrestricted("ingestion").filter(pk=alarm_id, normal_since__isnull=True).update(
        normal_since=at
    )


# --- alarms: people's steps ---------------------------------------------------------------------------------


@steps.ACK.implements
@transaction.atomic
def acknowledge(alarm: Alarm, *, actor: Any, note: str = "", version: int | str | None = None) -> Alarm:
    steps.FLOW.require(actor, steps.ACK, alarm)
    _pin(alarm, version)
    now = timezone.now()
    steps.FLOW.advance(
        alarm, steps.ACK, actor=actor, note=note, changes={"acknowledged_at": now, "acknowledged_by": actor}
    )
    return alarm


@steps.HANDLE.implements
@transaction.atomic
def handle(alarm: Alarm, *, actor: Any, note: str, version: int | str | None = None) -> Alarm:
    steps.FLOW.require(actor, steps.HANDLE, alarm)
    _pin(alarm, version)
    steps.FLOW.advance(alarm, steps.HANDLE, actor=actor, note=note)
    return alarm


@steps.DANGER.implements
@transaction.atomic
def confirm_danger(
    alarm: Alarm,
    *,
    actor: Any,
    title: str,
    level: str,
    description: str = "",
    version: int | str | None = None,
) -> Alarm:
    """确认险情: the alarm is a real danger; it becomes a hazard (source 监测预警) linked both ways."""
    steps.FLOW.require(actor, steps.DANGER, alarm)
    _pin(alarm, version)
    steps.FLOW.check(alarm, steps.DANGER)
    if alarm.hazard_id is not None:
        raise ValidationError(_("该报警已登记隐患。"))
    device = alarm.device
    # Registered by the platform (source 监测预警): an enterprise's own 登记 is always 企业自查 in the hazards app;
    # who confirmed the danger is in this step's history and audit row.
    hazard = register_hazard(
        actor=None,
        enterprise=device.enterprise,
        level=level,
        title=title,
        discovered_on=timezone.localdate(alarm.started_at),
        source=Source.MONITORING,
        description=description
        or _("监测报警 %(n)s：%(d)s 读数 %(v)s%(u)s（峰值 %(p)s）。")
        % {
            "n": alarm.number,
            "d": str(device),
            "v": f"{alarm.value:g}" if alarm.value is not None else "—",
            "u": device.sensor_type.unit,
            "p": f"{alarm.peak:g}" if alarm.peak is not None else "—",
        },
        location=device.location,
        finder=_("监测预警系统"),
    )
    steps.FLOW.advance(
        alarm, steps.DANGER, actor=actor, note=title, changes={"hazard": hazard}, data={"hazard": hazard.pk}
    )
    return alarm


@steps.CLEAR.implements
@transaction.atomic
def clear(alarm: Alarm, *, actor: Any, reason: str, note: str, version: int | str | None = None) -> Alarm:
    steps.FLOW.require(actor, steps.CLEAR, alarm)
    _pin(alarm, version)
    if reason not in ClearReason.values or reason == ClearReason.RECOVERED:
        raise ValidationError({"reason": _("请选择消警原因。")})
    if reason == ClearReason.REAL_DANGER and alarm.hazard_id is None and alarm.kind == AlarmKind.THRESHOLD:
        raise ValidationError({"reason": _("真实险情须先“确认险情”登记隐患，再消警。")})
    now = timezone.now()
    changes: dict[str, Any] = {"cleared_at": now, "clear_reason": reason, "clear_note": note}
    if alarm.acknowledged_at is None:
        changes.update(acknowledged_at=now, acknowledged_by=actor)
    steps.FLOW.advance(alarm, steps.CLEAR, actor=actor, note=note, changes=changes, data={"reason": reason})
    Device.objects.unrestricted("alarm cleared").filter(pk=alarm.device_id).update(excursion_since=None)
    return alarm


# --- the SLA, check tasks, offline ----------------------------------------------------------------------------


@transaction.atomic
def escalate_overdue(now: dt.datetime | None = None) -> dict[str, int]:
    """Alarms still 待确认 past their acknowledgement time: tell the department, township and office once; a
    红色 one also gets an on-site check task for the township and the department. Idempotent."""
    now = now or timezone.now()
    due = (
        Alarm.objects.unrestricted("job: the SLA over every alarm")
        .select_for_update()
        .filter(status=AlarmStatus.RAISED, ack_due__lt=now, escalated_at__isnull=True)
        .select_related(
            "device__enterprise__region", "device__sensor_type", "device__enterprise__primary_industry"
        )
    )
    escalated = tasks = 0
    for alarm in due:
        Alarm.objects.unrestricted("job").filter(pk=alarm.pk).update(escalated_at=now)
        alarm.escalated_at = now
        audit.record(
            alarm, events.ALARM_ESCALATED, data={"level": alarm.level, "ack_due": alarm.ack_due.isoformat()}
        )
        _alarm_notice(alarm, escalated=True)
        escalated += 1
        if alarm.level == Level.RED:
            open_check_task(alarm, now=now)
            tasks += 1
    return {"escalated": escalated, "tasks": tasks}


def open_check_task(alarm: Alarm, *, now: dt.datetime) -> CheckTask:
    task, created = CheckTask.objects.unrestricted("job").get_or_create(
        alarm=alarm, defaults={"enterprise_id": alarm.enterprise_id, "due_at": now + CHECK_WITHIN}
    )
    if created:
        steps.TASK_FLOW.record_created(task, steps.OPEN_TASK, actor=None, data={"alarm": alarm.number})
        enterprise = alarm.device.enterprise
        notify_users(
            government_users(enterprise),
            subject=_("现场核查任务：%(e)s %(n)s 红色报警超时未确认")
            % {"e": enterprise.name, "n": alarm.number},
            url=task.get_absolute_url(),
            topic="monitoring_check",
            obj=task,
            sms=True,
        )
    return task


@steps.CHECK.implements
@transaction.atomic
def complete_check(
    task: CheckTask, *, actor: Any, result: str, version: int | str | None = None
) -> CheckTask:
    steps.TASK_FLOW.require(actor, steps.CHECK, task)
    pin(task, version, _("该核查任务已被他人处理（当前版本 %(v)s），请刷新后重试。"))
    steps.TASK_FLOW.advance(
        task,
        steps.CHECK,
        actor=actor,
        note=result,
        changes={"result": result, "done_at": timezone.now(), "done_by": actor},
    )
    return task


def traffic_seen(now: dt.datetime, window: dt.timedelta) -> bool:
    """Whether the ingestion has received anything from any device within `window`: when nothing at all
    arrives, the platform's own link (the consumer, the broker) is down, and no device is called 离线."""
    last = Device.objects.unrestricted("job: platform-wide traffic").aggregate(m=Max("last_seen_at"))["m"]
    return last is not None and last >= now - window


@transaction.atomic
def detect_offline(now: dt.datetime | None = None) -> dict[str, int]:
    """Devices silent for `offline_intervals` of their reporting intervals → 离线 and one 离线 alarm (蓝色);
    cleared by the ingestion when the device reports again (`recover`). Skipped while no device at all has
    reported for ten minutes (see `traffic_seen`)."""
    now = now or timezone.now()
    if not traffic_seen(now, dt.timedelta(minutes=10)):
        return {"offline": 0, "skipped": 1}
    n = reference.offline_intervals()
    found = 0
    online = (
        Device.objects.unrestricted("job: offline detection over every device")
        .filter(active=True, status=DeviceStatus.ONLINE, last_seen_at__isnull=False)
        .select_related("enterprise__region", "enterprise__primary_industry", "sensor_type")
    )
    for device in online:
        if device.last_seen_at + dt.timedelta(seconds=device.interval_seconds * n) >= now:
            continue
        Device.objects.unrestricted("job").filter(pk=device.pk).update(status=DeviceStatus.OFFLINE)
        raise_alarm(device, kind=AlarmKind.OFFLINE, level=Level.BLUE, at=now)
        found += 1
    return {"offline": found, "skipped": 0}


def recover(device_id: int, at: dt.datetime) -> None:
    """A device that reports again: back online, its 离线 alarm 消警 (设备恢复上报) by the system."""
    Device.objects.unrestricted("ingestion").filter(pk=device_id).update(status=DeviceStatus.ONLINE)
    for alarm in (
        Alarm.objects.unrestricted("ingestion")
        .filter(device_id=device_id, kind=AlarmKind.OFFLINE)
        .exclude(status=AlarmStatus.CLEARED)
    ):
        steps.FLOW.advance(
            alarm,
            steps.RECOVER,
            actor=None,
            note=_("设备恢复上报"),
            changes={"cleared_at": at, "clear_reason": ClearReason.RECOVERED},
        )
