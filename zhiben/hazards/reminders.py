"""Deadline reminders (到期提醒): a configurable number of working days before a deadline, whoever must act is
told once per deadline — for the 整改 deadline the unit (in-app and SMS) and its supervising department
(in-app); for the 判定 deadline of a report still waiting, the supervising department that must judge it.

Idempotent: a `HazardReminder` row per (hazard, stage, deadline) is written with the messages, so a second
run on the same day, or the next day, sends nothing again; an extended deadline gets its own reminder.
The lead times are the `DeadlinePolicy` rows of each stage; the ladders' watch lists are escalation.LADDERS.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.roles import Role
from zhiben.core.calendar import CalendarUnavailable, workdays_between
from zhiben.core.documents import chinese_date
from zhiben.core.outbox import DigestKind, collect_digests, notify_users

from .choices import Level, Stage
from .escalation import LADDERS, Recipients, hazard_url
from .models import DeadlinePolicy, Hazard, HazardReminder

log = logging.getLogger(__name__)

DEFAULT_REMINDER_WORKDAYS = 3  # when the office has deleted a level's policy
CHUNK = 500


def reminder_workdays_by_level(stage: str = Stage.RECTIFY) -> dict[str, int]:
    # Deadline policies are district-wide reference data.
    policies = dict(
        DeadlinePolicy.objects.unrestricted("reference data")
        .filter(stage=stage)
        .values_list("level", "reminder_workdays")
    )
    return {level: policies.get(level, DEFAULT_REMINDER_WORKDAYS) for level in Level.values}


def send_deadline_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Remind hazards whose 整改 or 判定 deadline is today or within the reminder window; returns counts."""
    from .deadlines import assign_judge_deadlines  # deadlines → tally → models; kept out of import time

    today = today or timezone.localdate()
    counts = {"checked": 0, "reminded": 0, "failed": 0, "calendar_unavailable": 0}
    assign_judge_deadlines()
    recipients = Recipients()
    with collect_digests(_digest_kinds()):  # a department with many hazards due gets one list
        for stage in LADDERS:
            _remind_stage(stage, today, counts, recipients)
    log.info("deadline reminders on %s: %s", today, counts)
    return counts


def _digest_kinds() -> dict[str, DigestKind]:
    return {
        "hazard_deadline": DigestKind(
            subject=_("隐患整改即将到期：%(n)s 项隐患"), url=_hazard_list_url("?open=true&sort=deadline")
        ),
        "hazard_judge_deadline": DigestKind(
            subject=_("隐患判定即将到期：%(n)s 项报告"), url=_hazard_list_url("?status=reported")
        ),
    }


def _hazard_list_url(query: str) -> str:
    """The hazard list with a filter (the reader's own scope applies)."""
    try:
        return reverse("hazards:hazard_list") + query
    except NoReverseMatch:  # the hazard pages are not installed
        return ""


def _remind_stage(stage: str, today: dt.date, counts: dict[str, int], recipients: Recipients) -> None:
    ladder = LADDERS[Stage(stage)]
    field = ladder.deadline_field
    lead = reminder_workdays_by_level(stage)
    # Calendar bound for the query only (a working day is never more than ~3 calendar days on average, plus a
    # long holiday); the exact working-day test is made per hazard below.
    horizon = today + dt.timedelta(days=max(lead.values(), default=0) * 3 + 15)
    last = 0
    while True:
        # The job serves the whole district, so it reads through unrestricted(); keyset chunks keep memory flat.
        chunk = list(
            Hazard.objects.filter(status__in=ladder.statuses)
            .unrestricted("job: the whole district")
            .filter(**{f"{field}__gte": today, f"{field}__lte": horizon}, pk__gt=last)
            .exclude(
                Exists(
                    HazardReminder.objects.filter(
                        hazard=OuterRef("pk"), stage=stage, deadline=OuterRef(field)
                    )
                )
            )
            .select_related("enterprise", "department")
            .order_by("pk")[:CHUNK]
        )
        for hazard in chunk:
            counts["checked"] += 1
            try:
                if remind_hazard(hazard, today=today, lead=lead, recipients=recipients, stage=stage):
                    counts["reminded"] += 1
            except CalendarUnavailable as exc:
                counts["calendar_unavailable"] += 1
                log.warning("reminder for hazard %s skipped: %s", hazard.pk, exc.message)
            except Exception:
                counts["failed"] += 1
                log.exception("reminder for hazard %s failed", hazard.pk)
        if len(chunk) < CHUNK:
            break
        last = chunk[-1].pk


def remind_hazard(
    hazard: Hazard,
    *,
    today: dt.date,
    lead: dict[str, int],
    recipients: Recipients,
    stage: str = Stage.RECTIFY,
) -> bool:
    """Record and send one reminder if the deadline is within the window and not reminded yet."""
    deadline = LADDERS[Stage(stage)].deadline(hazard)
    if deadline is None or deadline < today:
        return False
    left = workdays_between(today, deadline)
    if left > lead.get(hazard.level, DEFAULT_REMINDER_WORKDAYS):
        return False
    try:
        with transaction.atomic():
            HazardReminder.objects.create(hazard=hazard, stage=stage, deadline=deadline)
            if stage == Stage.JUDGE:
                _remind_judge(hazard, deadline, left, recipients)
                return True
            subject = _("隐患整改即将到期：%(code)s") % {"code": hazard.code}
            body = _(
                "%(enterprise)s的%(level)s事故隐患“%(title)s”整改期限为%(deadline)s（%(left)s），"
                "请抓紧完成整改并申请验收；确需延期的，请在到期前提出延期申请。"
            ) % {
                "enterprise": hazard.enterprise.name,
                "level": hazard.get_level_display(),
                "title": hazard.title,
                "deadline": chinese_date(deadline),
                "left": _("今日到期") if left == 0 else _("还剩 %(n)s 个工作日") % {"n": left},
            }
            url = hazard_url(hazard)
            common: dict[str, Any] = {
                "subject": subject,
                "body": body,
                "url": url,
                "topic": "hazard_deadline",
                "obj": hazard,
                "line": _("%(enterprise)s“%(title)s”（%(code)s），%(deadline)s到期")
                % {
                    "enterprise": hazard.enterprise.name,
                    "title": hazard.title,
                    "code": hazard.code,
                    "deadline": chinese_date(deadline),
                },
            }
            notify_users(
                recipients.role(Role.ENTERPRISE, enterprise=hazard.enterprise_id), sms=True, **common
            )
            notify_users(recipients.role(Role.DEPARTMENT, department=hazard.department_id), **common)
    except IntegrityError:
        return False  # reminded by a concurrent run
    return True


def _remind_judge(hazard: Hazard, deadline: dt.date, left: int, recipients: Recipients) -> None:
    """判定 due soon: the supervising department, which must judge the report (the unit waits on it)."""
    notify_users(
        recipients.role(Role.DEPARTMENT, department=hazard.department_id),
        subject=_("隐患报告即将到判定期限：%(code)s") % {"code": hazard.code},
        body=_(
            "%(enterprise)s报告的%(level)s事故隐患“%(title)s”应于%(deadline)s前判定（%(left)s），"
            "请及时判定交办或作出不予认定。"
        )
        % {
            "enterprise": hazard.enterprise.name,
            "level": hazard.get_level_display(),
            "title": hazard.title,
            "deadline": chinese_date(deadline),
            "left": _("今日到期") if left == 0 else _("还剩 %(n)s 个工作日") % {"n": left},
        },
        url=hazard_url(hazard),
        topic="hazard_judge_deadline",
        obj=hazard,
        line=_("%(enterprise)s“%(title)s”（%(code)s），%(deadline)s前判定")
        % {
            "enterprise": hazard.enterprise.name,
            "title": hazard.title,
            "code": hazard.code,
            "deadline": chinese_date(deadline),
        },
    )
