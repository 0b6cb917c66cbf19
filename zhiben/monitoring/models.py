"""监测预警: sensor types (data), devices per enterprise and place, readings (a time series: on PostgreSQL a
table partitioned by month with a BRIN index on time, see `storage.py`), 1-minute and 1-hour aggregates,
rejected messages counted per device, alarms on the loop kit (产生 → 确认 → 处置中 → 消警), their history, and
the on-site check tasks an unacknowledged 红色 alarm creates.

Scope: everything follows its enterprise (region, industries, the enterprise itself), as hazards do."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.crypto import EncryptedTextField
from zhiben.core.models import BaseModel, ScopedModel, StepHistory
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from .choices import (
    AggregateKind,
    AlarmKind,
    AlarmStatus,
    ClearReason,
    DeviceStatus,
    Direction,
    Level,
    RejectReason,
    TaskStatus,
)

USER = settings.AUTH_USER_MODEL


def _enterprise_scope(prefix: str = "") -> ScopePaths:
    p = f"{prefix}__" if prefix else ""
    return ScopePaths(
        region=f"{p}enterprise__region__code",
        industry=f"{p}enterprise__industries",
        enterprise=f"{p}enterprise",
    )


class SensorType(BaseModel):
    """A kind of sensor with its unit, physical range and default thresholds (data, `data/sensor_types.json`)."""

    scope = ScopePaths(unscoped=True)
    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("监测类型"), max_length=50)
    unit = models.CharField(_("单位"), max_length=20)
    physical_min = models.FloatField(_("量程下限"))
    physical_max = models.FloatField(_("量程上限"))
    yellow = models.FloatField(_("一级报警值（黄色）"))
    orange = models.FloatField(_("二级报警值（橙色）"))
    red = models.FloatField(_("红色报警值"))
    direction = models.CharField(
        _("报警方向"), max_length=5, choices=Direction.choices, default=Direction.HIGH
    )
    hysteresis = models.FloatField(_("回差"), default=0)
    delay_seconds = models.PositiveIntegerField(_("报警延时（秒）"), default=0)
    normal_low = models.FloatField(_("正常范围下限"), default=0)
    normal_high = models.FloatField(_("正常范围上限"), default=0)
    source = models.TextField(_("依据"), blank=True)
    verified = models.BooleanField(_("已核实"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("监测类型")
        verbose_name_plural = _("监测类型")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.name)


class DeviceQuerySet(ScopedQuerySet):
    pass


class Device(ScopedModel):
    """监测设备: one sensor at one place of an enterprise, with its thresholds and its signing secret."""

    scope = _enterprise_scope()
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("生产经营单位"),
        on_delete=models.PROTECT,
        related_name="devices",
    )
    code = models.CharField(_("设备编号"), max_length=40)
    name = models.CharField(_("设备名称"), max_length=100)
    sensor_type = models.ForeignKey(SensorType, verbose_name=_("监测类型"), on_delete=models.PROTECT)
    location = models.CharField(_("安装位置"), max_length=100)
    risk_point = models.CharField(
        _("关联风险点"), max_length=100, blank=True
    )  # text, for units without 双重预防 data
    risk_point_ref = models.ForeignKey(
        "risk.RiskPoint",
        verbose_name=_("双重预防风险点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="monitoring_devices",
    )
    interval_seconds = models.PositiveIntegerField(_("上报周期（秒）"), default=60)
    yellow = models.FloatField(_("一级报警值（黄色）"))
    orange = models.FloatField(_("二级报警值（橙色）"))
    red = models.FloatField(_("红色报警值"))
    hysteresis = models.FloatField(_("回差"), default=0)
    delay_seconds = models.PositiveIntegerField(_("报警延时（秒）"), default=0)
    secret = EncryptedTextField(_("设备密钥"))
    active = models.BooleanField(_("启用"), default=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeviceStatus.choices, default=DeviceStatus.NEW
    )
    last_seq = models.BigIntegerField(_("最后序号"), default=-1)
    last_seen_at = models.DateTimeField(_("最后上报时间"), null=True, blank=True)
    last_reading_at = models.DateTimeField(_("最后读数时间"), null=True, blank=True)
    last_value = models.FloatField(_("最新读数"), null=True, blank=True)
    excursion_since = models.DateTimeField(_("超限开始时间"), null=True, blank=True)

    objects = DeviceQuerySet.as_manager()  # type: ignore[misc]

    # What 修改 may change (forms.DeviceEditForm, services.update_device); the code and the type stay: the code
    # is in the device's topic and signature.
    EDITABLE = (
        "name",
        "location",
        "risk_point",
        "risk_point_ref",
        "interval_seconds",
        "yellow",
        "orange",
        "red",
        "hysteresis",
        "delay_seconds",
        "active",
    )

    class Meta:
        verbose_name = _("监测设备")
        verbose_name_plural = _("监测设备")
        ordering = ["enterprise", "code"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "code"], name="monitoring_device_code")]

    def __str__(self) -> str:
        return f"{self.name}（{self.location}）"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:device_detail", args=[self.pk])

    def level_of(self, value: float) -> str | None:
        """The alarm level a value reaches (None: normal)."""
        high = self.sensor_type.direction == Direction.HIGH
        for level, limit in ((Level.RED, self.red), (Level.ORANGE, self.orange), (Level.YELLOW, self.yellow)):
            if (value >= limit) if high else (value <= limit):
                return str(level)
        return None


class Reading(models.Model):
    """One reading of one device. Plain table on SQLite; on PostgreSQL partitioned by month (`storage.py`):
    the primary key is (id, ts) there, no foreign key constraint, a BRIN index on ts."""

    id = models.BigAutoField(_("编号"), primary_key=True)
    device = models.ForeignKey(
        Device, verbose_name=_("设备"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    ts = models.DateTimeField(_("时间"))
    seq = models.BigIntegerField(_("序号"))
    value = models.FloatField(_("读数"))

    class Meta:
        verbose_name = _("监测读数")
        verbose_name_plural = _("监测读数")
        indexes = [models.Index(fields=["device", "ts"], name="monitoring_reading_dev_ts")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.ts:%Y-%m-%d %H:%M:%S} {self.value}"


class Aggregate(models.Model):
    """A device's readings of one minute or one hour: count, min, max, sum (the mean is sum ÷ count)."""

    device = models.ForeignKey(Device, verbose_name=_("设备"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("粒度"), max_length=6, choices=AggregateKind.choices)
    start = models.DateTimeField(_("开始时间"))
    count = models.PositiveIntegerField(_("读数条数"))
    vmin = models.FloatField(_("最小值"))
    vmax = models.FloatField(_("最大值"))
    vsum = models.FloatField(_("合计"))

    class Meta:
        verbose_name = _("监测汇总")
        verbose_name_plural = _("监测汇总")
        constraints = [
            models.UniqueConstraint(fields=["device", "kind", "start"], name="monitoring_aggregate_bucket")
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.kind} {self.start:%Y-%m-%d %H:%M}"

    @property
    def mean(self) -> float:
        return self.vsum / self.count if self.count else 0.0


class Rejection(models.Model):
    """Messages refused by the consumer or the gateway API, counted per device (or per enterprise and device
    code when the device is unknown) and reason; never stored as readings."""

    scope = ScopePaths(
        region="enterprise__region__code", industry="enterprise__industries", enterprise="enterprise"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("生产经营单位"), on_delete=models.CASCADE, related_name="+"
    )
    device = models.ForeignKey(
        Device,
        verbose_name=_("设备"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rejections",
    )
    device_code = models.CharField(_("设备编号"), max_length=40)
    reason = models.CharField(_("原因"), max_length=20, choices=RejectReason.choices)
    count = models.PositiveBigIntegerField(_("次数"), default=0)
    last_at = models.DateTimeField(_("最近一次"))
    last_detail = models.CharField(_("最近一次说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("拒收报文")
        verbose_name_plural = _("拒收报文")
        ordering = ["-last_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "device_code", "reason"], name="monitoring_rejection_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.device_code} {self.get_reason_display()} × {self.count}"


class AlarmQuerySet(ScopedQuerySet):
    def open(self) -> AlarmQuerySet:
        return self.exclude(status=AlarmStatus.CLEARED)


class Alarm(ScopedModel):
    """报警: one per device and kind while open (de-duplicated); its level rises with the worst reading."""

    scope = _enterprise_scope()
    number = models.CharField(_("报警编号"), max_length=30, unique=True)
    device = models.ForeignKey(
        Device, verbose_name=_("设备"), on_delete=models.PROTECT, related_name="alarms"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("报警类别"), max_length=10, choices=AlarmKind.choices)
    level = models.CharField(_("报警等级"), max_length=6, choices=Level.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=AlarmStatus.choices, default=AlarmStatus.RAISED
    )
    started_at = models.DateTimeField(_("报警时间"))
    value = models.FloatField(_("触发读数"), null=True, blank=True)
    peak = models.FloatField(_("峰值"), null=True, blank=True)
    threshold = models.FloatField(_("报警阈值"), null=True, blank=True)
    readings = models.PositiveIntegerField(_("超限读数条数"), default=0)
    normal_since = models.DateTimeField(_("恢复正常时间"), null=True, blank=True)
    ack_due = models.DateTimeField(_("确认时限"))
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, verbose_name=_("确认人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(_("超时升级时间"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("消警时间"), null=True, blank=True)
    clear_reason = models.CharField(_("消警原因"), max_length=15, choices=ClearReason.choices, blank=True)
    clear_note = models.TextField(_("消警说明"), blank=True)
    hazard = models.OneToOneField(
        "hazards.Hazard",
        verbose_name=_("登记的隐患"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="monitoring_alarm",
    )

    objects = AlarmQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("监测报警")
        verbose_name_plural = _("监测报警")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["status", "ack_due"]), models.Index(fields=["enterprise", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "kind"],
                condition=~models.Q(status=AlarmStatus.CLEARED),
                name="monitoring_one_open_alarm",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_level_display()}{self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:alarm_detail", args=[self.pk])

    @property
    def minutes_to_ack(self) -> float | None:
        if self.acknowledged_at is None:
            return None
        return (self.acknowledged_at - self.started_at).total_seconds() / 60

    def is_overdue(self, now: Any = None) -> bool:
        return self.status == AlarmStatus.RAISED and self.ack_due < (now or timezone.now())


class AlarmTransition(StepHistory):
    alarm = models.ForeignKey(Alarm, verbose_name=_("报警"), on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("原状态"), max_length=12, choices=AlarmStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=AlarmStatus.choices)

    class Meta(StepHistory.Meta):
        verbose_name = _("报警处置记录")
        verbose_name_plural = _("报警处置记录")


class CheckTask(ScopedModel):
    """现场核查任务: created when a 红色 alarm is not acknowledged in time; the township (属地) and the supervising
    department go on site and record what they found."""

    scope = _enterprise_scope()
    alarm = models.OneToOneField(
        Alarm, verbose_name=_("报警"), on_delete=models.PROTECT, related_name="check_task"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=6, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    due_at = models.DateTimeField(_("核查时限"))
    result = models.TextField(_("核查情况"), blank=True)
    done_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER, verbose_name=_("核查人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("现场核查任务")
        verbose_name_plural = _("现场核查任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"现场核查：{self.alarm.number}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:task_detail", args=[self.pk])


class CheckTaskTransition(StepHistory):
    checktask = models.ForeignKey(
        CheckTask, verbose_name=_("核查任务"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("原状态"), max_length=6, choices=TaskStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=6, choices=TaskStatus.choices)

    class Meta(StepHistory.Meta):
        verbose_name = _("核查任务记录")
        verbose_name_plural = _("核查任务记录")
