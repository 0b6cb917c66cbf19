"""应训未训 and 应练未练 reminders (the daily job): each unit of the gap lists is told once per period — the
year's theme, a drill period — with its township's officials (属地); many units of one run to one official
become one digest. `DutyReminder` rows are the memory, so a second run sends nothing again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import TownshipOfficials, users_of_enterprises
from zhiben.core.outbox import DigestKind, collect_digests, notify_users
from zhiben.registry.models import Enterprise

from .duties import drill_dues, theme_gaps
from .models import DutyReminder, TrainingTheme

REASON = "job: the whole district's duties"


def _send(kind: str, enterprise: Enterprise, period: str, subject: str, url: str, users: list[Any]) -> bool:
    try:
        with transaction.atomic():
            DutyReminder.objects.create(kind=kind, enterprise=enterprise, period=period)
            notify_users(
                users, subject=subject, url=url, topic=f"training_{kind}", obj=enterprise, line=subject
            )
    except IntegrityError:
        return False
    return True


def send_duty_reminders(today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    units = Enterprise.objects.unrestricted(REASON)
    gaps_url = reverse("training:gaps") + f"?year={today.year}"
    due_url = reverse("training:drills_due") + f"?year={today.year}"
    sent = {"training": 0, "drill": 0}
    officials = TownshipOfficials()
    kinds = {
        "training_theme": DigestKind(_("%(n)s 家单位应训未训"), gaps_url),
        "training_drill": DigestKind(_("%(n)s 家单位应练未练"), due_url),
    }
    with collect_digests(kinds):
        theme = TrainingTheme.objects.unrestricted(REASON).filter(year=today.year).first()
        gaps = theme_gaps(theme, units) if theme is not None else []
        dues = drill_dues(today.year, units, today)
        accounts = users_of_enterprises({g.enterprise.pk for g in gaps} | {d.enterprise.pk for d in dues})
        for gap in gaps:
            e = gap.enterprise
            subject = _("%(u)s%(r)s尚未参加%(y)s年度主题培训（%(t)s）") % {
                "u": e.name,
                "r": gap.role_label,
                "y": today.year,
                "t": theme.name if theme else "",
            }
            users = accounts.get(e.pk, []) + officials.of(e.region.code)
            if _send("theme", e, f"{today.year}:{gap.role}", subject, gaps_url, users):
                sent["training"] += 1
        for due in dues:
            e = due.enterprise
            subject = _("%(u)s%(p)s尚未组织疏散逃生演练（%(s)s）") % {
                "u": e.name,
                "p": due.period,
                "s": due.status_label,
            }
            users = accounts.get(e.pk, []) + officials.of(e.region.code)
            if _send("drill", e, f"{due.period}:{'late' if due.overdue else 'due'}", subject, due_url, users):
                sent["drill"] += 1
    return sent
