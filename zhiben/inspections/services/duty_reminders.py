"""Reminders of self-inspection duties (自查提醒): before a period ends, and once when it was missed (应查未查).

The unit's users get an in-app message; the unit's principal (主要负责人, who owes the check) an SMS to the
phone in the registry, both through the transactional outbox; a missed period is told to the township
officials of the unit's place as well (属地). A run is one digest per person and kind (core.outbox
collect_digests): a township with 56 units on the 应查未查 list gets one message listing them. Idempotent: each occurrence is reminded once
(`reminded_at`) and told once that it was missed (`overdue_notified_at`), each stamp set by a conditional
UPDATE in the transaction that queues the messages, so a second run — or a concurrent one — sends nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import TownshipOfficials, users_of_enterprises
from zhiben.core import audit
from zhiben.core.documents import chinese_date
from zhiben.core.models.outbox import Channel
from zhiben.core.outbox import DigestKind, collect_digests, notify_users, queue_message

from .. import events
from ..choices import OccurrenceStatus
from ..models import DutyOccurrence, DutyRule
from .duties import period_label

log = logging.getLogger(__name__)

CHUNK = 500
# A period missed longer ago than this is not announced any more (a first run over old data stays quiet).
MISSED_NOTICE_DAYS = 31


def send_duty_reminders(today: dt.date | None = None, *, actor: Any = None) -> dict[str, int]:
    """Remind the periods ending within their rule's reminder window, and announce the newly missed ones."""
    today = today or timezone.localdate()
    counts = {"reminded": 0, "missed_notified": 0, "failed": 0}
    # Rules are district-wide reference data; the job serves the whole district.
    due = Q(pk__in=[])
    for rule in DutyRule.objects.unrestricted("reference data").all():
        due |= Q(rule=rule, period_end__lte=today + dt.timedelta(days=rule.reminder_days))
    upcoming = (
        DutyOccurrence.objects.unrestricted("job: the whole district")
        .filter(due, status=OccurrenceStatus.PENDING, reminded_at__isnull=True, period_end__gte=today)
        .filter(period_start__lte=today)
    )
    missed = DutyOccurrence.objects.unrestricted("job: the whole district").filter(
        status=OccurrenceStatus.MISSED,
        overdue_notified_at__isnull=True,
        period_end__gte=today - dt.timedelta(days=MISSED_NOTICE_DAYS),
    )
    townships = TownshipOfficials()
    with collect_digests(_digest_kinds()):
        counts["reminded"], failed = _run(upcoming, "reminded_at", today, townships)
        counts["failed"] += failed
        counts["missed_notified"], failed = _run(missed, "overdue_notified_at", today, townships)
        counts["failed"] += failed
    if counts["reminded"] or counts["missed_notified"]:
        with transaction.atomic():
            audit.record(
                None,
                events.DUTY_REMINDERS_SENT,
                actor=actor,
                object_type="inspections.dutyoccurrence",
                data={"date": today.isoformat(), **counts},
            )
    log.info("duty reminders on %s: %s", today, counts)
    return counts


def _digest_kinds() -> dict[str, DigestKind]:
    missed = reverse("inspections:duty_missed")
    return {
        "duty_missed": DigestKind(subject=_("应查未查：%(n)s 家单位本期未完成自查"), url=missed),
        "duty_reminder": DigestKind(
            subject=_("自查提醒：%(n)s 项自查即将截止"), url=reverse("inspections:duty_mine")
        ),
    }


def _run(queryset: Any, stamp: str, today: dt.date, townships: TownshipOfficials) -> tuple[int, int]:
    """Send one kind of message for every occurrence of `queryset`, in keyset chunks; (sent, failed)."""
    sent = failed = 0
    last = 0
    while True:
        chunk = list(
            queryset.filter(pk__gt=last).select_related("enterprise__region", "rule").order_by("pk")[:CHUNK]
        )
        if not chunk:
            break
        last = chunk[-1].pk
        users = users_of_enterprises({o.enterprise_id for o in chunk})
        for occurrence in chunk:
            try:
                if _notify(occurrence, stamp, today, users.get(occurrence.enterprise_id, []), townships):
                    sent += 1
            except Exception:
                failed += 1
                log.exception("duty reminder for occurrence %s failed", occurrence.pk)
        if len(chunk) < CHUNK:
            break
    return sent, failed


def _notify(
    occurrence: DutyOccurrence, stamp: str, today: dt.date, users: list[Any], townships: TownshipOfficials
) -> bool:
    with transaction.atomic():
        # Claim the occurrence first: only the run whose UPDATE matched sends (idempotent, race-safe).
        claimed = DutyOccurrence.objects.filter(pk=occurrence.pk, **{f"{stamp}__isnull": True}).update(
            **{stamp: timezone.now()}
        )
        if not claimed:
            return False
        ent = occurrence.enterprise
        rule = occurrence.rule
        period = period_label(rule.frequency, occurrence.period_start)
        if stamp == "reminded_at":
            left = (occurrence.period_end - today).days
            subject = _("自查提醒：%(p)s%(led)s带队检查") % {"p": period, "led": rule.led_by}
            body = _(
                "%(e)s：按“%(r)s”，%(p)s须由%(led)s带队对本单位重大事故隐患排查整治情况开展检查，"
                "截止%(d)s（%(left)s）。完成后请在平台记录自查。"
            ) % {
                "e": ent.name,
                "r": rule.name,
                "p": period,
                "led": rule.led_by,
                "d": chinese_date(occurrence.period_end),
                "left": _("今日截止") if left == 0 else _("还剩 %(n)s 天") % {"n": left},
            }
            topic = "duty_reminder"
        else:
            subject = _("应查未查：%(p)s%(led)s带队检查未完成") % {"p": period, "led": rule.led_by}
            body = _(
                "%(e)s：%(p)s（截止%(d)s）未记录%(led)s带队的重大事故隐患排查整治检查，已列入应查未查名单。"
                "请尽快组织检查并在平台补录（逾期补查）。"
            ) % {"e": ent.name, "p": period, "d": chinese_date(occurrence.period_end), "led": rule.led_by}
            topic = "duty_missed"
        line = _("%(e)s（%(p)s，截止%(d)s）") % {
            "e": ent.name,
            "p": period,
            "d": chinese_date(occurrence.period_end),
        }
        url = reverse("inspections:duty_mine")
        notify_users(users, subject=subject, body=body, url=url, topic=topic, obj=occurrence, line=line)
        if stamp == "overdue_notified_at":
            # 属地: the township officials of the unit's place follow its 应查未查 list.
            notify_users(
                townships.of(ent.region.code),
                subject=subject,
                body=body,
                url=reverse("inspections:duty_occurrence_detail", args=[occurrence.pk]),
                topic=topic,
                obj=occurrence,
                line=line,
            )
        if ent.principal_phone:
            queue_message(
                channel=Channel.SMS,
                address=ent.principal_phone,
                subject=subject,
                body=body,
                topic=topic,
                obj=occurrence,
            )
    return True
