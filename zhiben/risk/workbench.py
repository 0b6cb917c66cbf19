"""The 双重预防 card on the 待办 workbench: risk points waiting for (re-)assessment, 动工卡 waiting for
confirmation and the applicant's own 动工卡 returned for changes — the unit's own acts; a government reader watches its 待重新评估 points. Each figure links to the
list filtered to exactly those records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.core import workbench as wb
from zhiben.core.scoping import can

from .choices import PermitStatus, PointStatus
from .models import RiskPoint, WorkPermit


def cards(user: Any, today: dt.date) -> list[wb.Card]:
    if not can(user, "view", RiskPoint):
        return []
    points = RiskPoint.objects.restrict(user, "view")
    base = reverse("risk:point_list")
    assesses = can(user, "assess", RiskPoint)
    counts = points.aggregate(
        new=Count("pk", filter=Q(status=PointStatus.NEW)),
        reassess=Count("pk", filter=Q(status=PointStatus.REASSESS)),
    )
    items: list[wb.Item] = []
    due = 0
    if assesses:
        items += [
            wb.Item(
                _("风险点待重新评估"),
                counts["reassess"],
                wb.link(base, status=PointStatus.REASSESS),
                wb.SOON,
                key="reassess",
            ),
            wb.Item(
                _("风险点待评估"), counts["new"], wb.link(base, status=PointStatus.NEW), wb.WAITING, key="new"
            ),
        ]
        due += counts["reassess"] + counts["new"]
    else:
        items.append(
            wb.Item(
                _("风险点待重新评估"),
                counts["reassess"],
                wb.link(base, status=PointStatus.REASSESS),
                wb.WAITING,
                _("关注"),
                key="reassess",
            )
        )
    waiting = 0
    if can(user, "confirm", WorkPermit):
        waiting = (
            WorkPermit.objects.restrict(user, "confirm")
            .filter(status=PermitStatus.APPLIED)
            .exclude(applicant=user)
            .count()
        )
        items.append(
            wb.Item(
                _("动工卡待确认"),
                waiting,
                wb.link(reverse("risk:permit_list"), status=PermitStatus.APPLIED),
                wb.SOON,
                key="permits",
            )
        )
        due += waiting

    if can(user, "change", WorkPermit):
        returned = (
            WorkPermit.objects.restrict(user, "change")
            .filter(status=PermitStatus.RETURNED, applicant_id=user.pk)
            .count()
        )
        if returned:
            items.append(
                wb.Item(
                    _("动工卡被退回待修改"),
                    returned,
                    wb.link(reverse("risk:permit_list"), status=PermitStatus.RETURNED, mine="true"),
                    wb.SOON,
                    key="returned",
                )
            )
            due += returned

    def rows() -> list[wb.Row]:
        picked = points.filter(status__in=[PointStatus.REASSESS, PointStatus.NEW]).select_related(
            "enterprise"
        )
        return [
            wb.Row(
                title=p.name,
                subtitle=f"{p.enterprise.name} · {p.get_kind_display()}",
                url=p.get_absolute_url(),
                badge=p.get_status_display(),
                tone=wb.SOON if p.status == PointStatus.REASSESS else wb.WAITING,
            )
            for p in picked.order_by("-status", "pk")[: wb.MAX_ROWS]
        ]

    return [
        wb.Card(
            key="risk",
            label=_("双重预防"),
            icon="diagram-3",
            items=items,
            due=due,
            more_url=base,
            more_label=_("风险分级"),
            build_rows=rows,
        )
    ]


def register() -> None:
    wb.register("risk", cards, order=58)
