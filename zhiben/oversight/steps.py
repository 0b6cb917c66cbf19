"""The steps of a list item (core.loop): the owner reports progress or completion with its evidence, the
committee office confirms (确认完成) or returns (退回) a completion; and the one step of a 通报, 签发.

    未开始 / 推进中 ──报告进展──► 推进中
                    ──报告完成──► 待确认 ──确认完成──► 已完成
                                         ──退回──────► 推进中
    草稿 ──签发──► 已签发
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.accounts.roles import Role
from zhiben.core.errors import NotPermitted
from zhiben.core.loop import Flow, Step
from zhiben.core.scoping import grants_for

from .choices import BulletinStatus as B
from .choices import ItemStatus as S
from .forms import CompleteForm, ConfirmForm, IssueForm, ProgressForm, ReturnForm
from .models import Bulletin, BulletinTransition, DutyItem, DutyItemTransition


def owns(actor: Any, item: DutyItem) -> bool:
    """Whether the actor works for the item's owner: its department, the officials of its township, or — for
    a post of the district — the committee office, which keeps the district leaders' lists."""
    for grant in grants_for(actor):
        if grant.role == Role.DEPARTMENT and item.department_id:
            if grant.extra.get("department_id") == item.department_id:
                return True
        elif grant.role == Role.TOWNSHIP and item.township_id and grant.region_prefix:
            if item.township.code.startswith(grant.region_prefix):  # type: ignore[union-attr]
                return True
        elif grant.role == Role.DISTRICT_OFFICE and not item.department_id and not item.township_id:
            return True
    return False


def owner_only(actor: Any, item: DutyItem) -> None:
    if not owns(actor, item):
        raise NotPermitted(str(_("只有责任单位可以报告该事项。")))


PROGRESS = Step(
    "progress",
    _("报告进展"),
    "report",
    frozenset({S.NOT_STARTED, S.IN_PROGRESS}),
    S.IN_PROGRESS,
    "OVERSIGHT_ITEM_PROGRESS",
    ProgressForm,
    rule=owner_only,
    style="primary",
    icon="journal-plus",
    help=_("记录推进情况和佐证，事项进入“推进中”。"),
)
COMPLETE = Step(
    "complete",
    _("报告完成"),
    "report",
    frozenset({S.NOT_STARTED, S.IN_PROGRESS}),
    S.CONFIRMING,
    "OVERSIGHT_ITEM_COMPLETED",
    CompleteForm,
    rule=owner_only,
    initial=lambda item: {"completed_on": timezone.localdate(), "evidence": item.evidence},
    style="success",
    icon="check2-circle",
    help=_("事项已完成：说明完成情况和佐证材料，区安委办确认后办结。"),
)
CONFIRM = Step(
    "confirm",
    _("确认完成"),
    "approve",
    frozenset({S.CONFIRMING}),
    S.DONE,
    "OVERSIGHT_ITEM_CONFIRMED",
    ConfirmForm,
    style="primary",
    icon="patch-check",
    help=_("核对佐证材料后确认事项已完成。"),
)
RETURN = Step(
    "return",
    _("退回"),
    "approve",
    frozenset({S.CONFIRMING}),
    S.IN_PROGRESS,
    "OVERSIGHT_ITEM_RETURNED",
    ReturnForm,
    style="outline-danger",
    icon="arrow-counterclockwise",
    help=_("佐证不足或未完成：退回并说明理由，责任单位补充后重新报告。"),
)

FLOW = Flow(
    model=DutyItem,
    history=DutyItemTransition,
    history_fk="item",
    steps=(PROGRESS, COMPLETE, CONFIRM, RETURN),
    denied=_("您没有办理职责任务清单事项的权限。"),
    out_of_scope=_("该事项不在您的职责范围内。"),
    stale=_("该事项已被他人处理，请刷新后重试。"),
)

DRAFT = Step("draft", _("起草"), "add", frozenset(), B.DRAFT, "OVERSIGHT_BULLETIN_DRAFTED", None)
ISSUE = Step(
    "issue",
    _("签发"),
    "issue",
    frozenset({B.DRAFT}),
    B.ISSUED,
    "OVERSIGHT_BULLETIN_ISSUED",
    IssueForm,
    style="danger",
    icon="send-check",
    help=_("签发后编号并生成 Word/PDF 公文，内容不再修改。"),
)

BULLETIN_FLOW = Flow(
    model=Bulletin,
    history=BulletinTransition,
    steps=(DRAFT, ISSUE),
    denied=_("只有区安委办可以签发通报。"),
    stale=_("该通报已被他人处理，请刷新后重试。"),
)
