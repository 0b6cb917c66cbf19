"""Done when: with Mosquitto running, `zhiben simulate-sensors` readings appear on the enterprise's live panel —
the simulator publishes, the consumer stores, and the panel shows the latest value with its sparkline in
Chromium at 390 px without sideways scrolling. Skipped, saying so, without a broker or Chromium."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.template.defaultfilters import floatformat

from zhiben.monitoring import mqtt, simulator
from zhiben.monitoring.consumer import Consumer
from zhiben.monitoring.ingest import Ingestor, message, topic_of
from zhiben.monitoring.models import Device, Reading
from zhiben.registry.tests.test_browser import CHROMIUM, CHROMIUM_ARGS

from .conftest import SECRET

BROKER = mqtt.broker()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.skipif(
        not mqtt.answers(BROKER), reason=f"没有可连接的 MQTT 服务器（{BROKER}）：真实消息代理测试跳过"
    ),
]


def test_simulated_readings_appear_on_the_panel_at_390px(
    live_server: Any, world: Any, live_device: Any
) -> None:
    gas_device = live_device
    code = gas_device.code
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    # Half an hour of history (the sparkline), as a gateway back-filling would send it.
    ing = Ingestor()
    now = time.time()
    for i in range(30):
        ing.handle(
            topic_of(gas_device.enterprise.uscc, code),
            message(SECRET, code, now - 1800 + i * 60, i, {"gas": 2.0 + i % 5}),
        )
    ing.flush()
    before = Reading.objects.filter(device=gas_device).count()

    client_id = f"zhiben-test-{uuid.uuid4().hex[:10]}"
    consumer = Consumer(BROKER, client_id=client_id, interval=0.05)
    sent: list[int] = []

    def simulate() -> None:
        try:
            sent.append(simulator.run(BROKER, speed=50, duration=2.0, seed=3))
        finally:
            # simulator.load() read the devices on this thread's own connection. Left open, it outlives the
            # thread until a garbage collection happens to free it, and on PostgreSQL the test database then
            # cannot be dropped at teardown ("is being accessed by other users").
            connections.close_all()

    sim = threading.Thread(target=simulate)
    try:
        consumer.run(idle_exit=2, on_ready=sim.start)
        sim.join()
    finally:
        mqtt.client(BROKER, client_id).disconnect()
    stored = Reading.objects.filter(device=gas_device).count() - before
    assert sent and sent[0] > 0 and stored == sent[0]
    latest = Device.objects.unrestricted("test").get(pk=gas_device.pk).last_value
    shown = floatformat(latest, "-2")  # as the panel shows it (a half rounds up there, unlike f"{:.2f}")

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", "qiye2")
            page.fill("input[name=password]", settings.DEMO_PASSWORD)
            page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
            page.wait_for_url(f"{live_server.url}/")
            page.goto(f"{live_server.url}/monitoring/")
            card = page.locator(f"[data-testid=device-card][data-device={code}]")
            card.wait_for()
            assert shown in card.locator("[data-testid=latest]").inner_text()
            assert card.locator("[data-testid=sparkline]").count() == 1
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the panel scrolls sideways at 390 px ({width} px)"
            page.goto(f"{live_server.url}/monitoring/devices/{gas_device.pk}/?range=6h")
            page.locator("[data-testid=history-chart] canvas").wait_for()
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        finally:
            context.close()
            browser.close()
