"""The alarm lifecycle on the loop kit, the acknowledgement SLA with its check task, a confirmed danger
becoming a hazard linked both ways, offline detection raised once and cleared on the next reading, the pages
and API in scope (out of scope is 404), and the gateway endpoint."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from zhiben.core.errors import Conflict
from zhiben.core.models.audit import AuditEntry
from zhiben.core.models.outbox import OutboxMessage
from zhiben.core.testing import login
from zhiben.hazards.choices import Source
from zhiben.monitoring import services
from zhiben.monitoring.choices import AlarmKind, AlarmStatus, ClearReason, DeviceStatus, Level, TaskStatus
from zhiben.monitoring.ingest import Ingestor, message, topic_of
from zhiben.monitoring.models import Alarm, CheckTask, Device, Reading

from .conftest import SECRET


def _excursion(device: Any, value: float, seq: int = 1, at: float | None = None) -> Alarm:
    ing = Ingestor()
    ing.handle(
        topic_of(device.enterprise.uscc, device.code),
        message(SECRET, device.code, at or time.time(), seq, {"gas": value}),
    )
    ing.flush()
    return Alarm.objects.unrestricted("test").get(device=device, kind=AlarmKind.THRESHOLD)


def test_an_alarm_notifies_the_enterprise_department_and_township(world: Any, gas_device: Any) -> None:
    alarm = _excursion(gas_device, 80.0)
    assert alarm.level == Level.RED and alarm.status == AlarmStatus.RAISED
    told = set(
        OutboxMessage.objects.filter(topic="monitoring_alarm").values_list("recipient__username", flat=True)
    )
    assert {"qiye2", "heshi", "yingji"} <= told
    assert AuditEntry.objects.filter(event="MONITORING_ALARM_RAISED", object_id=str(alarm.pk)).exists()


def test_lifecycle_ack_handle_danger_clear_with_a_linked_hazard(
    client: Any, world: Any, gas_device: Any
) -> None:
    alarm = _excursion(gas_device, 55.0)
    with pytest.raises(Conflict):
        services.acknowledge(alarm, actor=world.qiye2, version=alarm.version + 5)
    services.acknowledge(alarm, actor=world.qiye2, note="已到现场", version=alarm.version)
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.ACKNOWLEDGED and alarm.acknowledged_by == world.qiye2
    with pytest.raises(ValidationError):  # a real danger is first registered as a hazard
        services.clear(alarm, actor=world.qiye2, reason=ClearReason.REAL_DANGER, note="已处置")
    services.confirm_danger(alarm, actor=world.qiye2, title="1号储罐法兰泄漏", level="general")
    alarm.refresh_from_db()
    hazard = alarm.hazard
    assert hazard is not None and hazard.source == Source.MONITORING and alarm.status == AlarmStatus.HANDLING
    services.clear(alarm, actor=world.qiye2, reason=ClearReason.REAL_DANGER, note="更换垫片，复测正常")
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED and alarm.clear_reason == ClearReason.REAL_DANGER
    assert [h.action for h in alarm.history.order_by("at", "pk")] == ["raise", "ack", "danger", "clear"]
    # Both ways: the hazard page shows the alarm, the alarm page the hazard.
    login(client, world.yingji)
    page = client.get(hazard.get_absolute_url()).content.decode()
    assert alarm.number in page and alarm.get_absolute_url() in page
    page = client.get(alarm.get_absolute_url()).content.decode()
    assert hazard.code in page and "真实险情已处置" in page


def test_steps_through_the_pages_and_the_api(client: Any, world: Any, gas_device: Any) -> None:
    alarm = _excursion(gas_device, 30.0)
    login(client, world.qiye2)
    page = client.get(alarm.get_absolute_url()).content.decode()
    assert 'data-step="ack"' in page
    url = reverse("monitoring:alarm_step", args=[alarm.pk, "ack"])
    assert client.post(url, {"note": "收到", "version": alarm.version}).status_code == 302
    api = f"/api/v1/monitoring/alarms/{alarm.pk}/clear/"
    alarm.refresh_from_db()
    bad = client.post(
        api, {"reason": "whatever", "note": "x", "version": alarm.version}, content_type="application/json"
    )
    assert bad.status_code == 400 and "reason" in bad.json().get("fields", bad.json())
    ok = client.post(
        api,
        {"reason": "false_alarm", "note": "标定漂移", "version": alarm.version},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    stale = client.post(
        api, {"reason": "false_alarm", "note": "x", "version": alarm.version}, content_type="application/json"
    )
    assert stale.status_code in (400, 409)


def test_out_of_scope_is_404_and_read_only_is_403(client: Any, world: Any, gas_device: Any) -> None:
    alarm = _excursion(gas_device, 30.0)
    login(client, world.qiye1)  # another enterprise
    assert client.get(alarm.get_absolute_url()).status_code == 404
    assert client.get(gas_device.get_absolute_url()).status_code == 404
    assert client.get(reverse("monitoring:panel", args=[gas_device.enterprise_id])).status_code == 404
    assert client.get(f"/api/v1/monitoring/alarms/{alarm.pk}/").status_code == 404
    login(client, world.lingdao)
    assert client.get(alarm.get_absolute_url()).status_code == 200
    assert client.get(reverse("monitoring:alarm_step", args=[alarm.pk, "ack"])).status_code == 403


def test_an_unacknowledged_red_alarm_escalates_once_and_creates_a_check_task(
    world: Any, gas_device: Any
) -> None:
    alarm = _excursion(gas_device, 90.0)
    assert services.escalate_overdue(now=timezone.now()) == {"escalated": 0, "tasks": 0}
    later = alarm.ack_due + dt.timedelta(minutes=1)
    assert services.escalate_overdue(now=later) == {"escalated": 1, "tasks": 1}
    assert services.escalate_overdue(now=later + dt.timedelta(minutes=5)) == {"escalated": 0, "tasks": 0}
    task = CheckTask.objects.unrestricted("test").get(alarm=alarm)
    assert task.status == TaskStatus.OPEN
    assert OutboxMessage.objects.filter(topic="monitoring_check", recipient=world.heshi).exists()
    services.complete_check(task, actor=world.heshi, result="现场复测 3%LEL，已通风", version=task.version)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_by == world.heshi


def test_a_yellow_alarm_escalates_without_a_check_task(world: Any, gas_device: Any) -> None:
    alarm = _excursion(gas_device, 30.0)
    assert services.escalate_overdue(now=alarm.ack_due + dt.timedelta(seconds=1)) == {
        "escalated": 1,
        "tasks": 0,
    }


def test_a_silent_device_goes_offline_once_and_recovers_on_its_next_reading(
    world: Any, gas_device: Any
) -> None:
    ing = Ingestor()
    t = topic_of(gas_device.enterprise.uscc, gas_device.code)
    ing.handle(t, message(SECRET, "GT-101", time.time(), 1, {"gas": 2.0}))
    ing.flush()
    device = Device.objects.unrestricted("test").get(pk=gas_device.pk)
    seen = device.last_seen_at
    assert services.detect_offline(now=seen + dt.timedelta(seconds=25)) == {"offline": 0, "skipped": 0}
    # Another device still reporting: the platform's link is up, so this silence is the device's.
    Device.objects.unrestricted("test").filter(pk=device.pk).update(
        last_seen_at=seen - dt.timedelta(seconds=40)
    )
    other = services.add_device(
        actor=None,
        enterprise=world.enterprises["qiye2"],
        code="GT-102",
        name="可燃气体探测器",
        sensor_type=device.sensor_type,
        location="罐区2号储罐",
        secret=SECRET,
    )
    Device.objects.unrestricted("test").filter(pk=other.pk).update(
        last_seen_at=seen, status=DeviceStatus.ONLINE
    )
    assert services.detect_offline(now=seen + dt.timedelta(seconds=5)) == {"offline": 1, "skipped": 0}
    assert services.detect_offline(now=seen + dt.timedelta(seconds=65)) == {
        "offline": 0,
        "skipped": 0,
    }  # once
    offline = Alarm.objects.unrestricted("test").get(device=device, kind=AlarmKind.OFFLINE)
    assert offline.level == Level.BLUE and offline.status == AlarmStatus.RAISED
    ing = Ingestor()
    ing.handle(t, message(SECRET, "GT-101", time.time(), 2, {"gas": 2.0}))
    ing.flush()
    offline.refresh_from_db()
    device.refresh_from_db()
    assert offline.status == AlarmStatus.CLEARED and offline.clear_reason == ClearReason.RECOVERED
    assert device.status == DeviceStatus.ONLINE


def test_offline_detection_waits_while_no_device_reports_at_all(world: Any, gas_device: Any) -> None:
    Device.objects.unrestricted("test").filter(pk=gas_device.pk).update(
        status=DeviceStatus.ONLINE, last_seen_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert services.detect_offline() == {"offline": 0, "skipped": 1}


def test_the_gateway_endpoint_stores_good_items_and_counts_bad_ones(
    client: Any, world: Any, gas_device: Any
) -> None:
    now = time.time()
    uscc = gas_device.enterprise.uscc
    import json

    good = json.loads(message(SECRET, "GT-101", now, 5, {"gas": 2.5}))
    forged = json.loads(message("nope", "GT-101", now, 6, {"gas": 2.5}))
    body = {
        "readings": [
            {"uscc": uscc, "device": "GT-101", **good},
            {"uscc": uscc, "device": "GT-101", **forged},
            {"x": 1},
        ]
    }
    login(client, world.qiye1)  # another enterprise's token: the device is unknown to it
    r = client.post("/api/v1/monitoring/readings/", body, content_type="application/json")
    assert r.status_code == 200 and r.json()["accepted"] == 0
    login(client, world.qiye2)
    r = client.post("/api/v1/monitoring/readings/", body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json() == {"accepted": 1, "rejected": 2, "results": [None, "bad_mac", "malformed"]}
    assert Reading.objects.filter(device=gas_device).count() == 1
    assert (
        client.post(
            "/api/v1/monitoring/readings/", {"readings": []}, content_type="application/json"
        ).status_code
        == 400
    )
    login(client, world.lingdao)
    assert (
        client.post("/api/v1/monitoring/readings/", body, content_type="application/json").status_code == 403
    )


def test_pages_render_for_the_enterprise_and_government(client: Any, world: Any, gas_device: Any) -> None:
    _excursion(gas_device, 30.0)
    login(client, world.qiye2)
    r = client.get(reverse("monitoring:home"))
    assert r.status_code == 302 and r["Location"] == reverse(
        "monitoring:panel", args=[gas_device.enterprise_id]
    )
    page = client.get(r["Location"]).content.decode()
    assert "可燃气体探测器" in page and "30" in page and "黄色" in page
    for persona in ("yingji", "heshi", "anweiban", "lingdao"):
        login(client, getattr(world, persona))
        for name in (
            "monitoring:home",
            "monitoring:device_list",
            "monitoring:alarm_list",
            "monitoring:task_list",
            "monitoring:figures",
        ):
            assert client.get(reverse(name)).status_code == 200, (persona, name)
        for rng in ("6h", "2d", "30d", "1y"):
            assert client.get(gas_device.get_absolute_url(), {"range": rng}).status_code == 200
    login(client, world.yingji)
    assert (
        "岳阳河市化工有限公司"
        in client.get(reverse("monitoring:alarm_list"), {"tab": "open"}).content.decode()
    )
    r = client.post(
        reverse("monitoring:device_create"),
        {
            "enterprise": gas_device.enterprise_id,
            "code": "bad code!",
            "name": "x",
            "sensor_type": gas_device.sensor_type_id,
            "location": "x",
            "interval_seconds": 60,
        },
    )
    assert r.status_code == 400 and "设备编号只能由字母" in r.content.decode()
