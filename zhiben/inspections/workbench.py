"""The inspections' cards on the 待办 workbench (core/workbench.py).

* 监督检查: the visits whose team the user is on (我的检查, inspectors and assisting experts); a department's or
  township's visits of today and those past their planned day (a township: its 乡镇巡查), those under way.
* 企业自查: a unit's current self-inspection periods and this year's 应查未查; regulators watch the 应查未查 of
  their scope.
* 计划审批: the office approves annual plans and 超频次 exceptions; a department reworks a returned plan.

Each figure is one COUNT in an aggregate per model, and links to the list that shows exactly its records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.accounts.roles import Role
from zhiben.core import workbench as wb
from zhiben.core.formats import local_time
from zhiben.core.scoping import can

from .choices import ExceptionStatus, InspectionStatus, Mode, OccurrenceStatus, PlanStatus
from .models import CapException, DutyOccurrence, Inspection, InspectionOfficer, InspectionPlan, SelfCheck


def _inspection_card(user: Any, today: dt.date) -> wb.Card | None:
    if not can(user, "view", Inspection):
        return None
    roles = wb.roles_of(user)
    qs = Inspection.objects.restrict(user, "view")
    mine = Q(pk__in=InspectionOfficer.objects.filter(inspector__user=user).values("inspection_id"))
    mine &= Q(status__in=(InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS))
    base = reverse("inspections:inspection_list")
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    figures: list[tuple[str, str, Q, str, str]] = []  # (label, tone, filter, url, key)
    works = can(user, "change", Inspection) and bool(roles & {Role.DEPARTMENT, Role.TOWNSHIP})
    if works:
        # A township works only 乡镇巡查 (inspections.steps.patrols); a department every visit of its scope.
        mode = Mode.PATROL if Role.TOWNSHIP in roles and Role.DEPARTMENT not in roles else None
        kind = Q(mode=mode) if mode else Q()
        noun = _("巡查") if mode else _("检查")
        planned = Q(status=InspectionStatus.PLANNED) & kind
        figures += [
            (
                _("逾期未开展的%(n)s") % {"n": noun},
                wb.OVERDUE,
                planned & Q(planned_on__lt=today),
                wb.link(base, status="planned", mode=mode, planned_before=yesterday),
                "late",
            ),
            (
                _("今日%(n)s") % {"n": noun},
                wb.SOON,
                planned & Q(planned_on=today),
                wb.link(
                    base,
                    status="planned",
                    mode=mode,
                    planned_after=today.isoformat(),
                    planned_before=today.isoformat(),
                ),
                "today",
            ),
            (
                _("%(n)s中") % {"n": noun},
                wb.WAITING,
                Q(status=InspectionStatus.IN_PROGRESS) & kind,
                wb.link(base, status="in_progress", mode=mode),
                "in_progress",
            ),
        ]
    aggregates = {key: Count("pk", filter=q) for _l, _t, q, _u, key in figures}
    aggregates["mine"] = Count("pk", filter=mine)
    aggregates["mine_late"] = Count(
        "pk", filter=mine & Q(status=InspectionStatus.PLANNED, planned_on__lt=today)
    )
    aggregates["mine_today"] = Count("pk", filter=mine & Q(status=InspectionStatus.PLANNED, planned_on=today))
    due_q = wb.any_of([mine, *(q for _l, _t, q, _u, _k in figures)])
    assert due_q is not None
    aggregates["_due"] = Count("pk", filter=due_q)
    counts = qs.aggregate(**aggregates)
    if not figures and not counts["mine"]:
        return None  # neither on a team nor working a scope: nothing to do here
    items = []
    if counts["mine"] or not figures:
        late, on_day = counts["mine_late"], counts["mine_today"]
        items.append(
            wb.Item(
                _("分派给我的检查"),
                counts["mine"],
                reverse("inspections:my_inspections"),
                wb.OVERDUE if late else wb.SOON if on_day else wb.WAITING,
                hint=_("今日 %(t)s · 逾期 %(l)s") % {"t": on_day, "l": late},
                key="mine",
            )
        )
    items += [wb.Item(label, counts[key], url, tone, key=key) for label, tone, _q, url, key in figures]

    def rows() -> list[wb.Row]:
        due = qs.filter(due_q).select_related("enterprise", "department").order_by("planned_on", "pk")
        return [_row(i, today) for i in due[: wb.MAX_ROWS]]

    return wb.Card(
        key="inspections",
        label=_("监督检查"),
        icon="clipboard-check",
        items=items,
        due=counts["_due"],
        more_url=reverse("inspections:my_inspections") if counts["mine"] else base,
        more_label=_("我的检查") if counts["mine"] else _("检查台账"),
        build_rows=rows,
    )


def _row(i: Inspection, today: dt.date) -> wb.Row:
    late = i.status == InspectionStatus.PLANNED and i.planned_on is not None and i.planned_on < today
    unit = i.department.short_name or i.department.name if i.department_id else ""
    return wb.Row(
        title=i.enterprise.name,
        subtitle=" · ".join(p for p in (local_time(i.planned_on), i.get_mode_display(), unit) if p),
        url=i.get_absolute_url(),
        badge=_("已逾期") if late else i.get_status_display(),
        tone=wb.OVERDUE if late else wb.SOON if i.planned_on == today else wb.WAITING,
    )


def _duty_card(user: Any, today: dt.date) -> wb.Card | None:
    if not can(user, "view", DutyOccurrence):
        return None
    qs = DutyOccurrence.objects.restrict(user, "view")
    missed = Q(status=OccurrenceStatus.MISSED, period_start__year=today.year)
    missed_url = wb.link(reverse("inspections:duty_missed"), year=today.year)
    if can(user, "add", SelfCheck):  # the unit itself records its checks
        current = Q(status=OccurrenceStatus.PENDING, period_start__lte=today)
        counts = qs.aggregate(
            current=Count("pk", filter=current),
            missed=Count("pk", filter=missed),
            _due=Count("pk", filter=current | missed),
        )
        items = [
            wb.Item(
                _("本期待自查"), counts["current"], reverse("inspections:duty_mine"), wb.SOON, key="current"
            ),
            wb.Item(_("应查未查（本年）"), counts["missed"], missed_url, wb.OVERDUE, key="missed"),
        ]
        due = counts["_due"]
    else:  # regulators watch the units of their scope
        items = [
            wb.Item(
                _("应查未查（本年）"),
                qs.filter(missed).count(),
                missed_url,
                wb.OVERDUE,
                _("关注"),
                key="missed",
            )
        ]
        due = 0
    return wb.Card(
        key="duties",
        label=_("企业自查"),
        icon="list-check",
        items=items,
        due=due,
        more_url=reverse("inspections:duty_mine"),
        more_label=_("自查任务"),
    )


def _approval_card(user: Any, today: dt.date) -> wb.Card | None:
    items = []
    if can(user, "approve", InspectionPlan):
        n = InspectionPlan.objects.restrict(user, "view").filter(status=PlanStatus.SUBMITTED).count()
        items.append(
            wb.Item(
                _("年度检查计划待审批"),
                n,
                wb.link(reverse("inspections:plan_list"), status="submitted"),
                wb.SOON,
                key="plans",
            )
        )
    elif can(user, "change", InspectionPlan):
        n = InspectionPlan.objects.restrict(user, "view").filter(status=PlanStatus.RETURNED).count()
        items.append(
            wb.Item(
                _("检查计划被退回"),
                n,
                wb.link(reverse("inspections:plan_list"), status="returned"),
                wb.SOON,
                key="plans",
            )
        )
    if can(user, "approve", CapException):
        n = CapException.objects.restrict(user, "view").filter(status=ExceptionStatus.PENDING).count()
        url = wb.link(reverse("inspections:cap_exception_list"), status="pending")
        items.append(wb.Item(_("超频次检查待审批"), n, url, wb.SOON, key="cap_exceptions"))
    if not items:
        return None
    return wb.Card(
        key="inspection-plans",
        label=_("检查计划"),
        icon="calendar2-check",
        items=items,
        due=sum(i.count for i in items),
        more_url=reverse("inspections:plan_list"),
        more_label=_("年度计划"),
    )


def cards(user: Any, today: dt.date) -> list[wb.Card]:
    built = (_inspection_card(user, today), _duty_card(user, today), _approval_card(user, today))
    return [c for c in built if c is not None]


def register() -> None:
    wb.register("inspections", cards, order=20)
