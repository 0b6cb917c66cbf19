"""Three years of hazard history for the demo district (2023 stock through today), through the hazard services.

Every planned hazard is a *story*: a generator that makes one real service call per step (so history, audit,
outbox and the statistics tally are written exactly as in use) and yields the moment of its next step. The
stories run interleaved in time order under time-machine, so each row carries the date it would have had, and
the escalation job runs at every month end against the register as it stood that day.

The shape follows the campaign (seed §三): hazards found in 2023 are the stock and are cleared during 2024; the
number of new 重大 hazards falls in 2025 and 2026; most hazards close on time, some late, a few are rejected,
merged, transferred or extended; today a handful are open, some of them overdue and on the escalation ladder.
qiye1 has a 重大 hazard in rectification and a 一般 hazard waiting for its plan, and 应急管理局 has a 重大
hazard waiting for 销号.

Everything is drawn from `random.Random` seeded with the run's seed, so the same seed and the same day give
the same history. Units whose supervising department has no demo login (and no persona department covering
their industry) get no hazards: nobody could act on them.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import random
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager, suppress
from decimal import Decimal
from typing import Any, cast

import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.core.calendar import CalendarUnavailable, publish_calendar_year
from zhiben.core.errors import DomainError
from zhiben.core.models.calendar import CalendarYear
from zhiben.hazards import services
from zhiben.hazards.choices import Level, Source, Status
from zhiben.hazards.models import (
    DeadlineExtension,
    Escalation,
    EscalationRule,
    Hazard,
    HazardProgress,
    HazardQuerySet,
    HazardTransfer,
)
from zhiben.registry.models import Region
from zhiben.standards.models import Standard

from .hazard_plan import HISTORY_START, STOCK_DAY, HistoryPlan, HistoryReport, Plan, Unit
from .hazard_texts import (
    EXTENSION_REASONS,
    LONG_WORKS_PROGRESS,
    MAJOR_MEASURES,
    PLAN_MEASURES,
    PROGRESS_STEPS,
    REJECT_REASONS,
    RETURN_REASONS,
    STOCK_EXTENSION_REASON,
)
from .personas import PERSONAS

log = logging.getLogger(__name__)

# A story yields the moment of its next step; a sub-story returns the moment of its last one.
Story = Generator[dt.datetime, None, Any]
ESCALATION_HOUR = 20
INTERVIEW_PLACES = ("区安委办会议室（管委大楼三楼）", "区应急管理局二楼会议室")


# ---- entry point ---------------------------------------------------------------------------------------------


def seed_hazard_history(
    *, seed: int, actor: Any = None, progress: Callable[[str], None] | None = None
) -> HistoryReport | None:
    """生成隐患历史: None when the register already has hazards (a rerun adds nothing)."""
    if Hazard.objects.unrestricted("demo: idempotence").exists():  # idempotence is about the whole register
        return None
    started = time.perf_counter()
    say = progress or (lambda message: None)
    # One transaction: every step is still its own audited service call (a savepoint), SQLite syncs once, and
    # a run that fails leaves no half history behind for the rerun to skip.
    with transaction.atomic():
        _load_rules(actor)
        now = timezone.localtime()
        _publish_calendar(now.date(), actor)
        history = _History(seed=seed, now=now, actor=actor, say=say)
        with _quiet("zhiben.hazards.escalation"):
            history.run()
        report = history.report
        _count(report, now.date())
    report.seconds = time.perf_counter() - started
    return report


def _load_rules(actor: Any) -> None:
    """Judgement standards, deadline policies and the escalation ladder, unless `load_reference` already did
    (each loader writes an audit row per run, so they are not run twice)."""
    try:
        from zhiben.standards.reference import (
            load_standards,  # optional: the demo runs without this app's loader
        )
    except ImportError:  # pragma: no cover - the standards loader ships with the standards app
        pass
    else:
        if not Standard.objects.exists():
            load_standards(actor=actor)
    try:
        from zhiben.hazards.reference import (
            load_hazard_rules,  # optional: the demo runs without this app's loader
        )
    except ImportError:  # pragma: no cover
        pass
    else:
        if not EscalationRule.objects.exists():
            load_hazard_rules(actor=actor)


def _publish_calendar(today: dt.date, actor: Any) -> None:
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


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    """The escalation job logs one INFO line per run; the demo runs it at every month end."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _count(report: HistoryReport, today: dt.date) -> None:
    hazards = cast(HazardQuerySet, Hazard.objects.unrestricted("the demo reports on the whole register"))
    counted = hazards.exclude(status__in=[Status.REJECTED, Status.MERGED])
    report.hazards = hazards.count()
    report.major = counted.filter(level=Level.MAJOR).count()
    report.stock = counted.filter(is_stock=True).count()
    report.stock_closed = counted.filter(is_stock=True, status=Status.CLOSED).count()
    report.closed = counted.filter(status=Status.CLOSED).count()
    report.open = hazards.open().count() + hazards.filter(status=Status.REPORTED).count()
    report.overdue = hazards.overdue(today).count()
    report.rejected = hazards.filter(status=Status.REJECTED).count()
    report.merged = hazards.filter(status=Status.MERGED).count()
    report.transfers = HazardTransfer.objects.unrestricted("demo: the whole register").count()
    report.extensions = DeadlineExtension.objects.unrestricted("demo: the whole register").count()
    report.progress_entries = HazardProgress.objects.unrestricted("demo: the whole register").count()
    report.escalations = Escalation.objects.unrestricted("demo: the whole register").count()


# ---- the simulation ------------------------------------------------------------------------------------------


class _History(HistoryPlan):
    """One run: plans the hazards from the seed, then plays their stories in time order."""

    # -- the run -------------------------------------------------------------------------------------------------

    def run(self) -> None:
        units = self.units()
        if not units:
            return
        plans = self.plan(units)
        self.ensure_reviewers(plans)
        for plan in plans:
            self.schedule(self.story(plan))
        if _escalation_job() is not None:
            self.schedule(self.escalation_story())
        self.simulate()

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

    # -- stories -------------------------------------------------------------------------------------------------

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

    def steps(self, p: Plan) -> Story:
        rng, unit = p.rng, p.unit
        industry_id = unit.enterprise.primary_industry_id
        department = unit.department
        officer = self.officer(department, industry_id)
        t = p.registered_at
        yield t
        if p.fate == "script_reported":
            registrar = self.users[_township_persona(unit)]
        elif p.source == Source.SELF_CHECK and unit.user is not None:
            registrar = unit.user
        else:
            registrar = officer
        hazard = services.register_hazard(
            actor=registrar,
            enterprise=unit.enterprise,
            level=p.level,
            title=p.title,
            discovered_on=p.discovered_on,
            source=p.source,
            clause=p.clause,
            description=_description(p),
            location=p.location,
            finder=_finder(p, registrar),
        )
        self.hazard_ids[p.key] = hazard.pk
        rectifiers = {registrar.pk}
        if p.fate == "script_reported":
            return
        if p.fate == "duplicate":
            t = self.later(t, 0, rng)
            yield t
            services.merge(
                self.load(p),
                actor=officer,
                into=Hazard.objects.get(pk=self.hazard_ids[p.duplicate_of or 0]),
                note="与已登记隐患为同一问题，合并处理",
            )
            return
        if p.fate == "rejected":
            t = self.later(t, rng.randint(1, 4), rng)
            yield t
            services.reject(self.load(p), actor=officer, reason=rng.choice(REJECT_REASONS))
            return
        if p.transfer_to is not None:
            t = self.later(t, rng.randint(0, 1), rng)
            yield t
            services.transfer(
                self.load(p), actor=officer, to_department=p.transfer_to, reason=p.transfer_reason
            )
            department = p.transfer_to
            officer = self.officer(department, industry_id)
        if hazard.status == Status.REPORTED:
            t = self.later(t, 1 if p.fate.startswith("script") else rng.randint(0, 2), rng)
            yield t
            services.confirm(
                self.load(p),
                actor=officer,
                deadline=p.deadline or (self.stock_deadline(p, t) if p.discovered_on <= STOCK_DAY else None),
                supervision_level=p.supervision,
                note="纳入存量隐患清零台账" if p.discovered_on <= STOCK_DAY else "",
            )
        if p.fate == "script_confirmed":
            return
        hazard = self.load(p)
        deadline = hazard.deadline
        assert deadline is not None
        doer = self.unit_actor(p, department)
        rectifiers.add(doer.pk)
        t = self.later(t, 0 if p.fate.startswith("script") else rng.randint(0, 2), rng)
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

    def stock_deadline(self, p: Plan, confirmed: dt.datetime) -> dt.date | None:
        """Stock found in 2023 goes on the campaign's clearance ledger with a 2024 deadline (seed §三)."""
        normal = services.default_deadline(p.level, confirmed.date())
        if p.level == Level.GENERAL and p.discovered_on.month <= 6 and p.rng.random() < 0.35:
            return normal  # rectified in 2023 as usual; the rest waits for the 2024 clearance
        month = p.rng.choice((3, 4, 5, 6, 6, 8, 9, 10, 11))
        day = self.workdays.add(dt.date(STOCK_DAY.year + 1, month, 28), 0)
        return max(day, normal)

    def escalation_story(self) -> Iterator[dt.datetime]:
        """The daily escalation job, run on each week's last working day and once today: one rung per hazard
        and run, so a long-overdue hazard climbs the ladder week by week, never several rungs on one day."""
        apply = _escalation_job()
        assert apply is not None
        day = HISTORY_START
        while True:
            day += dt.timedelta(days=(4 - day.weekday()) % 7 or 7)  # the next Friday
            at = dt.datetime.combine(day, dt.time(ESCALATION_HOUR), tzinfo=self.tz)
            if at >= self.now:
                break
            yield at
            self._escalate(apply, day)
        yield self.now
        self._escalate(apply, self.today)

    def _escalate(self, apply: Callable[..., dict[str, int]], day: dt.date) -> None:
        counts = apply(today=day, actor=None)
        self.report.escalation_runs += 1
        if counts.get("failed"):
            self.report.failures.append(f"escalation {day}: {counts}")
        self._schedule_interviews(day)

    def _schedule_interviews(self, day: dt.date) -> None:
        """The office sets each 约谈 the job found due: two working days ahead, in its meeting room."""
        office = self.users.get("anweiban")
        if office is None:
            return
        due = Escalation.objects.unrestricted("demo: the whole register").filter(
            kind="interview", document__isnull=True
        )
        for n, step in enumerate(due.order_by("pk")):
            on = self.workdays.add(day, 2)
            hour, minute = ((9, 30), (15, 0))[n % 2]
            when = dt.datetime.combine(on, dt.time(hour, minute), tzinfo=self.tz)
            with suppress(ValidationError, DomainError):  # closed or extended since: no 约谈 any more
                services.schedule_interview(
                    step, actor=office, interview_at=when, place=INTERVIEW_PLACES[n % 2]
                )


# ---- helpers -------------------------------------------------------------------------------------------------


def _escalation_job() -> Callable[..., dict[str, int]] | None:
    try:
        from zhiben.hazards.escalation import (
            apply_escalations,  # optional: the demo runs without this app's loader
        )
    except ImportError:  # pragma: no cover - the ladder ships with the hazards app
        return None
    return apply_escalations


def _township_persona(unit: Unit) -> str:
    region: Region | None = unit.enterprise.region
    names = {p.township: p.username for p in PERSONAS if p.township}
    while region is not None:
        if region.name in names:
            return names[region.name]
        region = region.parent
    return "yingtian"


def _description(p: Plan) -> str:
    source = Source(p.source).label
    if p.clause is not None:
        return f"{source}发现：{p.title}。判定依据：{p.clause.citation}。"
    return f"{source}发现：{p.title}。"


def _finder(p: Plan, registrar: User) -> str:
    if p.source == Source.SELF_CHECK:
        return "单位安全管理人员"
    return registrar.display_name or registrar.username


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
