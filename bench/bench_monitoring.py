"""监测预警 ingestion (issue 17): readings per second from MQTT through validation (HMAC-SM3, seq, range),
threshold evaluation and storage, against the broker's raw rate measured in the same run by a plain subscriber
counting the same messages; alarm latency (publish → alarm row) under that load; and no reading lost or stored
twice across a consumer killed with SIGKILL mid-stream and started again.

The run starts its own Mosquitto (bench/mosquitto.conf: no limit on the queue of an absent client) on a free
port when `mosquitto` is installed, else uses ZHIBEN_MQTT_URL / 127.0.0.1:1883. The publisher runs in its own
process (so it does not share the consumer's interpreter), signing each message as a device would.

    bench/run.py monitoring --db postgres            # via the runner (seeds the demo first)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_monitoring_bench .venv/bin/python -m bench.bench_monitoring
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from .common import percentile

DATABASES = ("postgres",)
ROOT = Path(__file__).resolve().parent.parent
DEVICES = 200
MESSAGES = 60_000
RESTART_MESSAGES = 20_000
EXCURSION_EVERY = (
    250  # in the latency phase, one message in 250 is an excursion (4 alarms a second at 1,000/s)
)
LATENCY_RATE = 1_000  # messages per second in the latency phase (a district's devices report far less)
LATENCY_MESSAGES = 20_000
TARGET_RATE = 20_000
TARGET_RATIO = 0.5
TARGET_P95_MS = 1000.0
USCC = "91430671MA4LBENCH1"  # replaced by a valid code at setup


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_broker() -> tuple[Any, str]:
    """(process or None, url)."""
    if shutil.which("mosquitto") is None:
        return None, os.environ.get("ZHIBEN_MQTT_URL", "mqtt://127.0.0.1:1883")
    port = _free_port()
    conf = Path(tempfile.mkdtemp()) / "mosquitto.conf"
    conf.write_text((ROOT / "bench" / "mosquitto.conf").read_text() + f"\nlistener {port} 127.0.0.1\n")
    proc = subprocess.Popen(  # noqa: S603 - the broker binary found above, our own config
        [shutil.which("mosquitto") or "mosquitto", "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, f"mqtt://127.0.0.1:{port}"


# --- the publisher (its own process) -----------------------------------------------------------------------


def _publisher(
    url: str,
    devices: list[tuple[str, str, str]],
    count: int,
    seq0: int,
    excursions: bool,
    rate: float,
    ready: Any,
) -> None:
    """Signs every message first (a device signs its own; not the broker's or the consumer's work), then publishes
    them as fast as the broker takes them, or at `rate` per second. An excursion's `ts` is its publish time."""
    from zhiben.monitoring import mqtt
    from zhiben.monitoring.signing import message, topic_of

    b = mqtt.broker(url)
    c = mqtt.client(b, f"bench-pub-{uuid.uuid4().hex[:8]}")
    c.loop_start()
    n = len(devices)
    plan: list[tuple[str, bytes | None, tuple[str, str, int]]] = []
    excursion_next = 0
    now = round(time.time(), 3)
    for k in range(count):
        uscc, code, secret = devices[k % n]
        if excursions and k % EXCURSION_EVERY == EXCURSION_EVERY - 1 and excursion_next < n:
            uscc, code, secret = devices[excursion_next]
            excursion_next += 1
            plan.append((topic_of(uscc, code), None, (secret, code, seq0 + count)))  # signed when sent
            continue
        payload = message(secret, code, now, seq0 + k // n, {"gas": 2.0 + (k % 7) * 0.1})
        plan.append((topic_of(uscc, code), payload, ("", "", 0)))
    ready.wait()
    infos = []
    start = time.perf_counter()
    for i, (topic, payload, late) in enumerate(plan):
        if payload is None:
            secret, code, seq = late
            payload = message(secret, code, round(time.time(), 3), seq, {"gas": 60.0})
        infos.append(c.publish(topic, payload, qos=1))
        if rate:
            ahead = start + (i + 1) / rate - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
    for info in infos:
        info.wait_for_publish(120)
    c.loop_stop()
    c.disconnect()


def publish(
    url: str,
    devices: list[tuple[str, str, str]],
    count: int,
    seq0: int,
    *,
    excursions: bool = False,
    rate: float = 0,
) -> tuple[Any, Any]:
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    p = ctx.Process(target=_publisher, args=(url, devices, count, seq0, excursions, rate, ready))
    p.start()
    return p, ready


# --- phases ------------------------------------------------------------------------------------------------


def _open_session(url: str, client_id: str) -> None:
    """Subscribe once on a persistent session and leave: the broker queues what is published meanwhile."""
    from zhiben.monitoring import mqtt

    sub = mqtt.subscriber(mqtt.broker(url), client_id, persistent=True)
    sub.connect()
    sub.start()
    sub.subscribe(mqtt.TOPIC_FILTER, qos=1)
    sub.close()


def raw_rate(url: str, devices: list[tuple[str, str, str]], count: int, *, backlog: bool = False) -> float:
    """A plain subscriber counting the same kind of stream: the consumer's own MQTT client (`wire.Subscriber`),
    QoS 1 on a persistent session, acknowledging every 5,000 messages as the consumer does, no other work.
    `backlog`: the messages wait on the broker first (published while it was away), then it drains them."""
    import threading

    from zhiben.monitoring import mqtt

    client_id = f"bench-raw-{uuid.uuid4().hex[:8]}"
    got = 0
    first = last = 0.0
    mids: list[int] = []
    done = threading.Event()
    sub: Any = None

    def on_message(topic: str, payload: bytes, mid: int, qos: int) -> None:
        nonlocal got, first, last
        if got == 0:
            first = time.perf_counter()
        got += 1
        last = time.perf_counter()
        mids.append(mid)
        if len(mids) >= 5000 or got >= count:
            sub.ack(mids[:])
            mids.clear()
        if got >= count:
            done.set()

    _open_session(url, client_id)
    if backlog:
        p, ready = publish(url, devices, count, 10_000_000)
        ready.set()
        p.join()
    sub = mqtt.subscriber(mqtt.broker(url), client_id, persistent=True)
    sub.on_message = on_message
    sub.connect()
    sub.start()
    if not backlog:
        p, ready = publish(url, devices, count, 10_000_000)
        ready.set()
    done.wait(300)
    p.join()
    sub.close()
    _forget(url, client_id)
    return got / (last - first) if last > first else float("nan")


def pipeline(
    url: str,
    devices: list[tuple[str, str, str]],
    count: int,
    seq0: int,
    *,
    excursions: bool = False,
    rate: float = 0,
    backlog: bool = False,
) -> tuple[float, int]:
    """The consumer (this process) against the publisher: readings stored per second from its first message to
    its last commit. `backlog`: everything is published while it is away, then it drains the broker's queue."""
    from zhiben.monitoring import mqtt
    from zhiben.monitoring.consumer import Consumer

    client_id = f"bench-consumer-{uuid.uuid4().hex[:8]}"
    consumer = Consumer(mqtt.broker(url), client_id=client_id, batch=5000, interval=0.1)
    if backlog:
        _open_session(url, client_id)
        p, ready = publish(url, devices, count, seq0)
        ready.set()
        p.join()
        consumer.run(idle_exit=5)
    else:
        p, ready = publish(url, devices, count, seq0, excursions=excursions, rate=rate)
        consumer.run(idle_exit=15, on_ready=ready.set)  # a loaded machine pauses the publisher
        p.join()
    _forget(url, client_id)
    elapsed = consumer.last_flush_at - consumer.first_at
    return consumer.stored / elapsed if elapsed > 0 else float("nan"), consumer.stored


def _forget(url: str, client_id: str) -> None:
    from zhiben.monitoring import mqtt

    mqtt.client(mqtt.broker(url), client_id).disconnect()


def restart(url: str, devices: list[tuple[str, str, str]], count: int, seq0: int) -> tuple[int, int, int]:
    """A consumer process killed with SIGKILL while the stream runs, started again: (published, stored rows of
    the phase, distinct (device, seq) among them)."""
    from django.db import connection

    client_id = f"bench-restart-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "ZHIBEN_MQTT_URL": url}
    cmd = [sys.executable, str(ROOT / "manage.py"), "monitoring_consume", "--client-id", client_id]
    first = subprocess.Popen([*cmd, "--idle-exit", "30"], env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
    _wait_subscribed(first)
    p, ready = publish(url, devices, count, seq0)
    ready.set()
    time.sleep(1.0)
    first.send_signal(signal.SIGKILL)
    first.wait()
    time.sleep(2.0)  # down while the publisher goes on
    second = subprocess.Popen([*cmd, "--idle-exit", "15"], env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
    _wait_subscribed(second)
    p.join()
    second.wait(600)
    _forget(url, client_id)
    ids = list(_device_ids())
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*), COUNT(DISTINCT (device_id, seq)) FROM monitoring_reading WHERE device_id = ANY(%s) "
            "AND seq >= %s AND seq < %s",
            [ids, seq0, seq0 + count],
        )
        rows, distinct = cur.fetchone()
    return count, int(rows), int(distinct)


def _wait_subscribed(proc: Any) -> None:
    """Until the consumer process says it has subscribed (Django's start-up takes a few seconds)."""
    for line in proc.stdout:
        if "已订阅" in line:
            return
    raise RuntimeError("the consumer exited before subscribing")


_IDS: list[int] = []


def _device_ids() -> list[int]:
    return _IDS


# --- setup -------------------------------------------------------------------------------------------------


def setup() -> list[tuple[str, str, str]]:
    from zhiben.core.codes import make_uscc
    from zhiben.monitoring import services, storage
    from zhiben.monitoring.models import Alarm, Device, SensorType
    from zhiben.monitoring.reference import load_sensor_types
    from zhiben.registry.models import Enterprise, Industry, Region
    from zhiben.registry.reference import load_reference_data
    from zhiben.registry.services import create_enterprise

    load_reference_data()
    load_sensor_types()
    storage.ensure_partitions()
    uscc = make_uscc("9", "1", "430671", "MA4LBNCH")
    enterprise = Enterprise.objects.unrestricted("bench").filter(uscc=uscc).first()
    if enterprise is None:
        region = (
            Region.objects.filter(level=4).order_by("code").first()
            or Region.objects.order_by("-level").first()
        )
        industry = Industry.objects.get(code="HAZCHEM-PROD")
        enterprise = create_enterprise(
            actor=None,
            uscc=uscc,
            name="监测基准测试化工有限公司",
            region=region,
            primary_industry=industry,
            industries=[industry],
        )
    gas = SensorType.objects.unrestricted("bench").get(code="gas")
    devices = Device.objects.unrestricted("bench").filter(enterprise=enterprise)
    Alarm.objects.unrestricted("bench").filter(enterprise=enterprise).delete()
    if devices.count() < DEVICES:
        for i in range(devices.count(), DEVICES):
            services.add_device(
                actor=None,
                enterprise=enterprise,
                code=f"B{i:04d}",
                name="可燃气体探测器",
                sensor_type=gas,
                location=f"基准区{i}",
                interval_seconds=10,
                secret=f"bench-secret-{i:04d}",
            )
    from django.db import connection

    ids = list(devices.values_list("pk", flat=True))
    _IDS[:] = ids
    with connection.cursor() as cur:
        cur.execute("DELETE FROM monitoring_reading WHERE device_id = ANY(%s)", [ids])
        cur.execute("DELETE FROM monitoring_aggregate WHERE device_id = ANY(%s)", [ids])
        cur.execute("DELETE FROM monitoring_rejection WHERE enterprise_id = %s", [enterprise.pk])
    devices.update(last_seq=-1, delay_seconds=0, excursion_since=None, status="new")
    return [(uscc, d.code, d.secret) for d in devices.order_by("code")]


def run(*, db: str = "postgres") -> None:
    from zhiben.monitoring.models import Alarm

    broker, url = start_broker()
    try:
        devices = setup()
        print(
            f"\n## monitoring (MQTT → validation → thresholds → storage; {len(devices)} devices, {db}, broker {url})"
        )
        raw = raw_rate(url, devices, MESSAGES)
        print(
            f"a) live, plain subscriber       {raw:>10,.0f} msg/s  ({MESSAGES:,} QoS 1 messages as published)"
        )
        rate, stored = pipeline(url, devices, MESSAGES, 0)
        ratio = rate / raw if raw else float("nan")
        print(
            f"b) live, consumer                {rate:>10,.0f} readings/s ({stored:,} stored) | ratio {ratio:4.2f} of a) "
            f"(≥ {TARGET_RATIO}; both bounded by the one publishing process)"
        )
        raw_drain = raw_rate(url, devices, MESSAGES, backlog=True)
        print(
            f"c) backlog, plain subscriber    {raw_drain:>10,.0f} msg/s  ({MESSAGES:,} queued on the broker first)"
        )
        drain, stored = pipeline(url, devices, MESSAGES, 50_000, backlog=True)
        ratio = drain / raw_drain if raw_drain else float("nan")
        ok = "OK" if drain >= TARGET_RATE else "UNDER TARGET"
        print(
            f"d) backlog, consumer             {drain:>10,.0f} readings/s ({stored:,} stored) | ratio {ratio:4.2f} of c) | "
            f"goal ≥ {TARGET_RATE:,}/s {ok}"
        )
        _, stored = pipeline(url, devices, LATENCY_MESSAGES, 100_000, excursions=True, rate=LATENCY_RATE)
        latencies = [
            (a.created_at - a.started_at).total_seconds() * 1000
            for a in Alarm.objects.unrestricted("bench").filter(device_id__in=_IDS, kind="threshold")
        ]
        p95 = percentile(latencies, 0.95)
        verdict = "OK" if p95 < TARGET_P95_MS else "OVER TARGET"
        print(
            f"e) alarm latency publish → row  p50 {percentile(latencies, 0.5):7.0f} ms  p95 {p95:7.0f} ms  "
            f"({len(latencies)} alarms among {stored:,} readings at {LATENCY_RATE:,}/s; < {TARGET_P95_MS:.0f} ms) {verdict}"
        )
        published, rows, distinct = restart(url, devices, RESTART_MESSAGES, 1_000_000)
        verdict = "OK" if published == rows == distinct else "LOST OR DUPLICATED"
        print(
            f"f) consumer killed (SIGKILL) and restarted mid-stream: published {published:,}, stored {rows:,}, "
            f"distinct {distinct:,} {verdict}"
        )
    finally:
        if broker is not None:
            broker.terminate()
            broker.wait()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhiben.settings")
    # Jobs queued, not run inline: the consumer hands its notices to the worker as in production (bench/run.py
    # sets immediate jobs for every benchmark, which makes each alarm's notices part of its latency).
    os.environ.pop("ZHIBEN_JOBS_IMMEDIATE", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    run(db="postgres" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite")
