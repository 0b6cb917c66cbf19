"""举报办理情况公开 (/tips/outcomes/): open to everyone, anonymised, never cached, no referrer, no cookie."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhiben.tips.choices import Category, Outcome, RewardBasis, RewardStatus, TipStatus
from zhiben.tips.models import Reward, RewardRule
from zhiben.tips.testing import SENTINEL_NAME, SENTINEL_PHONE, make_tip

TZ = timezone.get_default_timezone()


def test_the_public_page_shows_counts_summaries_and_rewards_and_nothing_else(
    client: Client, world: Any
) -> None:
    today = timezone.localdate()
    day = today - dt.timedelta(days=20)
    unit = world.enterprises["yt_gas"]
    closed = make_tip(
        identity=True,
        category=Category.MAJOR_HAZARD,
        enterprise=unit,
        unit_name=unit.name,
        address="营田镇正街18号",
        received_at=dt.datetime.combine(day, dt.time(9), tzinfo=TZ),
        original_text=f"{SENTINEL_NAME}举报：营田燃气经营部违规充装",
        working_text="某燃气经营点违规充装。",
        status=TipStatus.CLOSED,
        concluded_on=today - dt.timedelta(days=5),
        outcome=Outcome.FOUNDED,
        public_summary="某燃气经营点违规充装液化气，已依法立案处罚并责令整改。",
    )
    make_tip(  # closed without a summary: counted, not listed
        received_at=dt.datetime.combine(day, dt.time(9), tzinfo=TZ),
        status=TipStatus.CLOSED,
        concluded_on=today - dt.timedelta(days=4),
        outcome=Outcome.UNFOUNDED,
    )
    make_tip(received_at=dt.datetime.combine(today, dt.time(8), tzinfo=TZ))
    make_tip(status=TipStatus.MERGED, received_at=dt.datetime.combine(today, dt.time(8), tzinfo=TZ))
    rule = RewardRule.objects.create(
        code="t", name="比例", authority="国家", basis=RewardBasis.FINE, percent=Decimal(15), source="测试"
    )
    Reward.objects.create(
        tip=closed,
        rule=rule,
        rule_text="罚款的15%",
        basis=RewardBasis.FINE,
        amount=Decimal("3000"),
        status=RewardStatus.PAID,
        proposed_by=world.anweiban,
        approved_by=world.lingdao,
        paid_on=today - dt.timedelta(days=1),
    )

    response = client.get(reverse("tips:outcomes"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert not response.cookies
    body = response.content.decode()
    assert "某燃气经营点违规充装液化气" in body
    kpis = response.context
    assert kpis["grand_total"] == [3, 2, 1]  # received (merged left out), concluded, founded
    assert kpis["rewards_paid"] == 1 and kpis["rewards_total"] == "3,000.00"
    assert len(kpis["summaries"]) == 1
    for secret in (SENTINEL_NAME, SENTINEL_PHONE, unit.name, "正街18号", closed.code, "违规充装。", "zb-nav"):
        assert secret not in body, secret
    assert "https://" not in body and "http://" not in body  # nothing from another origin
    assert client.post(reverse("tips:outcomes")).status_code == 405


def test_the_public_page_works_on_an_empty_register(client: Client, db: Any) -> None:
    response = client.get(reverse("tips:outcomes"))
    assert response.status_code == 200 and "暂无公开的处理结果" in response.content.decode()
