"""Ingestion: validation and rejections, readings stored with their aggregates, one alarm per excursion,
hysteresis, level upgrades, and a fuzz run of random payloads that never raises or stores."""

from __future__ import annotations

import json
import random
import time
from typing import Any

from zhiben.monitoring.choices import AlarmKind, AlarmStatus, DeviceStatus, RejectReason
from zhiben.monitoring.ingest import Ingestor, message, topic_of
from zhiben.monitoring.models import Aggregate, Alarm, Device, Reading, Rejection

from .conftest import SECRET


def _topic(device: Any) -> str:
    return topic_of(device.enterprise.uscc, device.code)


def test_valid_readings_are_stored_with_aggregates(gas_device: Any) -> None:
    ing = Ingestor()
    now = time.time()
    for seq in range(5):
        assert (
            ing.handle(_topic(gas_device), message(SECRET, "GT-101", now - 5 + seq, seq, {"gas": 2.0 + seq}))
            is None
        )
    assert ing.flush() == 5
    assert Reading.objects.filter(device=gas_device).count() == 5
    minutes = Aggregate.objects.filter(device=gas_device, kind="minute")
    assert sum(a.count for a in minutes) == 5 and min(a.vmin for a in minutes) == 2.0
    hour = Aggregate.objects.get(device=gas_device, kind="hour")
    assert hour.count == 5 and hour.vmax == 6.0 and hour.mean == 4.0
    device = Device.objects.unrestricted("test").get(pk=gas_device.pk)
    assert device.last_seq == 4 and device.last_value == 6.0 and device.status == DeviceStatus.ONLINE


def test_bad_messages_are_counted_per_device_and_never_stored(gas_device: Any) -> None:
    ing = Ingestor()
    t = _topic(gas_device)
    now = time.time()
    good = message(SECRET, "GT-101", now, 10, {"gas": 1.0})
    assert ing.handle(t, good) is None
    forged = json.loads(message("wrong-secret", "GT-101", now, 11, {"gas": 1.0}))
    assert ing.handle(t, json.dumps(forged).encode()) == RejectReason.BAD_MAC
    assert ing.handle(t, good) == RejectReason.REPLAY  # the same seq again
    assert ing.handle(t, b"{not json") == RejectReason.MALFORMED
    assert ing.handle(t, message(SECRET, "GT-101", now, 12, {"gas": 140.0})) == RejectReason.OUT_OF_RANGE
    assert ing.handle(t, message(SECRET, "GT-101", now + 3600, 13, {"gas": 1.0})) == RejectReason.BAD_TIME
    assert ing.handle(topic_of(gas_device.enterprise.uscc, "NOPE"), good) == RejectReason.UNKNOWN_DEVICE
    # A message signed for another device does not verify on this one.
    assert ing.handle(t, message(SECRET, "GT-102", now, 14, {"gas": 1.0})) == RejectReason.BAD_MAC
    ing.flush()
    assert Reading.objects.filter(device=gas_device).count() == 1
    counts = {
        (r.device_code, r.reason): r.count
        for r in Rejection.objects.unrestricted("test").filter(enterprise=gas_device.enterprise)
    }
    assert counts == {
        ("GT-101", RejectReason.BAD_MAC): 2,
        ("GT-101", RejectReason.REPLAY): 1,
        ("GT-101", RejectReason.MALFORMED): 1,
        ("GT-101", RejectReason.OUT_OF_RANGE): 1,
        ("GT-101", RejectReason.BAD_TIME): 1,
        ("NOPE", RejectReason.UNKNOWN_DEVICE): 1,
    }


def test_an_excursion_opens_one_alarm_that_rises_in_level(gas_device: Any) -> None:
    ing = Ingestor()
    t = _topic(gas_device)
    now = time.time() - 100
    values = [5, 30, 31, 33, 55, 40, 2, 1]  # yellow, still, still, orange, back below, normal (hysteresis 3)
    for i, v in enumerate(values):
        ing.handle(t, message(SECRET, "GT-101", now + i, i, {"gas": float(v)}))
        ing.flush()  # a flush per reading: the worst case for de-duplication
    alarms = Alarm.objects.unrestricted("test").filter(device=gas_device)
    assert alarms.count() == 1
    alarm = alarms.get()
    assert alarm.kind == AlarmKind.THRESHOLD and alarm.status == AlarmStatus.RAISED
    assert alarm.level == "orange" and alarm.peak == 55.0 and alarm.value == 30.0
    assert alarm.readings == 5 and alarm.normal_since is not None
    # A new excursion while the alarm is still open (not 消警) joins it.
    ing.handle(t, message(SECRET, "GT-101", now + 20, 20, {"gas": 26.0}))
    ing.flush()
    alarm.refresh_from_db()
    assert alarms.count() == 1 and alarm.readings == 6 and alarm.normal_since is None


def test_the_delay_holds_back_a_short_spike(gas_device: Any) -> None:
    gas_device.delay_seconds = 5
    gas_device.save(update_fields=["delay_seconds"])
    ing = Ingestor()
    t = _topic(gas_device)
    now = time.time() - 100
    for i, v in enumerate([30, 1, 30, 31, 32]):  # spike, normal, then 30 → 32 over 2 s: under the 5 s delay
        ing.handle(t, message(SECRET, "GT-101", now + i, i, {"gas": float(v)}))
    ing.flush()
    assert not Alarm.objects.unrestricted("test").filter(device=gas_device).exists()
    ing.handle(t, message(SECRET, "GT-101", now + 8, 8, {"gas": 30.0}))  # 6 s after the excursion began
    ing.flush()
    assert Alarm.objects.unrestricted("test").filter(device=gas_device).count() == 1


def test_fuzz_random_payloads_never_raise_and_never_store(gas_device: Any) -> None:
    rng = random.Random(17)
    ing = Ingestor()
    t = _topic(gas_device)
    pieces: list[Any] = [None, True, 1, -1, 1e308, float("nan"), "x", [], {}, {"gas": "1"}, "00", 2**70]
    for _ in range(2000):
        kind = rng.random()
        if kind < 0.3:
            payload: bytes = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 60)))
        elif kind < 0.6:
            obj = {
                k: rng.choice(pieces)
                for k in rng.sample(["ts", "seq", "values", "mac", "extra"], rng.randint(0, 5))
            }
            payload = json.dumps(obj, allow_nan=True).encode()
        elif kind < 0.8:
            payload = json.dumps(rng.choice(pieces), allow_nan=True).encode()
        else:
            payload = json.dumps(
                {"ts": time.time(), "seq": rng.randint(0, 10), "values": {"gas": 1.0}, "mac": "ab" * 32}
            ).encode()
        topic = (
            t
            if rng.random() < 0.8
            else rng.choice(["zhiben", "zhiben/x/y/readings", "a/b/c/d", "", "zhiben//GT-101/readings"])
        )
        assert ing.handle(topic, payload) is not None
    ing.flush()
    assert not Reading.objects.filter(device=gas_device).exists()
    assert Rejection.objects.unrestricted("test").filter(enterprise=gas_device.enterprise).exists()
