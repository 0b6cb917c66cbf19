"""责任倒查: for an accident or a 重大 hazard, who was responsible and what the records show before it.

`for_accident(accident, user)` and `for_hazard(hazard, user)` assemble one `Lookback` from the records:

* who was responsible: the supervising department (三管三必须), the township of the place (属地), the unit's
  主要负责人 and 实际控制人 from the registry;
* a timeline (newest first) over `months` before the event (24 by default): inspections of the unit and 乡镇巡查,
  its self-inspection duties — done, late, and 应查未查 (a `DutyOccurrence` whose period ended without a check) —
  its self-checks, its hazards (found, ordered with a deadline, overdue), the escalations of its hazards (函告,
  通报, 约谈 …) and whether they were answered, the campaign's 督办 of the department's or township's overdue
  tasks, enforcement cases, and tips about the unit (count and dates only, never a word of the tip or its
  reporter).

Every read goes through the reader's own scope (`restrict(user)`): a department sees what it may see. Tips are
the one exception: only their number and days are read, unscoped, so the office sees that the unit was reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from zhiben.campaign.models import TaskEscalation
from zhiben.enforcement.models import Case
from zhiben.hazards.choices import Level, Stage
from zhiben.hazards.choices import Status as HazardStatus
from zhiben.hazards.models import Escalation, Hazard
from zhiben.inspections.choices import Mode, OccurrenceStatus
from zhiben.inspections.models import DutyOccurrence, Inspection, SelfCheck
from zhiben.registry.models import Department, Enterprise, Industry, Region
from zhiben.tips.models import Tip

from .services import supervising_department, township_of

MONTHS = 24


@dataclass(frozen=True)
class Event:
    on: dt.date
    kind: str  # 检查 / 乡镇巡查 / 自查 / 应查未查 / 隐患 / 隐患逾期 / 督办 / 执法 / 举报 / 事故
    text: str
    url: str = ""
    tone: str = "secondary"  # danger: a miss (应查未查, 逾期, 未回应 督办)
    missed: bool = False


@dataclass
class Lookback:
    title: str
    subject_url: str
    on: dt.date  # the accident's day or the hazard's discovery
    start: dt.date
    end: dt.date
    enterprise: Enterprise | None
    unit_name: str
    department: Department | None
    township: Region | None
    principal: str
    controller: str
    events: list[Event] = field(default_factory=list)
    tips_count: int = 0
    tip_days: list[dt.date] = field(default_factory=list)

    @property
    def missed_checks(self) -> list[Event]:
        return [e for e in self.events if e.kind == "应查未查"]

    @property
    def unanswered(self) -> list[Event]:
        return [e for e in self.events if e.kind == "督办" and e.missed]

    @property
    def figures(self) -> list[tuple[str, int, str]]:
        def n(kind: str) -> int:
            return sum(1 for e in self.events if e.kind == kind)

        return [
            ("监管检查", n("检查"), "primary"),
            ("乡镇巡查", n("乡镇巡查"), "primary"),
            ("企业自查", n("自查"), "success"),
            ("应查未查", n("应查未查"), "danger"),
            ("发现隐患", n("隐患"), "warning"),
            ("隐患逾期", n("隐患逾期"), "danger"),
            ("督办（未回应）", len(self.unanswered), "danger"),
            ("执法案件", n("执法"), "secondary"),
            ("举报", self.tips_count, "secondary"),
        ]


def _months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, min(day.day, 28))


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    return timezone.localtime(value).date() if isinstance(value, dt.datetime) else value


def _unit_events(lb: Lookback, user: Any, exclude_hazard: int | None = None) -> None:

    start, end, ent = lb.start, lb.end, lb.enterprise
    out = lb.events
    if ent is not None:
        for i in (
            Inspection.objects.restrict(user)
            .filter(enterprise=ent, status="completed")
            .select_related("department", "patrol_township")
        ):
            on = _day(i.finished_at) or i.planned_on
            if on is None or not start <= on <= end:
                continue
            patrol = i.mode == Mode.PATROL
            who = i.patrol_township.name if patrol and i.patrol_township_id else i.department.name
            out.append(
                Event(
                    on,
                    "乡镇巡查" if patrol else "检查",
                    f"{who}{i.get_mode_display()}",
                    i.get_absolute_url(),
                    "primary",
                )
            )
        for d in (
            DutyOccurrence.objects.restrict(user)
            .filter(enterprise=ent, period_end__gte=start, period_start__lte=end)
            .select_related("rule")
        ):
            period = f"{d.period_start:%Y-%m-%d}至{d.period_end:%Y-%m-%d}"
            missed = d.status == OccurrenceStatus.MISSED or (
                d.status == OccurrenceStatus.PENDING and d.period_end < end
            )
            if missed:
                out.append(
                    Event(
                        d.period_end,
                        "应查未查",
                        f"{d.rule.name}：{period}未开展主要负责人带队自查",
                        d.get_absolute_url(),
                        "danger",
                        True,
                    )
                )
            elif d.status == OccurrenceStatus.LATE:
                out.append(
                    Event(
                        d.period_end,
                        "自查",
                        f"{d.rule.name}：{period}逾期补查",
                        d.get_absolute_url(),
                        "warning",
                    )
                )
        for s in SelfCheck.objects.restrict(user).filter(enterprise=ent, checked_on__range=(start, end)):
            out.append(
                Event(
                    s.checked_on, "自查", f"企业自查（{s.led_by_name}带队）", s.get_absolute_url(), "success"
                )
            )
        hazards = (
            Hazard.objects.restrict(user)
            .filter(enterprise=ent, discovered_on__lte=end)
            .exclude(status__in=[HazardStatus.REJECTED, HazardStatus.MERGED])
        )
        if exclude_hazard:
            hazards = hazards.exclude(pk=exclude_hazard)
        for h in hazards:
            level = "重大" if h.level == Level.MAJOR else "一般"
            if start <= h.discovered_on:
                ordered = f"，责令{h.deadline:%Y-%m-%d}前整改" if h.deadline else ""
                out.append(
                    Event(
                        h.discovered_on,
                        "隐患",
                        f"发现{level}隐患“{h.title}”{ordered}（{h.get_source_display()}）",
                        h.get_absolute_url(),
                        "danger" if h.level == Level.MAJOR else "warning",
                    )
                )
            if (
                h.deadline
                and h.deadline < end
                and start <= h.deadline
                and (h.closed_on is None or h.closed_on > h.deadline)
            ):
                state = (
                    f"{h.closed_on:%Y-%m-%d}才销号"
                    if h.closed_on and h.closed_on <= end
                    else "截至当日仍未整改销号"
                )
                out.append(
                    Event(
                        h.deadline,
                        "隐患逾期",
                        f"{level}隐患“{h.title}”逾期未整改：{state}",
                        h.get_absolute_url(),
                        "danger",
                        True,
                    )
                )
        for e in (
            Escalation.objects.restrict(user)
            .filter(hazard__enterprise=ent, applied_on__range=(start, end))
            .select_related("hazard", "rule")
        ):
            h = e.hazard
            if e.rule.stage == Stage.JUDGE:
                answered_on = _day(h.confirmed_at) if h.confirmed_at else None
            else:
                answered_on = h.closed_on
            answered = answered_on is not None and answered_on <= end
            reply = f"已回应（{answered_on:%Y-%m-%d}）" if answered else "截至当日未回应"
            out.append(
                Event(
                    e.applied_on,
                    "督办",
                    f"隐患“{h.title}”逾期{e.overdue_workdays}个工作日：{e.get_kind_display()}，{reply}",
                    h.get_absolute_url(),
                    "secondary" if answered else "danger",
                    not answered,
                )
            )
        for c in (
            Case.objects.restrict(user)
            .filter(enterprise=ent, filed_on__range=(start, end))
            .select_related("department")
        ):
            out.append(
                Event(
                    c.filed_on, "执法", f"{c.department.name}立案：{c.violation[:40]}", c.get_absolute_url()
                )
            )
        tips = Tip.objects.unrestricted("责任倒查: the number and days of tips about the unit only").filter(
            enterprise=ent, received_at__date__range=(start, end)
        )
        lb.tip_days = sorted(
            {timezone.localtime(t).date() for t in tips.values_list("received_at", flat=True)}
        )
        lb.tips_count = tips.count()
        for day in lb.tip_days:
            out.append(Event(day, "举报", "收到关于该单位的举报"))
    # The campaign's 督办 of the responsible department's or township's overdue tasks.
    escalations = TaskEscalation.objects.filter(applied_on__range=(start, end)).select_related("task")
    units = []
    if lb.department is not None:
        units.append(("task__lead_department", lb.department))
    if lb.township is not None:
        units.append(("task__township", lb.township))
    for path, unit in units:
        for te in escalations.filter(**{path: unit}):
            task = te.task
            done = task.completed_on is not None and task.completed_on <= end
            reply = f"已完成（{task.completed_on:%Y-%m-%d}）" if done else "截至当日未完成"
            out.append(
                Event(
                    te.applied_on,
                    "督办",
                    f"{unit.name}攻坚任务“{task.title[:30]}”逾期{te.overdue_days}天：{te.get_kind_display()}，{reply}",
                    task.get_absolute_url(),
                    "secondary" if done else "danger",
                    not done,
                )
            )
    out.sort(key=lambda e: (e.on, e.kind), reverse=True)


def _build(
    *,
    user: Any,
    title: str,
    url: str,
    on: dt.date,
    end: dt.date,
    enterprise: Enterprise | None,
    unit_name: str,
    region: Region,
    industry: Industry,
    department: Department | None,
    months: int,
    exclude_hazard: int | None = None,
) -> Lookback:
    lb = Lookback(
        title=title,
        subject_url=url,
        on=on,
        start=_months_before(on, months),
        end=end,
        enterprise=enterprise,
        unit_name=unit_name,
        department=department or supervising_department(industry),
        township=township_of(region),
        principal=enterprise.principal_name if enterprise else "",
        controller=enterprise.controller_name if enterprise else "",
    )
    _unit_events(lb, user, exclude_hazard)
    return lb


def for_accident(accident: Any, user: Any, months: int = MONTHS) -> Lookback:
    """What the records show in the `months` before the accident, up to its day."""
    lb = _build(
        user=user,
        title=f"{accident.unit_name}{accident.occurred_on:%Y年%m月%d日}{accident.type_name}事故",
        url=accident.get_absolute_url(),
        on=accident.occurred_on,
        end=accident.occurred_on,
        enterprise=accident.enterprise,
        unit_name=accident.unit_name,
        region=accident.region,
        industry=accident.industry,
        department=accident.department,
        months=months,
    )
    lb.events.insert(
        0,
        Event(
            accident.occurred_on,
            "事故",
            f"发生{accident.type_name}事故，{accident.casualties}",
            accident.get_absolute_url(),
            "dark",
        ),
    )
    return lb


def for_hazard(hazard: Any, user: Any, months: int = MONTHS) -> Lookback:
    """What the records show in the `months` before the hazard was found, and since then up to today."""
    lb = _build(
        user=user,
        title=f"{hazard.enterprise.name}重大事故隐患“{hazard.title}”",
        url=hazard.get_absolute_url(),
        on=hazard.discovered_on,
        end=timezone.localdate(),
        enterprise=hazard.enterprise,
        unit_name=hazard.enterprise.name,
        region=hazard.region,
        industry=hazard.industry,
        department=hazard.department,
        months=months,
        exclude_hazard=hazard.pk,
    )
    lb.events.append(
        Event(
            hazard.discovered_on,
            "隐患",
            f"发现重大事故隐患“{hazard.title}”（本隐患）",
            hazard.get_absolute_url(),
            "dark",
        )
    )
    lb.events.sort(key=lambda e: (e.on, e.kind), reverse=True)
    return lb
