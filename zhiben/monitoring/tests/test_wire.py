"""The consumer's MQTT 5 wire format (`wire.py`): packets cut correctly out of any split of the byte stream,
PUBLISH fields and properties read as the specification lays them out, bad input refused with ProtocolError
only; and, on the real broker, a consumer whose connection is taken away reconnects and loses nothing."""

from __future__ import annotations

import random
import struct
import threading
import time
import uuid
from typing import Any

import pytest

from zhiben.monitoring import mqtt, wire
from zhiben.monitoring.consumer import Consumer
from zhiben.monitoring.ingest import message, topic_of
from zhiben.monitoring.models import Reading

from .conftest import SECRET


def _publish_packet(topic: str, payload: bytes, mid: int, *, qos: int = 1, props: bytes = b"") -> bytes:
    body = struct.pack("!H", len(topic.encode())) + topic.encode()
    if qos:
        body += struct.pack("!H", mid)
    body += wire.varint(len(props)) + props + payload
    return bytes([wire.PUBLISH | (qos << 1)]) + wire.varint(len(body)) + body


@pytest.mark.parametrize(
    ("n", "encoded"),
    [(0, b"\x00"), (127, b"\x7f"), (128, b"\x80\x01"), (16_383, b"\xff\x7f"), (16_384, b"\x80\x80\x01")],
)
def test_remaining_length_encoding_matches_the_specification(n: int, encoded: bytes) -> None:
    assert wire.varint(n) == encoded  # MQTT 5.0 §1.5.5 examples
    assert wire._read_varint(encoded, 0) == (n, len(encoded))


def test_packets_are_cut_out_of_any_split_of_the_stream() -> None:
    big = b"x" * 300  # a remaining length of two bytes
    stream = b"".join(
        [
            _publish_packet("zhiben/a/b/readings", b'{"seq":1}', 7),
            bytes([wire.PINGRESP, 0]),
            _publish_packet(
                "zhiben/a/c/readings", big, 65535, props=b"\x01\x01"
            ),  # a payload-format property
            _publish_packet("zhiben/a/d/readings", b"q0", 0, qos=0),
        ]
    )
    rng = random.Random(5)
    for _ in range(200):
        buf = bytearray()
        got: list[tuple[int, bytes]] = []
        pos = 0
        while pos < len(stream):
            step = rng.randint(1, 40)
            buf += stream[pos : pos + step]
            pos += step
            packets, used = wire.parse(buf)
            del buf[:used]
            got.extend(packets)
        assert not buf
        assert [first & 0xF0 for first, _ in got] == [wire.PUBLISH, wire.PINGRESP, wire.PUBLISH, wire.PUBLISH]
        publishes = [wire.parse_publish(first, body) for first, body in got if first & 0xF0 == wire.PUBLISH]
        assert publishes == [
            ("zhiben/a/b/readings", b'{"seq":1}', 7, 1),
            ("zhiben/a/c/readings", big, 65535, 1),
            ("zhiben/a/d/readings", b"q0", 0, 0),
        ]


def test_acknowledgements_for_a_batch_are_one_write_of_four_bytes_each() -> None:
    assert (
        wire.puback_packets([1, 258, 65535])
        == b"\x40\x02\x00\x01" + b"\x40\x02\x01\x02" + b"\x40\x02\xff\xff"
    )


def test_connect_packet_carries_the_persistent_session() -> None:
    packet = wire.connect_packet(
        "zhiben-monitoring", keepalive=30, clean_start=False, session_expiry=604_800, receive_maximum=65535
    )
    packets, used = wire.parse(packet)
    assert used == len(packet) and packets[0][0] == wire.CONNECT
    body = packets[0][1]
    assert body[:7] == wire.PROTOCOL and body[7] & 0x02 == 0  # clean start off
    assert b"\x11" + struct.pack("!I", 604_800) in body and b"\x21\xff\xff" in body
    assert body.endswith(b"\x00\x11zhiben-monitoring")


def test_garbage_is_refused_with_a_protocol_error_and_nothing_else() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))
        try:
            for first, body in wire.parse(junk)[0]:
                if first & 0xF0 == wire.PUBLISH:
                    wire.parse_publish(first, body)
        except wire.ProtocolError:
            pass
    with pytest.raises(wire.ProtocolError):
        wire.parse(b"\x30\xff\xff\xff\xff\x01")  # a five-byte remaining length
    with pytest.raises(wire.ProtocolError):
        wire.parse_publish(0x36, b"\x00\x01a")  # QoS 3


BROKER = mqtt.broker()


@pytest.mark.skipif(
    not mqtt.answers(BROKER), reason=f"没有可连接的 MQTT 服务器（{BROKER}）：真实消息代理测试跳过"
)
def test_a_consumer_whose_connection_is_taken_reconnects_and_loses_nothing(live_device: Any) -> None:
    device = live_device
    client_id = f"zhiben-test-{uuid.uuid4().hex[:10]}"
    consumer = Consumer(BROKER, client_id=client_id, interval=0.05)
    pub = mqtt.client(BROKER, f"test-pub-{uuid.uuid4().hex[:8]}")
    pub.loop_start()

    def send(seqs: range) -> None:
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

    def scenario() -> None:
        send(range(0, 100))
        # Another connection with the consumer's client id takes the session over: the broker drops the
        # consumer's connection, and this one leaves with a normal DISCONNECT (the session stays).
        thief = mqtt.subscriber(BROKER, client_id, persistent=True)
        thief.connect()
        thief.close()
        send(range(100, 250))

    sender = threading.Thread(target=scenario)
    try:
        consumer.run(idle_exit=3, on_ready=sender.start)
        sender.join()
    finally:
        pub.loop_stop()
        pub.disconnect()
        mqtt.client(BROKER, client_id).disconnect()
    assert consumer.reconnects >= 1, "the broker did not take the connection away"
    seqs = list(Reading.objects.filter(device=device).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(0, 250)), "a reading was lost or stored twice across the reconnection"
