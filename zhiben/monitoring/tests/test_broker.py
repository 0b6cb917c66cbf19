"""The real broker (Mosquitto on ZHIBEN_MQTT_URL or 127.0.0.1:1883): published readings are stored; a consumer
that dies after committing a batch but before acknowledging it, and stays away while more is published, loses
nothing and stores nothing twice when it comes back (persistent session, QoS 1, seq replay check).

Skipped, saying so, only when no broker answers."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from zhiben.monitoring import mqtt
from zhiben.monitoring.choices import RejectReason
from zhiben.monitoring.consumer import Consumer
from zhiben.monitoring.ingest import message, topic_of
from zhiben.monitoring.models import Reading, Rejection

from .conftest import SECRET

BROKER = mqtt.broker()
pytestmark = pytest.mark.skipif(
    not mqtt.answers(BROKER), reason=f"没有可连接的 MQTT 服务器（{BROKER}）：真实消息代理测试跳过"
)


def _publish(device: Any, seqs: range) -> None:
    pub = mqtt.client(BROKER, f"test-pub-{uuid.uuid4().hex[:8]}")
    pub.loop_start()
    now = time.time()
    infos = [
        pub.publish(
            topic_of(device.enterprise.uscc, device.code),
            message(SECRET, device.code, now - 1, s, {"gas": 3.0}),
            qos=1,
        )
        for s in seqs
    ]
    for info in infos:
        info.wait_for_publish(5)
    pub.loop_stop()
    pub.disconnect()


class Crash(Exception):
    pass


class DiesBeforeAck(Consumer):
    """Commits its first batch, then dies before any PUBACK (as kill -9 between commit and ack would)."""

    def _drain(self) -> int:
        taken = []
        while self.queue:
            taken.append(self.queue.popleft())
        for topic, payload, _mid, _qos in taken:
            self.ingestor.handle(topic, payload)
        self.stored += self.ingestor.flush()
        raise Crash


def _forget_session(client_id: str) -> None:
    c = mqtt.client(BROKER, client_id)  # clean start, no expiry: the broker drops the session
    c.disconnect()


def test_readings_survive_a_consumer_dying_before_its_ack(live_device: Any) -> None:
    gas_device = live_device
    client_id = f"zhiben-test-{uuid.uuid4().hex[:10]}"
    try:
        first = Consumer(BROKER, client_id=client_id, interval=0.05)
        first.start()  # returns once subscribed
        assert first.connected.is_set(), "consumer did not connect"
        first.close()  # the persistent session stays on the broker

        _publish(gas_device, range(0, 200))  # while no consumer is connected
        dying = DiesBeforeAck(BROKER, client_id=client_id, interval=0.5, batch=100_000)
        with pytest.raises(Crash):
            dying.run(idle_exit=5)
        assert dying.stored > 0
        stored_before_crash = Reading.objects.filter(device=gas_device).count()
        assert stored_before_crash == dying.stored

        _publish(gas_device, range(200, 500))  # while it is dead
        back = Consumer(BROKER, client_id=client_id, interval=0.05)
        back.run(idle_exit=2)
        seqs = list(Reading.objects.filter(device=gas_device).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(0, 500)), "a reading was lost or stored twice"
        # What the dead consumer had committed but not acknowledged came back and was refused as a replay.
        replays = Rejection.objects.unrestricted("test").filter(device=gas_device, reason=RejectReason.REPLAY)
        assert sum(r.count for r in replays) == stored_before_crash
    finally:
        _forget_session(client_id)
