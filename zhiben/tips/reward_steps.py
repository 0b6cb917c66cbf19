"""The steps of a reward (举报奖励), declared once on the loop kit: 拟定 → 审批 (by a second person) or 不予奖励 →
告知 (the claim window opens) → 申领 (the reporter by receipt code, or the custodian records it) → 发放; an
unclaimed reward becomes 逾期未领 after the window (the daily job in reward_tasks.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhiben.core.errors import NotPermitted
from zhiben.core.events import register
from zhiben.core.loop import Flow, Step

from .choices import RewardStatus as S
from .forms import rewards as rf
from .models import Reward, RewardTransition


def not_the_proposer(actor: Any, reward: Reward) -> None:
    """Two-person approval: whoever proposed the reward may not approve it."""
    if actor is not None and reward.proposed_by_id == actor.pk:
        raise NotPermitted(str(_("奖励须由拟定人以外的人员审批（双人审批）。")))


PROPOSE = Step("propose", _("拟定奖励"), "add", target=S.PROPOSED, event="REWARD_PROPOSED")
APPROVE = Step(
    "approve",
    _("审批同意"),
    "approve",
    frozenset({S.PROPOSED}),
    S.APPROVED,
    "REWARD_APPROVED",
    rf.NoteForm,
    rule=not_the_proposer,
    style="primary",
    icon="check2-circle",
    help=_("核对奖励金额和计算依据；审批人不能是拟定人。"),
)
DECLINE = Step(
    "decline",
    _("不予奖励"),
    "approve",
    frozenset({S.PROPOSED}),
    S.DECLINED,
    "REWARD_DECLINED",
    rf.DeclineForm,
    rule=not_the_proposer,
    style="outline-danger",
    icon="x-circle",
)
NOTIFY = Step(
    "notify",
    _("告知领奖"),
    "pay",
    frozenset({S.APPROVED}),
    None,
    "REWARD_NOTIFIED",
    rf.NotifyForm,
    when=lambda r: r.claim_deadline is None,
    style="primary",
    icon="megaphone",
    help=_("告知举报人凭查询码申领奖励；领取期限自告知之日起计算，逾期视为放弃。"),
)
CLAIM = Step(
    "claim",
    _("登记申领"),
    "pay",
    frozenset({S.APPROVED}),
    S.CLAIMED,
    "REWARD_CLAIMED",
    rf.ClaimForm,
    when=lambda r: r.claim_deadline is not None,
    icon="person-check",
    help=_("举报人在领取期限内申领（本人到场或在举报平台凭查询码申领）。"),
)
PAY = Step(
    "pay",
    _("发放"),
    "pay",
    frozenset({S.CLAIMED}),
    S.PAID,
    "REWARD_PAID",
    rf.PayForm,
    style="primary",
    icon="cash-coin",
)
LAPSE = Step("lapse", _("逾期未领"), "change", frozenset({S.APPROVED}), S.LAPSED, "REWARD_LAPSED")

FLOW = Flow(
    model=Reward,
    history=RewardTransition,
    steps=(PROPOSE, APPROVE, DECLINE, NOTIFY, CLAIM, PAY, LAPSE),
    denied=_("您没有办理举报奖励的权限。"),
    stale=_("该奖励已被他人处理，请刷新后重试。"),
)

REWARD_RULE_CHANGED = register("REWARD_RULE_CHANGED", _("修改举报奖励标准"))
