"""The 待办 workbench on the home page: each persona sees what waits for it in its own scope, every figure opens
a list of exactly its records, the navigation's badge is the page's total, and the page's queries are bounded."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhiben.core import workbench
from zhiben.core.testing import login
from zhiben.dashboard import figures as key_figures_module
from zhiben.dashboard.figures import KEY_INDICATORS
from zhiben.hazards import services
from zhiben.hazards.choices import Level

pytestmark = pytest.mark.django_db

HOME = reverse("dashboard:home")
TOWNSHIP_NAMES = {"tianwen": "天问街道", "yingtian": "营田镇", "heshi": "河市镇", "fenghuang": "凤凰乡"}
TOWNSHIPS = tuple(TOWNSHIP_NAMES)
BEIJING = dt.timezone(dt.timedelta(hours=8))


def report(world: Any, slot: str, actor: Any, title: str, *, days_ago: int = 0) -> Any:
    """A 一般 hazard reported by someone other than the unit: it waits for the department's 判定; reported
    `days_ago`, its 判定 deadline (5 working days) may already be past."""
    at = timezone.localtime() - dt.timedelta(days=days_ago)
    with time_machine.travel(at.replace(tzinfo=BEIJING), tick=False):
        return services.register_hazard(
            actor=actor,
            enterprise=world.enterprises[slot],
            level=Level.GENERAL,
            title=title,
            discovered_on=at.date(),
        )


def cards_of(client: Client) -> dict[str, workbench.Card]:
    response = client.get(HOME)
    assert response.status_code == 200
    return {c.key: c for c in response.context["cards"] + response.context["quiet_cards"]}


def count(cards: dict[str, workbench.Card], card: str, item: str) -> int:
    found = [i.count for i in cards[card].items if i.key == item] if card in cards else []
    return found[0] if found else 0


def nav_badge(html: str) -> int:
    match = re.search(r'data-testid="workbench-due"[^>]*>(\d+)<', html)
    return int(match.group(1)) if match else 0


def test_a_hazard_late_for_judgement_in_heshi_is_on_heshis_workbench_only(world: Any) -> None:
    late = report(world, "hs_road", world.heshi, "河市货运仓库消防通道堵塞", days_ago=20)
    assert late.judge_deadline < timezone.localdate()
    seen = {}
    for persona in TOWNSHIPS:
        client = login(Client(), world.users[persona])
        cache.clear()  # the badge of this request is counted afresh
        cards = cards_of(client)
        seen[persona] = count(cards, "hazards", "judge_overdue")
        html = client.get(HOME).content.decode()
        assert (late.get_absolute_url() in html) == (persona == "heshi"), persona
        # The badge in the navigation is the page's total, and the total is the sum of the cards.
        total = sum(c.due for c in cards.values())
        assert nav_badge(html) == total
        cache.clear()
        assert nav_badge(client.get(reverse("hazards:hazard_list")).content.decode()) == total
    assert seen == {"tianwen": 0, "yingtian": 0, "heshi": 1, "fenghuang": 0}
    # The township is told of what is late (its 待办); what merely waits for the department it watches.
    fresh = report(world, "qiye2", world.heshi, "化工厂储罐区围堰破损")
    heshi = cards_of(login(Client(), world.heshi))
    assert count(heshi, "hazards", "waiting") == 1 and heshi["hazards"].due == 1
    assert fresh.get_absolute_url() not in [r.url for r in heshi["hazards"].rows]


def test_a_township_leads_its_own_campaign_tasks(world: Any) -> None:
    from zhiben.campaign.models import Task

    today = timezone.localdate()
    led = {
        persona: set(
            Task.objects.unrestricted("test")
            .filter(township=world.regions[TOWNSHIP_NAMES[persona]])
            .filter(status__in=("open", "reviewing", "final_review", "returned"), due_on__lt=today)
            .values_list("pk", flat=True)
        )
        for persona in TOWNSHIPS
    }
    assert all(led.values())  # the plan's township tasks of past years are open and overdue
    for persona in TOWNSHIPS:
        client = login(Client(), world.users[persona])
        cards = cards_of(client)
        assert count(cards, "campaign", "mine_overdue") == len(led[persona])
        listed = client.get(next(i.url for i in cards["campaign"].items if i.key == "mine_overdue"))
        shown = {
            row["task"].pk for s in listed.context["sections"] for m in s["measures"] for row in m["tasks"]
        }
        assert shown == led[persona]


def test_a_department_sees_its_industries_and_a_unit_its_own(world: Any) -> None:
    chemical = report(world, "qiye2", world.heshi, "化工厂储罐区围堰破损")  # 危化: 应急管理局
    building = report(world, "qiye3", world.tianwen, "塔吊基础积水")  # 建筑施工: 住建局
    services.confirm(chemical, actor=world.yingji, deadline=timezone.localdate() + dt.timedelta(days=30))
    yingji = cards_of(login(Client(), world.yingji))
    zhujian = cards_of(login(Client(), world.zhujian))
    assert count(yingji, "hazards", "waiting") == 0 and count(zhujian, "hazards", "waiting") == 1
    assert [r.url for r in zhujian["hazards"].rows] == [building.get_absolute_url()]
    # The unit: its confirmed hazard waits for its plan; another unit has nothing.
    qiye2 = cards_of(login(Client(), world.qiye2))
    qiye1 = cards_of(login(Client(), world.qiye1))
    assert count(qiye2, "hazards", "to_plan") == 1 and qiye2["hazards"].due == 1
    assert count(qiye1, "hazards", "to_plan") == 0
    assert "key-figures" not in login(Client(), world.qiye2).get(HOME).content.decode()  # no indicators


def _listed(response: Any) -> int:
    """How many records a list page shows (the paginated lists, 我的检查, 我的自查任务, the plan, 账号锁定)."""
    ctx = response.context
    if "page" in ctx and hasattr(ctx["page"], "paginator"):
        return ctx["page"].paginator.count
    if "open_now" in ctx:
        return len(ctx["open_now"])
    if "summary" in ctx:
        return ctx["summary"]["total"]
    if "lockouts" in ctx:
        return len(ctx["lockouts"])
    return len(ctx["rows"])


@pytest.mark.parametrize(
    "persona", ["anweiban", "lingdao", "heshi", "yingji", "zhujian", "qiye2", "jubao", "anquan"]
)
def test_every_figure_opens_a_list_of_exactly_its_records(world: Any, persona: str) -> None:
    report(world, "qiye2", world.heshi, "储罐区围堰破损", days_ago=20)
    report(world, "hs_road", world.heshi, "消防通道堵塞")
    confirmed = report(world, "qiye2", world.heshi, "装卸区静电接地失效")
    services.confirm(confirmed, actor=world.yingji, deadline=timezone.localdate() + dt.timedelta(days=10))
    client = login(Client(), world.users[persona])
    cards = cards_of(client)
    checked = 0
    for card in cards.values():
        for item in card.items:
            response = client.get(item.url)
            assert response.status_code == 200, (card.key, item.key, item.url)
            assert _listed(response) == item.count, (card.key, item.key, item.url)
            checked += 1
    assert checked


def test_the_admins_get_their_own_duties_or_the_empty_state(world: Any) -> None:
    html = login(Client(), world.xitong).get(HOME).content.decode()
    assert 'data-testid="workbench-empty"' in html and "暂无待办" in html
    anquan = cards_of(login(Client(), world.anquan))
    assert [i.key for i in anquan["accounts"].items] == ["locked"]


def test_the_office_sees_key_indicators_of_the_district_and_a_township_its_own(
    world: Any, unbuilt_indicator: str, monkeypatch: Any
) -> None:
    monkeypatch.setattr(key_figures_module, "KEY_INDICATORS", (*KEY_INDICATORS, unbuilt_indicator))
    office = login(Client(), world.anweiban).get(HOME)
    scope, figures, _counted_at = office.context["key_figures"]
    assert scope == "全区" and 5 <= len(figures) <= 7
    absent = [f for f in figures if f.tone == "absent"]
    assert [f.name for f in absent] == ["测试用未建模块指标"] and absent[0].text == "未接入"  # never 0 %
    html = office.content.decode()
    assert html.index('data-testid="workbench') < html.index('data-testid="key-figures"')
    assert html.index('data-testid="key-figures"') < html.index('data-testid="kpis"')
    assert all(f.url.startswith("/indicators/") for f in figures)
    assert login(Client(), world.heshi).get(HOME).context["key_figures"][0] == "河市镇"


def test_key_figures_are_counted_once_a_minute_per_scope_and_say_when(
    world: Any, settings: Any, monkeypatch: Any
) -> None:
    """The 攻坚指标 are the same for everyone reading a scope: counted once, then kept for the TTL; the card
    says when they were counted. Another scope counts its own."""
    settings.ZHIBEN_FIGURES_TTL = 60
    cache.clear()
    counted: list[str] = []
    real = key_figures_module._figures
    monkeypatch.setattr(key_figures_module, "_figures", lambda home: counted.append(home.key) or real(home))
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 30, tzinfo=BEIJING), tick=False):
        first = login(Client(), world.anweiban).get(HOME)
        again = login(Client(), world.lingdao).get(HOME)  # the leader reads the same district
        township = login(Client(), world.heshi).get(HOME)
    assert first.context["key_figures"] == again.context["key_figures"]
    assert len(counted) == 2 and township.context["key_figures"][0] == "河市镇"
    assert "统计于 2026-12-07 09:30" in again.content.decode()
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 32, tzinfo=BEIJING), tick=False):  # past the TTL
        later = login(Client(), world.anweiban).get(HOME)
    assert len(counted) == 3 and "统计于 2026-12-07 09:32" in later.content.decode()
    cache.clear()


def test_the_workbench_keeps_its_count_briefly_and_counts_afresh_after_ones_own_act(
    world: Any, settings: Any
) -> None:
    """What the page counted is kept for the TTL (others' changes show within it; the page says when it
    counted); the person's own successful write makes the next look count afresh."""
    settings.ZHIBEN_WORKBENCH_TTL = 30
    cache.clear()
    start = dt.datetime(2026, 12, 7, 9, 30, tzinfo=BEIJING)
    first = report(world, "hs_road", world.heshi, "河市货运仓库消防通道堵塞")  # waits for 交通运输局's 判定
    transport = login(Client(), world.jiaotong)
    with time_machine.travel(start, tick=False):
        page = transport.get(HOME)
        due = {c.key: c for c in page.context["cards"]}["hazards"].due
        assert "统计于 2026-12-07 09:30" in page.content.decode()
        report(world, "hs_road", world.heshi, "货运车辆超载停放在仓库门口")  # someone else's act
    with time_machine.travel(start + dt.timedelta(seconds=20), tick=False):
        kept = transport.get(HOME)
        assert kept.context["counted_at"] == page.context["counted_at"]
        assert {c.key: c.due for c in kept.context["cards"]} == {c.key: c.due for c in page.context["cards"]}
        own = transport.post(
            reverse("hazards:hazard_step", args=[first.pk, "reject"]),
            {"reason": "现场核实为同一隐患的重复登记", "version": first.version},
        )
        assert own.status_code == 302
        fresh = transport.get(HOME)
    assert fresh.context["counted_at"] > page.context["counted_at"]
    assert "统计于 2026-12-07 09:30" in fresh.content.decode()  # the same minute, counted again
    hazards = {c.key: c for c in fresh.context["cards"]}["hazards"]
    assert hazards.due == due  # one more report waits, one fewer after the 不予认定
    assert any("货运车辆超载" in r.title for r in hazards.rows)
    with time_machine.travel(start + dt.timedelta(seconds=55), tick=False):  # past the TTL
        assert transport.get(HOME).context["counted_at"] > fresh.context["counted_at"]
    cache.clear()


def test_the_home_page_reads_in_a_bounded_number_of_queries(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report(world, "qiye2", world.heshi, "储罐区围堰破损", days_ago=20)  # every card the page draws, drawn
    client = login(Client(), world.anweiban)
    client.get(HOME)
    with CaptureQueriesContext(connection) as before:
        client.get(HOME)
    for n in range(6):
        report(world, "qiye2", world.heshi, f"隐患{n}", days_ago=n * 5)
        report(world, "hs_road", world.heshi, f"道路隐患{n}")
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(HOME)
    assert count({c.key: c for c in response.context["cards"]}, "hazards", "judge_overdue") >= 3
    assert len(before.captured_queries) <= 70


def test_a_write_through_the_api_with_a_token_also_makes_the_next_look_count_afresh(
    world: Any, settings: Any
) -> None:
    """A department's system that acts through the API with its token: the same person's workbench counts
    afresh at the next look, as after a form (DRF puts the token's user on the request the middleware sees)."""
    from zhiben.core.testing import obtain_token, token_header

    settings.ZHIBEN_WORKBENCH_TTL = 30
    cache.clear()
    start = dt.datetime(2026, 12, 7, 9, 30, tzinfo=BEIJING)
    hazard = report(world, "hs_road", world.heshi, "河市货运仓库消防通道堵塞")
    transport = login(Client(), world.jiaotong)
    api = Client()
    header = token_header(obtain_token(api, world.jiaotong.username))
    with time_machine.travel(start, tick=False):
        page = transport.get(HOME)
    with time_machine.travel(start + dt.timedelta(seconds=10), tick=False):
        assert transport.get(HOME).context["counted_at"] == page.context["counted_at"]  # kept
        done = api.post(
            f"/api/v1/hazards/{hazard.pk}/reject/",
            {"reason": "现场核实为同一隐患的重复登记", "version": hazard.version},
            content_type="application/json",
            headers=header,
        )
        assert done.status_code == 200, done.content
        fresh = transport.get(HOME)
    assert fresh.context["counted_at"] > page.context["counted_at"]
    cache.clear()
