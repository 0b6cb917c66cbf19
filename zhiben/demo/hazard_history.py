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

The walk from 判定 to 销号 (plan, ledger, acceptance, review) and the scheduler live in `hazard_walk`, which
also walks the hazards the inspection year and the year of 举报 judged.

Everything is drawn from `random.Random` seeded with the run's seed, so the same seed and the same day give
the same history. Units whose supervising department has no demo login (and no persona department covering
their industry) get no hazards: nobody could act on them.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.core.errors import DomainError
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

from .hazard_plan import HISTORY_START, STOCK_DAY, HistoryReport, Plan, Unit
from .hazard_texts import REJECT_REASONS
from .hazard_walk import ESCALATION_HOUR, Story, Walker, publish_calendar
from .personas import PERSONAS

log = logging.getLogger(__name__)

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
        publish_calendar(now.date(), actor)
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


class _History(Walker):
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

    # -- stories -------------------------------------------------------------------------------------------------

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
        yield from self.rectify(p, t, department=department, officer=officer, registrar=registrar)

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
