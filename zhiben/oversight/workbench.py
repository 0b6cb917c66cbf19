"""The 考核督办 card on the 待办 workbench (core/workbench.py).

The owner of list items (its department, the officials of its township; the office for the district posts) sees
its year's tasks overdue or due within 30 days; the office (`approve`) confirms the completions waiting for it
and signs the 通报 drafts. The figures link to the list page's queue (`?status=`, `mine=1`), which lists exactly
the counted items, and to the 通报 list's drafts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.accounts.roles import Role
from zhiben.core import workbench as wb
from zhiben.core.formats import local_time
from zhiben.core.scoping import can, grants_for

from .choices import OPEN_ITEM_STATUSES, BulletinStatus, ItemStatus, OwnerKind
from .models import Bulletin, DutyItem

SOON_DAYS = 30


def owned_by(user: Any) -> Q | None:
    """The items the user's unit answers for, or None when it owns none."""
    grants = grants_for(user)
    departments = [
        g.extra.get("department_id")
        for g in grants
        if g.role == Role.DEPARTMENT and g.extra.get("department_id")
    ]
    prefixes = [g.region_prefix for g in grants if g.role == Role.TOWNSHIP and g.region_prefix]
    office = any(g.role == Role.DISTRICT_OFFICE for g in grants)
    if not departments and not prefixes and not office:
        return None
    mine = Q(department_id__in=departments)
    for p in prefixes:
        mine |= Q(township__code__startswith=p)
    if office:
        mine |= Q(owner_kind=OwnerKind.DISTRICT)
    return mine


def queue(qs: Any, status: str, today: dt.date) -> Any:
    """The list page's queues: overdue, due (within 30 days), confirming."""
    if status == "overdue":
        return qs.filter(status__in=OPEN_ITEM_STATUSES, due_on__lt=today).exclude(
            status=ItemStatus.CONFIRMING
        )
    if status == "due":
        return qs.filter(
            status__in=(ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS),
            due_on__gte=today,
            due_on__lte=today + dt.timedelta(days=SOON_DAYS),
        )
    if status == "confirming":
        return qs.filter(status=ItemStatus.CONFIRMING)
    return qs.none()


def cards(user: Any, today: dt.date) -> list[wb.Card]:
    if not can(user, "view", DutyItem):
        return []
    qs = DutyItem.objects.restrict(user, "view")
    base = reverse("oversight:lists")
    items: list[wb.Item] = []
    due = 0
    mine = owned_by(user) if can(user, "report", DutyItem) else None
    approves = can(user, "approve", DutyItem)
    aggregates: dict[str, Any] = {}
    overdue = Q(status__in=(ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS), due_on__lt=today)
    soon = Q(
        status__in=(ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS),
        due_on__gte=today,
        due_on__lte=today + dt.timedelta(days=SOON_DAYS),
    )
    if mine is not None:
        aggregates |= {"overdue": Count("pk", filter=mine & overdue), "soon": Count("pk", filter=mine & soon)}
    if approves:
        aggregates["confirming"] = Count("pk", filter=Q(status=ItemStatus.CONFIRMING))
    if not aggregates:
        return []
    counts = qs.aggregate(**aggregates)
    if mine is not None:
        items += [
            wb.Item(
                _("清单事项逾期"),
                counts["overdue"],
                wb.link(base, status="overdue", mine=1),
                wb.OVERDUE,
                key="overdue",
            ),
            wb.Item(
                _("清单事项临期"),
                counts["soon"],
                wb.link(base, status="due", mine=1),
                wb.SOON,
                _("30日内到期"),
                key="soon",
            ),
        ]
        due += counts["overdue"]
    if approves:
        items.append(
            wb.Item(
                _("完成情况待确认"),
                counts["confirming"],
                wb.link(base, status="confirming"),
                wb.SOON,
                key="confirming",
            )
        )
        due += counts["confirming"]
    if can(user, "issue", Bulletin):
        drafts = Bulletin.objects.restrict(user, "issue").filter(status=BulletinStatus.DRAFT).count()
        items.append(
            wb.Item(
                _("通报待签发"),
                drafts,
                wb.link(reverse("oversight:bulletin_list"), status=BulletinStatus.DRAFT),
                wb.SOON,
                key="drafts",
            )
        )
        due += drafts

    def rows() -> list[wb.Row]:
        if mine is not None:
            chosen = qs.filter(mine).filter(overdue | soon)
        elif approves:
            chosen = qs.filter(status=ItemStatus.CONFIRMING)
        else:
            return []
        picked = chosen.select_related("township", "department").order_by("due_on", "pk")
        return [_row(i, today) for i in picked[: wb.MAX_ROWS]]

    return [
        wb.Card(
            key="oversight",
            label=_("职责任务清单"),
            icon="award",
            items=items,
            due=due,
            more_url=base,
            more_label=_("职责清单"),
            build_rows=rows,
        )
    ]


def _row(item: DutyItem, today: dt.date) -> wb.Row:
    if item.status == ItemStatus.CONFIRMING:
        badge, tone = item.get_status_display(), wb.WAITING
    elif item.due_on is not None and item.due_on < today:
        badge, tone = _("逾期 %(d)s 天") % {"d": (today - item.due_on).days}, wb.OVERDUE
    else:
        days = (item.due_on - today).days if item.due_on else 0
        badge, tone = _("剩 %(d)s 天") % {"d": days}, wb.SOON
    subtitle = item.owner_name
    if item.due_on:
        subtitle += _(" · 完成时限 %(on)s") % {"on": local_time(item.due_on)}
    return wb.Row(
        title=item.text[:60], subtitle=subtitle, url=item.get_absolute_url(), badge=badge, tone=tone
    )


def register() -> None:
    wb.register("oversight", cards, order=55)
