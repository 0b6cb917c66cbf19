"""Demo 监测预警 (district scale): devices at the demo's 危化品, 涉爆粉尘 and gas-using enterprises (most, not all:
the coverage figure is below 100 %), then one detector at most other units of the coverage scope, two days of readings at each device's interval written in bulk with their
1-minute and 1-hour aggregates, alarms in each state acted out by the personas through the services (待确认 and
超时 with its on-site check task, 已确认, 处置中, 已消警 as 误报, 设备故障 and 真实险情已处置 with its hazard), and one
device 离线 with its alarm.

The devices carry no `last_seen_at`: the ingestion has not heard them on this installation, so offline
detection leaves them alone until the simulator (scripts/serve.sh starts it with the consumer) or a real
device reports. Times are relative to now. Idempotent: skipped when any device exists."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhiben.accounts.lookups import users_of_enterprise
from zhiben.accounts.models import User
from zhiben.monitoring import ingest, queries, services, storage
from zhiben.monitoring.choices import AlarmKind, ClearReason, DeviceStatus, Level
from zhiben.monitoring.models import Alarm, AlarmTransition, Device, SensorType
from zhiben.monitoring.reference import load_sensor_types
from zhiben.registry.models import Enterprise, Industry
from zhiben.registry.scoping import with_descendants

# (industry code, how many enterprises, devices: (type, name, place, interval seconds))
PLAN: tuple[tuple[str, int, tuple[tuple[str, str, str, int], ...]], ...] = (
    (
        "HAZCHEM",
        6,
        (
            ("gas", "可燃气体探测器", "罐区1号储罐", 60),
            ("gas", "可燃气体探测器", "装卸区", 60),
            ("toxic", "硫化氢探测器", "反应釜区", 60),
            ("temperature", "温度变送器", "1号反应釜", 120),
            ("pressure", "压力变送器", "1号反应釜", 120),
            ("level", "液位计", "罐区1号储罐", 300),
        ),
    ),
    (
        "INDTRADE-DUST",
        4,
        (("dust", "粉尘浓度检测仪", "除尘器入口", 120), ("temperature", "温度传感器", "除尘器灰斗", 300)),
    ),
    ("GAS", 3, (("gas", "燃气报警器", "营业厅", 60), ("gas", "燃气报警器", "储瓶间", 60))),
)
DAYS = 2
# The other units of the coverage scope: one detector each, three hours of readings every five minutes.
UNCOVERED_EVERY = 10
REST_HOURS = 3
REST_INTERVAL = 300
# Device numbers as units write them: pinyin initials of the type and a number (QT01 可燃气体 …).
PREFIX = {"gas": "QT", "toxic": "DQ", "temperature": "WD", "pressure": "YL", "level": "YW", "dust": "FC"}


def _enterprises(code: str, n: int, first: Enterprise | None) -> list[Enterprise]:
    ids = with_descendants(set(Industry.objects.filter(code=code).values_list("pk", flat=True)))
    qs = Enterprise.objects.unrestricted("demo").filter(primary_industry__in=ids).order_by("pk")
    picked = list(qs[: n + 1])
    if first is not None and first in qs:
        picked = [first] + [e for e in picked if e.pk != first.pk]
    # Leave one in scope without devices: coverage below 100 %.
    return picked[:n] if len(picked) > n else picked[: max(1, len(picked) - 1)]


def _value(t: SensorType, i: int, phase: float, rng: random.Random) -> float:
    mid, span = (t.normal_low + t.normal_high) / 2, (t.normal_high - t.normal_low) / 2
    v = mid + span * 0.6 * math.sin(i / 90 + phase) + rng.uniform(-span, span) * 0.3
    return round(min(max(v, t.physical_min), t.physical_max), 3)


def seed_monitoring(
    *, seed: int, actor: Any = None, progress: Callable[[str], None] | None = None
) -> dict[str, int] | None:
    if Device.objects.unrestricted("demo: anything there yet?").exists():
        return None
    say = progress or (lambda message: None)
    rng = random.Random(seed + 17)
    load_sensor_types()
    storage.ensure_partitions(months_back=1)
    types = {t.code: t for t in SensorType.objects.unrestricted("demo")}
    persona = User.objects.filter(username="qiye2").first()
    own = None
    if persona is not None:
        own = Enterprise.objects.restrict(persona, "view").first()
    now = timezone.now()
    start = now - dt.timedelta(days=DAYS)
    devices: list[Device] = []
    with transaction.atomic():
        for code, n, plan in PLAN:
            for e in _enterprises(code, n, own if code == "HAZCHEM" else None):
                for k, (type_code, name, place, interval) in enumerate(plan):
                    devices.append(
                        services.add_device(
                            actor=None,
                            enterprise=e,
                            code=f"{PREFIX[type_code]}{k + 1:02d}",
                            name=name,
                            sensor_type=types[type_code],
                            location=place,
                            interval_seconds=interval,
                        )
                    )
        readings = _history(devices, types, start, now, rng)
        rest = _cover_the_rest(devices, types, now, rng)
        readings += _history(rest, types, now - dt.timedelta(hours=REST_HOURS), now, rng, with_offline=False)
    say(f"  监测预警：{len(devices) + len(rest)} 台设备，{readings:,} 条读数")
    alarms = _alarms(devices, now, rng)
    say(f"  监测预警：{alarms} 条报警")
    return {"devices": len(devices) + len(rest), "readings": readings, "alarms": alarms}


def _cover_the_rest(
    showcase: list[Device], types: dict[str, SensorType], now: dt.datetime, rng: random.Random
) -> list[Device]:
    """One detector at most other units of the coverage scope (危化品 and 涉爆粉尘, where full coverage was due by
    the end of 2025): every `UNCOVERED_EVERY`-th unit still has none, so the figure is high but not 100 %."""
    have = {d.enterprise_id for d in showcase}
    rest = [e for e in queries.in_scope_enterprises().order_by("pk") if e.pk not in have]
    dust = with_descendants(set(Industry.objects.filter(code="INDTRADE-DUST").values_list("pk", flat=True)))
    added = []
    for i, e in enumerate(rest):
        if i % UNCOVERED_EVERY == 0:
            continue
        kind, name, place = (
            ("dust", "粉尘浓度检测仪", "除尘器入口")
            if e.primary_industry_id in dust
            else ("gas", "可燃气体探测器", "储存区")
        )
        added.append(
            services.add_device(
                actor=None,
                enterprise=e,
                code=f"{PREFIX[kind]}01",
                name=name,
                sensor_type=types[kind],
                location=place,
                interval_seconds=REST_INTERVAL,
            )
        )
    return added


def _history(
    devices: list[Device],
    types: dict[str, SensorType],
    start: dt.datetime,
    now: dt.datetime,
    rng: random.Random,
    *,
    with_offline: bool = True,
) -> int:
    """Readings from `start` to about now; with `with_offline`, the last device (a gas alarm at a gas shop) fell
    silent two hours ago."""
    total = 0
    offline_pk = devices[-1].pk if with_offline and devices else None
    for d in devices:
        t = d.sensor_type
        phase = rng.random() * math.tau
        end = (
            now - dt.timedelta(hours=2)
            if d.pk == offline_pk
            else now - dt.timedelta(seconds=rng.randint(5, d.interval_seconds))
        )
        count = int((end - start).total_seconds() // d.interval_seconds)
        rows = []
        for i in range(count):
            ts = start + dt.timedelta(seconds=i * d.interval_seconds)
            rows.append((d.pk, ts.timestamp(), int(ts.timestamp() * 1000), _value(t, i, phase, rng)))
        storage.insert_readings(rows)
        storage.upsert_aggregates(ingest._aggregates(rows))
        last = rows[-1]
        Device.objects.unrestricted("demo").filter(pk=d.pk).update(
            last_seq=last[2],
            last_reading_at=dt.datetime.fromtimestamp(last[1], dt.UTC),
            last_value=last[3],
            status=DeviceStatus.OFFLINE if d.pk == offline_pk else DeviceStatus.ONLINE,
        )
        total += len(rows)
    return total


def _back(alarm: Alarm, started: dt.datetime, **stamps: dt.datetime) -> None:
    """Date the alarm and its history to when it happened."""
    Alarm.objects.unrestricted("demo").filter(pk=alarm.pk).update(started_at=started, **stamps)
    steps = {"raise": started, "ack": stamps.get("acknowledged_at"), "clear": stamps.get("cleared_at")}
    for action, at in steps.items():
        if at is not None:
            AlarmTransition.objects.filter(alarm=alarm, action=action).update(at=at)


def _alarms(devices: list[Device], now: dt.datetime, rng: random.Random) -> int:
    used: set[int] = {devices[-1].pk}  # the offline one

    def take(code: str, hazchem: bool = False) -> Device:
        """The first unused device of the type (at a 危化 unit if asked), else any unused one."""
        pool = [d for d in devices if d.pk not in used]
        for d in pool:
            if d.sensor_type.code == code and (
                not hazchem or d.enterprise.primary_industry.code.startswith("HAZCHEM")
            ):
                break
        else:
            d = next((x for x in pool if x.sensor_type.code == code), pool[0])
        used.add(d.pk)
        return d

    if len(devices) < 8:  # seven alarms on seven devices, and the offline one
        return 0
    n = 0

    def person(d: Device) -> Any:
        """The unit's own account, else its supervising department's or the township's staff, else the office."""
        users = users_of_enterprise(d.enterprise_id) or services.government_users(d.enterprise, office=True)
        return users[0] if users else None

    def raise_at(d: Device, level: str, value: float, minutes_ago: int) -> Alarm:
        nonlocal n
        at = now - dt.timedelta(minutes=minutes_ago)
        limit = {"yellow": d.yellow, "orange": d.orange, "red": d.red}[level]
        a = services.raise_alarm(
            d, kind=AlarmKind.THRESHOLD, level=level, at=at, value=value, threshold=limit
        )
        n += 1
        return a

    with transaction.atomic():
        # 待确认, 红色, past its time: escalated with an on-site check task.
        d = take("gas", hazchem=True)
        a = raise_at(d, Level.RED, 78.0, 40)
        _back(a, now - dt.timedelta(minutes=40))
        Alarm.objects.unrestricted("demo").filter(pk=a.pk).update(ack_due=now - dt.timedelta(minutes=35))
        services.escalate_overdue(now=now)
        # 待确认, 黄色, still in time.
        a = raise_at(take("toxic"), Level.YELLOW, 12.5, 3)
        # 已确认 and 处置中.
        a = raise_at(take("dust"), Level.ORANGE, 16.2, 90)
        services.acknowledge(a, actor=person(a.device), note="已通知除尘岗位排查")
        _back(a, now - dt.timedelta(minutes=90), acknowledged_at=now - dt.timedelta(minutes=84))
        a = raise_at(take("temperature"), Level.YELLOW, 63.5, 150)
        services.acknowledge(a, actor=person(a.device))
        services.handle(a, actor=person(a.device), note="加大冷却水流量，安排专人盯守")
        _back(a, now - dt.timedelta(minutes=150), acknowledged_at=now - dt.timedelta(minutes=141))
        # 已消警: 误报, 设备故障, 真实险情已处置 (with its hazard).
        cleared = [
            (
                take("gas"),
                Level.YELLOW,
                27.0,
                ClearReason.FALSE_ALARM,
                "探头受油漆挥发影响，现场复测正常",
                1500,
            ),
            (take("pressure"), Level.ORANGE, 2.1, ClearReason.DEVICE_FAULT, "变送器零点漂移，已校准", 1900),
            (
                take("gas", hazchem=True),
                Level.ORANGE,
                52.0,
                ClearReason.REAL_DANGER,
                "装卸软管接头泄漏，已更换并复测",
                2300,
            ),
        ]
        for dev, level, value, reason, note, ago in cleared:
            a = raise_at(dev, level, value, ago)
            who = person(dev)
            services.acknowledge(a, actor=who)
            if reason == ClearReason.REAL_DANGER:
                services.confirm_danger(a, actor=who, title=f"{dev.location}可燃气体泄漏", level="general")
            a.refresh_from_db()
            services.clear(a, actor=who, reason=reason, note=note)
            started = now - dt.timedelta(minutes=ago)
            _back(
                a,
                started,
                acknowledged_at=started + dt.timedelta(minutes=rng.randint(2, 12)),
                cleared_at=started + dt.timedelta(minutes=rng.randint(40, 120)),
            )
        # 离线: the last device stopped two hours ago.
        off = devices[-1]
        a = services.raise_alarm(
            off, kind=AlarmKind.OFFLINE, level=Level.BLUE, at=now - dt.timedelta(minutes=110)
        )
        n += 1
    return n


__all__ = ["seed_monitoring"]
