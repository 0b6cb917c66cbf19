"""The MQTT consumer (`manage.py monitoring_consume`): subscribes to `zhiben/+/+/readings` with QoS 1 on a
persistent session (fixed client id, clean_start off, a session expiry), so readings published while it is down
are delivered when it is back. Messages are acknowledged (PUBACK) only after their batch is committed: a
consumer killed mid-batch gets the unacknowledged ones again, and a reading stored but not yet acknowledged
comes back with a seq already seen, which is refused as a replay — never stored twice.

The subscriber's reader thread (`wire.Subscriber`) only queues messages; the main thread validates a batch (up
to `batch` messages or `interval` seconds after the first), writes it in one transaction and acknowledges the
whole batch in one write. A lost broker connection drops what was queued but not yet handled (the broker
redelivers it) and connects again, waiting 1 s, 2 s, … up to 30 s between tries. A database error ends the
process (non-zero): `scripts/supervise.sh` starts it again and the broker redelivers."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import deque
from typing import Any

from django.db import close_old_connections, connection

from . import mqtt, storage, wire
from .ingest import Ingestor

log = logging.getLogger(__name__)


class Consumer:
    def __init__(
        self,
        broker: mqtt.Broker,
        *,
        client_id: str = mqtt.CLIENT_ID,
        batch: int = 5000,
        interval: float = 0.1,
        reload_every: float = 60.0,
        stdout: Any = None,
    ) -> None:
        self.broker = broker
        self.client_id = client_id
        self.batch = batch
        self.interval = interval
        self.reload_every = reload_every
        self.queue: deque[tuple[str, bytes, int, int]] = deque()
        self.arrived = threading.Event()
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self.stored = 0
        self.refused = 0
        self.reconnects = 0
        self.stdout = stdout
        self.client: Any = None
        self.first_at = 0.0  # perf_counter of the first message and of the last commit (the bench's rate)
        self.last_flush_at = 0.0

    # --- the subscriber's reader thread ------------------------------------------------------------------------

    def _on_message(self, topic: str, payload: bytes, mid: int, qos: int) -> None:
        if not self.first_at:
            self.first_at = time.perf_counter()
        self.queue.append((topic, payload, mid, qos))
        if not self.arrived.is_set():
            self.arrived.set()

    # --- connection --------------------------------------------------------------------------------------------

    def _connect(self) -> None:
        client = mqtt.subscriber(self.broker, self.client_id, persistent=True)
        client.on_message = self._on_message
        client.connect()
        client.start()
        client.subscribe(mqtt.TOPIC_FILTER, qos=1)
        self.client = client
        self.connected.set()

    def _reconnect(self) -> None:
        """After a lost connection: forget the unacknowledged queue (it comes again) and connect, backing off."""
        log.warning("monitoring: broker connection lost (%s); reconnecting", self.client.error)
        self.reconnects += 1
        self.connected.clear()
        self.client.close()
        self.queue.clear()
        wait = 1.0
        while not self.stopping.is_set():
            try:
                self._connect()
                return
            except (OSError, wire.ProtocolError) as exc:
                log.warning(
                    "monitoring: broker %s unavailable (%s); retrying in %.0f s", self.broker, exc, wait
                )
                self.stopping.wait(wait)
                wait = min(wait * 2, 30.0)

    def close(self) -> None:
        """Disconnect (the persistent session stays on the broker)."""
        if self.client is not None:
            self.client.close()

    # --- main loop ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        storage.ensure_partitions()
        self.ingestor = Ingestor(reload_unknown=True)
        self._connect()

    def stop(self, *_: Any) -> None:
        self.stopping.set()
        self.arrived.set()

    def run(
        self, *, idle_exit: float | None = None, max_messages: int | None = None, on_ready: Any = None
    ) -> None:
        """Consume until stopped (SIGTERM/SIGINT), or `idle_exit` seconds without a message, or
        `max_messages` handled (tests, the bench). `on_ready()` is called once subscribed."""
        self.start()
        if on_ready is not None:
            on_ready()  # subscribed: _connect waited for the SUBACK
        last_reload = last_message = time.monotonic()
        handled = 0
        try:
            while not self.stopping.is_set():
                if self.client.closed.is_set():
                    self._reconnect()
                    continue
                self.client.ping_if_idle()
                if not self.queue:
                    self.arrived.wait(0.5)
                    self.arrived.clear()
                    # Idle counts from the first message (a test's publisher may take a while to start).
                    idle = time.monotonic() - last_message
                    if idle_exit is not None and (self.first_at or idle > 60) and idle > idle_exit:
                        break
                    continue
                deadline = time.monotonic() + self.interval
                while (
                    len(self.queue) < self.batch
                    and time.monotonic() < deadline
                    and not self.stopping.is_set()
                ):
                    time.sleep(0.005)
                handled += self._drain()
                last_message = time.monotonic()
                if max_messages is not None and handled >= max_messages:
                    break
                if last_message - last_reload > self.reload_every:
                    self.ingestor.flush()
                    self.ingestor.load()
                    last_reload = last_message
            handled += self._drain()
        finally:
            self.close()

    def _drain(self) -> int:
        """Validate, store and acknowledge what is queued (one batch at a time)."""
        total = 0
        while self.queue:
            taken = []
            while self.queue and len(taken) < self.batch:
                taken.append(self.queue.popleft())
            for topic, payload, _mid, _qos in taken:
                if self.ingestor.handle(topic, payload) is not None:
                    self.refused += 1
            if not connection.in_atomic_block:  # a long-lived process: drop a broken or stale connection
                close_old_connections()  # (never one inside a caller's transaction, e.g. a test's)
            self.stored += self.ingestor.flush()
            self.last_flush_at = time.perf_counter()
            try:
                self.client.ack([mid for _t, _p, mid, qos in taken if qos > 0])
            except OSError as exc:  # stored already: the redelivered copies are refused as replays
                self.client.error = f"确认失败：{exc}"
                self.client.closed.set()
                return total + len(taken)
            total += len(taken)
        return total


def install_signals(consumer: Consumer) -> None:
    signal.signal(signal.SIGTERM, consumer.stop)
    signal.signal(signal.SIGINT, consumer.stop)
