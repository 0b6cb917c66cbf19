"""The steps of an enterprise's internal report (内部举报), on the loop kit: the unit records a worker's report
(登记), verifies it (核实属实 — the hazard is registered in its ledger — or 核实不属实), and records the reward it
paid for a founded one (登记奖励). Only the unit acts (`change` on tips.internalreport is the enterprise role's);
the office, departments and townships read the counts.

The services are in services/internal.py (`@STEP.implements`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import describes
from zhiben.core.loop import Flow, Step

from .choices import InternalStatus
from .forms.internal import FoundForm, RewardForm, UnfoundedForm, initial_found, initial_reward
from .models import InternalReport

S = InternalStatus


def _not_rewarded(report: Any) -> bool:
    return report.rewarded_on is None


RECORD = Step("record", _("登记内部举报"), "add", target=S.RECEIVED, event="INTERNAL_REPORT_RECORDED")
FOUND = Step(
    "found",
    _("核实属实"),
    "change",
    frozenset({S.RECEIVED}),
    S.FOUNDED,
    "INTERNAL_REPORT_FOUNDED",
    FoundForm,
    initial=initial_found,
    style="outline-danger",
    icon="check2-circle",
    help=_("核实属实后，报告反映的隐患登记入本单位隐患台账（来源：企业自查），并与本报告关联。"),
)
UNFOUND = Step(
    "unfound",
    _("核实不属实"),
    "change",
    frozenset({S.RECEIVED}),
    S.UNFOUNDED,
    "INTERNAL_REPORT_UNFOUNDED",
    UnfoundedForm,
    style="outline-secondary",
    icon="x-circle",
)
REWARD = Step(
    "reward",
    _("登记奖励"),
    "change",
    frozenset({S.FOUNDED}),
    None,
    "INTERNAL_REPORT_REWARDED",
    RewardForm,
    when=_not_rewarded,
    initial=initial_reward,
    style="outline-success",
    icon="cash-coin",
)

INTERNAL_FLOW = Flow(
    model=InternalReport,
    history=None,
    steps=(RECORD, FOUND, UNFOUND, REWARD),
    denied=_("只有本单位可以办理内部举报。"),
    out_of_scope=_("该内部举报不属于您的单位。"),
    stale=_("该内部举报已被他人处理，请刷新后重试。"),
)


@describes("INTERNAL_REPORT_FOUNDED")
def _founded(rows: Any) -> list[str]:
    return [
        "；".join(x for x in (f"登记隐患 {d.get('hazard_code', '')}".strip(), d.get("note") or "") if x)
        for d in rows
    ]


@describes("INTERNAL_REPORT_UNFOUNDED")
def _unfounded(rows: Any) -> list[str]:
    return [str(d.get("note") or "") for d in rows]


@describes("INTERNAL_REPORT_REWARDED")
def _rewarded(rows: Any) -> list[str]:
    return [f"奖励 {d.get('reward_amount', '')} 元（{d.get('rewarded_on', '')}）" for d in rows]
