"""Rewards: 拟定 from the linked cases' fines by the calculator, two-person approval, 告知 and the claim window,
the public claim by receipt code, 发放, the lapse job; the calculate API; the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhiben.core.errors import Conflict, DomainError, NotPermitted
from zhiben.core.models.audit import AuditEntry
from zhiben.core.testing import login
from zhiben.core.workflow import TransitionNotAllowed
from zhiben.enforcement.models import Case
from zhiben.enforcement.tests.case_helpers import penalise
from zhiben.tips.choices import Category, Outcome, RewardStatus, TipStatus
from zhiben.tips.models import Reward, RewardTransition
from zhiben.tips.services import rewards
from zhiben.tips.testing import make_tip

pytestmark = pytest.mark.django_db

CALC = "/api/v1/tips/rewards/calculate/"


def founded_tip(world: Any, *, fine: str = "100000", identity: bool = True, **fields: Any) -> Any:
    """A closed, founded tip about qiye1 with a decided fine in a closed case."""
    case = penalise(world, timezone.localdate() - dt.timedelta(days=20), amount=fine)
    Case.objects.filter(pk=case.pk).update(closed_on=timezone.localdate() - dt.timedelta(days=2))
    values = {
        "identity": identity,
        "status": TipStatus.CLOSED,
        "outcome": Outcome.FOUNDED,
        "category": Category.MAJOR_HAZARD,
        "concluded_on": timezone.localdate() - dt.timedelta(days=5),
        **fields,
    }
    tip = make_tip(**values)
    tip.cases.add(case)
    return tip


def test_the_whole_flow(world: Any) -> None:
    tip = founded_tip(world, fine="100000")
    reward = rewards.propose_reward(tip, actor=world.anweiban, basis="fine", note="按罚款比例")
    assert reward.fine == Decimal("100000.00") and reward.amount == Decimal("15000.00")
    assert reward.status == RewardStatus.PROPOSED and "15%" in reward.rule_text
    assert reward.decision_deadline > timezone.localdate() - dt.timedelta(days=2)

    # Two-person approval: the proposer may not approve.
    with pytest.raises(NotPermitted):
        rewards.approve_reward(reward, actor=world.anweiban)
    rewards.approve_reward(reward, actor=world.jubao, note="同意")
    assert reward.status == RewardStatus.APPROVED and reward.approved_by == world.jubao

    # Not claimable before notice; the custodian tells the reporter: 60 days.
    with pytest.raises(DomainError):
        rewards.record_claim(reward, actor=world.jubao)
    rewards.notify_reward(reward, actor=world.jubao)
    assert reward.claim_deadline == timezone.localdate() + dt.timedelta(days=60)

    rewards.record_claim(reward, actor=world.jubao, note="本人到场")
    with pytest.raises(ValidationError):
        rewards.pay_reward(
            reward,
            actor=world.jubao,
            payment_method="银行转账",
            payment_reference="ZZ-1",
            paid_on=timezone.localdate() + dt.timedelta(days=1),
        )
    rewards.pay_reward(
        reward,
        actor=world.jubao,
        payment_method="银行转账",
        payment_reference="ZZ-1",
        paid_on=timezone.localdate(),
    )
    reward.refresh_from_db()
    assert reward.status == RewardStatus.PAID and reward.paid_by == world.jubao
    steps = list(RewardTransition.objects.filter(reward=reward).values_list("action", flat=True))
    assert steps == ["propose", "approve", "notify", "claim", "pay"]
    events = set(AuditEntry.objects.filter(object_type="tips.reward").values_list("event", flat=True))
    assert {
        "REWARD_PROPOSED",
        "REWARD_APPROVED",
        "REWARD_NOTIFIED",
        "REWARD_CLAIMED",
        "REWARD_PAID",
    } <= events


def test_only_the_custodian_notifies_and_pays(world: Any) -> None:
    reward = rewards.propose_reward(founded_tip(world), actor=world.anweiban, basis="fine")
    rewards.approve_reward(reward, actor=world.jubao)
    with pytest.raises(NotPermitted):
        rewards.notify_reward(reward, actor=world.anweiban)
    with pytest.raises(NotPermitted):
        rewards.approve_reward(reward, actor=world.yingji)


def test_what_cannot_be_rewarded(world: Any) -> None:
    with pytest.raises(ValidationError, match="实名"):
        rewards.propose_reward(founded_tip(world, identity=False), actor=world.anweiban, basis="fine")
    with pytest.raises(ValidationError, match="属实"):
        rewards.propose_reward(
            founded_tip(world, outcome=Outcome.UNFOUNDED), actor=world.anweiban, basis="fine"
        )
    with pytest.raises(ValidationError, match="属实"):
        rewards.propose_reward(
            founded_tip(world, status=TipStatus.VERIFYING), actor=world.anweiban, basis="fine"
        )
    no_fine = make_tip(
        identity=True, status=TipStatus.CLOSED, outcome=Outcome.FOUNDED, category=Category.MAJOR_HAZARD
    )
    with pytest.raises(ValidationError, match="罚款"):
        rewards.propose_reward(no_fine, actor=world.anweiban, basis="fine")
    tip = founded_tip(world)
    rewards.propose_reward(tip, actor=world.anweiban, basis="fine")
    with pytest.raises(Conflict):
        rewards.propose_reward(tip, actor=world.anweiban, basis="fine")
    with pytest.raises(NotPermitted):
        rewards.propose_reward(founded_tip(world), actor=world.yingji, basis="fine")


def test_concealed_deaths_and_the_cap(world: Any) -> None:
    tip = founded_tip(world, category=Category.CONCEALED)
    reward = rewards.propose_reward(
        tip, actor=world.anweiban, basis="concealed_deaths", grade="特别重大", deaths=11
    )
    assert reward.amount == Decimal("300000.00") and reward.deaths == 11


def test_decline_with_a_reason(world: Any) -> None:
    reward = rewards.propose_reward(founded_tip(world), actor=world.anweiban, basis="fine")
    with pytest.raises(ValidationError):
        rewards.decline_reward(reward, actor=world.jubao, reason=" ")
    rewards.decline_reward(reward, actor=world.jubao, reason="举报人系该单位负责安全管理的人员")
    assert reward.status == RewardStatus.DECLINED


def test_unclaimed_rewards_lapse_once(world: Any) -> None:
    reward = rewards.propose_reward(founded_tip(world), actor=world.anweiban, basis="fine")
    rewards.approve_reward(reward, actor=world.jubao)
    rewards.notify_reward(reward, actor=world.jubao)
    assert rewards.lapse_unclaimed(reward.claim_deadline) == 0  # the last day still counts
    later = reward.claim_deadline + dt.timedelta(days=1)
    assert rewards.lapse_unclaimed(later) == 1
    assert rewards.lapse_unclaimed(later) == 0  # idempotent
    reward.refresh_from_db()
    assert reward.status == RewardStatus.LAPSED
    with (
        time_machine.travel(dt.datetime.combine(later, dt.time(10)), tick=False),
        pytest.raises(TransitionNotAllowed),
    ):
        rewards.record_claim(reward, actor=world.jubao)


def test_public_claim_by_receipt(world: Any, monkeypatch: Any) -> None:
    tip = founded_tip(world)
    reward = rewards.propose_reward(tip, actor=world.anweiban, basis="fine")
    rewards.approve_reward(reward, actor=world.jubao)
    monkeypatch.setattr(rewards, "_find_tip", lambda code: tip if code == "GOOD-CODE" else None)
    client = Client()
    page = client.get(reverse("tips:claim"))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    # Before notice: not yet claimable (a clear answer, not a 500).
    early = client.post(reverse("tips:claim"), {"receipt": "GOOD-CODE"})
    assert early.status_code == 400 and "尚未告知" in early.content.decode()
    rewards.notify_reward(reward, actor=world.jubao)
    ok = client.post(reverse("tips:claim"), {"receipt": "GOOD-CODE"})
    text = ok.content.decode()
    assert ok.status_code == 200 and "身份证件" in text and "15,000.00" in text, text[text.find("answer") :][
        :600
    ]
    reward.refresh_from_db()
    assert reward.status == RewardStatus.CLAIMED
    # Wrong codes are counted per address: the 11th try is refused with 429.
    for _ in range(9):
        assert client.post(reverse("tips:claim"), {"receipt": "FORGED"}).status_code == 400
    assert client.post(reverse("tips:claim"), {"receipt": "FORGED"}).status_code == 429


def test_calculate_api(world: Any) -> None:
    client = login(Client(), world.yingji)
    cases = [
        ({"basis": "fine", "fine": "10000"}, "3000.00"),
        ({"basis": "fine", "fine": "2000000"}, "300000.00"),
        ({"basis": "concealed_deaths", "grade": "一般", "deaths": 2}, "60000.00"),
        ({"basis": "concealed_deaths", "grade": "特别重大", "deaths": 11}, "300000.00"),
    ]
    for body, amount in cases:
        r = client.post(CALC, body, content_type="application/json")
        assert r.status_code == 200, r.content
        assert r.json()["amount"] == amount and r.json()["rule"]
    bad = [
        ({"basis": "fine", "fine": "-5"}, "fine"),
        ({"basis": "fine", "fine": "0"}, "fine"),
        ({"basis": "fine", "fine": "十万"}, "fine"),
        ({"basis": "concealed_deaths", "grade": "很大", "deaths": 2}, "grade"),
        ({"basis": "concealed_deaths", "grade": "一般", "deaths": 0}, "deaths"),
        ({"basis": "concealed_deaths", "grade": "一般", "deaths": "x"}, "deaths"),
        ({"basis": "bonus"}, "basis"),
        ({}, "basis"),
    ]
    for body, field in bad:
        r = client.post(CALC, body, content_type="application/json")
        assert r.status_code == 400, (body, r.content)
        assert field in r.json(), r.json()
    assert Client().post(
        CALC, {"basis": "fine", "fine": "1"}, content_type="application/json"
    ).status_code in (
        401,
        403,
    )
    enterprise = login(Client(), world.qiye1)
    assert (
        enterprise.post(CALC, {"basis": "fine", "fine": "1"}, content_type="application/json").status_code
        == 403
    )


def test_reward_api_steps(world: Any) -> None:
    reward = rewards.propose_reward(founded_tip(world), actor=world.anweiban, basis="fine")
    office = login(Client(), world.anweiban)
    r = office.post(
        f"/api/v1/tip-rewards/{reward.pk}/approve/",
        {"version": reward.version},
        content_type="application/json",
    )
    assert r.status_code == 403  # the proposer
    custodian = login(Client(), world.jubao)
    r = custodian.post(
        f"/api/v1/tip-rewards/{reward.pk}/approve/",
        {"version": reward.version},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert login(Client(), world.qiye1).get("/api/v1/tip-rewards/").status_code == 403


def test_pages(world: Any) -> None:
    tip = founded_tip(world)
    office = login(Client(), world.anweiban)
    r = office.get(reverse("tips:reward_propose"))
    assert r.status_code == 200 and tip.code in r.content.decode()
    r = office.post(reverse("tips:reward_propose"), {"tip": tip.pk, "basis": "fine"})
    assert r.status_code == 302
    reward = Reward.objects.get(tip=tip)
    detail = office.get(reward.get_absolute_url()).content.decode()
    assert "15,000.00" in detail and 'data-step="approve"' not in detail  # not offered to the proposer
    custodian = login(Client(), world.jubao)
    detail = custodian.get(reward.get_absolute_url()).content.decode()
    assert 'data-step="approve"' in detail
    step = reverse("tips:reward_step", args=[reward.pk, "approve"])
    assert custodian.post(step, {"version": reward.version, "note": "同意"}).status_code == 302
    assert office.get(reverse("tips:reward_list")).status_code == 200
    assert office.get(reverse("tips:reward_list") + "?export=xlsx").status_code in (200, 403)
    rules = office.get(reverse("tips:reward_rules")).content.decode()
    assert "待核实" in rules and "湘应急发〔2023〕16号" in rules
    calc = login(Client(), world.yingji).get(
        reverse("tips:reward_calculator"), {"basis": "fine", "fine": "10000"}
    )
    assert calc.status_code == 200 and "3,000.00" in calc.content.decode()
    bad = login(Client(), world.yingji).get(
        reverse("tips:reward_calculator"), {"basis": "fine", "fine": "-1"}
    )
    assert bad.status_code == 400 and "负数" in bad.content.decode()
    assert login(Client(), world.qiye1).get(reverse("tips:reward_list")).status_code == 403


def test_the_office_edits_a_rule(world: Any) -> None:
    from zhiben.tips.models import RewardRule

    rule = RewardRule.objects.get(code="CN-2018-FINE")
    office = login(Client(), world.anweiban)
    url = reverse("tips:reward_rule_edit", args=[rule.pk])
    form = {
        "name": rule.name,
        "percent": "15",
        "min_amount": "3000",
        "max_amount": "300000",
        "source": rule.source,
        "verified": "on",
        "active": "on",
        "version": rule.version,
    }
    assert office.post(url, {**form, "max_amount": "100"}).status_code == 400  # max below min
    assert office.post(url, form).status_code == 302
    rule.refresh_from_db()
    assert rule.verified and AuditEntry.objects.filter(event="REWARD_RULE_CHANGED").exists()
    assert login(Client(), world.yingji).post(url, form).status_code == 403


def test_the_daily_job_lapses_and_expires(world: Any) -> None:
    from zhiben.core.models.jobs import JobRun
    from zhiben.tips.reward_tasks import lapse_unclaimed_rewards

    reward = rewards.propose_reward(founded_tip(world), actor=world.anweiban, basis="fine")
    rewards.approve_reward(reward, actor=world.jubao)
    rewards.notify_reward(reward, actor=world.jubao)
    later = timezone.now() + dt.timedelta(days=62)
    with time_machine.travel(later, tick=False):
        lapse_unclaimed_rewards.call_local()
        lapse_unclaimed_rewards.call_local()  # a rerun changes nothing more
    reward.refresh_from_db()
    assert reward.status == RewardStatus.LAPSED
    assert RewardTransition.objects.filter(reward=reward, action="lapse").count() == 1
    assert JobRun.objects.filter(name__endswith="lapse_unclaimed_rewards", status="succeeded").count() == 2
