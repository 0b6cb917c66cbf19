"""The 培训演练 card on the 待办 workbench (core/workbench.py).

A unit has its own 应训未训 (the year's theme), certificates ending within 90 days or past their end, its
应练未练 periods and emergency plans due for review within 60 days: each is its own act (due). Government
readers watch the same figures over their scope (关注, outside `due`). Each figure opens the list that shows
exactly those records (the gap pages list rows; the certificate and plan lists are filtered)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.accounts.roles import Role
from zhiben.core import workbench as wb
from zhiben.core.scoping import can, grants_for
from zhiben.registry.models import Enterprise

from . import duties
from .duties import drill_due_counts, theme_gaps
from .models import Certificate, EmergencyPlan, TrainingSession, TrainingTheme, Worker

PLAN_SOON_DAYS = 60


def _is_unit(user: Any) -> bool:
    return any(g.role == Role.ENTERPRISE for g in grants_for(user))


def cards(user: Any, today: dt.date) -> list[wb.Card]:
    if not can(user, "view", TrainingSession):
        return []
    unit = _is_unit(user)
    hint = "" if unit else _("关注")
    units = Enterprise.objects.restrict(user, "view")
    items: list[wb.Item] = []
    due = 0
    theme = TrainingTheme.objects.unrestricted("reference data").filter(year=today.year).first()
    if theme is not None:
        n = len(theme_gaps(theme, units))
        items.append(
            wb.Item(
                _("应训未训"),
                n,
                wb.link(reverse("training:gaps"), year=today.year),
                wb.OVERDUE if today.month >= 7 else wb.SOON,
                hint,
                key="untrained",
            )
        )
        due += n if unit else 0
    if can(user, "view", Certificate):
        counted = Certificate.objects.restrict(user, "view").aggregate(
            soon=Count("pk", filter=Q(valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=90))),
            late=Count("pk", filter=Q(valid_to__lt=today)),
        )
        soon, late = counted["soon"], counted["late"]
        base = reverse("training:certificate_list")
        items += [
            wb.Item(
                _("证书已过期"), late, wb.link(base, state="expired"), wb.OVERDUE, hint, key="cert_expired"
            ),
            wb.Item(
                _("证书90天内到期"), soon, wb.link(base, state="expiring"), wb.SOON, hint, key="cert_expiring"
            ),
        ]
        due += (soon + late) if unit else 0
    late_drills, due_drills = drill_due_counts(today.year, units, today)
    items += [
        wb.Item(
            _("逾期未练"),
            late_drills,
            wb.link(reverse("training:drills_due"), year=today.year, state="overdue"),
            wb.OVERDUE,
            hint,
            key="drill_overdue",
        ),
        wb.Item(
            _("本期待演练"),
            due_drills,
            wb.link(reverse("training:drills_due"), year=today.year, state="due"),
            wb.WAITING,
            hint,
            key="drill_due",
        ),
    ]
    due += (late_drills + due_drills) if unit else 0
    if can(user, "view", Worker):
        n = duties.pre_job_short_count(Worker.objects.restrict(user, "view"), today)
        items.append(
            wb.Item(
                _("从业人员岗前培训未达学时"),
                n,
                wb.link(reverse("training:worker_list"), overdue="pre_job"),
                wb.OVERDUE,
                hint,
                key="worker_pre_job",
            )
        )
        due += n if unit else 0
    if can(user, "view", EmergencyPlan):
        plans = EmergencyPlan.objects.restrict(user, "view").filter(
            review_due__lte=today + dt.timedelta(days=PLAN_SOON_DAYS)
        )
        n = plans.count()
        items.append(
            wb.Item(
                _("预案待评估"),
                n,
                wb.link(reverse("training:plan_list"), state="review"),
                wb.SOON,
                hint,
                key="plan_review",
            )
        )
        due += n if unit else 0
    return [
        wb.Card(
            key="training",
            label=_("培训演练"),
            icon="mortarboard",
            items=items,
            due=due,
            more_url=reverse("training:session_list"),
            more_label=_("培训演练"),
        )
    ]


def register() -> None:
    wb.register("training", cards, order=70)
