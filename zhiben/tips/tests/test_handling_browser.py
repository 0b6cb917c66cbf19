"""The handlers' tip pages on a 390 px phone in Debian's Chromium: the list, a tip's page (the custodian's, with
the original; the department's, without), and the 受理 step page — none wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from zhiben.core.testing import login
from zhiben.core.tests.test_phone_width import PHONE, too_wide
from zhiben.registry.tests.test_browser import CHROMIUM, _shots_dir, browser_page  # noqa: F401 - fixture
from zhiben.tips.choices import Category
from zhiben.tips.services import handling as h
from zhiben.tips.testing import make_tip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
]


def test_the_tip_pages_fit_a_phone(live_server: Any, world: Any, browser_page: Any, tmp_path: Any) -> None:  # noqa: F811
    page = browser_page
    page.set_viewport_size(PHONE)
    shots = _shots_dir(tmp_path)
    fresh = make_tip(identity=True, unit_name="营田镇某无名加工作坊")
    tip = make_tip(
        identity=True, original_text="我是仓库保管员，" + "仓库里堆放了大量液化气瓶，消防通道被堵。" * 5
    )
    gas = world.enterprises["yt_gas"]
    h.accept(
        tip,
        actor=world.jubao,
        working_text="某燃气经营部仓库违规存放液化气瓶，消防通道堵塞。" * 3,
        category=Category.HAZARD,
        enterprise=gas,
        version=tip.version,
    )
    h.transfer(
        tip,
        actor=world.jubao,
        department=world.departments["housing"],
        township=world.regions["营田镇"],
        version=tip.version,
    )
    h.request_extension(tip, actor=world.zhujian, days=20, reason="需委托检测机构检测", version=tip.version)
    client = Client()
    name = settings.SESSION_COOKIE_NAME
    problems = []
    for persona, paths in (
        ("jubao", ["/tips/manage/", f"/tips/manage/{tip.pk}/", f"/tips/manage/{fresh.pk}/step/accept/", "/"]),
        (
            "zhujian",
            [
                "/tips/manage/?tab=verifying",
                f"/tips/manage/{tip.pk}/",
                f"/tips/manage/{tip.pk}/step/conclude/",
            ],
        ),
    ):
        login(client, world.users[persona])
        page.context.clear_cookies()
        page.context.add_cookies(
            [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
        )
        for i, path in enumerate(paths):
            if problem := too_wide(page, live_server.url, path):
                problems.append(f"{persona} {problem}")
            page.screenshot(path=str(shots / f"tips_{persona}_{i}.png"), full_page=True)
    assert problems == [], "\n".join(problems)
