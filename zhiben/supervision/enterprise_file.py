"""The 督办 and 暗访 section of a unit's file (一企一档): items that concern the unit (linked to it, or to its
hazards) and the visits that went there; government readers only."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse

from zhiben.accounts.roles import GOVERNMENT_ROLES
from zhiben.core.scoping import can, grants_for
from zhiben.hazards.models import Hazard
from zhiben.registry.enterprise_file import FileEvent, FileRow, FileSection, register_section
from zhiben.registry.models import Enterprise

from .choices import ItemStatus
from .models import SupervisionItem, UndercoverVisit

SHOWN = 8


def items_of(enterprise: Enterprise, user: Any) -> Any:

    ent_ct = ContentType.objects.get_for_model(Enterprise)
    hazard_ct = ContentType.objects.get_for_model(Hazard)
    hazards = (
        Hazard.objects.unrestricted("ids only, to match links").filter(enterprise=enterprise).values("pk")
    )
    concerns = (
        Q(links__content_type=ent_ct, links__object_id=enterprise.pk)
        | Q(links__content_type=hazard_ct, links__object_id__in=hazards)
        | Q(finding__enterprise=enterprise)
    )
    matching = SupervisionItem.objects.unrestricted("ids of the unit's items").filter(concerns).values("pk")
    return SupervisionItem.objects.restrict(user, "view").filter(pk__in=matching)


def section(enterprise: Enterprise, user: Any) -> FileSection | None:
    if not any(g.role in GOVERNMENT_ROLES for g in grants_for(user)) or not can(
        user, "view", SupervisionItem
    ):
        return None
    items = items_of(enterprise, user)
    visits = (
        UndercoverVisit.objects.restrict(user, "view").filter(enterprises=enterprise)
        if can(user, "view", UndercoverVisit)
        else UndercoverVisit.objects.none()
    )
    rows = [
        FileRow(
            text=f"督办：{i.subject}",
            url=i.get_absolute_url(),
            status=i.get_status_display(),
            tone="success" if i.status == ItemStatus.DONE else "warning",
            on=i.issued_on,
            detail=f"{i.number} · 办理时限 {i.deadline:%Y-%m-%d}",
        )
        for i in items.order_by("-issued_on", "-pk")[:SHOWN]
    ]
    rows += [
        FileRow(
            text=f"暗访：{v.place}",
            url=v.get_absolute_url(),
            status="暗访",
            tone="secondary",
            on=v.visited_on,
        )
        for v in visits.order_by("-visited_on", "-pk")[:SHOWN]
    ]
    events = [FileEvent(on=r.on, text=r.text, url=r.url) for r in rows if r.on]
    n_items = items.count()
    n_visits = visits.count()
    if not n_items and not n_visits:
        return None
    return FileSection(
        title="督办交办与暗访",
        icon="bi-flag",
        figures=[
            ("督办事项", n_items, "primary"),
            ("未办结", items.filter(status=ItemStatus.OPEN).count(), "warning"),
            ("暗访", n_visits, "secondary"),
        ],
        rows=rows,
        total=n_items + n_visits,
        more_url=reverse("supervision:item_list"),
        empty="暂无督办或暗访记录",
        events=events,
    )


def register() -> None:
    register_section("supervision", section, order=60)
