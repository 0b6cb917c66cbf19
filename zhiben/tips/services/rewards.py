"""Rewards of founded tips (举报奖励): 拟定 → 审批 by a second person (or 不予奖励) → 告知 → 申领 → 发放, and
逾期未领 after the claim window. The amount is the calculator's (reward_calc), never typed in.

* Only a closed tip whose outcome is 属实 or 部分属实 is rewarded, once, to its first accepted real-name reporter
  (`handling.first_rewardable` where the handling loop provides it); an anonymous tip cannot be rewarded.
* The fine base is the sum of the decided fines (罚款) of the cases linked to the tip; 瞒报谎报 rewards take the
  accident grade and the verified concealed deaths.
* Deadlines are data (TipDeadlineRule stages "reward_decision": 15 working days after the case closes, and
  "reward_claim": 60 days after notice), with these defaults when the rows are absent.
* Notices go to the office and the custodian and name the tip's code only; the reporter is told by the
  custodian (nothing here ever addresses the reporter's phone).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils import timezone

from zhiben.accounts.lookups import users_of_office, users_with_role
from zhiben.accounts.roles import Role
from zhiben.core import audit
from zhiben.core.errors import Conflict, DomainError
from zhiben.core.loop.records import pin
from zhiben.core.outbox import notify_users
from zhiben.core.scoping import can, rows_of
from zhiben.core.workflow import compare_and_swap
from zhiben.enforcement.choices import MeasureKind
from zhiben.enforcement.models import CaseMeasure

from .. import deadlines
from ..choices import Category, Outcome, RewardBasis, RewardStatus, TipStatus
from ..duplicates import first_rewardable
from ..models import Reward, RewardRule, Tip, TipIdentity
from ..reward_calc import calculate
from ..reward_steps import APPROVE, CLAIM, DECLINE, FLOW, LAPSE, NOTIFY, PAY, PROPOSE, REWARD_RULE_CHANGED
from .receipts import find_by_receipt

REWARDABLE_OUTCOMES = frozenset({Outcome.FOUNDED, Outcome.PARTLY})


def _after(start: dt.date, stage: str) -> dt.date:
    """The day `stage`'s rule (tips.deadlines: data, 待核实) counts to from `start`."""
    rule = deadlines.rule(stage)
    return deadlines.add(start, rule.days, rule.working_days)


def _rewardable_tip(tip: Tip) -> Tip | None:
    """The tip whose reporter is rewarded: the first accepted real-name report of the matter."""
    return first_rewardable(tip)


def fine_base(tip: Tip) -> Decimal:
    """The sum of the decided fines of the cases linked to the tip (0 when none)."""
    total = (
        rows_of(CaseMeasure, "the reward's fine base")
        .filter(case__in=tip.cases.all(), kind=MeasureKind.FINE, decided_on__isnull=False)
        .aggregate(total=Sum("amount"))["total"]
    )
    return Decimal(total or 0)


def _case_closed_on(tip: Tip) -> dt.date:
    closed = tip.cases.aggregate(last=Max("closed_on"))["last"]
    return closed or tip.concluded_on or timezone.localdate()


def _office_and_custodians(exclude: Any = None) -> list[Any]:
    users = [*users_of_office(), *users_with_role(Role.TIP_CUSTODIAN)]
    return [u for u in users if exclude is None or u.pk != exclude.pk]


def _tell(users: list[Any], reward: Reward, subject: str, body: str = "") -> None:
    url = reverse("tips:reward_detail", args=[reward.pk])
    notify_users(users, subject=subject, body=body, url=url, topic="tips", obj=reward)


@PROPOSE.implements
@transaction.atomic
def propose_reward(
    tip: Tip,
    *,
    actor: Any,
    basis: str,
    grade: str | None = None,
    deaths: int | None = None,
    note: str = "",
) -> Reward:
    """拟定: the office proposes the reward of a founded, closed tip; the amount is the calculator's."""
    FLOW.require(actor, PROPOSE)
    if not Tip.objects.restrict(actor, "view").filter(pk=tip.pk).exists():
        raise DomainError("该举报不在您的查看范围内。")
    if tip.status != TipStatus.CLOSED or tip.outcome not in REWARDABLE_OUTCOMES:
        raise ValidationError({"tip": ["只有核查属实或部分属实并已办结的举报才能拟定奖励。"]})
    target = _rewardable_tip(tip)
    if (
        target is None
        or not rows_of(TipIdentity, "is there a real-name reporter").filter(tip=target).exists()
    ):
        raise ValidationError({"tip": ["该举报没有实名举报人，不能奖励。"]})
    if rows_of(Reward, "one reward per matter").filter(tip=target).exists():
        raise Conflict("该举报已拟定奖励，同一事项只奖励一次。")
    fine = None
    if basis == RewardBasis.FINE:
        fine = fine_base(target if target.cases.exists() else tip)
        if fine <= 0:
            raise ValidationError({"basis": ["关联的执法案件尚无已决定的罚款，不能按罚款比例计奖。"]})
    if basis == RewardBasis.CONCEALED_DEATHS and tip.category != Category.CONCEALED:
        raise ValidationError({"basis": ["只有瞒报谎报事故的举报按死亡人数计奖。"]})
    result = calculate(
        basis,
        fine=fine,
        grade=grade,
        deaths=deaths,
        category=tip.category,
        industry=tip.industry,
    )
    reward = Reward.objects.create(
        tip=target,
        rule=result.rule,
        rule_text=result.rule_text[:300],
        basis=basis,
        fine=fine,
        grade=grade or "",
        deaths=deaths if basis == RewardBasis.CONCEALED_DEATHS else None,
        amount=result.amount,
        status=RewardStatus.PROPOSED,
        decision_deadline=_after(_case_closed_on(tip), deadlines.REWARD_DECISION),
        proposed_by=actor,
        note=note,
    )
    FLOW.record_created(
        reward,
        PROPOSE,
        actor=actor,
        note=note,
        data={"tip": target.code, "amount": str(result.amount), "rule": result.rule.code, "basis": basis},
    )
    _tell(_office_and_custodians(exclude=actor), reward, f"举报奖励待审批：{target.code}")
    return reward


@APPROVE.implements
@transaction.atomic
def approve_reward(reward: Reward, *, actor: Any, note: str = "", version: int | None = None) -> Reward:
    """审批同意 by someone other than the proposer (the step's rule)."""
    FLOW.require(actor, APPROVE, reward)
    pin(reward, version)
    FLOW.advance(
        reward,
        APPROVE,
        actor=actor,
        note=note,
        changes={"approved_by": actor, "approved_at": timezone.now()},
        data={"amount": str(reward.amount)},
    )
    _tell(users_with_role(Role.TIP_CUSTODIAN), reward, f"举报奖励已批准，请告知举报人：{reward.tip.code}")
    return reward


@DECLINE.implements
@transaction.atomic
def decline_reward(reward: Reward, *, actor: Any, reason: str, version: int | None = None) -> Reward:
    """不予奖励, with the reason."""
    FLOW.require(actor, DECLINE, reward)
    pin(reward, version)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请填写不予奖励的理由。"]})
    FLOW.advance(
        reward,
        DECLINE,
        actor=actor,
        note=reason,
        changes={"approved_by": actor, "approved_at": timezone.now(), "note": reason},
    )
    _tell([reward.proposed_by], reward, f"举报奖励不予奖励：{reward.tip.code}", reason)
    return reward


@NOTIFY.implements
@transaction.atomic
def notify_reward(reward: Reward, *, actor: Any, note: str = "", version: int | None = None) -> Reward:
    """告知: the custodian tells the reporter; the claim window (60 日) opens today."""
    FLOW.require(actor, NOTIFY, reward)
    pin(reward, version)
    if reward.claim_deadline is not None:
        raise Conflict("已告知举报人，领取期限已确定。")
    deadline = _after(timezone.localdate(), deadlines.REWARD_CLAIM)
    FLOW.advance(reward, NOTIFY, actor=actor, note=note, changes={"claim_deadline": deadline})
    return reward


def _check_window(reward: Reward, today: dt.date) -> None:
    if reward.claim_deadline is None:
        raise DomainError("尚未告知领奖，暂不能申领。")
    if today > reward.claim_deadline:
        raise DomainError("已超过领取期限，视为放弃奖励。")


@CLAIM.implements
@transaction.atomic
def record_claim(reward: Reward, *, actor: Any, note: str = "", version: int | None = None) -> Reward:
    """登记申领: the custodian records the reporter's claim within the window (also the public page's step)."""
    FLOW.require(actor, CLAIM, reward)
    pin(reward, version)
    FLOW.check(reward, CLAIM)
    _check_window(reward, timezone.localdate())
    FLOW.advance(reward, CLAIM, actor=actor, note=note, changes={"claimed_at": timezone.now()})
    _tell(
        users_with_role(Role.TIP_CUSTODIAN) if actor is None else [reward.proposed_by],
        reward,
        f"举报奖励已申领，待发放：{reward.tip.code}",
    )
    return reward


@PAY.implements
@transaction.atomic
def pay_reward(
    reward: Reward,
    *,
    actor: Any,
    payment_method: str,
    payment_reference: str,
    paid_on: dt.date,
    version: int | None = None,
) -> Reward:
    """发放: method, voucher number and date (the custodian: paying needs the reporter's identity)."""
    FLOW.require(actor, PAY, reward)
    pin(reward, version)
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": ["发放日期不能晚于今天。"]})
    if reward.claimed_at is not None and paid_on < timezone.localtime(reward.claimed_at).date():
        raise ValidationError({"paid_on": ["发放日期不能早于申领日期。"]})
    FLOW.advance(
        reward,
        PAY,
        actor=actor,
        changes={
            "paid_on": paid_on,
            "payment_method": payment_method,
            "payment_reference": payment_reference,
            "paid_by": actor,
        },
    )
    _tell([reward.proposed_by], reward, f"举报奖励已发放：{reward.tip.code}")
    return reward


def lapse_unclaimed(today: dt.date | None = None) -> int:
    """逾期未领: approved rewards not claimed by their deadline (idempotent: a lapsed one is not approved)."""
    today = today or timezone.localdate()
    due = rows_of(Reward, "system job").filter(status=RewardStatus.APPROVED, claim_deadline__lt=today)
    done = 0
    for reward in due:
        with transaction.atomic():
            FLOW.advance(reward, LAPSE, actor=None, note="领取期限届满未申领，视为放弃")
        done += 1
    return done


# --- the public claim ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimAnswer:
    """What the public claim page says: never an identity, never a handler's name."""

    ok: bool
    message: str
    amount: Decimal | None = None
    deadline: dt.date | None = None


HOW_TO_CLAIM = (
    "请在领取期限内携带本人有效身份证件和查询码，到区安全生产委员会办公室（举报受理保密员）办理领取手续；"
    "奖励以银行转账方式发放到举报人本人账户，也可书面委托他人代领。"
)


def _find_tip(receipt: str) -> Tip | None:
    """The tip of a receipt code (its keyed locator, then its slow hash)."""
    return find_by_receipt(receipt)


def claim_by_receipt(receipt: str) -> ClaimAnswer:
    """The reporter claims by receipt code on the public page (no login)."""
    tip = _find_tip(receipt) if receipt else None
    not_found = ClaimAnswer(False, "查询码不正确，或该举报没有可领取的奖励。")
    if tip is None:
        return not_found
    reward = rows_of(Reward, "the reporter's own reward, found by receipt").filter(tip=tip).first()
    if reward is None or reward.status in (RewardStatus.PROPOSED, RewardStatus.DECLINED):
        return not_found
    if reward.status == RewardStatus.CLAIMED:
        return ClaimAnswer(
            True, "您已申领，奖励正在发放中。" + HOW_TO_CLAIM, reward.amount, reward.claim_deadline
        )
    if reward.status == RewardStatus.PAID:
        return ClaimAnswer(True, "奖励已发放。", reward.amount)
    if reward.status == RewardStatus.LAPSED:
        return ClaimAnswer(False, "已超过领取期限，视为放弃奖励。")
    try:
        with transaction.atomic():
            record_claim(reward, actor=None, note="举报人凭查询码在线申领")
    except DomainError as exc:
        return ClaimAnswer(False, exc.message)
    return ClaimAnswer(True, "申领已登记。" + HOW_TO_CLAIM, reward.amount, reward.claim_deadline)


# --- the rules ------------------------------------------------------------------------------------------------


@transaction.atomic
def update_rule(rule: RewardRule, *, actor: Any, version: int | None = None, **fields: Any) -> RewardRule:
    """The office edits a rule's figures, source, 核实 flag or whether it is in force (audited with the change)."""
    if not can(actor, "change", RewardRule):
        raise DomainError("您无权修改奖励标准。")
    pin(rule, version)
    allowed = {"name", "percent", "fixed_amount", "min_amount", "max_amount", "source", "verified", "active"}
    changes = {k: v for k, v in fields.items() if k in allowed and getattr(rule, k) != v}
    if not changes:
        return rule
    before = {k: str(getattr(rule, k)) for k in changes}
    compare_and_swap(rule, expected={}, changes=changes)
    audit.record(
        rule,
        REWARD_RULE_CHANGED,
        actor=actor,
        data={"before": before, "after": {k: str(v) for k, v in changes.items()}},
    )
    return rule
