"""Ingestion: one message → validated → buffered → flushed in batches (readings, aggregates, device state,
rejection counters and alarms in one transaction).

A message is the topic `zhiben/<uscc>/<device code>/readings` and the JSON payload
`{"ts": <Unix seconds>, "seq": <int>, "values": {"<sensor type code>": <number>}, "mac": "<hex>"}`.
`mac` is HMAC-SM3 under the device's secret over the canonical text `canonical(code, ts, seq, values)`:
`{"device":…,"seq":…,"ts":…,"values":{…}}` with sorted keys, no spaces, UTF-8 (`sign` below). `seq` must
grow per device (a replay or a duplicate is refused). Refused messages — malformed, unknown device, bad MAC,
replayed seq, a time more than 5 minutes ahead or older than 7 days, a value outside the sensor's physical
range — are counted per device and reason (`Rejection`) and never stored; `handle` never raises on input.

Thresholds are evaluated as readings arrive: a value beyond the device's 一级/二级/红色 level for its delay opens
an alarm (or raises the open one's level: one alarm per device and kind while not 消警); back inside by the
hysteresis marks the alarm 恢复正常 (people still 消警 it)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhiben.core.crypto import constant_time_equal, hmac_sm3
from zhiben.registry.models import Enterprise

from . import services, storage
from .choices import AggregateKind, AlarmKind, AlarmStatus, DeviceStatus, Direction, Level, RejectReason
from .models import Alarm, Device, Rejection
from .signing import canonical, message, sign, topic_of  # noqa: F401 - re-exported for callers

log = logging.getLogger(__name__)

FUTURE = 300.0  # seconds a device clock may run ahead
PAST = 7 * 86400.0  # oldest reading accepted (a gateway's backlog after an outage)
MAX_PAYLOAD = 4096


@dataclass
class DeviceState:
    id: int
    enterprise_id: int
    code: str
    key: bytes
    last_seq: int
    type_code: str
    pmin: float
    pmax: float
    yellow: float
    orange: float
    red: float
    high: bool
    hysteresis: float
    delay: float
    status: str
    active: bool = True
    excursion_since: float | None = None
    alarm_id: int | None = None
    alarm_level: str | None = None
    alarm_normal: bool = False
    dirty: bool = False
    last_ts: float = 0.0
    last_value: float = 0.0

    def level_of(self, v: float) -> tuple[str, float] | None:
        if self.high:
            if v >= self.red:
                return Level.RED, self.red
            if v >= self.orange:
                return Level.ORANGE, self.orange
            if v >= self.yellow:
                return Level.YELLOW, self.yellow
            return None
        if v <= self.red:
            return Level.RED, self.red
        if v <= self.orange:
            return Level.ORANGE, self.orange
        if v <= self.yellow:
            return Level.YELLOW, self.yellow
        return None

    def back_to_normal(self, v: float) -> bool:
        return v < self.yellow - self.hysteresis if self.high else v > self.yellow + self.hysteresis


@dataclass
class Batch:
    readings: list[tuple[int, float, int, float]] = field(default_factory=list)  # ts: Unix seconds
    rejections: dict[tuple[int, str, str], list[Any]] = field(
        default_factory=dict
    )  # (ent, code, reason) → [n, detail, device]
    alarms: dict[int, tuple[str, float, float, float]] = field(
        default_factory=dict
    )  # device → (level, value, threshold, ts)
    normal: dict[int, float] = field(default_factory=dict)  # device → ts back to normal
    unattributed: int = 0


class Ingestor:
    """Validates messages against the registered devices and writes them in batches. `devices` limits which
    devices exist for this ingestor (the gateway API: the caller's scope)."""

    def __init__(self, devices: Any = None, *, clock: Any = time.time, reload_unknown: bool = False) -> None:
        self.clock = clock
        # The consumer: a device registered after the start is looked up again (at most every 10 s).
        self.reload_unknown = reload_unknown
        self.loaded_at = 0.0
        self._devices_qs = devices
        self.devices: dict[tuple[str, str], DeviceState] = {}
        self.by_id: dict[int, DeviceState] = {}
        self.enterprises: dict[str, int] = {}
        self.batch = Batch()
        self.accepted = 0
        self.rejected: dict[str, int] = defaultdict(int)
        self.load()

    # --- state -------------------------------------------------------------------------------------------

    def load(self) -> None:
        self.loaded_at = time.monotonic()
        qs = self._devices_qs
        if qs is None:
            qs = Device.objects.unrestricted("ingestion: every registered device")
        qs = qs.select_related(
            "sensor_type", "enterprise"
        )  # 停用 devices too: refused as such, not as unknown
        self.devices.clear()
        self.by_id.clear()
        for d in qs:
            t = d.sensor_type
            state = DeviceState(
                id=d.pk,
                enterprise_id=d.enterprise_id,
                code=d.code,
                key=d.secret.encode(),  # decrypted on read (EncryptedTextField)
                last_seq=d.last_seq,
                type_code=t.code,
                pmin=t.physical_min,
                pmax=t.physical_max,
                yellow=d.yellow,
                orange=d.orange,
                red=d.red,
                high=t.direction == Direction.HIGH,
                hysteresis=d.hysteresis,
                delay=float(d.delay_seconds),
                status=d.status,
                active=d.active,
                excursion_since=d.excursion_since.timestamp() if d.excursion_since else None,
            )
            uscc = d.enterprise.uscc or ""
            self.devices[(uscc, d.code)] = state
            self.by_id[d.pk] = state
            self.enterprises[uscc] = d.enterprise_id
        for ent_id, uscc in self._enterprise_codes():
            self.enterprises.setdefault(uscc, ent_id)
        open_alarms = (
            Alarm.objects.unrestricted("ingestion")
            .filter(device_id__in=list(self.by_id), kind=AlarmKind.THRESHOLD)
            .exclude(status=AlarmStatus.CLEARED)
        )
        for a in open_alarms.values("id", "device_id", "level", "normal_since"):
            s = self.by_id[a["device_id"]]
            s.alarm_id, s.alarm_level, s.alarm_normal = a["id"], a["level"], a["normal_since"] is not None

    def _enterprise_codes(self) -> list[tuple[int, str]]:
        if self._devices_qs is not None:
            return []  # a scoped ingestor knows only its devices' enterprises
        return list(
            Enterprise.objects.unrestricted("ingestion: attributing rejections")
            .exclude(uscc=None)
            .values_list("pk", "uscc")
        )

    # --- one message ---------------------------------------------------------------------------------------

    def _reject(
        self, reason: str, uscc: str, code: str, detail: str, state: DeviceState | None = None
    ) -> str:
        self.rejected[reason] += 1
        ent = state.enterprise_id if state else self.enterprises.get(uscc)
        if ent is None:
            self.batch.unattributed += 1
            return reason
        key = (ent, code[:40], reason)
        entry = self.batch.rejections.get(key)
        if entry is None:
            self.batch.rejections[key] = [1, detail[:200], state.id if state else None]
        else:
            entry[0] += 1
            entry[1] = detail[:200]
        return reason

    def handle(self, topic: str, payload: bytes | str) -> str | None:
        """One message: None when accepted (buffered), else the rejection reason. Never raises on input."""
        try:
            return self._handle(topic, payload)
        except Exception as exc:
            log.warning("monitoring: message refused (%s)", exc)
            parts = topic.split("/") if isinstance(topic, str) else []
            uscc, code = (parts[1], parts[2]) if len(parts) == 4 else ("", "")
            return self._reject(RejectReason.MALFORMED, uscc, code, "报文无法解析")

    def _handle(self, topic: str, payload: bytes | str) -> str | None:
        parts = topic.split("/")
        if len(parts) != 4 or parts[0] != "zhiben" or parts[3] != "readings":
            return self._reject(RejectReason.MALFORMED, "", "", "主题格式错误")
        uscc, code = parts[1], parts[2]
        state = self.devices.get((uscc, code))
        if state is None and self.reload_unknown and time.monotonic() - self.loaded_at > 10:
            self.flush()  # the buffered readings first: load() reads the device state back from the database
            self.load()
            state = self.devices.get((uscc, code))
        if state is None:
            return self._reject(RejectReason.UNKNOWN_DEVICE, uscc, code, "未登记的设备编号")
        if not state.active:
            return self._reject(RejectReason.DISABLED, uscc, code, "设备已停用，读数不入库", state)
        if len(payload) > MAX_PAYLOAD:
            return self._reject(RejectReason.MALFORMED, uscc, code, "报文过长", state)
        try:
            msg = json.loads(payload)
        except ValueError:
            return self._reject(RejectReason.MALFORMED, uscc, code, "不是有效的JSON", state)
        if not isinstance(msg, dict):
            return self._reject(RejectReason.MALFORMED, uscc, code, "报文不是JSON对象", state)
        ts, seq, values, mac = msg.get("ts"), msg.get("seq"), msg.get("values"), msg.get("mac")
        if (
            type(ts) not in (int, float)
            or type(seq) is not int
            or not isinstance(values, dict)
            or not isinstance(mac, str)
            or not math.isfinite(ts)
        ):
            return self._reject(RejectReason.MALFORMED, uscc, code, "缺少 ts、seq、values 或 mac", state)
        try:
            given = bytes.fromhex(mac)
        except ValueError:
            return self._reject(RejectReason.BAD_MAC, uscc, code, "签名不是十六进制", state)
        if not constant_time_equal(given, hmac_sm3(state.key, canonical(code, ts, seq, values))):
            return self._reject(RejectReason.BAD_MAC, uscc, code, "签名校验失败", state)
        if seq <= state.last_seq:
            return self._reject(
                RejectReason.REPLAY, uscc, code, f"序号 {seq} 不大于已接收的 {state.last_seq}", state
            )
        now = self.clock()
        if ts > now + FUTURE or ts < now - PAST:
            return self._reject(RejectReason.BAD_TIME, uscc, code, "时间戳超出允许范围", state)
        value = values.get(state.type_code)
        if type(value) not in (int, float) or not math.isfinite(value):
            return self._reject(RejectReason.MALFORMED, uscc, code, f"缺少读数 {state.type_code[:20]}", state)
        if not state.pmin <= value <= state.pmax:
            return self._reject(RejectReason.OUT_OF_RANGE, uscc, code, f"读数 {value:g} 超出量程", state)
        state.last_seq = seq
        self._accept(state, float(ts), seq, float(value))
        return None

    def _accept(self, state: DeviceState, ts: float, seq: int, value: float) -> None:
        self.accepted += 1
        self.batch.readings.append((state.id, ts, seq, value))
        if ts >= state.last_ts:
            state.last_ts, state.last_value = ts, value
        state.dirty = True
        hit = state.level_of(value)
        if hit is not None:
            if state.excursion_since is None:
                state.excursion_since = ts
            if ts - state.excursion_since >= state.delay:
                level, limit = hit
                prev = self.batch.alarms.get(state.id)
                if prev is None or _rank(level) >= _rank(prev[0]):
                    self.batch.alarms[state.id] = (level, value, limit, ts)
                self.batch.normal.pop(state.id, None)
        elif state.back_to_normal(value):
            state.excursion_since = None
            if state.alarm_id is not None and not state.alarm_normal:
                self.batch.normal[state.id] = ts

    # --- flush ---------------------------------------------------------------------------------------------

    def flush(self) -> int:
        """Write the buffered batch in one transaction; returns the readings written."""
        batch, self.batch = self.batch, Batch()
        dirty = [s for s in self.by_id.values() if s.dirty]
        if not batch.readings and not batch.rejections and not dirty:
            return 0
        try:
            with transaction.atomic():
                storage.insert_readings(batch.readings)
                storage.upsert_aggregates(_aggregates(batch.readings))
                self._write_devices(dirty)
                self._write_rejections(batch)
                self._write_alarms(batch)
        except Exception:
            self.load()  # the database holds the truth again (seq, open alarms)
            raise
        for s in dirty:
            s.dirty = False
        return len(batch.readings)

    def _write_devices(self, dirty: list[DeviceState]) -> None:
        if not dirty:
            return
        now = timezone.now()
        rows = [
            (
                s.last_seq,
                now,
                dt.datetime.fromtimestamp(s.last_ts, dt.UTC),
                s.last_value,
                dt.datetime.fromtimestamp(s.excursion_since, dt.UTC) if s.excursion_since else None,
                s.id,
            )
            for s in dirty
        ]
        storage.update_devices(rows)
        back = [s for s in dirty if s.status != DeviceStatus.ONLINE]
        for s in back:
            if s.status == DeviceStatus.OFFLINE:
                services.recover(s.id, now)
            else:
                Device.objects.unrestricted("ingestion").filter(pk=s.id).update(status=DeviceStatus.ONLINE)
            s.status = DeviceStatus.ONLINE

    def _write_rejections(self, batch: Batch) -> None:
        now = timezone.now()
        for (ent, code, reason), (n, detail, device_id) in batch.rejections.items():
            qs = Rejection.objects.unrestricted("ingestion").filter(
                enterprise_id=ent, device_code=code, reason=reason
            )
            if not qs.update(count=F("count") + n, last_at=now, last_detail=detail):
                Rejection.objects.create(
                    enterprise_id=ent,
                    device_id=device_id,
                    device_code=code,
                    reason=reason,
                    count=n,
                    last_at=now,
                    last_detail=detail,
                )
        if batch.unattributed:
            log.warning("monitoring: %d messages from unknown units refused", batch.unattributed)

    def _write_alarms(self, batch: Batch) -> None:
        for device_id, (level, value, limit, ts) in batch.alarms.items():
            state = self.by_id[device_id]
            if (
                state.alarm_id is not None
                and _rank(level) <= _rank(state.alarm_level or "")
                and state.alarm_normal is False
            ):
                # Open already at this level or worse: count the reading and keep the peak.
                alarm = (
                    Alarm.objects.unrestricted("ingestion")
                    .select_related("device__sensor_type")
                    .get(pk=state.alarm_id)
                )
                if alarm.status == AlarmStatus.CLEARED:
                    state.alarm_id = None
                else:
                    services.update_alarm(alarm, level=level, value=value, threshold=limit)
                    continue
            device = (
                Device.objects.unrestricted("ingestion")
                .select_related("enterprise__region", "enterprise__primary_industry", "sensor_type")
                .get(pk=device_id)
            )
            alarm = services.raise_alarm(
                device,
                kind=AlarmKind.THRESHOLD,
                level=level,
                at=dt.datetime.fromtimestamp(ts, dt.UTC),
                value=value,
                threshold=limit,
            )
            state.alarm_id, state.alarm_level, state.alarm_normal = alarm.pk, alarm.level, False
        for device_id, ts in batch.normal.items():
            state = self.by_id[device_id]
            if state.alarm_id is not None:
                services.mark_normal(state.alarm_id, dt.datetime.fromtimestamp(ts, dt.UTC))
                state.alarm_normal = True

    def forget_alarm(self, alarm_id: int) -> None:
        for s in self.by_id.values():
            if s.alarm_id == alarm_id:
                s.alarm_id, s.alarm_level, s.alarm_normal = None, None, False


def _rank(level: str) -> int:
    return {"blue": 1, "yellow": 2, "orange": 3, "red": 4}.get(level, 0)


def _aggregates(readings: list[tuple[int, float, int, float]]) -> list[tuple[Any, ...]]:
    buckets: dict[tuple[int, str, int], list[float]] = {}
    for device_id, ts, _seq, value in readings:
        epoch = int(ts)
        for kind, size in ((AggregateKind.MINUTE, 60), (AggregateKind.HOUR, 3600)):
            key = (device_id, kind, epoch - epoch % size)
            b = buckets.get(key)
            if b is None:
                buckets[key] = [1, value, value, value]
            else:
                b[0] += 1
                if value < b[1]:
                    b[1] = value
                if value > b[2]:
                    b[2] = value
                b[3] += value
    return [
        (device_id, str(kind), dt.datetime.fromtimestamp(start, dt.UTC), int(b[0]), b[1], b[2], b[3])
        for (device_id, kind, start), b in buckets.items()
    ]
