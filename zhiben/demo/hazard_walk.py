"""The rectification walk of a judged hazard, shared by the demo's histories.

A judged hazard goes through the real loop as time passes: the unit submits its 整改方案 (the 五落实), writes its
ledger, asks for acceptance and accepts its own work, the department reviews and closes it (销号) — most on time,
some late, a few extended or sent back. `Walker` holds the walk and the scheduler that plays many walks
interleaved in time order under time-machine; a step that would fall after now is not taken, so the recent
hazards are still open today (plan waiting, rectifying, waiting for 销号).

`hazard_history` walks its planned hazards from registration on; `follow_up` walks the hazards the inspection
year and the year of 举报 registered and judged, from their 判定 on, with a weekly run of the 逾期未整改
ladder over them (a late one gets its 函告 as the daily job would have sent it).
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import random
import time
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager, suppress
from decimal import Decimal
from typing import Any

import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.accounts.roles import Role
from zhiben.core.calendar import CalendarUnavailable, publish_calendar_year
from zhiben.core.errors import DomainError
from zhiben.core.models.calendar import CalendarYear
from zhiben.hazards import services
from zhiben.hazards.choices import OPEN_STATUSES, Level, Stage, Status
from zhiben.hazards.escalation import active_rules, escalate_hazard
from zhiben.hazards.models import Hazard
from zhiben.registry.scoping import industry_ids_of_department

from .hazard_plan import (
    COVER_ORDER,
    EXTENSION_SHARE,
    HISTORY_START,
    LATE_SHARE,
    RETURN_SHARE,
    WORKERS_REPORT_SHARE,
    HistoryPlan,
    HistoryReport,
    Plan,
    Unit,
)
from .hazard_texts import (
    EXTENSION_REASONS,
    LONG_WORKS_PROGRESS,
    MAJOR_MEASURES,
    PLAN_MEASURES,
    PROGRESS_STEPS,
    RETURN_REASONS,
    STOCK_EXTENSION_REASON,
)

log = logging.getLogger(__name__)

# A story yields the moment of its next step; a sub-story returns the moment of its last one.
Story = Generator[dt.datetime, None, Any]


class Walker(HistoryPlan):
    """A run's clock and scheduler, and the rectification walk of one judged hazard."""

    def steps(self, p: Plan) -> Story:  # pragma: no cover - each run says what its stories are
        raise NotImplementedError

    # -- the scheduler -------------------------------------------------------------------------------------------

    def schedule(self, story: Iterator[dt.datetime]) -> None:
        try:
            when = next(story)
        except StopIteration:
            return
        # The clock never runs backwards: a step planned for earlier the same day happens now instead.
        when = max(when, self.current)
        if when <= self.now:
            heapq.heappush(self.heap, (when, next(self.counter), story))

    def simulate(self) -> None:
        if not self.heap:
            return
        self.current = self.heap[0][0]
        traveller = time_machine.travel(self.current, tick=False)
        clock = traveller.start()
        year = self.heap[0][0].year
        started = time.perf_counter()
        try:
            while self.heap:
                when, _, story = heapq.heappop(self.heap)
                if when.year != year:
                    self.say(f"  隐患历史：{year} 年已生成（{time.perf_counter() - started:.1f} 秒）")
                    year = when.year
                clock.move_to(when)
                self.current = when
                self.schedule(story)
        finally:
            traveller.stop()

    def story(self, plan: Plan) -> Iterator[dt.datetime]:
        """Run one planned hazard; a step a rule refuses ends the story and is reported (the tests expect none)."""
        steps = self.steps(plan)
        while True:
            try:
                yield next(steps)
            except StopIteration:
                return
            except (DomainError, ValidationError) as exc:
                message = getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [str(exc)]))
                self.report.failures.append(f"#{plan.key} {plan.title}: {message}")
                log.warning("demo hazard %s stopped: %s", plan.key, message)
                return

    def load(self, plan: Plan) -> Hazard:
        # Reloaded at every step: the escalation job and decide_extension change the row behind our back.
        return Hazard.objects.select_related("enterprise", "department").get(pk=self.hazard_ids[plan.key])

    # -- the walk ------------------------------------------------------------------------------------------------

    def rectify(
        self,
        p: Plan,
        t: dt.datetime,
        *,
        department: Any,
        officer: User,
        registrar: User,
        plan_after: int | None = None,
    ) -> Story:
        """From 判定 (at `t`) to 销号: the unit's plan `plan_after` working days later (default: 0–2), its
        ledger, acceptance and the department's review; stops where the plan's fate leaves the hazard today."""
        rng, unit = p.rng, p.unit
        rectifiers = {registrar.pk}
        hazard = self.load(p)
        deadline = hazard.deadline
        assert deadline is not None
        doer = self.unit_actor(p, department)
        rectifiers.add(doer.pk)
        if plan_after is None:
            plan_after = 0 if p.fate.startswith("script") else rng.randint(0, 2)
        t = self.later(t, plan_after, rng)
        yield t
        if p.workers_report:
            services.record_workers_report(hazard, actor=doer, reported_on=t.date())
            hazard = self.load(p)
        plan_deadline = max(t.date(), self.workdays.add(deadline, -rng.randint(0, 2)))
        services.submit_plan(hazard, **_plan_values(p, plan_deadline, rng), actor=doer)
        planned = t
        # When the unit finishes, and how many ledger entries it writes on the way.
        if p.fate == "script_rectifying":
            finish = None
            entries = [self.moment(self.workdays.add(self.anchor, -back), rng) for back in (20, 8)]
        elif p.fate == "script_overdue":
            finish = None
            entries = [self.later(planned, 4, rng)]
        elif p.fate == "script_accepted":
            finish = self.workdays.add(self.anchor, -3)
            entries = [self.moment(self.workdays.add(self.anchor, -back), rng) for back in (30, 15)]
        elif p.fate == "open_extended":
            finish = None
            entries = []
        else:
            finish = p.finish or self.finish_day(p, planned.date(), deadline, rng)
            n = rng.randint(1, 3) if p.level == Level.MAJOR else (1 if rng.random() < 0.4 else 0)
            span = self.workdays.between(self.workdays.add(planned.date(), 1), self.workdays.add(finish, -1))
            entries = [self.moment(d, rng) for d in sorted(rng.sample(span, min(n, len(span))))]
        if p.extension or p.fate == "open_extended":
            t = yield from self.extend(p, planned, deadline, doer, officer, rng)
            deadline = self.load(p).deadline or deadline
            if finish is not None:
                finish = self.finish_day(p, t.date(), deadline, rng, late=False)
                span = self.workdays.between(self.workdays.add(t.date(), 1), self.workdays.add(finish, -1))
                entries = [
                    self.moment(d, rng) for d in sorted(rng.sample(span, min(len(entries), len(span))))
                ]
            else:
                # Still open today: a ledger entry about every two months while the works go on.
                step = self.workdays.add(t.date(), 40)
                while step < self.today:
                    entries.append(self.moment(step, rng))
                    step = self.workdays.add(step, 40)
        for i, at in enumerate(entries):
            t = max(at, self.later(t, 0, rng))
            yield t
            if p.fate == "open_extended":
                percent, content = min(90, 10 + 8 * i), LONG_WORKS_PROGRESS
            else:
                percent, content = PROGRESS_STEPS[min(i, len(PROGRESS_STEPS) - 1)]
            services.record_progress(
                self.load(p),
                actor=doer,
                content=content,
                percent=percent,
                entry_on=t.date(),
                funds_spent=_spent(p, percent),
            )
        if finish is None:
            return
        t = yield from self.accept(p, max(self.later(t, 0, rng), self.moment(finish, rng, 9, 12)), doer, rng)
        if p.fate == "script_accepted":
            return
        if p.returned:
            t = self.later(t, rng.randint(1, 2), rng)
            yield t
            services.return_for_rectification(self.load(p), actor=officer, reason=rng.choice(RETURN_REASONS))
            t = self.later(t, rng.randint(2, 4), rng)
            yield t
            services.record_progress(
                self.load(p), actor=doer, content="按复核意见完成补充整改", percent=100, entry_on=t.date()
            )
            t = yield from self.accept(p, self.later(t, 1, rng), doer, rng)
        t = self.later(t, rng.randint(0, 2) if not p.late else 1, rng)
        if not p.late and t.date() > deadline:
            # Reviewed on the deadline day itself (the unit accepted by then; the clock never runs back).
            t = self.moment(deadline, rng, 15, 17.5)
        yield t
        hazard = self.load(p)
        if p.level == Level.MAJOR and officer.pk in rectifiers:
            closer = self.reviewer(officer)  # 销号 by someone who neither registered nor rectified it
        elif p.level == Level.GENERAL and unit.user is not None and registrar.pk == unit.user.pk:
            closer = unit.user  # a 一般 hazard the unit found itself is its own to close
        else:
            closer = officer
        services.close(hazard, actor=closer, note="经复核，整改到位，同意销号")

    def accept(self, p: Plan, at: dt.datetime, doer: User, rng: random.Random) -> Story:
        t = at
        yield t
        services.request_acceptance(self.load(p), actor=doer, note="整改完成，申请验收")
        t = self.later(t, 0 if rng.random() < 0.6 else 1, rng)
        yield t
        principal = p.unit.enterprise.principal_name or "单位负责人"
        services.self_accept(self.load(p), actor=doer, acceptor=principal, accepted_on=t.date())
        return t

    def extend(
        self,
        p: Plan,
        planned: dt.datetime,
        deadline: dt.date,
        doer: User,
        officer: User,
        rng: random.Random,
    ) -> Story:
        """申请延期 a few days before the deadline, and the department's approval."""
        asked = max(self.later(planned, 1, rng).date(), self.workdays.add(deadline, -rng.randint(3, 8)))
        t = self.moment(min(asked, deadline), rng)
        yield t
        if p.fate == "open_extended":
            requested = dt.date(self.today.year + 1, rng.choice((3, 6)), 30)
            reason = STOCK_EXTENSION_REASON
        else:
            requested = self.workdays.add(
                deadline, rng.randint(20, 40) if p.level == Level.MAJOR else rng.randint(5, 10)
            )
            reason = rng.choice(EXTENSION_REASONS)
        ext = services.request_extension(
            self.load(p), actor=doer, requested_deadline=requested, reason=reason
        )
        t = self.later(t, rng.randint(1, 2), rng)
        yield t
        decider = self.reviewer(officer) if doer.pk == officer.pk else officer
        services.decide_extension(ext, actor=decider, approve=True, note="情况属实，同意延期")
        return t

    def finish_day(
        self, p: Plan, planned: dt.date, deadline: dt.date, rng: random.Random, *, late: bool | None = None
    ) -> dt.date:
        """The day the unit asks for acceptance: before the deadline, or a few working days after it."""
        if p.late if late is None else late:
            return self.workdays.add(deadline, rng.randint(1, 6 if p.level == Level.MAJOR else 8))
        days = self.workdays.between(self.workdays.add(planned, 1), self.workdays.add(deadline, -1))
        if not days:
            return self.workdays.add(planned, 1)
        # Most units finish in the second half of the period; the department needs a day or two to review.
        return days[min(len(days) - 1, int(len(days) * rng.triangular(0.3, 0.95, 0.8)))]


def _plan_values(p: Plan, plan_deadline: dt.date, rng: random.Random) -> dict[str, Any]:
    responsible = p.unit.enterprise.principal_name or "单位负责人"
    if p.level == Level.GENERAL:
        return {
            "measures": rng.choice(PLAN_MEASURES),
            "responsible": responsible,
            "plan_deadline": plan_deadline,
            "funds": Decimal(rng.randint(1, 40)) / 10 if rng.random() < 0.5 else None,
        }
    return {
        "goal": f"消除“{p.title}”重大事故隐患，经验收达到判定标准要求",
        "measures": rng.choice(MAJOR_MEASURES),
        "responsible": responsible,
        "plan_deadline": plan_deadline,
        "funds": Decimal(rng.randint(20, 800)) / 10,
        "contingency": "已制定专项应急处置方案，明确应急救援队伍、物资和疏散路线",
        "interim_measures": "隐患区域设置警戒，停止相关作业，安排专人现场监护",
        "stop_production": rng.random() < 0.4,
    }


def _spent(p: Plan, percent: int) -> Decimal | None:
    if p.level != Level.MAJOR:
        return None
    return Decimal(percent * p.rng.randint(5, 60)) / 100


@contextmanager
def at(day: dt.date, hour: int = 10) -> Iterator[None]:
    """Act at `hour` on `day` (the inspection year's and the year of 举报's clock), never later than a few
    minutes ago: today's steps must not be dated in the future (a seed run at 4 a.m. showed 办结 at 16:00)."""
    when = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=timezone.get_current_timezone())
    latest = timezone.now() - dt.timedelta(minutes=5)
    with time_machine.travel(min(when, latest), tick=False):
        yield


# ---- the follow-up of hazards other histories judged ----------------------------------------------------------

ESCALATION_HOUR = 20


def follow_up(hazards: Iterable[Hazard], *, seed: int, actor: Any = None) -> HistoryReport:
    """Walk each judged hazard (已判定, waiting for its plan) through rectification from its 判定 on, the weekly
    逾期未整改 ladder over them, and today's run; what a rule refuses is in the report's failures."""
    publish_calendar(timezone.localdate(), actor)  # deadlines set late this year fall next year
    run = _FollowUp(seed=seed, now=timezone.localtime(), actor=actor, say=lambda message: None)
    run.run([h for h in hazards if h.status == Status.CONFIRMED and h.confirmed_at is not None])
    return run.report


def publish_calendar(today: dt.date, actor: Any) -> None:
    """Deadlines set late this year fall next year: the demo publishes each simulated year that neither the
    chinesecalendar package nor the office has, as Monday–Friday and marked for checking."""
    have = set(CalendarYear.objects.values_list("year", flat=True))
    for year in range(HISTORY_START.year, today.year + 2):
        if year in have:
            continue
        with suppress(CalendarUnavailable):  # raised when the package already has the year
            publish_calendar_year(
                year,
                actor=actor,
                source=f"演示：{year}年节假日安排待国务院办公厅发布后核实（暂按周一至周五）",
            )


class _FollowUp(Walker):
    def run(self, hazards: list[Hazard]) -> None:
        if not hazards:
            return
        self.scopes = {code: industry_ids_of_department(self.departments[code].pk) for code in COVER_ORDER}
        slots = {
            a.enterprise_id: u
            for u in self.users.values()
            for a in u.role_assignments.all()
            if a.role == Role.ENTERPRISE and a.enterprise_id
        }
        plans: list[Plan] = []
        self.roles: dict[int, tuple[Any, User, User, int]] = {}
        for hazard in sorted(hazards, key=lambda h: h.pk):
            try:
                officer = self.officer(hazard.department, hazard.enterprise.primary_industry_id)
            except LookupError:  # no demo login acts for its department: it stays as it is
                continue
            p = self.plan_of(hazard, slots.get(hazard.enterprise_id))
            self.hazard_ids[p.key] = hazard.pk
            # A 重大 hazard's plan (five 落实, interim measures, contingency) takes a week or two to write.
            after = p.rng.randint(1, 4) if p.level == Level.GENERAL else p.rng.randint(4, 12)
            self.roles[p.key] = (hazard.department, officer, hazard.reported_by or officer, after)
            plans.append(p)
        self.ensure_reviewers(plans)
        for p in plans:
            self.schedule(self.story(p))
        deadlines = [h.deadline for h in hazards if h.deadline is not None]
        if deadlines:
            self.schedule(self.ladder(min(deadlines)))
        self.simulate()

    def plan_of(self, hazard: Hazard, user: User | None) -> Plan:
        rng = random.Random(f"hazard-follow-up-{self.seed}-{hazard.pk}")
        level = hazard.level
        late = rng.random() < LATE_SHARE[level]
        return Plan(
            key=hazard.pk,
            unit=Unit(
                enterprise=hazard.enterprise,
                department=hazard.department,
                family="",
                user=user,
                weight=1.0,
                clauses=[],
            ),
            level=level,
            source=hazard.source,
            title=hazard.title,
            discovered_on=hazard.discovered_on,
            registered_at=timezone.localtime(hazard.created_at),
            rng=rng,
            clause=hazard.clause,
            late=late,
            extension=not late and rng.random() < EXTENSION_SHARE[level],
            returned=level == Level.MAJOR and rng.random() < RETURN_SHARE,
            workers_report=level == Level.MAJOR and rng.random() < WORKERS_REPORT_SHARE,
        )

    def steps(self, p: Plan) -> Story:
        department, officer, registrar, after = self.roles[p.key]
        hazard = self.load(p)
        assert hazard.confirmed_at is not None
        t = timezone.localtime(hazard.confirmed_at)
        yield t
        yield from self.rectify(
            p, t, department=department, officer=officer, registrar=registrar, plan_after=after
        )

    def ladder(self, first: dt.date) -> Iterator[dt.datetime]:
        """The daily 逾期未整改 job over these hazards, on each week's last working day from the first deadline
        on and once today (one rung per hazard and run), as `hazard_history` runs it over its own."""
        rules = active_rules(Stage.RECTIFY)
        day = first
        while True:
            day += dt.timedelta(days=(4 - day.weekday()) % 7 or 7)  # the next Friday
            at = dt.datetime.combine(day, dt.time(ESCALATION_HOUR), tzinfo=self.tz)
            if at >= self.now:
                break
            yield at
            self.climb(rules, day)
        yield self.now
        self.climb(rules, self.today)

    def climb(self, rules: dict[str, Any], day: dt.date) -> None:
        late = Hazard.objects.unrestricted("demo: the hazards this run follows").filter(
            pk__in=list(self.hazard_ids.values()), status__in=OPEN_STATUSES, deadline__lt=day
        )
        for pk in late.order_by("pk").values_list("pk", flat=True):
            escalate_hazard(pk, today=day, rules=rules)
