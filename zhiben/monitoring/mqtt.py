"""The district broker: `ZHIBEN_MQTT_URL` (mqtt://user:password@host:port), Mosquitto on 127.0.0.1:1883 by
default; the readings topic filter; a client factory (paho-mqtt, MQTT 5)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from .wire import Subscriber

TOPIC_FILTER = "zhiben/+/+/readings"
DEFAULT_URL = "mqtt://127.0.0.1:1883"
CLIENT_ID = "zhiben-monitoring"
SESSION_EXPIRY = 7 * 86400  # the broker keeps the consumer's session (and queues its readings) for a week


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def broker(url: str | None = None) -> Broker:
    u = urlparse(url or os.environ.get("ZHIBEN_MQTT_URL") or DEFAULT_URL)
    return Broker(u.hostname or "127.0.0.1", u.port or 1883, u.username, u.password)


def answers(b: Broker, timeout: float = 1.0) -> bool:
    """Whether something listens on the broker's port."""
    try:
        with socket.create_connection((b.host, b.port), timeout=timeout):
            return True
    except OSError:
        return False


def client(b: Broker, client_id: str = "", *, persistent: bool = False, manual_ack: bool = False) -> Any:
    """A connected MQTT 5 client. `persistent`: clean_start off and a session expiry, so that QoS 1 messages
    published while the client is away wait for it; Receive Maximum 65535 so the broker keeps many in flight."""
    # paho is imported here: the web and the worker import this module (serve.sh's check) without needing it.
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes  # as above: only MQTT clients need paho
    from paho.mqtt.properties import Properties  # as above

    c = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv5,
        manual_ack=manual_ack,
    )
    if b.username:
        c.username_pw_set(b.username, b.password)
    c.max_inflight_messages_set(1000)
    c.max_queued_messages_set(0)
    props = Properties(PacketTypes.CONNECT)
    props.ReceiveMaximum = 65535
    if persistent:
        props.SessionExpiryInterval = SESSION_EXPIRY
    c.connect(b.host, b.port, keepalive=30, clean_start=not persistent, properties=props)
    return c


def subscriber(b: Broker, client_id: str, *, persistent: bool = False) -> Any:
    """The consumer's own MQTT 5 subscriber (`wire.Subscriber`, not yet connected): persistent = clean start off
    and a session expiry, so that QoS 1 messages published while it is away wait for it; Receive Maximum 65535
    so that the broker keeps a whole batch in flight while it is validated and stored before its PUBACKs."""

    return Subscriber(
        b.host,
        b.port,
        client_id,
        username=b.username,
        password=b.password,
        keepalive=30,
        clean_start=not persistent,
        session_expiry=SESSION_EXPIRY if persistent else 0,
        receive_maximum=65535,
    )


if (
    __name__ == "__main__"
):  # scripts/serve.sh: `python -m zhiben.monitoring.mqtt` — exit 0 when the broker answers
    import sys

    b = broker()
    print(b)
    sys.exit(0 if answers(b) else 1)
