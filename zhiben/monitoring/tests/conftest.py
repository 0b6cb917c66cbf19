from __future__ import annotations

from typing import Any

import pytest

from zhiben.monitoring import services
from zhiben.monitoring.models import SensorType
from zhiben.monitoring.reference import load_sensor_types

SECRET = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def types(world: Any) -> dict[str, SensorType]:
    load_sensor_types()
    return {t.code: t for t in SensorType.objects.unrestricted("test")}


@pytest.fixture
def gas_device(world: Any, types: dict[str, SensorType]) -> Any:
    """A combustible-gas detector at the test world's chemical works (qiye2), 10-second interval, no delay."""
    device = services.add_device(
        actor=None,
        enterprise=world.enterprises["qiye2"],
        code="GT-101",
        name="可燃气体探测器",
        sensor_type=types["gas"],
        location="罐区1号储罐",
        interval_seconds=10,
        secret=SECRET,
    )
    device.delay_seconds = 0
    device.save(update_fields=["delay_seconds"])
    return device


@pytest.fixture
def live_device(gas_device: Any) -> Any:
    """The gas detector under a code of its own for tests on the shared broker: another test database (an xdist
    worker) subscribed at the same time refuses its messages as from an unknown device instead of storing them."""
    import uuid

    gas_device.code = f"GT-{uuid.uuid4().hex[:8]}"
    gas_device.save(update_fields=["code"])
    return gas_device
