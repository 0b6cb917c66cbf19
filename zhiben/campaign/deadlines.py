"""Reminders before a task's due date and the escalation ladder after it (督促函 → 通报 → 约谈), daily.

Rules are data (`TaskRule`, 待核实): a reminder `days` before the due date; a rung once the task is `days`
overdue and at least `interval_days` after the previous rung — one rung per task and run, so a long-overdue task
climbs on distinct days, as the hazards' ladder does (hazards/escalation.py). Idempotent: one `TaskReminder`
per (task, rule, due date) and one `TaskEscalation` per (task, rule, due date); a moved due date starts anew.
Many messages of one kind to one person in a run become one digest (core.outbox.collect_digests).

Who is told: the lead unit (department staff or township officials) of every reminder and rung; the office of
every rung; the leaders of a 约谈. Days are calendar days: the milestones are year-ends, not working-day terms.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import users_of_office, users_with_role
from zhiben.accounts.roles import Role
from zhiben.core import audit, ladder
from zhiben.core.documents import chinese_date
from zhiben.core.outbox import DigestKind, collect_digests, notify_users

from .choices import OPEN_TASK_STATUSES, EscalationKind, RuleKind
from .events import TASK_ESCALATED
from .models import Task, TaskEscalation, TaskReminder, TaskRule
from .services import lead_users

log = logging.getLogger(__name__)
LADDER = [k.value for k in EscalationKind]


def _list_url(query: str) -> str:
    try:
        return reverse("campaign:plan") + query
    except NoReverseMatch:
        return ""


def digests() -> dict[str, DigestKind]:
    return {
        "campaign_due": DigestKind(subject=_("治本攻坚任务即将到期：%(n)s 项"), url=_list_url("?mine=1")),
        "campaign_escalated": DigestKind(
            subject=_("治本攻坚任务逾期督办：%(n)s 项"), url=_list_url("?status=overdue")
        ),
    }


def _rules(kind: str) -> list[TaskRule]:
    return list(
        TaskRule.objects.unrestricted("reference data").filter(kind=kind, active=True).order_by("days", "pk")
    )


def reminder_horizon(today: dt.date) -> dt.date:
    """The last due date the reminders look at (the widest active 到期提醒 rule; 30 days without one): the plan's
    临期 filter and the workbench count the same tasks the reminders are sent for."""
    rules = _rules(RuleKind.REMIND)
    return today + dt.timedelta(days=max((r.days for r in rules), default=30))


def _open_tasks() -> Any:
    return (
        Task.objects.unrestricted("job: the whole district")
        .filter(status__in=OPEN_TASK_STATUSES)
        .select_related("lead_department", "township")
        .order_by("pk")
    )


def run_deadlines(today: dt.date | None = None) -> dict[str, int]:
    """The daily job: reminders, then the ladder; returns counts."""
    today = today or timezone.localdate()
    counts = {"reminded": 0, "escalated": 0, "failed": 0}
    with collect_digests(digests()):
        remind(today, counts)
        escalate(today, counts)
    log.info("campaign deadlines on %s: %s", today, counts)
    return counts


def remind(today: dt.date, counts: dict[str, int]) -> None:
    rules = _rules(RuleKind.REMIND)
    if not rules:
        return
    horizon = reminder_horizon(today)
    for task in _open_tasks().filter(due_on__gte=today, due_on__lte=horizon):
        left = (task.due_on - today).days
        # The tightest rule the task has reached; the wider ones it passed are not sent late.
        rule = next((r for r in rules if left <= r.days), None)
        if rule is None:
            continue
        sent = TaskReminder.objects.filter(task=task, due_on=task.due_on, rule__days__lte=rule.days).exists()
        if sent:
            continue
        try:
            with transaction.atomic():
                TaskReminder.objects.create(task=task, rule=rule, due_on=task.due_on, sent_on=today)
                line = _("“%(t)s”%(d)s到期（还剩 %(n)s 天）") % {
                    "t": task.title,
                    "d": chinese_date(task.due_on),
                    "n": left,
                }
                notify_users(
                    lead_users(task),
                    subject=_("治本攻坚任务即将到期：%(t)s") % {"t": task.title[:60]},
                    body=_("您单位牵头的任务%(line)s，请抓紧推进并报告完成情况。") % {"line": line},
                    url=task.get_absolute_url(),
                    topic="campaign_due",
                    obj=task,
                    line=line,
                )
            counts["reminded"] += 1
        except IntegrityError:
            continue  # a concurrent run reminded it
        except Exception:
            counts["failed"] += 1
            log.exception("reminder of campaign task %s failed", task.pk)


def next_rung(
    rules: list[TaskRule], done: list[TaskEscalation], *, overdue: int, today: dt.date
) -> TaskRule | None:
    """The lightest rung not yet applied in this cycle, when its threshold is met and its interval has passed
    (core.ladder, shared with the hazards' and the supervision items' ladders)."""
    return ladder.next_rung(
        rules,
        done,
        overdue=overdue,
        today=today,
        threshold=lambda r: r.days,
        interval=lambda r: r.interval_days,
    )


def escalate(today: dt.date, counts: dict[str, int]) -> None:
    rules = sorted(_rules(RuleKind.ESCALATE), key=lambda r: (r.days, LADDER.index(r.escalation or "urge")))
    if not rules:
        return
    office = users_of_office()
    leaders = users_with_role(Role.LEADER)
    for task in _open_tasks().filter(due_on__lt=today):
        try:
            with transaction.atomic():
                done = list(task.escalations.filter(due_on=task.due_on).order_by("applied_on", "pk"))
                overdue = (today - task.due_on).days
                rule = next_rung(rules, done, overdue=overdue, today=today)
                if rule is None:
                    continue
                step = TaskEscalation.objects.create(
                    task=task,
                    rule=rule,
                    kind=rule.escalation,
                    due_on=task.due_on,
                    overdue_days=overdue,
                    applied_on=today,
                )
                audit.record(
                    task,
                    TASK_ESCALATED,
                    actor=None,
                    data={
                        "kind": step.kind,
                        "rule": rule.pk,
                        "due_on": task.due_on.isoformat(),
                        "overdue_days": overdue,
                    },
                )
                kind = step.get_kind_display()
                line = _("“%(t)s”（%(u)s）逾期 %(n)s 天，%(k)s") % {
                    "t": task.title,
                    "u": task.lead_name,
                    "n": overdue,
                    "k": kind,
                }
                users = [*lead_users(task), *office]
                if step.kind == EscalationKind.INTERVIEW:
                    users += leaders
                notify_users(
                    users,
                    subject=_("治本攻坚任务逾期督办：%(k)s（%(t)s）") % {"k": kind, "t": task.title[:50]},
                    body=_("任务%(line)s。完成时限为%(d)s，请牵头单位立即推进并报告。")
                    % {"line": line, "d": chinese_date(task.due_on)},
                    url=task.get_absolute_url(),
                    topic="campaign_escalated",
                    obj=task,
                    line=line,
                )
            counts["escalated"] += 1
        except IntegrityError:
            continue
        except Exception:
            counts["failed"] += 1
            log.exception("escalation of campaign task %s failed", task.pk)
