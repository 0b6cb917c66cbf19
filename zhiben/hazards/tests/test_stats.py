"""Statistics as the committee office, the departments and the townships read them, kept equal to a recount.

The story: hazards are registered, judged, rectified, closed, reopened and transferred by the personas while
the clock moves; after it all, the figures read from the tally equal the figures recounted from the register,
for every persona and filter, and the dashboard, its export and the 通报 show those same numbers.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhiben.core.backup import restored
from zhiben.core.errors import DomainError
from zhiben.core.testing import login
from zhiben.core.workflow import TransitionNotAllowed
from zhiben.hazards import dashboard_views, services, stats, tally
from zhiben.hazards.choices import COUNTED_STATUSES, Level, Source, Status
from zhiben.hazards.models import Hazard, HazardStatsSnapshot, HazardTally, HazardTallyChange
from zhiben.hazards.stats import StatsFilter
from zhiben.hazards.tasks import purge_hazard_tally

pytestmark = pytest.mark.django_db

ENTERPRISE_USERS = {"qiye1": "qiye1", "qiye2": "qiye2", "qiye3": "qiye3"}
DEPARTMENT_USERS = {
    "emergency": "yingji",
    "housing": "zhujian",
    "transport": "jiaotong",
    "fire": "xiaofang",
    "market": "shichang",
}
TOWNSHIP_USERS = {"天问街道": "tianwen", "营田镇": "yingtian", "河市镇": "heshi", "凤凰乡": "fenghuang"}
EXPECTED_REFUSALS = (DomainError, ValidationError, TransitionNotAllowed)


# --- helpers ---------------------------------------------------------------------------------------------


def today() -> dt.date:
    return services.today()


def register(
    world: Any, slot: str, actor: Any, *, level: str, clause: Any, discovered_on: dt.date, **kw: Any
) -> Hazard:
    return services.register_hazard(
        actor=actor,
        enterprise=world.enterprises[slot],
        level=level,
        clause=clause if level == Level.MAJOR else None,
        title=f"{world.enterprises[slot].name}隐患",
        discovered_on=discovered_on,
        **kw,
    )


def plan(h: Hazard, actor: Any) -> None:
    services.submit_plan(
        h,
        actor=actor,
        measures="整改措施",
        responsible="责任人",
        plan_deadline=h.deadline if h.deadline and h.deadline >= today() else today(),
        funds=Decimal("3.5"),
        contingency="应急预案",
        interim_measures="警戒隔离",
    )


def close_loop(h: Hazard, rectifier: Any, reviewer: Any) -> None:
    """方案 → 申请验收 → 企业验收 → 销号."""
    plan(h, rectifier)
    services.request_acceptance(h, actor=rectifier)
    services.self_accept(h, actor=rectifier, acceptor="验收人")
    services.close(h, actor=reviewer)


def personas_for(world: Any, h: Hazard) -> tuple[Any | None, Any | None]:
    """(reviewer, rectifier) of a hazard: its department's persona, and the unit's manager (or the
    department entering the plan on the unit's behalf)."""
    dept_code = next(code for code, d in world.departments.items() if d.pk == h.department_id)
    reviewer = world.users.get(DEPARTMENT_USERS.get(dept_code, ""))
    slot = next(s for s, e in world.enterprises.items() if e.pk == h.enterprise_id)
    rectifier = world.users.get(ENTERPRISE_USERS.get(slot, "")) or reviewer
    return reviewer, rectifier


def assert_consistent(world: Any, day: dt.date, filters: list[StatsFilter]) -> None:
    assert tally.diff() == {}
    for username in ("anweiban", "lingdao", "yingji", "zhujian", "xiaofang", "yingtian", "heshi"):
        for f in filters:
            user = world.users[username]
            assert stats.figures(user, f, day) == stats.recount_figures(user, f, day), (username, f)


# --- the random story --------------------------------------------------------------------------------------


def test_it_keeps_figures_equal_to_a_recount_through_random_operations(
    world: Any, clause: Any, clock: Any
) -> None:
    rng = random.Random(20250303)
    slots = list(world.enterprises)
    done: Counter = Counter()

    def act(h: Hazard) -> str:
        reviewer, rectifier = personas_for(world, h)
        if reviewer is None:
            return "no reviewer"
        h.refresh_from_db()
        if h.status == Status.REPORTED:
            if rng.random() < 0.15:
                services.reject(h, actor=reviewer, reason="不构成隐患")
                return "reject"
            services.confirm(h, actor=reviewer)
            return "confirm"
        if h.status == Status.REJECTED:
            services.reopen(h, actor=reviewer, reason="复核后重新认定")
            return "reopen rejected"
        if h.status == Status.CONFIRMED:
            if h.deadline and h.deadline < today():
                ext = services.request_extension(
                    h,
                    actor=rectifier,
                    requested_deadline=today() + dt.timedelta(days=20),
                    reason="设备到货延迟",
                )
                services.decide_extension(ext, actor=reviewer, approve=True)
                return "extension"
            plan(h, rectifier)
            return "plan"
        if h.status == Status.RECTIFYING:
            if rng.random() < 0.3:
                services.record_progress(h, actor=rectifier, content="整改过半", percent=50)
                return "progress"
            services.request_acceptance(h, actor=rectifier)
            return "request acceptance"
        if h.status == Status.ACCEPTANCE_REQUESTED:
            services.self_accept(h, actor=rectifier, acceptor="验收人", passed=rng.random() < 0.85)
            return "self accept"
        if h.status == Status.SELF_ACCEPTED:
            if rng.random() < 0.15:
                services.return_for_rectification(h, actor=reviewer, reason="整改不到位")
                return "return"
            services.close(h, actor=reviewer if h.level == Level.MAJOR or rng.random() < 0.5 else rectifier)
            return "close"
        if h.status == Status.CLOSED and rng.random() < 0.3:
            services.reopen(h, actor=reviewer, reason="复查发现反弹")
            return "reopen"
        return "idle"

    for step in range(150):
        roll = rng.random()
        hazards = list(Hazard.objects.exclude(status=Status.MERGED).order_by("pk"))
        try:
            if roll < 0.3 or len(hazards) < 4:
                slot = rng.choice(slots)
                own = world.users.get(ENTERPRISE_USERS.get(slot, ""))
                level = rng.choice([Level.GENERAL, Level.MAJOR])
                stock = rng.random() < 0.2
                discovered = (
                    dt.date(2023, rng.randint(1, 12), rng.randint(1, 28))
                    if stock
                    else today() - dt.timedelta(days=rng.randint(0, 200))
                )
                if own is not None and rng.random() < 0.5:
                    register(world, slot, own, level=level, clause=clause, discovered_on=discovered)
                else:
                    town = world.enterprises[slot].region.parent.name
                    lead = services.supervising_department(world.enterprises[slot].primary_industry).code
                    inspector = world.users.get(DEPARTMENT_USERS.get(lead, ""))
                    township = world.users[TOWNSHIP_USERS[town]]
                    actor = township if inspector is None or rng.random() < 0.4 else inspector
                    register(
                        world,
                        slot,
                        actor,
                        level=level,
                        clause=clause,
                        discovered_on=discovered,
                        source=rng.choice([Source.INSPECTION, Source.UNDERCOVER, Source.TIP, Source.EXPERT]),
                    )
                done["register"] += 1
            elif roll < 0.82:
                moving = [h for h in hazards if h.status not in (Status.CLOSED, Status.MERGED)]
                done[act(rng.choice(moving if moving and rng.random() < 0.85 else hazards))] += 1
            elif roll < 0.88:
                h = rng.choice(
                    [h for h in hazards if h.status in (Status.CONFIRMED, Status.RECTIFYING)] or hazards
                )
                reviewer, _ = personas_for(world, h)
                target = rng.choice([d for code, d in world.departments.items() if code in DEPARTMENT_USERS])
                services.transfer(h, actor=reviewer, to_department=target, reason="职责调整")
                done["transfer"] += 1
            elif roll < 0.92:
                reported = [h for h in hazards if h.status == Status.REPORTED]
                if len(reported) >= 1:
                    dup = rng.choice(reported)
                    into = next(
                        (o for o in hazards if o.enterprise_id == dup.enterprise_id and o.pk != dup.pk), None
                    )
                    if into is not None:
                        reviewer, _ = personas_for(world, dup)
                        services.merge(dup, actor=reviewer, into=into)
                        done["merge"] += 1
            else:
                clock.shift(dt.timedelta(days=rng.randint(7, 45)))
                done["clock"] += 1
        except EXPECTED_REFUSALS:
            done["refused"] += 1
        if step in (40, 100):
            assert_consistent(world, today(), [StatsFilter()])

    successful = sum(n for k, n in done.items() if k not in ("refused", "idle", "no reviewer"))
    assert successful >= 30, done
    assert done["clock"] >= 3 and done["close"] >= 3 and done["confirm"] >= 5, done
    day = today()
    assert_consistent(
        world,
        day,
        [
            StatsFilter(),
            StatsFilter(level=Level.MAJOR),
            StatsFilter(region=world.regions["营田镇"].code),
            StatsFilter(industry="INDTRADE"),
            StatsFilter(department="emergency", stock=False),
            StatsFilter(stock=True),
            StatsFilter(source=Source.INSPECTION),
            StatsFilter(quarter_from="2025Q1", quarter_to="2025Q4"),
        ],
    )
    # The figures are not trivially zero: the story produced open, closed, overdue and stock hazards.
    totals = stats.figures(world.anweiban, StatsFilter(), day).totals
    assert totals.open and totals.closed and totals.overdue and totals.stock, totals
    # A later day ages the same tally: still equal to a recount.
    later = day + dt.timedelta(days=200)
    assert stats.figures(world.anweiban, StatsFilter(), later) == stats.recount_figures(
        world.anweiban, StatsFilter(), later
    )


# --- a small district for the pages ------------------------------------------------------------------------


def build_story(world: Any, clause: Any, clock: Any) -> dict[str, Hazard]:
    """营田镇's machinery plant, 河市镇's chemical works, 天问街道's builder and 营田镇's shop, over a few months."""
    start = today()
    made: dict[str, Hazard] = {}
    # A 2023 stock hazard at qiye1, closed on time.
    made["stock_closed"] = register(
        world, "qiye1", world.yingtian, level=Level.MAJOR, clause=clause, discovered_on=dt.date(2023, 11, 20)
    )
    services.confirm(made["stock_closed"], actor=world.yingji)
    close_loop(made["stock_closed"], world.qiye1, world.yingji)
    # A 2023 stock hazard at qiye2 (河市镇), still open and soon overdue.
    made["stock_open"] = register(
        world, "qiye2", world.heshi, level=Level.MAJOR, clause=clause, discovered_on=dt.date(2023, 12, 5)
    )
    services.confirm(made["stock_open"], actor=world.yingji, deadline=start + dt.timedelta(days=10))
    # New hazards: qiye3 (住建, 天问街道) major, yt_shop (消防, 营田镇) general, qiye1 general self-reported.
    made["builder"] = register(
        world,
        "qiye3",
        world.tianwen,
        level=Level.MAJOR,
        clause=clause,
        discovered_on=start - dt.timedelta(days=40),
    )
    services.confirm(made["builder"], actor=world.zhujian, deadline=start + dt.timedelta(days=5))
    made["shop"] = register(
        world, "yt_shop", world.xiaofang, level=Level.GENERAL, clause=None, discovered_on=start
    )
    services.confirm(made["shop"], actor=world.xiaofang, deadline=start + dt.timedelta(days=60))
    made["self"] = register(
        world, "qiye1", world.qiye1, level=Level.GENERAL, clause=None, discovered_on=start
    )
    made["waiting"] = register(
        world, "qiye2", world.heshi, level=Level.GENERAL, clause=None, discovered_on=start, source=Source.TIP
    )
    clock.shift(dt.timedelta(days=20))
    return made


# --- the definitions, on small explicit examples -----------------------------------------------------------


def test_it_counts_an_open_overdue_hazard_in_the_on_time_denominator(
    world: Any, clause: Any, clock: Any
) -> None:
    start = today()  # Monday 2025-03-03
    # qiye1 closes its own 一般 hazard on time.
    on_time = register(world, "qiye1", world.qiye1, level=Level.GENERAL, clause=None, discovered_on=start)
    close_loop(on_time, world.qiye1, world.qiye1)
    # A 重大 hazard with a deadline a week away, rectified but closed after the deadline.
    late = register(world, "qiye1", world.yingtian, level=Level.MAJOR, clause=clause, discovered_on=start)
    services.confirm(late, actor=world.yingji, deadline=start + dt.timedelta(days=7))
    plan(late, world.qiye1)
    services.request_acceptance(late, actor=world.qiye1)
    services.self_accept(late, actor=world.qiye1, acceptor="王厂长")
    # A 重大 hazard due on 03-10, never rectified; one due on 03-24 (the day we look), one due much later.
    overdue = register(world, "qiye1", world.yingtian, level=Level.MAJOR, clause=clause, discovered_on=start)
    services.confirm(overdue, actor=world.yingji, deadline=dt.date(2025, 3, 10))
    due_today = register(
        world, "qiye1", world.yingtian, level=Level.GENERAL, clause=None, discovered_on=start
    )
    services.confirm(due_today, actor=world.yingji, deadline=dt.date(2025, 3, 24))
    later = register(world, "qiye1", world.yingtian, level=Level.GENERAL, clause=None, discovered_on=start)
    services.confirm(later, actor=world.yingji, deadline=dt.date(2025, 6, 30))
    clock.move_to(dt.datetime(2025, 3, 24, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    services.close(late, actor=world.yingji)
    late.refresh_from_db()
    assert late.closed_on_time is False

    day = today()
    f = stats.figures(world.anweiban, StatsFilter(), day)
    t = f.totals
    # 1 closed on time ÷ (2 closed + 1 open past its deadline); due_today is not yet overdue.
    assert (t.closed, t.closed_on_time, t.overdue, t.open) == (2, 1, 1, 3)
    assert t.on_time_rate == stats.Ratio(1, 3)
    assert t.on_time_rate.percent == 33.3
    assert str(t.on_time_rate) == "33.3%"
    # Ageing: three open hazards found 21 days ago; the overdue one is 14 days past its deadline.
    assert t.open_age == [3, 0, 0, 0, 0]
    assert t.overdue_age == [1, 0, 0, 0, 0]
    assert t.major_overdue == 1
    assert f == stats.recount_figures(world.anweiban, StatsFilter(), day)
    # The next day, due_today joins the denominator; 40 days later the first one is 31–90 days overdue.
    tomorrow = stats.figures(world.anweiban, StatsFilter(), day + dt.timedelta(days=1)).totals
    assert tomorrow.on_time_rate == stats.Ratio(1, 4)
    aged = stats.figures(world.anweiban, StatsFilter(), day + dt.timedelta(days=17)).totals
    assert aged.overdue_age == [1, 1, 0, 0, 0]  # 17 days past 03-24, 31 days past 03-10
    assert aged.open_age == [0, 3, 0, 0, 0]


def test_it_measures_stock_clearance_on_counted_stock_hazards(world: Any, clause: Any, clock: Any) -> None:
    cleared = register(
        world, "qiye1", world.yingtian, level=Level.MAJOR, clause=clause, discovered_on=dt.date(2023, 6, 1)
    )
    services.confirm(cleared, actor=world.yingji)
    close_loop(cleared, world.qiye1, world.yingji)
    still_open = register(
        world, "qiye2", world.heshi, level=Level.GENERAL, clause=None, discovered_on=dt.date(2023, 12, 31)
    )
    services.confirm(still_open, actor=world.yingji)
    not_a_hazard = register(
        world, "yt_gas", world.yingtian, level=Level.GENERAL, clause=None, discovered_on=dt.date(2022, 5, 1)
    )
    services.reject(
        not_a_hazard, actor=world.users[DEPARTMENT_USERS[not_a_hazard.department.code]], reason="不构成隐患"
    )
    new = register(
        world, "qiye1", world.qiye1, level=Level.GENERAL, clause=None, discovered_on=dt.date(2024, 1, 1)
    )
    close_loop(new, world.qiye1, world.qiye1)
    assert still_open.is_stock and not new.is_stock

    f = stats.figures(world.anweiban, StatsFilter(), today())
    assert f.totals.stock_clearance == stats.Ratio(1, 2)  # the rejected report is not a stock hazard
    assert f.totals.stock_clearance.percent == 50.0
    regions = {row.label: row.counts.stock_clearance for row in f.breakdown("region").rows}
    assert regions["营田镇"] == stats.Ratio(1, 1) and regions["河市镇"] == stats.Ratio(0, 1)
    only_new = stats.figures(world.anweiban, StatsFilter(stock=False), today()).totals
    assert (only_new.counted, only_new.stock) == (1, 0)
    assert f == stats.recount_figures(world.anweiban, StatsFilter(), today())


def test_it_compares_new_major_hazards_with_the_same_quarter_a_year_earlier(
    world: Any, clause: Any, clock: Any
) -> None:
    clock.move_to(dt.datetime(2025, 8, 4, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)

    def major(day: dt.date, *, confirm: bool = True) -> Hazard:
        h = register(world, "qiye1", world.yingtian, level=Level.MAJOR, clause=clause, discovered_on=day)
        if confirm:
            services.confirm(h, actor=world.yingji)
        return h

    for day in (dt.date(2024, 1, 10), dt.date(2024, 3, 31), dt.date(2024, 4, 2), dt.date(2024, 6, 30)):
        major(day)
    for day in (dt.date(2025, 1, 1), dt.date(2025, 2, 14), dt.date(2025, 3, 31), dt.date(2025, 5, 5)):
        major(day)
    major(dt.date(2025, 2, 1), confirm=False)  # awaiting 判定: not yet a hazard
    services.reject(major(dt.date(2025, 2, 2), confirm=False), actor=world.yingji, reason="不构成")
    register(world, "qiye1", world.qiye1, level=Level.GENERAL, clause=None, discovered_on=dt.date(2025, 2, 3))

    f = stats.figures(world.lingdao, StatsFilter(), today())
    points = {p.quarter: p for p in f.trend}
    assert list(points) == ["2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3"]
    assert (points["2025Q1"].count, points["2025Q1"].year_before, points["2025Q1"].change) == (3, 2, 50.0)
    assert (points["2025Q2"].count, points["2025Q2"].year_before, points["2025Q2"].change) == (1, 2, -50.0)
    assert (points["2025Q3"].count, points["2025Q3"].year_before, points["2025Q3"].change) == (0, 0, None)
    assert (points["2024Q1"].count, points["2024Q1"].year_before, points["2024Q1"].change) == (2, 0, None)
    assert points["2025Q1"].label == "2025年一季度"
    # The quarter range ends the window; the year-earlier figure is read outside the range.
    ranged = stats.figures(world.lingdao, StatsFilter(quarter_from="2025Q1", quarter_to="2025Q2"), today())
    assert [(p.quarter, p.count, p.year_before) for p in ranged.trend] == [("2025Q1", 3, 2), ("2025Q2", 1, 2)]
    assert ranged.totals.major == 4
    assert f == stats.recount_figures(world.lingdao, StatsFilter(), today())
    assert ranged == stats.recount_figures(
        world.lingdao, StatsFilter(quarter_from="2025Q1", quarter_to="2025Q2"), today()
    )


def test_it_limits_each_persona_to_its_scope(world: Any, clause: Any, clock: Any) -> None:
    made = build_story(world, clause, clock)
    day = today()
    housing = world.departments["housing"]
    # 住建局 sees the construction hazard only; the register agrees.
    zhujian = stats.figures(world.zhujian, StatsFilter(), day)
    assert (
        zhujian.totals.counted
        == Hazard.objects.restrict(world.zhujian).filter(status__in=COUNTED_STATUSES).count()
        == 1
    )
    assert [r.code for r in zhujian.breakdown("department").rows] == ["housing"]
    assert [r.label for r in zhujian.breakdown("region").rows] == ["天问街道"]
    # A hazard transferred (移送) to 住建局 joins its figures, although its industry is not 住建's.
    services.transfer(made["stock_open"], actor=world.yingji, to_department=housing, reason="属在建工程")
    zhujian = stats.figures(world.zhujian, StatsFilter(), day)
    assert zhujian.totals.counted == 2
    assert {r.label for r in zhujian.breakdown("region").rows} == {"天问街道", "河市镇"}
    assert zhujian == stats.recount_figures(world.zhujian, StatsFilter(), day)
    # 营田镇 sees its own territory only: qiye1 and the shop.
    yingtian = stats.figures(world.yingtian, StatsFilter(), day)
    assert [r.label for r in yingtian.breakdown("region").rows] == ["营田镇"]
    assert yingtian.totals.registered == 3 and yingtian.totals.counted == 3
    assert yingtian == stats.recount_figures(world.yingtian, StatsFilter(), day)
    # A filter outside the scope finds nothing rather than escaping it.
    assert (
        stats.figures(world.yingtian, StatsFilter(region=world.regions["河市镇"].code), day).totals.registered
        == 0
    )
    # The district sees everything; an enterprise has no statistics at all.
    assert stats.figures(world.anweiban, StatsFilter(), day).totals.registered == 6
    assert not stats.may_view_statistics(world.qiye1)
    with pytest.raises(DomainError):
        stats.figures(world.qiye1, StatsFilter(), day)
    assert stats.scope_label(world.yingtian) == "营田镇"
    assert stats.scope_label(world.anweiban) == "全区"


def test_it_climbs_to_counties_when_a_scope_holds_more_than_30_townships() -> None:
    townships = [f"43060{county}{t:03d}" for county in (1, 2) for t in range(100, 120)]  # 40 in 2 counties
    assert stats._area_level(townships)[1] == 6
    assert stats._area_level(townships[:30])[1] == 9
    many_counties = [f"43{c:04d}100" for c in range(40)]
    assert stats._area_level(many_counties)[1] == 4
    assert stats.area_key("430601100", 9) == "430601100"
    assert stats.area_key("430601100", 6) == "430601"
    assert stats.area_key("430601100", 4) == "430600"


# --- the dashboard page and its export ---------------------------------------------------------------------


class Tables(HTMLParser):
    """Text of every table cell on a page, by the table's data-testid: {testid: [[cell, …], …]}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("data-testid"):
            self._table = a["data-testid"]
            self.tables[self._table] = []
        elif self._table and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []
        elif self._cell is not None and tag in ("small", "span", "br"):
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_tables(response: Any) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(response.content.decode())
    return parser.tables


def sheet_rows(wb: Any, title: str) -> tuple[list[Any], list[Any], list[list[Any]]]:
    """(banner rows, header, body) of one exported sheet."""
    rows = [list(r) for r in wb[title].iter_rows(values_only=True)]
    return rows[:2], rows[2], rows[3:]


def pct(value: Any) -> str:
    return "—" if value is None else f"{value:g}%"


@pytest.mark.parametrize("username", ["anweiban", "yingji", "yingtian", "lingdao"])
def test_it_shows_the_dashboard_to_government_users(
    client: Any, world: Any, clause: Any, clock: Any, username: str
) -> None:
    build_story(world, clause, clock)
    user = world.users[username]
    response = login(client, user).get(reverse("hazards:hazard_stats"))
    assert response.status_code == 200
    f = stats.figures(user, StatsFilter(), today())
    html = response.content.decode()
    assert f'data-kpi="on_time_rate">{f.totals.on_time_rate}<' in html
    assert (
        f'data-kpi="on_time_fraction">按期销号 {f.totals.on_time_rate.numerator} / 应按期 '
        f"{f.totals.on_time_rate.denominator}<"
    ) in html
    assert f'data-kpi="on_time_overdue">{f.totals.overdue}<' in html
    assert f'data-kpi="stock_clearance">{f.totals.stock_clearance}<' in html
    for key in ("open", "overdue", "reported"):
        assert f'data-kpi="{key}">{getattr(f.totals, key)}<' in html
    assert (
        'data-hz-chart="trend"' in html
        and 'data-hz-chart="funnel"' in html
        and 'data-hz-chart="ageing"' in html
    )
    assert "vendor/echarts/echarts.min.js" in html


def test_it_refuses_the_dashboard_to_an_enterprise_and_asks_strangers_to_sign_in(
    client: Any, world: Any
) -> None:
    for name in ("hazards:hazard_stats", "hazards:hazard_stats_export", "hazards:bulletin_list"):
        assert client.get(reverse(name)).status_code == 302
    login(client, world.qiye1)
    for name in ("hazards:hazard_stats", "hazards:hazard_stats_export", "hazards:bulletin_list"):
        assert client.get(reverse(name)).status_code == 403
    for name in ("zhuanjia", "xitong"):  # an expert and a system administrator see no hazard statistics
        login(client, world.users[name])
        assert client.get(reverse("hazards:hazard_stats")).status_code == 403


def test_it_reads_the_page_in_the_same_number_of_queries_whatever_the_register_holds(
    client: Any, world: Any, clause: Any, clock: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    build_story(world, clause, clock)
    login(client, world.yingji)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("hazards:hazard_stats")).status_code == 200
    for slot in ("qiye1", "qiye2", "yt_gas", "hs_road", "fh_fireworks", "qiye3"):
        for level in (Level.GENERAL, Level.MAJOR):
            h = register(
                world,
                slot,
                world.users[TOWNSHIP_USERS[world.enterprises[slot].region.parent.name]],
                level=level,
                clause=clause,
                discovered_on=today(),
            )
            reviewer, _ = personas_for(world, h)
            if reviewer is not None:
                services.confirm(h, actor=reviewer)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("hazards:hazard_stats")).status_code == 200


def test_it_reports_bad_filters_on_their_fields(client: Any, world: Any, clause: Any, clock: Any) -> None:
    build_story(world, clause, clock)
    response = login(client, world.anweiban).get(
        reverse("hazards:hazard_stats"),
        {"level": "catastrophic", "quarter_from": "2025Q1", "quarter_to": "2024Q1", "region": "x"},
    )
    assert response.status_code == 200
    errors = re.sub(
        r"<[^>]+>", "", response.content.decode().split('data-testid="filter-errors">')[1].split("</div>")[0]
    )
    assert (
        "隐患等级" in errors
        and "catastrophic" in errors
        and "结束季度不能早于开始季度" in errors
        and "区域" in errors
    )
    # The bad fields are left out; the valid one (quarter_from) still applies.
    valid = StatsFilter(quarter_from="2025Q1")
    assert (
        f'data-kpi="open">{stats.figures(world.anweiban, valid, today()).totals.open}<'
        in response.content.decode()
    )


def test_it_exports_exactly_the_figures_on_the_page(client: Any, world: Any, clause: Any, clock: Any) -> None:
    build_story(world, clause, clock)
    query = {"level": "major", "quarter_from": "2023Q1"}
    login(client, world.anweiban)
    page = client.get(reverse("hazards:hazard_stats"), query)
    tables = page_tables(page)
    export_link = re.search(r'href="([^"]+)" data-testid="stats-export"', page.content.decode()).group(1)
    response = client.get(export_link.replace("&amp;", "&"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    f = stats.figures(world.anweiban, StatsFilter(level="major", quarter_from="2023Q1"), today())
    assert f.totals.counted == 3  # the story's three 重大 hazards

    # Every sheet opens with the filter in words.
    assert wb.sheetnames == [
        "概览",
        "重大隐患季度趋势",
        "隐患账龄",
        "销号进度",
        "按区域",
        "按行业领域",
        "按监管部门",
        "按隐患等级",
        "按隐患来源",
        "区域×行业重大隐患",
    ]
    for ws in wb.worksheets:
        assert "隐患等级：重大" in ws["A2"].value and "发现时间：2023年一季度至不限" in ws["A2"].value
        assert "统计范围：全区" in ws["A2"].value

    _b, _h, overview = sheet_rows(wb, "概览")
    t = f.totals
    assert overview[0] == [
        "按期整改率（%）",
        t.on_time_rate.percent,
        t.on_time_rate.numerator,
        t.on_time_rate.denominator,
    ]
    assert overview[1][1:] == [
        t.stock_clearance.percent,
        t.stock_clearance.numerator,
        t.stock_clearance.denominator,
    ]
    assert [r[1] for r in overview[2:]] == [
        t.counted,
        t.open,
        t.overdue,
        t.closed,
        t.reported,
        t.judge_overdue,
        t.major_open,
        t.major_overdue,
    ]

    # Breakdown sheets = the page's tables, row for row (rates and fractions as the page shows them).
    for b in f.breakdowns:
        _b, header, body = sheet_rows(wb, b.title)
        assert header[0] == b.dimension
        screen = tables[f"breakdown-{b.key}"]
        assert len(screen) == len(body) + 1  # + the header row
        for shown, row in zip(screen[1:], body, strict=True):
            (
                name,
                counted,
                reported,
                open_,
                overdue,
                closed,
                ot_n,
                ot_d,
                ot_pct,
                stock,
                stock_closed,
                stock_pct,
                m_open,
                m_od,
                judge_od,
            ) = row
            assert shown == [
                name,
                str(counted),
                f"{reported} 超期 {judge_od}" if judge_od else str(reported),
                str(open_),
                str(overdue),
                str(closed),
                f"{pct(ot_pct)} {ot_n}/{ot_d}",
                f"{pct(stock_pct)} {stock_closed}/{stock}",
                str(m_open),
                str(m_od),
            ]
    # The region sheet's rows are the figures' rows.
    _b, _h, regions = sheet_rows(wb, "按区域")
    assert [r[0] for r in regions] == [r.label for r in f.breakdown("region").rows] + ["合计"]

    # Trend, ageing and the heat table.
    _b, _h, trend = sheet_rows(wb, "重大隐患季度趋势")
    screen = tables["trend-table"]
    assert [r[0].replace("年", "年 ", 1) for r in trend] == screen[0][1:]  # two lines on the page
    assert [str(r[1]) for r in trend] == screen[1][1:] and [str(r[2]) for r in trend] == screen[2][1:]
    assert [r[3] for r in trend] == [p.change for p in f.trend]
    _b, _h, ageing = sheet_rows(wb, "隐患账龄")
    assert [[str(r[1]) for r in ageing], [str(r[2]) for r in ageing]] == [
        row[1:] for row in tables["ageing-table"][1:]
    ]
    _b, _h, heat = sheet_rows(wb, "区域×行业重大隐患")
    screen = tables["heat-table"]  # on the page: one row per industry (short name), one column per region
    areas = screen[0][1:-1]
    full_names = {dashboard_views.short_name(name): name for _code, name in f.heat.industries}
    shown_cells = {
        (areas[j], full_names[row[0]]): cell for row in screen[1:-1] for j, cell in enumerate(row[1:-1])
    }
    assert heat, "the story has open 重大 hazards"
    for area, industry, open_, overdue in heat:
        assert shown_cells.pop((area, industry)) == (f"{open_} 逾期 {overdue}" if overdue else str(open_))
    assert all(v == "·" for v in shown_cells.values())  # every other cell is empty
    _b, _h, funnel = sheet_rows(wb, "销号进度")
    assert funnel == [[s.label, s.count] for s in f.funnel]


def test_it_links_heat_cells_to_the_filtered_hazard_list(
    client: Any, world: Any, clause: Any, clock: Any
) -> None:
    made = build_story(world, clause, clock)
    html = login(client, world.anweiban).get(reverse("hazards:hazard_stats"), {"stock": "1"}).content.decode()
    region = world.regions["河市镇"].code
    links = [
        parse_qs(urlsplit(h.replace("&amp;", "&")).query)
        for h in re.findall(r'<a href="(/hazards/\?[^"]+)" title="', html)
    ]
    wanted = {
        "region": [region],
        "industry": ["HAZCHEM"],
        "level": ["major"],
        "open": ["true"],
        "is_stock": ["true"],
    }
    assert wanted in links
    listed = client.get(
        "/hazards/",
        {"region": region, "industry": "HAZCHEM", "level": "major", "open": "true", "is_stock": "true"},
    )
    assert listed.status_code == 200 and made["stock_open"].code in listed.content.decode()


# --- 通报 ----------------------------------------------------------------------------------------------------


@pytest.fixture
def bulletin_templates(db: Any) -> None:
    """The shipped, editable 通报 templates (core/data/document_templates.json)."""
    from zhiben.core.documents import load_document_templates

    load_document_templates()


def test_it_builds_the_bulletin_from_the_dashboard_figures(world: Any, clause: Any, clock: Any) -> None:
    from zhiben.hazards import bulletins

    build_story(world, clause, clock)  # the clock stops at 2025-03-23
    clock.move_to(dt.datetime(2025, 4, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    context = bulletins.bulletin_context("2025Q1", world.anweiban)
    as_of = dt.date(2025, 4, 1)
    major = stats.figures(world.anweiban, StatsFilter(level=Level.MAJOR), as_of)
    overall = stats.figures(world.anweiban, StatsFilter(), as_of)
    m, t = major.totals, overall.totals
    assert (context["period"], context["period_code"]) == ("2025年第一季度", "2025Q1")
    assert (context["period_start"], context["period_end"]) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert context["scope"] == "全区"
    s = context["stats"]
    assert s["as_of"] == dt.date(2025, 3, 31)
    assert (s["open_major"], s["overdue"], s["reported"]) == (m.open, m.overdue, m.reported) == (2, 2, 0)
    assert (
        (s["on_time_rate"], s["on_time_numerator"], s["on_time_denominator"])
        == (str(m.on_time_rate), m.on_time_rate.numerator, m.on_time_rate.denominator)
        == ("33.3%", 1, 3)
    )
    assert (s["stock_total"], s["stock_closed"], s["stock_rate"]) == (
        m.stock,
        m.stock_closed,
        str(m.stock_clearance),
    )
    a = context["all_hazards"]
    assert (a["counted"], a["open"], a["closed"], a["overdue"], a["on_time_rate"]) == (
        t.counted,
        t.open,
        t.closed,
        t.overdue,
        str(t.on_time_rate),
    )
    # New in the quarter (from the register) = the quarter-filtered figures (from the tally).
    quarter = stats.figures(
        world.anweiban, StatsFilter(level=Level.MAJOR, quarter_from="2025Q1", quarter_to="2025Q1"), as_of
    )
    assert s["new_major"] == quarter.totals.counted == 1  # the builder's; the stock ones were found in 2023
    assert (s["new_major_year_before"], s["new_major_yoy"]) == (0, "")
    assert s["closed"] == 1  # the 2023 stock hazard, closed on 03-03
    # Region and department rows are the figures' rows, with the period's flows.
    assert [(r["name"], r["overdue"], r["on_time_rate"]) for r in context["region_rows"]] == [
        (r.label, r.counts.overdue, str(r.counts.on_time_rate)) for r in major.breakdown("region").rows
    ]
    by_name = {r["name"]: r for r in context["region_rows"]}
    assert (by_name["天问街道"]["new"], by_name["营田镇"]["closed"], by_name["河市镇"]["new"]) == (1, 1, 0)
    assert {r["code"]: (r["new"], r["closed"]) for r in context["department_rows"]} == {
        "emergency": (0, 1),
        "housing": (1, 0),
    }
    # The named overdue 重大 hazards are exactly the figure's count, by deadline.
    assert context["overdue_count"] == m.overdue == len(context["overdue_rows"]) == 2
    assert [h["enterprise"] for h in context["overdue_rows"]] == [
        world.enterprises["qiye3"].name,
        world.enterprises["qiye2"].name,
    ]
    for h in context["overdue_rows"]:
        assert h["overdue_days"] == (as_of - h["deadline"]).days > 0
        assert 0 < h["overdue_workdays"] <= h["overdue_days"]
    assert [w["name"] for w in context["worst_regions"]] == ["天问街道", "河市镇"]


def test_it_says_how_new_major_hazards_compare_with_a_year_earlier(
    world: Any, clause: Any, clock: Any
) -> None:
    from zhiben.hazards import bulletins

    # Registered by the end of February: a February bulletin counts only what was in the register then.
    clock.move_to(dt.datetime(2025, 2, 28, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    for day in (dt.date(2024, 2, 3), dt.date(2024, 2, 20), dt.date(2025, 2, 10)):
        h = register(world, "qiye1", world.yingtian, level=Level.MAJOR, clause=clause, discovered_on=day)
        services.confirm(h, actor=world.yingji)
    clock.move_to(dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    s = bulletins.bulletin_context("2025-02", world.anweiban)["stats"]
    assert (s["new_major"], s["new_major_year_before"], s["new_major_yoy"]) == (1, 2, "下降50.0%")
    assert bulletins._change(3, 2) == "上升50.0%" and bulletins._change(2, 2) == "持平"


def test_it_issues_a_numbered_bulletin_for_a_finished_period_only(
    world: Any, clause: Any, clock: Any, bulletin_templates: None
) -> None:
    from zhiben.hazards import bulletins

    build_story(world, clause, clock)
    with pytest.raises(ValidationError):
        bulletins.issue_bulletin("2025-03", world.anweiban)  # 2025-03-23: March is not over
    with pytest.raises(ValidationError):
        bulletins.issue_bulletin("2025-13", world.anweiban)
    clock.move_to(dt.datetime(2025, 4, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    with pytest.raises(DomainError):
        bulletins.issue_bulletin("2025-03", world.yingji)  # only the committee office issues 通报
    doc = bulletins.issue_bulletin("2025-03", world.anweiban)
    assert doc.number == "屈安办通〔2025〕1号" and doc.template.code == bulletins.MONTHLY
    assert doc.title == "关于2025年3月全区重大事故隐患排查整治情况的通报"
    s = bulletins.bulletin_context("2025-03", world.anweiban)["stats"]
    assert f"在治重大事故隐患{s['open_major']}项，其中逾期未整改{s['overdue']}项" in doc.body
    assert f"按期整改率为{s['on_time_rate']}" in doc.body and "截至2025年3月31日" in doc.body
    assert world.enterprises["qiye3"].name in doc.body and "个工作日" in doc.body
    assert doc.docx.name and doc.pdf.name
    second = bulletins.issue_bulletin("2025Q1", world.anweiban)
    assert second.number == "屈安办通〔2025〕2号" and "2025年第一季度" in second.title
    assert "天问街道：新增1项，销号0项，逾期未整改1项，按期整改率0%" in second.body
    assert list(bulletins.issued_bulletins()) == [second, doc]


def test_it_lets_the_office_issue_bulletins_from_the_page(
    client: Any, world: Any, clause: Any, clock: Any, bulletin_templates: None
) -> None:
    build_story(world, clause, clock)
    clock.move_to(dt.datetime(2025, 4, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    url = reverse("hazards:bulletin_list")
    login(client, world.anweiban)
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="bulletin-form"' in page.content.decode()
    assert '<option value="2025Q1">2025年第一季度</option>' in page.content.decode()
    response = client.post(url, {"period": "2025Q1"})
    assert response.status_code == 302
    assert "屈安办通〔2025〕1号" in client.get(url).content.decode()
    bad = client.post(url, {"period": "2025Q2"})  # not over yet: not offered
    assert bad.status_code == 400 and "请选择一个已经结束的月份或季度" in bad.content.decode()
    # Departments read the bulletins but cannot issue them.
    login(client, world.yingji)
    page = client.get(url)
    assert page.status_code == 200 and "屈安办通〔2025〕1号" in page.content.decode()
    assert 'data-testid="bulletin-form"' not in page.content.decode()
    assert client.post(url, {"period": "2025-03"}).status_code == 403


# --- the hazard_tally command ------------------------------------------------------------------------------


def test_it_checks_and_rebuilds_the_tally(world: Any, clause: Any, clock: Any, capsys: Any) -> None:
    build_story(world, clause, clock)
    call_command("hazard_tally", "--check")
    assert "一致" in capsys.readouterr().out
    row = HazardTally.objects.order_by("key").first()
    HazardTally.objects.filter(pk=row.pk).update(count=row.count + 2)
    HazardTally.objects.create(
        key="x",
        region=row.region,
        industry=row.industry,
        department=row.department,
        level="general",
        source="tip",
        is_stock=False,
        status="closed",
        quarter="2020Q1",
        on_time=True,
        count=1,
    )
    with pytest.raises(CommandError) as exit_info:  # manage.py prints it and exits with its returncode
        call_command("hazard_tally", "--check")
    out = capsys.readouterr().out
    assert exit_info.value.returncode == 1 and "2 处与重新计数不一致" in str(exit_info.value)
    assert f"{row.key}\t台账 {row.count + 2}\t重新计数 {row.count}" in out
    assert "|closed|2020Q1|||1\t台账 1\t重新计数 0" in out
    call_command("hazard_tally", "--rebuild")
    assert "已重建" in capsys.readouterr().out
    assert tally.diff() == {}
    assert tally.stored_rows() == tally.recount_rows()
    # The rebuilt keys are tally.TallyKey.key (on PostgreSQL: the in-database fast path).
    assert set(HazardTally.objects.values_list("key", flat=True)) == {k.key for k in tally.recount_rows()}


def test_it_leaves_emptied_rows_for_the_nightly_purge(world: Any, clause: Any, clock: Any) -> None:
    """A transition writes the tally in one statement and leaves the row it emptied at zero; the nightly job
    removes those rows and the figures do not move."""
    build_story(world, clause, clock)
    emptied = set(HazardTally.objects.filter(count=0).values_list("key", flat=True))
    assert emptied, "the story moves hazards between keys, so some rows must have reached zero"
    assert not HazardTally.objects.filter(count__lt=0).exists()
    office = world.anweiban
    before = stats.figures(office)
    purge_hazard_tally.call_local()
    assert not HazardTally.objects.filter(key__in=emptied).exists()
    assert tally.diff() == {} and stats.figures(office) == before


def test_a_restore_drops_the_statistics_snapshots(world: Any) -> None:
    """Snapshots name transaction ids of the database they were taken in: a restored database starts without."""
    region = world.regions["营田镇"]
    industry = world.enterprises["qiye1"].primary_industry
    HazardStatsSnapshot.objects.create(
        scope_key="x" * 64,
        day=dt.date(2025, 3, 3),
        visibility="10:10:",
        oldest_txid=10,
        built_at=timezone.now(),
    )
    HazardTallyChange.objects.create(
        txid=11,
        region=region,
        industry=industry,
        department=world.departments["emergency"],
        level="general",
        source="self_check",
        is_stock=False,
        status="reported",
        quarter="2025Q1",
        count=1,
    )
    restored.send(sender=None, using="default")
    assert not HazardStatsSnapshot.objects.exists() and not HazardTallyChange.objects.exists()
