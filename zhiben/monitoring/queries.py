"""Read models of 监测预警 (no writes): sparklines, a device's history by range, coverage and alarm fatigue."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from zhiben.registry.choices import EnterpriseStatus
from zhiben.registry.models import Enterprise, Industry
from zhiben.registry.scoping import with_descendants

from .choices import AggregateKind, AlarmKind, ClearReason, DeviceStatus
from .models import Aggregate, Alarm, Device, Reading

# 危化品 and 重点粉尘涉爆 enterprises (三(六)14: full coverage by end-2025): industries as data, 待核实.
COVERAGE_INDUSTRIES = ("HAZCHEM", "INDTRADE-DUST")


def in_scope_enterprises() -> QuerySet[Any]:
    ids = with_descendants(
        set(Industry.objects.filter(code__in=COVERAGE_INDUSTRIES).values_list("pk", flat=True))
    )
    return (
        Enterprise.objects.unrestricted("monitoring coverage: the caller restricts or cuts by scope")
        .filter(industries__in=ids)
        .exclude(status=EnterpriseStatus.CLOSED)
        .distinct()
    )


def covered(enterprises: QuerySet[Any]) -> QuerySet[Any]:
    """Enterprises with at least one online device."""
    online = Device.objects.unrestricted("subquery").filter(active=True, status=DeviceStatus.ONLINE)
    return enterprises.filter(pk__in=online.values("enterprise_id"))


def sparklines(device_ids: list[int], hours: int = 2, width: int = 120, height: int = 28) -> dict[int, str]:
    """SVG polyline points of each device's minute means over the last `hours`."""
    since = timezone.now() - dt.timedelta(hours=hours)
    series: dict[int, list[float]] = defaultdict(list)
    for row in (
        Aggregate.objects.filter(device_id__in=device_ids, kind=AggregateKind.MINUTE, start__gte=since)
        .order_by("device_id", "start")
        .values_list("device_id", "vsum", "count")
    ):
        series[row[0]].append(row[1] / row[2] if row[2] else 0.0)
    out = {}
    for device_id, values in series.items():
        if len(values) < 2:
            continue
        lo, hi = min(values), max(values)
        span = (hi - lo) or 1.0
        step = width / (len(values) - 1)
        out[device_id] = " ".join(
            f"{i * step:.1f},{height - 2 - (v - lo) / span * (height - 4):.1f}" for i, v in enumerate(values)
        )
    return out


RANGES = {
    "6h": ("近6小时", dt.timedelta(hours=6), None),
    "2d": ("近2天", dt.timedelta(days=2), AggregateKind.MINUTE),
    "30d": ("近30天", dt.timedelta(days=30), AggregateKind.HOUR),
    "1y": ("近1年", dt.timedelta(days=365), AggregateKind.HOUR),
}


@dataclass
class Series:
    label: str
    source: str  # 原始读数 / 1分钟汇总 / 1小时汇总
    times: list[str]
    mean: list[float]
    low: list[float]
    high: list[float]


def history(device: Device, key: str) -> Series:
    label, span, kind = RANGES.get(key, RANGES["2d"])
    since = timezone.now() - span
    fmt = "%m-%d %H:%M" if kind != AggregateKind.HOUR else "%Y-%m-%d %H时"
    if kind is None:
        rows = list(
            Reading.objects.filter(device=device, ts__gte=since)
            .order_by("ts")
            .values_list("ts", "value")[:20000]
        )
        times = [timezone.localtime(t).strftime("%H:%M:%S") for t, _ in rows]
        values = [round(v, 3) for _, v in rows]
        return Series(str(label), "原始读数", times, values, values, values)
    aggs = list(
        Aggregate.objects.filter(device=device, kind=kind, start__gte=since)
        .order_by("start")
        .values_list("start", "vsum", "count", "vmin", "vmax")
    )
    return Series(
        str(label),
        "1分钟汇总" if kind == AggregateKind.MINUTE else "1小时汇总",
        [timezone.localtime(a[0]).strftime(fmt) for a in aggs],
        [round(a[1] / a[2], 3) if a[2] else 0.0 for a in aggs],
        [round(a[3], 3) for a in aggs],
        [round(a[4], 3) for a in aggs],
    )


@dataclass
class Fatigue:
    enterprise: Any
    alarms: int
    false_alarms: int
    device_faults: int
    mean_ack_minutes: float | None

    @property
    def false_rate(self) -> float | None:
        return round(self.false_alarms * 100 / self.alarms, 1) if self.alarms else None


def fatigue(alarms: QuerySet[Any], enterprises: QuerySet[Any]) -> list[Fatigue]:
    """Alarm fatigue per enterprise over threshold alarms: false alarms ÷ alarms cleared with a reason, and the
    mean time from 报警 to 确认."""
    threshold = alarms.filter(kind=AlarmKind.THRESHOLD)
    ack = ExpressionWrapper(F("acknowledged_at") - F("started_at"), output_field=DurationField())
    rows = {
        r["enterprise_id"]: r
        for r in threshold.values("enterprise_id").annotate(
            n=Count(
                "pk", filter=Q(clear_reason__in=[c for c in ClearReason.values if c != ClearReason.RECOVERED])
            ),
            false=Count("pk", filter=Q(clear_reason=ClearReason.FALSE_ALARM)),
            fault=Count("pk", filter=Q(clear_reason=ClearReason.DEVICE_FAULT)),
            mtta=Avg(ack, filter=Q(acknowledged_at__isnull=False)),
        )
    }
    out = []
    for e in enterprises.filter(pk__in=list(rows)).order_by("name"):
        r = rows[e.pk]
        mtta = r["mtta"]
        out.append(
            Fatigue(
                e,
                r["n"],
                r["false"],
                r["fault"],
                round(mtta.total_seconds() / 60, 1) if mtta is not None else None,
            )
        )
    return out


def alarms_of(user: Any) -> QuerySet[Any]:
    return Alarm.objects.restrict(user, "view")
