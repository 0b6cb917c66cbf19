"""The shipped facts of 监测预警 (`data/sensor_types.json`): sensor types with units, physical ranges and default
thresholds, the acknowledgement times per level, the offline window and the retention. Unverified values are
shown as 待核实."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "sensor_types.json"


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def ack_window(level: str) -> dt.timedelta:
    return dt.timedelta(minutes=int(data()["ack_minutes"][level]))


def offline_intervals() -> int:
    return int(data()["offline_intervals"])


def retention() -> dict[str, Any]:
    return dict(data()["retention"])


def load_sensor_types() -> int:
    """Create or update the sensor types from the data file (idempotent); returns how many were written."""
    from .models import SensorType  # here: migration 0002 imports this module for `data()` alone

    shipped = data()
    n = 0
    for t in shipped["types"]:
        SensorType.objects.update_or_create(
            code=t["code"],
            defaults={
                "name": t["name"],
                "unit": t["unit"],
                "physical_min": t["min"],
                "physical_max": t["max"],
                "yellow": t["yellow"],
                "orange": t["orange"],
                "red": t["red"],
                "direction": t["direction"],
                "hysteresis": t["hysteresis"],
                "delay_seconds": t["delay"],
                "normal_low": t["normal"][0],
                "normal_high": t["normal"][1],
                "source": t.get("source", shipped["source"]),
                "verified": bool(t.get("verified", shipped["verified"])),
            },
        )
        n += 1
    return n
