"""举报统计 and the channel's indicators: each figure is numerator ÷ denominator over records built by hand; the
page is scoped (a department or township sees only what was transferred to it) and its Excel equals the screen;
no identity and no original text anywhere."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhiben.core.testing import login
from zhiben.tips import indicators, stats
from zhiben.tips.choices import Category, Outcome, RewardBasis, RewardStatus, TipStatus
from zhiben.tips.models import Reward, RewardRule, Tip
from zhiben.tips.testing import SENTINEL_NAME, SENTINEL_PHONE, make_tip

TZ = timezone.get_default_timezone()
ORIGINAL = "原文哨兵：我是二车间的老王，电话13912340000"


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=TZ)


def _world_of_tips(world: Any, today: dt.date) -> dict[str, Tip]:
    """Eight tips this year: acceptance, verification and outcome cases; two rewards (one paid)."""
    d = today - dt.timedelta(days=100)
    emergency, fire = world.departments["emergency"], world.departments["fire"]
    yingtian, heshi = world.regions["营田镇"], world.regions["河市镇"]
    common = {"received_at": _at(d), "original_text": ORIGINAL, "working_text": "某单位仓库堆放液化气瓶。"}
    tips = {
        # accepted on time, transferred to 应急 / 营田镇, concluded on time, founded
        "a": make_tip(
            identity=True,
            category=Category.MAJOR_HAZARD,
            accept_deadline=d + dt.timedelta(days=5),
            accepted_on=d + dt.timedelta(days=2),
            verify_deadline=d + dt.timedelta(days=60),
            concluded_on=d + dt.timedelta(days=30),
            outcome=Outcome.FOUNDED,
            status=TipStatus.CLOSED,
            department=emergency,
            township=yingtian,
            public_summary="某餐馆后厨违规存放液化气瓶，已责令整改并立案处罚。",
            **common,
        ),
        # accepted late, concluded late, partly founded
        "b": make_tip(
            accept_deadline=d + dt.timedelta(days=5),
            accepted_on=d + dt.timedelta(days=8),
            verify_deadline=d + dt.timedelta(days=60),
            concluded_on=d + dt.timedelta(days=70),
            outcome=Outcome.PARTLY,
            status=TipStatus.CLOSED,
            department=emergency,
            township=yingtian,
            **common,
        ),
        # accepted on time, deadline passed without conclusion (overdue), 消防 / 河市镇
        "c": make_tip(
            category=Category.ILLEGAL,
            accept_deadline=d + dt.timedelta(days=5),
            accepted_on=d + dt.timedelta(days=1),
            verify_deadline=d + dt.timedelta(days=60),
            status=TipStatus.VERIFYING,
            department=fire,
            township=heshi,
            **common,
        ),
        # not accepted, deadline passed (late by definition); place in 河市镇, not transferred
        "d": make_tip(accept_deadline=d + dt.timedelta(days=5), place=world.regions["河市镇"], **common),
        # not accepted, deadline still ahead: not in the denominator
        "e": make_tip(
            accept_deadline=today + dt.timedelta(days=3),
            **{**common, "received_at": _at(today - dt.timedelta(days=1))},
        ),
        # refused: not in the acceptance denominator
        "f": make_tip(accept_deadline=d + dt.timedelta(days=5), status=TipStatus.REJECTED, **common),
        # unfounded, concluded on time
        "g": make_tip(
            accept_deadline=d + dt.timedelta(days=5),
            accepted_on=d + dt.timedelta(days=3),
            verify_deadline=d + dt.timedelta(days=60),
            concluded_on=d + dt.timedelta(days=20),
            outcome=Outcome.UNFOUNDED,
            status=TipStatus.CLOSED,
            department=fire,
            township=heshi,
            **common,
        ),
        # merged: counted nowhere
        "h": make_tip(status=TipStatus.MERGED, **common),
    }
    rule = RewardRule.objects.create(
        code="t-fine",
        name="按罚款比例",
        authority="国家",
        basis=RewardBasis.FINE,
        percent=Decimal("15"),
        source="测试",
    )
    for key, status in (("a", RewardStatus.PAID), ("b", RewardStatus.APPROVED)):
        Reward.objects.create(
            tip=tips[key],
            rule=rule,
            rule_text="罚款的15%",
            basis=RewardBasis.FINE,
            amount=Decimal("3000"),
            status=status,
            proposed_by=world.anweiban,
            approved_by=world.lingdao,
            approved_at=_at(d + dt.timedelta(days=40)),
            paid_on=d + dt.timedelta(days=50) if status == RewardStatus.PAID else None,
        )
    return tips


def test_each_indicator_is_its_numerator_over_its_denominator(world: Any) -> None:
    today = timezone.localdate()
    tips = _world_of_tips(world, today)
    start = today - dt.timedelta(days=200)

    acc = indicators.acceptance_timeliness(start=start, end=today, today=today)
    assert (acc.numerator, acc.denominator) == (3, 5)  # a, c, g on time; b late; d past its deadline
    assert set(acc.records.values_list("pk", flat=True)) == {tips[k].pk for k in "abcdg"}
    assert acc.value == Decimal("60.0")

    ver = indicators.verification_timeliness(start=start, end=today, today=today)
    assert (ver.numerator, ver.denominator) == (2, 4)  # a, g on time; b late; c overdue
    founded = indicators.founded_rate(start=start, end=today)
    assert (founded.numerator, founded.denominator) == (2, 3)
    assert set(founded.hits.values_list("pk", flat=True)) == {tips["a"].pk, tips["b"].pk}
    rewards = indicators.reward_fulfilment(start=start, end=today)
    assert (rewards.numerator, rewards.denominator) == (1, 2) and rewards.value == Decimal("50.0")

    # Cut by township (transfer, else the place) and department.
    heshi = indicators.acceptance_timeliness(
        start=start, end=today, township=world.regions["河市镇"], today=today
    )
    assert set(heshi.records.values_list("pk", flat=True)) == {tips["c"].pk, tips["d"].pk, tips["g"].pk}
    fire = indicators.founded_rate(department=world.departments["fire"])
    assert (fire.numerator, fire.denominator) == (0, 1)
    # A period before everything: no denominator, no rate (never 0 %).
    empty = indicators.founded_rate(start=dt.date(2020, 1, 1), end=dt.date(2020, 12, 31))
    assert empty.value is None and empty.denominator == 0
    assert [i.code for i in indicators.INDICATORS] == [
        "tips.accept_on_time",
        "tips.verify_on_time",
        "tips.founded_rate",
        "tips.reward_paid_rate",
        "tips.internal_reports",
    ]


def test_the_page_agrees_with_the_indicators_and_its_excel_with_the_page(client: Client, world: Any) -> None:
    today = timezone.localdate()
    tips = _world_of_tips(world, today)
    year = tips["a"].received_at.astimezone(TZ).year
    login(client, world.anweiban)
    page = client.get(reverse("tips:stats"), {"year": year})
    assert page.status_code == 200
    figures = page.context["figures"]
    totals = figures.totals
    assert totals.received == (7 if tips["e"].received_at.astimezone(TZ).year == year else 6)
    start, end = figures.period.start, figures.period.end
    acc = indicators.acceptance_timeliness(start=start, end=end, today=today)
    assert (totals.accept_timely, totals.accept_due) == (acc.numerator, acc.denominator)
    ver = indicators.verification_timeliness(start=start, end=end, today=today)
    assert (totals.verify_timely, totals.verify_due) == (ver.numerator, ver.denominator)
    assert (totals.founded, totals.concluded) == (2, 3)
    assert (totals.rewards_decided, totals.rewards_paid) == (2, 1)
    assert totals.rewards_paid_sum == Decimal("3000")
    body = page.content.decode()
    assert "统计口径" in body and "受理及时率" in body
    for secret in (SENTINEL_NAME, SENTINEL_PHONE, ORIGINAL[:6], "液化气瓶"):
        assert secret not in body
    # Each breakdown adds up to the totals.
    for _title, _dim, rows in figures.tables:
        assert sum(r.counts.received for r in rows) == totals.received
        assert sum(r.counts.rewards_decided for r in rows) == totals.rewards_decided
    townships = {r.label: r.counts.received for r in figures.townships}
    assert townships["营田镇"] == 2 and townships["河市镇"] >= 3

    export = client.get(reverse("tips:stats_export"), {"year": year})
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    overview = {row[0].value: row[1].value for row in book["概览"].iter_rows(min_row=4)}
    assert overview["收到举报"] == totals.received
    assert overview["受理及时率（%）"] == totals.acceptance.percent
    assert overview["奖励兑现率（%）"] == 50.0
    by_category = [[c.value for c in row] for row in book["按举报类别"].iter_rows(min_row=4)]
    on_screen = [[r["row"].label, *r["values"]] for r in page.context["tables"][0][2]]
    assert [r[:9] for r in by_category[:-1]] == [r[:9] for r in on_screen]
    text = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None)
    for secret in (SENTINEL_NAME, SENTINEL_PHONE, ORIGINAL[:6], "液化气瓶"):
        assert secret not in text


def test_departments_and_townships_see_only_what_was_transferred_to_them(client: Client, world: Any) -> None:
    today = timezone.localdate()
    tips = _world_of_tips(world, today)
    year = {"year": tips["a"].received_at.astimezone(TZ).year}
    fire = login(client, world.xiaofang).get(reverse("tips:stats"), year).context["figures"].totals
    assert fire.received == 2  # c and g
    heshi = login(client, world.heshi).get(reverse("tips:stats"), year)
    assert heshi.context["figures"].totals.received == 2  # c and g (d is in 河市镇 but not transferred)
    assert "河市镇" in heshi.context["scope"]
    assert (
        login(client, world.yingtian).get(reverse("tips:stats"), year).context["figures"].totals.received == 2
    )
    assert login(client, world.jubao).get(reverse("tips:stats"), year).context["figures"].totals.received >= 6
    assert login(client, world.qiye1).get(reverse("tips:stats")).status_code == 403
    assert login(client, world.qiye1).get(reverse("tips:stats_export")).status_code == 403
    client.logout()
    assert client.get(reverse("tips:stats")).status_code == 302


def test_bad_filters_are_ignored_with_a_message(client: Client, world: Any) -> None:
    login(client, world.anweiban)
    page = client.get(reverse("tips:stats"), {"year": "abc", "quarter": "9"})
    assert page.status_code == 200
    assert "不是有效的选项" in page.content.decode()
    f = stats.StatsFilter(year=2025, quarter=2).period(dt.date(2026, 1, 5))
    assert (f.start, f.end) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))


def test_the_registry_records_are_the_indicators_records(world: Any, monkeypatch: Any) -> None:
    """What `connect_registry` wires: (scope, window) → the numerator's and denominator's records (a stand-in
    for the registry module, which lives in an app above this one)."""
    import sys
    import types
    from dataclasses import dataclass
    from types import SimpleNamespace

    @dataclass(frozen=True)
    class Parts:
        numerator: Any
        denominator: Any = None

    fake = types.ModuleType("zhiben.indicators.registry")
    fake.Parts = Parts  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "zhiben.indicators.registry", fake)
    today = timezone.localdate()
    tips = _world_of_tips(world, today)
    window = SimpleNamespace(start=today - dt.timedelta(days=200), end=today, as_of=today)
    town = SimpleNamespace(kind="township", key=world.regions["河市镇"].code, department_id=None)
    parts = indicators.RECORDS["tips.accept_on_time"](town, window)
    assert set(parts.denominator.values_list("pk", flat=True)) == {tips[k].pk for k in "cdg"}
    assert set(parts.numerator.values_list("pk", flat=True)) == {tips["c"].pk, tips["g"].pk}
    fire = SimpleNamespace(kind="department", key="", department_id=world.departments["fire"].pk)
    assert indicators.RECORDS["tips.founded_rate"](fire, window).denominator.count() == 1
    district = SimpleNamespace(kind="district", key="", department_id=None)
    paid = indicators.RECORDS["tips.reward_paid_rate"](district, window)
    assert (paid.numerator.count(), paid.denominator.count()) == (1, 2)
    assert indicators.RECORDS["tips.internal_reports"](district, window).denominator is None
