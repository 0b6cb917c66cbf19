"""The 源头管控 card on the 待办 workbench (core/workbench.py).

A department (and the office, for review) has the 建设项目 waiting for its review steps; a unit has its own
projects waiting for its 安全预评价/试运行; certificates expiring within 60 days and 复评 due within 30; a
建设单位's (or its supervisor's) construction projects past a month from 开工 without 50 % of the safety fee paid;
淘汰 items past their due date. Each figure links to the list filtered to exactly those records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.core import workbench as wb
from zhiben.core.formats import local_time
from zhiben.core.scoping import can

from .choices import AWAITING_DEPARTMENT, PhaseOutStatus, ProjectStatus
from .filtersets import expiring_q, overdue_ids, review_q
from .models import ConstructionProject, PhaseOutItem, SourceProject, StandardisationCertificate


def _all_certs() -> Any:
    return StandardisationCertificate.objects.unrestricted(
        "a subquery inside the reader's restricted certificates"
    )


def cards(user: Any, today: dt.date) -> list[wb.Card]:
    items: list[wb.Item] = []
    due = 0
    rows_of: list[Any] = []
    if can(user, "view", SourceProject):
        projects = SourceProject.objects.restrict(user, "view")
        base = reverse("sourcecontrol:project_list")
        if can(user, "review", SourceProject):
            waiting = projects.filter(status__in=AWAITING_DEPARTMENT | {ProjectStatus.DIAGNOSIS})
            n = waiting.count()
            items.append(
                wb.Item(_("建设项目待审查"), n, wb.link(base, state="department"), wb.SOON, key="review")
            )
            due += n
            rows_of.append(waiting)
        elif can(user, "change", SourceProject):
            waiting = projects.filter(status__in=(ProjectStatus.PRE_ASSESSMENT, ProjectStatus.TRIAL_RUN))
            n = waiting.count()
            items.append(wb.Item(_("三同时待办理"), n, wb.link(base, state="unit"), wb.SOON, key="unit"))
            due += n
            rows_of.append(waiting)
    if can(user, "view", StandardisationCertificate):
        certs = StandardisationCertificate.objects.restrict(user, "view")
        base = reverse("sourcecontrol:certificate_list")
        counts = certs.aggregate(
            expiring=Count("pk", filter=expiring_q(today)), review=Count("pk", filter=review_q(today))
        )
        n_exp, n_rev = counts["expiring"], counts["review"]
        items.append(
            wb.Item(_("标准化证书将到期"), n_exp, wb.link(base, state="expiring"), wb.SOON, key="expiring")
        )
        items.append(
            wb.Item(_("标准化复评将到期"), n_rev, wb.link(base, state="review"), wb.SOON, key="review_due")
        )
        due += n_exp + n_rev
    if can(user, "view", ConstructionProject):
        n = len(overdue_ids(ConstructionProject.objects.restrict(user, "view"), today))
        items.append(
            wb.Item(
                _("安全费用开工满月未付足50%"),
                n,
                wb.link(reverse("sourcecontrol:construction_list"), state="overdue"),
                wb.OVERDUE,
                key="payment",
            )
        )
        due += n
    if can(user, "change", PhaseOutItem):
        late_items = PhaseOutItem.objects.restrict(user, "change").filter(
            status=PhaseOutStatus.REGISTERED, due_on__lt=today
        )
        n = late_items.count()
        items.append(
            wb.Item(
                _("逾期未淘汰"),
                n,
                wb.link(reverse("sourcecontrol:phaseout_list"), state="overdue"),
                wb.OVERDUE,
                key="phaseout",
            )
        )
        due += n
    if not items or not any(i.count for i in items):
        return []

    def rows() -> list[wb.Row]:
        out: list[wb.Row] = []
        for qs in rows_of:
            for p in qs.select_related("enterprise").order_by("registered_on", "pk")[: wb.MAX_ROWS]:
                out.append(
                    wb.Row(
                        title=p.name,
                        subtitle=_("%(u)s · 登记 %(on)s")
                        % {"u": p.enterprise.name, "on": local_time(p.registered_on)},
                        url=p.get_absolute_url(),
                        badge=p.get_status_display(),
                        tone=wb.SOON,
                    )
                )
        return out[: wb.MAX_ROWS]

    return [
        wb.Card(
            key="sourcecontrol",
            label=_("源头管控"),
            icon="shield-check",
            items=items,
            due=due,
            more_url=reverse("sourcecontrol:project_list"),
            more_label=_("建设项目三同时"),
            build_rows=rows,
        )
    ]


def register() -> None:
    wb.register("sourcecontrol", cards, order=58)
