"""Device management: the edit page (thresholds, interval, risk point, 停用) with its version check and audit row;
a disabled device refused and counted, never called 离线; 重置密钥 shown once, stored encrypted, audited without
the secret, the old secret refused afterwards by the ingestion; every rejection reason on the device page for
the enterprise and the department."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from zhiben.core.models.audit import AuditEntry
from zhiben.core.testing import login
from zhiben.monitoring import events, services
from zhiben.monitoring.choices import AlarmKind, DeviceStatus, RejectReason
from zhiben.monitoring.ingest import Ingestor, message, topic_of
from zhiben.monitoring.models import Alarm, Device, Reading

from .conftest import SECRET

FORM = {
    "name": "1号罐可燃气体探测器",
    "location": "罐区1号储罐北侧",
    "risk_point": "",
    "risk_point_ref": "",
    "interval_seconds": "30",
    "yellow": "10",
    "orange": "20",
    "red": "40",
    "hysteresis": "2",
    "delay_seconds": "0",
}


def _send(device: Any, secret: str, seq: int, value: float = 3.0) -> str | None:
    ing = Ingestor()
    reason = ing.handle(
        topic_of(device.enterprise.uscc, device.code),
        message(secret, device.code, time.time(), seq, {"gas": value}),
    )
    ing.flush()
    return reason


def _fresh(device: Any) -> Device:
    return Device.objects.unrestricted("test").get(pk=device.pk)


def test_edit_with_version_check_audit_and_disable(client: Any, world: Any, gas_device: Any) -> None:
    url = reverse("monitoring:device_edit", args=[gas_device.pk])
    login(client, world.qiye1)  # another unit
    assert client.get(url).status_code == 404
    login(client, world.qiye2)
    page = client.get(url).content.decode()
    assert 'name="yellow"' in page and 'name="active"' in page and "可燃气体探测器" in page
    assert 'href="' + url in client.get(gas_device.get_absolute_url()).content.decode()

    # Bad input: field errors in Chinese, nothing written.
    bad = client.post(url, {**FORM, "yellow": "50", "interval_seconds": "0", "version": gas_device.version})
    text = bad.content.decode()
    assert bad.status_code == 400 and "逐级递进" in text and "interval_seconds" in text
    assert _fresh(gas_device).name == "可燃气体探测器"

    # 停用 together with new thresholds and interval (the active box left unticked).
    r = client.post(url, {**FORM, "version": gas_device.version})
    assert r.status_code == 302, r.content.decode()
    device = _fresh(gas_device)
    assert (device.name, device.interval_seconds, device.yellow, device.red, device.active) == (
        "1号罐可燃气体探测器",
        30,
        10.0,
        40.0,
        False,
    )
    assert device.version == gas_device.version + 1
    entry = AuditEntry.objects.filter(
        event=events.DEVICE_CHANGED, object_type="monitoring.device", object_id=str(device.pk)
    ).get()
    assert entry.actor_id == world.qiye2.pk
    assert {"name", "interval_seconds", "yellow", "red", "active"} <= set(entry.data)

    # Someone else's page, opened before that save: 409 with the Chinese notice, nothing overwritten.
    stale = client.post(url, {**FORM, "name": "旧页面的名称", "active": "on", "version": gas_device.version})
    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()
    assert _fresh(gas_device).name == "1号罐可燃气体探测器" and not _fresh(gas_device).active

    # A disabled device: its messages are refused and counted, never stored.
    assert _send(device, SECRET, 1) == RejectReason.DISABLED
    assert Reading.objects.filter(device=device).count() == 0
    login(client, world.yingji)  # the supervising department sees the refusals and the state
    detail = client.get(device.get_absolute_url()).content.decode()
    assert 'data-testid="disabled"' in detail and 'data-reason="disabled"' in detail and "已停用" in detail

    # ... and never goes 离线, though silent well past its window while other traffic flows.
    Device.objects.unrestricted("test").filter(pk=device.pk).update(
        status=DeviceStatus.ONLINE, last_seen_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert services.detect_offline()["offline"] == 0
    assert not Alarm.objects.unrestricted("test").filter(device=device, kind=AlarmKind.OFFLINE).exists()

    # Re-enabled (by the department, which may edit): 未上报 until it reports again; then accepted.
    r = client.post(
        reverse("monitoring:device_edit", args=[device.pk]),
        {**FORM, "active": "on", "version": _fresh(device).version},
    )
    assert r.status_code == 302
    device = _fresh(device)
    assert device.active and device.status == DeviceStatus.NEW
    assert services.detect_offline()["offline"] == 0
    assert _send(device, SECRET, 2) is None
    assert _fresh(device).status == DeviceStatus.ONLINE


def test_rotate_secret_shows_it_once_and_the_old_one_is_refused(
    client: Any, world: Any, gas_device: Any
) -> None:
    url = reverse("monitoring:device_secret", args=[gas_device.pk])
    assert _send(gas_device, SECRET, 1) is None

    # The department edits devices but does not hold the unit's keys: no button, 403 on the POST.
    login(client, world.yingji)
    assert 'data-testid="rotate"' not in client.get(gas_device.get_absolute_url()).content.decode()
    assert client.post(url, {"version": _fresh(gas_device).version}).status_code == 403
    login(client, world.qiye1)
    assert client.post(url, {}).status_code == 404

    login(client, world.qiye2)
    assert 'data-testid="rotate"' in client.get(gas_device.get_absolute_url()).content.decode()
    version = _fresh(gas_device).version
    r = client.post(url, {"version": version})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    device = _fresh(gas_device)
    new = device.secret
    assert new != SECRET and len(new) == 32 and f">{new}</code>" in r.content.decode()
    assert "不小于 2" in r.content.decode()  # seq continues past the last one accepted
    # Encrypted at rest.
    with connection.cursor() as cur:
        cur.execute("SELECT secret FROM monitoring_device WHERE id = %s", [device.pk])
        raw = cur.fetchone()[0]
    assert raw.startswith("sm4gcm:") and new not in raw
    # Audited, without the secret.
    entry = AuditEntry.objects.filter(event=events.DEVICE_SECRET_ROTATED, object_id=str(device.pk)).get()
    assert (
        entry.actor_id == world.qiye2.pk
        and new not in json.dumps(entry.data)
        and SECRET not in json.dumps(entry.data)
    )
    # The same page posted again (a reload): 409, the secret stays the one shown.
    again = client.post(url, {"version": version})
    assert again.status_code == 409 and _fresh(gas_device).secret == new
    # The device page never shows it again.
    assert new not in client.get(device.get_absolute_url()).content.decode()

    # The ingestion: the old secret is refused, the new one accepted.
    assert _send(device, SECRET, 2) == RejectReason.BAD_MAC
    assert _send(device, new, 3) is None
    assert list(Reading.objects.filter(device=device).values_list("seq", flat=True).order_by("seq")) == [1, 3]

    # The office may rotate too.
    assert services.may_rotate_secret(world.anweiban, device)


def test_every_rejection_reason_shows_on_the_device_page(
    client: Any, world: Any, gas_device: Any, types: Any
) -> None:
    t = topic_of(gas_device.enterprise.uscc, "GT-101")
    now = time.time()
    ing = Ingestor()
    assert ing.handle(t, message(SECRET, "GT-101", now, 5, {"gas": 1.0})) is None
    assert ing.handle(t, message("forged", "GT-101", now, 6, {"gas": 1.0})) == RejectReason.BAD_MAC
    assert ing.handle(t, message(SECRET, "GT-101", now, 5, {"gas": 1.0})) == RejectReason.REPLAY
    assert ing.handle(t, b"{oops") == RejectReason.MALFORMED
    assert ing.handle(t, message(SECRET, "GT-101", now, 7, {"gas": 999.0})) == RejectReason.OUT_OF_RANGE
    # A code not registered yet: counted under the unit; once registered, the device's page shows it too.
    ghost = topic_of(gas_device.enterprise.uscc, "GT-202")
    assert ing.handle(ghost, message(SECRET, "GT-202", now, 1, {"gas": 1.0})) == RejectReason.UNKNOWN_DEVICE
    ing.flush()
    later = services.add_device(
        actor=None,
        enterprise=gas_device.enterprise,
        code="GT-202",
        name="2号罐可燃气体探测器",
        sensor_type=types["gas"],
        location="罐区2号储罐",
    )
    for persona in ("qiye2", "yingji"):
        login(client, getattr(world, persona))
        page = client.get(gas_device.get_absolute_url()).content.decode()
        for reason in ("bad_mac", "replay", "malformed", "out_of_range"):
            assert f'data-reason="{reason}"' in page, (persona, reason)
        assert str(RejectReason.REPLAY.label) in page and "unknown_device" not in page
        other = client.get(later.get_absolute_url()).content.decode()
        assert 'data-reason="unknown_device"' in other and 'data-reason="bad_mac"' not in other
