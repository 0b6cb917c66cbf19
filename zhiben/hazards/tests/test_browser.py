"""End to end in Debian's Chromium: qiye1 registers and rectifies a 重大 hazard, 应急管理局 closes it, and the
statistics page's on-time figure moves.

Screenshots go to $ZHIBEN_SCREENSHOTS when set (e.g. /tmp/shots), otherwise to the test's tmp dir.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings

from zhiben.core.models import CalendarYear, OutboxMessage
from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard, HazardNotice
from zhiben.registry.tests.test_browser import CHROMIUM, _shots_dir
from zhiben.standards.models import Clause

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
]


def sign_in(page: Any, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(f"{url}/")


def step(page: Any, name: str, fill: dict[str, str] | None = None) -> None:
    """Click a step button on the hazard page, fill its form, submit, and land back on the hazard page."""
    page.locator(f"[data-step={name}]").click()
    page.wait_for_url(re.compile(rf".*/step/{name}/$"))
    for field, value in (fill or {}).items():
        page.fill(f"[name={field}]", value)
    page.locator("[data-testid=submit]").click()
    page.wait_for_url(re.compile(r".*/hazards/\d+/$"))


def closed_on_time(page: Any, url: str) -> int:
    page.goto(f"{url}/hazards/stats/")
    text = page.locator("[data-kpi=on_time_fraction]").inner_text()
    return int(re.search(r"按期销号\s*([\d,]+)", text).group(1).replace(",", ""))  # type: ignore[union-attr]


def test_enterprise_rectifies_department_closes_dashboard_moves(
    live_server: Any,
    world: Any,
    browser_page: Any,
    tmp_path: Any,
) -> None:
    # Deadlines of 60 working days reach into 2027: the office has published that year (as it must each year).
    CalendarYear.objects.get_or_create(
        year=2027, defaults={"source": "测试：2027年节假日安排（按周一至周五）"}
    )
    page, url, shots = browser_page, live_server.url, _shots_dir(tmp_path)

    sign_in(page, url, "yingji")
    before = closed_on_time(page, url)

    # qiye1 registers a 重大 hazard citing a 工贸 clause.
    sign_in(page, url, "qiye1")
    page.goto(f"{url}/hazards/new/")
    page.select_option("[name=level]", "major")
    # The clause picker is a search (the select stays, hidden, and posts the clause id).
    page.fill("[data-testid=clause-search]", "第七条")
    page.locator("[role=option]", has_text="第七条").first.click()
    assert "第七条" in page.locator("[data-testid=clause-chosen]").inner_text()
    page.fill("[name=title]", "喷漆房未设置可燃气体报警装置")
    page.fill("[name=location]", "涂装车间喷漆房")
    page.locator("[data-testid=submit]").click()
    page.wait_for_url(re.compile(r".*/hazards/\d+/$"))
    assert page.locator("[data-testid=status]").inner_text() == "待判定"
    hazard_url = page.url
    assert page.locator("[data-step=confirm]").count() == 0

    # 应急管理局 judges it (判定交办): the unit's 主要负责人 and 实际控制人 are told.
    sign_in(page, url, "yingji")
    page.goto(hazard_url)
    step(page, "confirm")
    assert page.locator("[data-testid=status]").inner_text() == "待制定方案"
    notices = page.locator("[data-testid=notices]").inner_text()
    assert "主要负责人" in notices and "实际控制人" in notices

    # qiye1 submits the plan (五落实), records progress, requests and passes its own acceptance.
    sign_in(page, url, "qiye1")
    page.goto(hazard_url)
    step(
        page,
        "plan",
        {
            "measures": "安装固定式可燃气体报警仪并与排风联锁",
            "responsible": "王厂长",
            "funds": "8.5",
            "contingency": "喷漆房火灾爆炸专项应急预案",
            "interim_measures": "停用喷漆房，设置警戒区",
        },
    )
    step(page, "progress", {"content": "报警仪安装完成并联锁调试", "percent": "100"})
    assert "报警仪安装完成" in page.locator("[data-testid=ledger]").inner_text()
    step(page, "request_acceptance")
    step(page, "self_accept")
    assert page.locator("[data-testid=status]").inner_text() == "待销号"
    assert page.locator("[data-step=close]").count() == 0  # the unit never closes a 重大 hazard
    page.screenshot(path=str(shots / "hazard_awaiting_closure.png"), full_page=True)

    # 应急管理局 closes it; the on-time figure on the statistics page goes up by one.
    sign_in(page, url, "yingji")
    page.goto(hazard_url)
    step(page, "close", {"note": "现场核查，报警联锁有效"})
    assert page.locator("[data-testid=status]").inner_text() == "已销号"
    page.screenshot(path=str(shots / "hazard_closed.png"), full_page=True)
    assert closed_on_time(page, url) == before + 1
    page.screenshot(path=str(shots / "hazard_stats_after.png"), full_page=True)

    h = Hazard.objects.get(title="喷漆房未设置可燃气体报警装置")
    assert h.status == Status.CLOSED and h.closed_by.username == "yingji"
    assert set(HazardNotice.objects.filter(hazard=h).values_list("recipient_kind", flat=True)) >= {
        "principal",
        "controller",
    }
    assert OutboxMessage.objects.filter(object_id=str(h.pk), channel="sms").count() == 2
    assert list(h.transitions.values_list("action", flat=True)) == [
        "register",
        "confirm",
        "plan",
        "progress",
        "request_acceptance",
        "self_accept",
        "close",
    ]


def test_the_clause_search_works_on_a_phone(
    live_server: Any, world: Any, browser_page: Any, tmp_path: Any
) -> None:
    """390 px wide: the unit's industry (机械) brings 工贸 first; picking one posts its id; the list fits."""
    page, url = browser_page, live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, url, "qiye1")
    page.goto(f"{url}/hazards/new/")
    assert page.locator("[name=clause]").is_hidden()

    page.fill("[data-testid=clause-search]", "粉尘")
    first = page.locator("[role=option]", has_text="粉尘").first
    first.wait_for()
    assert first.inner_text().startswith("工贸")
    box = page.locator(".zb-clause-list").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(_shots_dir(tmp_path) / "clause_search_phone.png"))
    first.click()

    chosen = page.locator("[name=clause]").input_value()
    assert chosen and Clause.objects.get(pk=int(chosen)).version.standard.code == "indtrade"
