"""The steps of a campaign task (core.loop): the lead unit reports progress or completion with its evidence,
the committee office accepts (通过) or returns (退回) the report; accepting a completion report completes the
task. Declared once: the services enforce them, the task page offers them as buttons, the API as POST actions.

    推进中 / 已退回 ──报告进展──► 进展待审核 ──通过──► 推进中
                    ──报告完成──► 完成待审核 ──通过──► 已完成
                                  (either)   ──退回──► 已退回
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.accounts.roles import Role
from zhiben.core.errors import NotPermitted
from zhiben.core.loop import Flow, Step
from zhiben.core.scoping import grants_for

from .choices import TaskStatus as S
from .forms import AcceptForm, ReportForm, ReturnForm
from .models import Task, TaskTransition


def leads(actor: Any, task: Task) -> bool:
    """Whether the actor works for the task's lead unit: its lead department, or the township of a township's
    task. Co-operating departments read the task but do not report on it."""
    for grant in grants_for(actor):
        if (
            grant.role == Role.DEPARTMENT
            and task.lead_department_id
            and grant.extra.get("department_id") == task.lead_department_id
        ):
            return True
        if (
            grant.role == Role.TOWNSHIP
            and task.township_id
            and grant.region_prefix
            and task.township.code.startswith(grant.region_prefix)  # type: ignore[union-attr]
        ):
            return True
    return False


def lead_unit_only(actor: Any, task: Task) -> None:
    if not leads(actor, task):
        raise NotPermitted(str(_("只有牵头单位可以报告该任务的进展。")))


def _report_initial(task: Task) -> dict[str, Any]:
    return {"reported_on": timezone.localdate(), "percent": task.percent}


REPORT = Step(
    "report",
    _("报告进展"),
    "report",
    frozenset({S.OPEN, S.RETURNED}),
    S.REVIEWING,
    "CAMPAIGN_TASK_REPORTED",
    ReportForm,
    rule=lead_unit_only,
    initial=_report_initial,
    multipart=True,
    style="primary",
    icon="journal-plus",
    help=_("报告阶段进展并附佐证材料，区安委办审核通过或退回。"),
)
REPORT_FINAL = Step(
    "report_final",
    _("报告完成"),
    "report",
    frozenset({S.OPEN, S.RETURNED}),
    S.FINAL_REVIEW,
    "CAMPAIGN_TASK_FINAL_REPORTED",
    ReportForm,
    rule=lead_unit_only,
    initial=lambda t: {"reported_on": timezone.localdate(), "percent": 100},
    multipart=True,
    style="success",
    icon="check2-circle",
    help=_("任务已完成：报告成果并附佐证材料，区安委办审核通过后任务办结。"),
)
ACCEPT = Step(
    "accept",
    _("通过"),
    "approve",
    frozenset({S.REVIEWING, S.FINAL_REVIEW}),
    {S.REVIEWING: S.OPEN, S.FINAL_REVIEW: S.DONE},
    "CAMPAIGN_REPORT_ACCEPTED",
    AcceptForm,
    style="primary",
    icon="patch-check",
    help=_("审核通过：进展报告通过后任务继续推进；完成报告通过后任务办结。"),
)
RETURN = Step(
    "return",
    _("退回"),
    "approve",
    frozenset({S.REVIEWING, S.FINAL_REVIEW}),
    S.RETURNED,
    "CAMPAIGN_REPORT_RETURNED",
    ReturnForm,
    style="outline-danger",
    icon="arrow-counterclockwise",
    help=_("退回报告并说明理由，牵头单位补充后重新报告。"),
)

FLOW = Flow(
    model=Task,
    history=TaskTransition,
    steps=(REPORT, REPORT_FINAL, ACCEPT, RETURN),
    denied=_("您没有办理治本攻坚任务的权限。"),
    out_of_scope=_("该任务不在您的职责范围内。"),
    stale=_("该任务已被他人处理，请刷新后重试。"),
)
