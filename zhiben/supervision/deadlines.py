"""Reminders before an assignee row's deadline and the escalation ladder after it, daily:
逾期提醒 → 督促函 (a numbered 公文, documents.issue_letter) → 通报 → 约谈建议.

Rules are data (`SupervisionRule`, 待核实); the rung is chosen by core.ladder.next_rung, as the hazards' and
the campaign's ladders choose theirs: one rung per assignee row and run, each after its threshold and interval.
Idempotent: one `AssigneeReminder` per (row, rule, deadline) and one `AssigneeEscalation` per (row, rule,
deadline); a moved deadline starts anew. Many messages of one kind to one person in a run become one digest
(core.outbox.collect_digests). Who is told: the unit of every reminder and rung, the office of every rung, the
leaders of a 约谈建议.
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

from .choices import OPEN_ASSIGNEE_STATUSES, EscalationKind, RuleKind
from .documents import issue_letter
from .events import ESCALATED
from .models import Assignee, AssigneeEscalation, AssigneeReminder, SupervisionRule
from .services import unit_users

log = logging.getLogger(__name__)
LADDER = [k.value for k in EscalationKind]


def _list_url(query: str) -> str:
    try:
        return reverse("supervision:item_list") + query
    except NoReverseMatch:
        return ""


def digests() -> dict[str, DigestKind]:
    return {
        "supervision_due": DigestKind(subject=_("督办事项即将到期：%(n)s 项"), url=_list_url("?tab=working")),
        "supervision_escalated": DigestKind(
            subject=_("督办事项逾期升级：%(n)s 项"), url=_list_url("?tab=overdue")
        ),
    }


def rules(kind: str) -> list[SupervisionRule]:
    found = SupervisionRule.objects.unrestricted("reference data").filter(kind=kind, active=True)
    return sorted(found, key=lambda r: (r.days, LADDER.index(r.escalation) if r.escalation in LADDER else 0))


def _open_rows() -> Any:
    return (
        Assignee.objects.unrestricted("job: the whole district")
        .filter(status__in=OPEN_ASSIGNEE_STATUSES)
        .select_related("item", "department", "township")
        .order_by("pk")
    )


def run_deadlines(today: dt.date | None = None) -> dict[str, int]:
    """The daily job: reminders, then the ladder; returns counts."""
    today = today or timezone.localdate()
    counts = {"reminded": 0, "escalated": 0, "failed": 0}
    with collect_digests(digests()):
        remind(today, counts)
        escalate(today, counts)
    log.info("supervision deadlines on %s: %s", today, counts)
    return counts


def remind(today: dt.date, counts: dict[str, int]) -> None:
    found = rules(RuleKind.REMIND)
    if not found:
        return
    horizon = today + dt.timedelta(days=max(r.days for r in found))
    for row in _open_rows().filter(deadline__gte=today, deadline__lte=horizon):
        left = (row.deadline - today).days
        rule = next((r for r in found if left <= r.days), None)
        if rule is None:
            continue
        if AssigneeReminder.objects.filter(
            assignee=row, deadline=row.deadline, rule__days__lte=rule.days
        ).exists():
            continue
        try:
            with transaction.atomic():
                AssigneeReminder.objects.create(assignee=row, rule=rule, deadline=row.deadline, sent_on=today)
                line = _("“%(s)s”%(d)s到期（还剩 %(n)s 天）") % {
                    "s": row.item.subject,
                    "d": chinese_date(row.deadline),
                    "n": left,
                }
                notify_users(
                    unit_users(row),
                    subject=_("督办事项即将到期：%(s)s") % {"s": row.item.subject[:60]},
                    body=_("你单位承办的督办事项%(line)s，请抓紧办理并反馈。") % {"line": line},
                    url=row.item.get_absolute_url(),
                    topic="supervision_due",
                    obj=row,
                    line=line,
                )
            counts["reminded"] += 1
        except IntegrityError:
            continue  # a concurrent run reminded it
        except Exception:
            counts["failed"] += 1
            log.exception("reminder of supervision row %s failed", row.pk)


def escalate(today: dt.date, counts: dict[str, int]) -> None:
    found = rules(RuleKind.ESCALATE)
    if not found:
        return
    office = users_of_office()
    leaders = users_with_role(Role.LEADER)
    for row in _open_rows().filter(deadline__lt=today):
        try:
            with transaction.atomic():
                if escalate_row(row, found, today=today, office=office, leaders=leaders):
                    counts["escalated"] += 1
        except IntegrityError:
            continue
        except Exception:
            counts["failed"] += 1
            log.exception("escalation of supervision row %s failed", row.pk)


def escalate_row(
    row: Assignee, found: list[SupervisionRule], *, today: dt.date, office: list[Any], leaders: list[Any]
) -> AssigneeEscalation | None:
    done = list(row.escalations.filter(deadline=row.deadline).order_by("applied_on", "pk"))
    overdue = (today - row.deadline).days
    rule = ladder.next_rung(
        found,
        done,
        overdue=overdue,
        today=today,
        threshold=lambda r: r.days,
        interval=lambda r: r.interval_days,
    )
    if rule is None:
        return None
    document = issue_letter(row, actor=None, on=today) if rule.escalation == EscalationKind.LETTER else None
    step = AssigneeEscalation.objects.create(
        assignee=row,
        rule=rule,
        kind=rule.escalation,
        deadline=row.deadline,
        overdue_days=overdue,
        applied_on=today,
        document=document,
    )
    audit.record(
        row,
        ESCALATED,
        actor=None,
        data={
            "kind": step.kind,
            "rule": rule.pk,
            "deadline": row.deadline.isoformat(),
            "overdue_days": overdue,
            "document": document.number if document else "",
        },
    )
    kind = step.get_kind_display()
    line = _("“%(s)s”（%(u)s）逾期 %(n)s 天，%(k)s") % {
        "s": row.item.subject,
        "u": row.unit_name,
        "n": overdue,
        "k": kind + (f"（{document.number}）" if document else ""),
    }
    users = [*unit_users(row), *office]
    if step.kind == EscalationKind.INTERVIEW:
        users += leaders
    notify_users(
        users,
        subject=_("督办事项逾期升级：%(k)s（%(s)s）") % {"k": kind, "s": row.item.subject[:50]},
        body=_("督办事项%(line)s。办理时限为%(d)s，请承办单位立即办理并反馈。")
        % {"line": line, "d": chinese_date(row.deadline)},
        url=row.item.get_absolute_url(),
        topic="supervision_escalated",
        obj=row,
        line=line,
    )
    return step
