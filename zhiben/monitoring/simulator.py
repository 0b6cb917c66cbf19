"""A demo simulator (`zhiben simulate-sensors`): every active device publishes signed readings at its interval,
values wandering inside its type's normal range, with occasional excursions beyond the alarm levels (a gas
leak building up and dying away) and outages (a device silent for a few of its windows, so 离线 shows)."""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from typing import Any

from . import mqtt
from .ingest import message, topic_of
from .models import Device


@dataclass
class Sim:
    uscc: str
    code: str
    secret: str
    type_code: str
    low: float
    high: float
    yellow: float
    orange: float
    pmin: float
    pmax: float
    interval: float
    next_at: float = 0.0
    excursion: int = 0  # readings left in the current excursion
    silent_until: float = 0.0
    phase: float = field(default_factory=lambda: random.random() * math.tau)

    def value(self, now: float, rng: random.Random) -> float:
        mid, span = (self.low + self.high) / 2, (self.high - self.low) / 2
        v = mid + span * 0.6 * math.sin(now / 600 + self.phase) + rng.uniform(-span, span) * 0.3
        if self.excursion:
            self.excursion -= 1
            peak = self.orange + (self.orange - self.yellow) * 0.3
            v = self.yellow + (peak - self.yellow) * math.sin(math.pi * (self.excursion + 1) / 12)
        return round(min(max(v, self.pmin), self.pmax), 3)


def load() -> list[Sim]:
    sims = []
    devices = (
        Device.objects.unrestricted("simulator: every active device")
        .filter(active=True)
        .select_related("enterprise", "sensor_type")
    )
    for d in devices:
        t = d.sensor_type
        sims.append(
            Sim(
                d.enterprise.uscc or "",
                d.code,
                d.secret,
                t.code,
                t.normal_low,
                t.normal_high,
                d.yellow,
                d.orange,
                t.physical_min,
                t.physical_max,
                float(d.interval_seconds),
            )
        )
    return sims


def run(
    broker: mqtt.Broker,
    *,
    speed: float = 1.0,
    duration: float | None = None,
    excursion_rate: float = 0.002,
    outage_rate: float = 0.0005,
    seed: int | None = None,
    stdout: Any = None,
) -> int:
    """Publish until `duration` seconds have passed (None: until interrupted); returns the readings sent."""
    rng = random.Random(seed)
    sims = load()
    client = mqtt.client(broker, f"zhiben-simulator-{rng.randrange(1 << 30)}")
    client.loop_start()
    start = time.time()
    for s in sims:
        s.next_at = start + rng.uniform(0, s.interval / speed)
    sent = 0
    try:
        while duration is None or time.time() - start < duration:
            now = time.time()
            due = [s for s in sims if s.next_at <= now]
            for s in due:
                s.next_at = now + s.interval / speed
                if now < s.silent_until:
                    continue
                if rng.random() < outage_rate:
                    s.silent_until = now + s.interval * 5 / speed
                    continue
                if not s.excursion and rng.random() < excursion_rate:
                    s.excursion = 12
                seq = time.time_ns() // 1000  # microseconds: grows across restarts of the simulator
                ts = round(now, 3)
                values = {s.type_code: s.value(now, rng)}
                client.publish(topic_of(s.uscc, s.code), message(s.secret, s.code, ts, seq, values), qos=1)
                sent += 1
            nxt = min((s.next_at for s in sims), default=now + 1)
            time.sleep(max(0.0, min(1.0, nxt - time.time())))
    except KeyboardInterrupt:
        pass
    finally:
        client.loop_stop()
        client.disconnect()
    return sent
