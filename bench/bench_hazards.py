"""The hazard register at province scale (5 000 000 hazards) on PostgreSQL, each figure against a floor measured
in the same run (issue 3, item 12):

a) dashboard statistics: `stats.figures()` for the district office (whole register, read from the tally)
   against one raw-SQL aggregation over hazards_hazard computing the same numbers (totals, ageing, every
   breakdown, the heat table, the funnel, and a second statement for new 重大 hazards per quarter). The numbers
   must be equal; target: figures() at least 10× faster.
b) the register page GET /hazards/ as the district office, 30 pages spread over the whole table, each reached
   by the 下一页 link of the page before it (a cursor deep in the list), then the same pages by typed page
   number; each against the same page's SQL statements that read hazards_hazard run through a plain cursor;
   target: p95(page) ≤ 3 × p95(floor) and ≤ 300 ms.
c) transitions through the services (判定 of 待判定 hazards and 销号 of 待销号 ones, each by the persona of
   the supervising department, each its own transaction with compare-and-swap, history, audit, outbox, tally)
   against plain INSERTs of as many HazardTransition rows; target ≥ 200 transitions/s. Single-threaded and with
   two workers, as threads (each with its own connection; they share the GIL) and as forked processes (like
   two gunicorn workers). Outbox delivery is queued for the worker, as in production, not run in the loop.

The register is generated once by bench/hazard_seed.py and reused while its count matches.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .common import login, percentile, reads, run_directly, summary, timed
from .hazard_seed import ensure_hazards, hazard_count

DATABASES = ("postgres",)
DEFAULT_HAZARDS = {"district": 20_000, "city": 500_000, "province": 5_000_000}
TARGET_SPEEDUP = 10.0
TARGET_FILTERED_RATIO = 3.0
TARGET_LIST_RATIO = 3.0
TARGET_LIST_MS = 300.0
MAX_LIST_QUERIES = 10
TARGET_TPS = 200.0
LIST_PAGES = 30
DEPARTMENT_PERSONAS = ("yingji", "zhujian", "jiaotong", "xiaofang", "shichang")
FLOOR_ACTION = "bench-floor"


def run(
    *,
    db: str,
    scale: str = "province",
    hazards: int | None = None,
    transitions: int = 500,
    verify_tally: bool = False,
    fresh: bool = False,
) -> None:
    target = hazards or DEFAULT_HAZARDS.get(scale, DEFAULT_HAZARDS["province"])
    ensure_hazards(target, verify=verify_tally or None, fresh=fresh)
    print(
        f"\n## hazards ({hazard_count():,} hazards, {_scalar('SELECT count(*) FROM hazards_hazardtally'):,} "
        f"tally rows, {db})"
    )
    bench_dashboard()
    bench_filtered_dashboard()
    bench_list()
    bench_transitions(transitions)
    bench_dashboard(after="after the transitions")
    if verify_tally:
        from zhiben.hazards import tally

        ms, diff = timed(tally.diff)
        print(f"after the transitions: tally.diff() == {{}}: {not diff} ({ms / 1000:.1f} s)")
        if diff:
            raise SystemExit(f"tally differs from a recount in {len(diff)} keys")
    print()


def _scalar(sql: str, params: list[Any] | None = None) -> Any:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def _median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    fn()  # warm caches (both sides get one untimed run)
    samples, result = [], None
    for _ in range(repeat):
        ms, result = timed(fn)
        samples.append(ms)
    return statistics.median(samples), samples, result


# ------------------------------------------------------------------------------------------- a) dashboard


def _sql_list(values: Any) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(str(x) for x in values)) + ")"


def _floor_sql(today: dt.date, where: str = "true") -> str:
    """Everything figures() shows, from the register in one statement (GROUPING SETS: one scan); `where`
    narrows it as a filtered view does (`_filter_sql`)."""
    from zhiben.hazards.choices import COUNTED_STATUSES, OPEN_STATUSES
    from zhiben.hazards.stats import AGE_LIMITS, TOWNSHIP_CODE_LENGTH

    bounds = [f"DATE '{today - dt.timedelta(days=d)}'" for d in AGE_LIMITS]
    ages, lates = [], []
    for i in range(len(bounds) + 1):
        newer = f"discovered_on < {bounds[i - 1]}" if i else "true"
        older = f"discovered_on >= {bounds[i]}" if i < len(bounds) else "true"
        ages.append(f"count(*) FILTER (WHERE op AND {newer} AND {older}) AS open_age_{i}")
        newer = f"deadline < {bounds[i - 1]}" if i else "true"
        older = f"deadline >= {bounds[i]}" if i < len(bounds) else "true"
        lates.append(f"count(*) FILTER (WHERE od AND {newer} AND {older}) AS overdue_age_{i}")
    return f"""
WITH f AS (
    SELECT substr(r.code, 1, {TOWNSHIP_CODE_LENGTH}) AS area,
           COALESCE(ip.parent_id, i.parent_id, h.industry_id) AS root,
           h.department_id, h.level, h.source, h.status, h.is_stock, h.closed_on_time,
           h.discovered_on, h.deadline, h.judge_deadline,
           h.status IN {_sql_list(OPEN_STATUSES)} AS op,
           h.status IN {_sql_list(COUNTED_STATUSES)} AS ct,
           h.status = 'closed' AS cl,
           h.level = 'major' AS mj,
           h.status IN {_sql_list(OPEN_STATUSES)} AND h.deadline < DATE '{today}' AS od
    FROM hazards_hazard h
    JOIN registry_region r ON r.id = h.region_id
    JOIN registry_industry i ON i.id = h.industry_id
    LEFT JOIN registry_industry ip ON ip.id = i.parent_id
    WHERE {where}
)
SELECT GROUPING(area, root, department_id, level, source, status) AS grouping_set,
       area, root, department_id, level, source, status,
       count(*) AS registered,
       count(*) FILTER (WHERE status = 'reported') AS reported,
       count(*) FILTER (WHERE status = 'reported' AND judge_deadline < DATE '{today}') AS judge_overdue,
       count(*) FILTER (WHERE ct) AS counted,
       count(*) FILTER (WHERE op) AS open,
       count(*) FILTER (WHERE cl) AS closed,
       count(*) FILTER (WHERE cl AND closed_on_time) AS closed_on_time,
       count(*) FILTER (WHERE od) AS overdue,
       count(*) FILTER (WHERE ct AND is_stock) AS stock,
       count(*) FILTER (WHERE cl AND is_stock) AS stock_closed,
       count(*) FILTER (WHERE ct AND mj) AS major,
       count(*) FILTER (WHERE op AND mj) AS major_open,
       count(*) FILTER (WHERE od AND mj) AS major_overdue,
       {", ".join(ages)},
       {", ".join(lates)}
FROM f
GROUP BY GROUPING SETS ((), (area), (root), (department_id), (level), (source), (area, root), (status))
"""


def _trend_sql(first: dt.date, last: dt.date, where: str = "true") -> str:
    from zhiben.hazards.choices import COUNTED_STATUSES

    return f"""
SELECT to_char(h.discovered_on, 'YYYY') || 'Q' || to_char(h.discovered_on, 'Q') AS quarter, count(*)
FROM hazards_hazard h
JOIN registry_region r ON r.id = h.region_id
WHERE h.level = 'major' AND h.status IN {_sql_list(COUNTED_STATUSES)}
  AND h.discovered_on BETWEEN DATE '{first}' AND DATE '{last}' AND {where}
GROUP BY 1
"""


def _filter_sql(filters: Any, *, quarters: bool = True) -> str:
    """A dashboard filter (stats.StatsFilter) as a condition on the register `h` joined with its region `r`,
    written here from the codes (not through the statistics' own resolution): the floor of a filtered view."""
    from zhiben.core.calendar import quarter_end, quarter_start
    from zhiben.registry.models import Department, Industry, Region

    parts = ["true"]
    if filters.region:
        prefix = Region.objects.get(code=filters.region).scope_prefix
        parts.append(f"r.code LIKE '{prefix}%'")
    if filters.industry:
        root = Industry.objects.get(code=filters.industry).pk
        parts.append(
            f"h.industry_id IN (SELECT id FROM registry_industry WHERE id = {root} OR parent_id = {root} "
            f"OR parent_id IN (SELECT id FROM registry_industry WHERE parent_id = {root}))"
        )
    if filters.department:
        parts.append(f"h.department_id = {Department.objects.get(code=filters.department).pk}")
    if filters.level:
        parts.append(f"h.level = '{filters.level}'")
    if filters.source:
        parts.append(f"h.source = '{filters.source}'")
    if filters.stock is not None:
        parts.append(f"h.is_stock = {'true' if filters.stock else 'false'}")
    if quarters and filters.quarter_from:
        parts.append(f"h.discovered_on >= DATE '{quarter_start(filters.quarter_from)}'")
    if quarters and filters.quarter_to:
        parts.append(f"h.discovered_on <= DATE '{quarter_end(filters.quarter_to)}'")
    return " AND ".join(parts)


# GROUPING() bits, most significant first: area, root, department_id, level, source, status (1 = not grouped).
_SETS = {
    0b111111: "total",
    0b011111: "area",
    0b101111: "industry",
    0b110111: "department",
    0b111011: "level",
    0b111101: "source",
    0b001111: "heat",
    0b111110: "status",
}


def raw_measures(today: dt.date, filters: Any = None) -> dict[str, Any]:
    """The floor: what the dashboard shows, computed by SQL over the register (no tally, no ORM)."""
    from zhiben.core.calendar import quarter_end, quarter_start, shift_quarter
    from zhiben.hazards.stats import AGE_LABELS, Counts, StatsFilter, trend_window

    filters = filters or StatsFilter()
    out: dict[str, Any] = {k: {} for k in _SETS.values()}
    with connection.cursor() as cur:
        cur.execute(_floor_sql(today, _filter_sql(filters)))
        names = [c.name for c in cur.description]
        for row in cur.fetchall():
            r = dict(zip(names, row, strict=True))
            n = len(AGE_LABELS)
            counts = Counts(
                **{k: r[k] for k in Counts.__dataclass_fields__ if k not in ("open_age", "overdue_age")},
                open_age=[r[f"open_age_{i}"] for i in range(n)],
                overdue_age=[r[f"overdue_age_{i}"] for i in range(n)],
            )
            kind = _SETS[r["grouping_set"]]
            key = {
                "total": None,
                "area": r["area"],
                "industry": r["root"],
                "department": r["department_id"],
                "level": r["level"],
                "source": r["source"],
                "heat": (r["area"], r["root"]),
                "status": r["status"],
            }[kind]
            out[kind][key] = counts
        window = trend_window(filters, today)  # and the same quarters a year earlier
        first, last = quarter_start(shift_quarter(window[0], -4)), quarter_end(window[-1])
        cur.execute(_trend_sql(first, last, _filter_sql(filters, quarters=False)))
        out["trend"] = dict(cur.fetchall())
    return out


# The region breakdown's keys at each level, from a township code (stats._area_key).
AREA_KEYS: dict[str, Callable[[str], str]] = {
    "township": lambda c: c,
    "county": lambda c: c[:6],
    "city": lambda c: c[:4] + "00",
}


def _merged(by: dict[Any, Any], key: Callable[[Any], Any]) -> dict[Any, Any]:
    from zhiben.hazards.stats import Counts

    out: dict[Any, Counts] = {}
    for k, counts in by.items():
        out.setdefault(key(k), Counts()).merge(counts)
    return out


def compare(fig: Any, raw: dict[str, Any]) -> list[str]:
    """Every number figures() shows against the floor's; returns the differences (empty: equal)."""
    from zhiben.core.calendar import shift_quarter
    from zhiben.hazards.stats import FUNNEL, Counts
    from zhiben.registry.models import Department, Industry

    problems: list[str] = []

    def check(what: str, mine: Any, theirs: Any) -> None:
        if mine != theirs:
            problems.append(f"{what}: figures {mine} ≠ raw SQL {theirs}")

    check("totals", fig.totals, raw["total"].get(None, Counts()))
    industry_codes = dict(Industry.objects.values_list("pk", "code"))
    department_codes = dict(Department.objects.values_list("pk", "code"))
    for key, mapping in (
        ("industry", lambda pk: industry_codes[pk]),
        ("department", lambda pk: department_codes[pk]),
        ("level", str),
        ("source", str),
    ):
        rows = {row.code: row.counts for row in fig.breakdown(key).rows}
        check(f"breakdown {key}", rows, _merged(raw[key], mapping))
    # The region breakdown climbs from townships to counties or cities on large scopes: find its level.
    regions = {row.code: row.counts for row in fig.breakdown("region").rows}
    area_key = None
    for level, fn in AREA_KEYS.items():
        merged = _merged(raw["area"], fn)
        if set(merged) == set(regions):
            area_key = fn
            check(f"breakdown region ({level})", regions, merged)
            break
    if area_key is None:
        problems.append(f"breakdown region: no area level gives the figures' keys {sorted(regions)[:5]} …")
    else:
        # Which rows and columns the heat table shows is the page's choice; every cell shown must equal the
        # register, and no place with an open 重大 hazard may be left out.
        heat = _merged(raw["heat"], lambda k: (area_key(k[0]), industry_codes[k[1]]))
        areas = [a for a, _name in fig.heat.areas]
        industries = [i for i, _name in fig.heat.industries]
        for ai, area in enumerate(areas):
            for ii, industry in enumerate(industries):
                c = heat.get((area, industry), Counts())
                cell = fig.heat.cells[ai][ii]
                shown, counted = (cell.major_open, cell.major_overdue), (c.major_open, c.major_overdue)
                check(f"heat {area}×{industry}", shown, counted)
        missing = sorted(
            k for k, c in heat.items() if c.major_open and (k[0] not in areas or k[1] not in industries)
        )
        check("heat cells with open 重大 hazards left out", missing, [])
    statuses = {s: c.registered for s, c in raw["status"].items()}
    funnel = [
        sum(statuses.values()) if members is None else sum(statuses.get(s, 0) for s in members)
        for _label, members in FUNNEL
    ]
    check("funnel", [stage.count for stage in fig.funnel], funnel)
    trend = [(p.quarter, p.count, p.year_before) for p in fig.trend]
    check(
        "trend",
        trend,
        [(q, raw["trend"].get(q, 0), raw["trend"].get(shift_quarter(q, -4), 0)) for q, _c, _y in trend],
    )
    return problems


def bench_dashboard(repeat: int = 3, floor_repeat: int = 3, *, after: str = "") -> None:
    """figures() for the district office against the raw aggregation. On PostgreSQL the default view reads
    the day's statistics snapshot plus the changes since (stats/snapshots.py): the first read of the day
    folds the tally and keeps the snapshot (timed apart, as `first read`); `after` names a later run that
    reads the snapshot with the changes made since it was built."""
    from zhiben.accounts.models import User
    from zhiben.hazards import stats, tally
    from zhiben.hazards.models import HazardTallyChange

    user = User.objects.get(username="anweiban")
    today = timezone.localdate()
    first = ""
    if not after:
        tally.forget_snapshots()
        first_ms, _ = timed(lambda: stats.figures(user, stats.StatsFilter(), today))
        first = f"first read of the day (folds the tally, keeps the snapshot) {first_ms:,.1f} ms; "
    changes = HazardTallyChange.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        stats.figures(user, stats.StatsFilter(), today)
    fig_ms, _, fig = _median_ms(lambda: stats.figures(user, stats.StatsFilter(), today), repeat)
    floor_ms, _, raw = _median_ms(lambda: raw_measures(today), floor_repeat)
    problems = compare(fig, raw)
    t = fig.totals
    if not after:
        print(
            f"dashboard figures (anweiban, whole register, {today}): registered {t.registered:,}, counted "
            f"{t.counted:,}, open {t.open:,}, closed {t.closed:,}, overdue {t.overdue:,} (重大 "
            f"{t.major_overdue:,}); on-time {t.on_time_rate.numerator:,}/{t.on_time_rate.denominator:,} = "
            f"{t.on_time_rate}; stock clearance {t.stock_clearance.numerator:,}/"
            f"{t.stock_clearance.denominator:,} = {t.stock_clearance}; new 重大 per quarter "
            + ", ".join(f"{p.quarter} {p.count} (a year before {p.year_before})" for p in fig.trend[-4:])
        )
    speedup = floor_ms / fig_ms if fig_ms else float("inf")
    verdict = "OK" if speedup >= TARGET_SPEEDUP and not problems else "OVER TARGET"
    equal = "numbers equal" if not problems else f"{len(problems)} DIFFERENCES"
    label = f"dashboard figures(){' ' + after if after else ''}"
    print(
        f"{label:<38} median {fig_ms:9.1f} ms ({len(ctx.captured_queries)} queries, {changes:,} changes since "
        f"the snapshot) | raw SQL floor median {floor_ms:9.1f} ms | speed-up {speedup:6.1f}x "
        f"(≥ {TARGET_SPEEDUP:g}x) | {equal} {verdict}"
    )
    if first:
        print(f"  {first}")
    for p in problems[:20]:
        print(f"  ! {p}")
    if problems:
        raise SystemExit("dashboard figures differ from the raw SQL over the register")


def _filtered_views() -> list[tuple[str, Any]]:
    """The filtered views a person opens most: a township, a top industry, a department, the 重大 level, the
    last four quarters, and a township's 重大 hazards of those quarters. Picked from the data: the township
    and industry with the most hazards."""
    from zhiben.core.calendar import quarter_of, shift_quarter
    from zhiben.hazards.stats import TOWNSHIP_CODE_LENGTH, StatsFilter
    from zhiben.registry.choices import RegionLevel
    from zhiben.registry.models import Industry, Region

    area = _scalar(
        f"SELECT substr(r.code, 1, {TOWNSHIP_CODE_LENGTH}) FROM hazards_hazard h "
        "JOIN registry_region r ON r.id = h.region_id GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    township = Region.objects.filter(level=RegionLevel.TOWNSHIP, code__startswith=area).order_by("code")[0]
    industry = Industry.objects.get(
        pk=_scalar(
            "SELECT COALESCE(ip.parent_id, i.parent_id, i.id) FROM hazards_hazard h "
            "JOIN registry_industry i ON i.id = h.industry_id "
            "LEFT JOIN registry_industry ip ON ip.id = i.parent_id GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
    )
    department = _busiest_department()
    now = quarter_of(timezone.localdate())
    quarters = {"quarter_from": shift_quarter(now, -3), "quarter_to": now}
    return [
        (f"township {township.name}", StatsFilter(region=township.code)),
        (f"industry {industry.name}", StatsFilter(industry=industry.code)),
        (f"department {department.short_name or department.name}", StatsFilter(department=department.code)),
        ("level 重大", StatsFilter(level="major")),
        (f"quarters {quarters['quarter_from']}–{now}", StatsFilter(**quarters)),
        (
            f"{township.name} 重大 {quarters['quarter_from']}–{now}",
            StatsFilter(region=township.code, level="major", **quarters),
        ),
    ]


def _busiest_department() -> Any:
    from zhiben.registry.models import Department

    return Department.objects.get(
        pk=_scalar(
            "SELECT department_id FROM hazards_hazard WHERE department_id IS NOT NULL "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
    )


def bench_filtered_dashboard(repeat: int = 3) -> None:
    """figures() for filtered views against the same raw aggregation narrowed by the same filter (the best raw
    query for that view); numbers must be equal; target: figures() ≤ 3× its floor."""
    from zhiben.accounts.models import User
    from zhiben.hazards import stats

    user = User.objects.get(username="anweiban")
    today = timezone.localdate()
    worst = 0.0
    for label, filters in _filtered_views():
        fig_ms, _, fig = _median_ms(lambda filters=filters: stats.figures(user, filters, today), repeat)
        floor_ms, _, raw = _median_ms(lambda filters=filters: raw_measures(today, filters), repeat)
        problems = compare(fig, raw)
        ratio = fig_ms / floor_ms if floor_ms else float("inf")
        worst = max(worst, ratio)
        verdict = "OK" if ratio <= TARGET_FILTERED_RATIO and not problems else "OVER TARGET"
        equal = "numbers equal" if not problems else f"{len(problems)} DIFFERENCES"
        print(
            f"  filtered: {label:<34} median {fig_ms:8.1f} ms ({fig.totals.registered:,} hazards) | raw SQL "
            f"floor {floor_ms:8.1f} ms | {ratio:5.2f}x the floor (≤ {TARGET_FILTERED_RATIO:g}x) | {equal} "
            f"{verdict}"
        )
        for p in problems[:10]:
            print(f"    ! {p}")
        if problems:
            raise SystemExit(f"filtered dashboard ({label}) differs from the raw SQL over the register")
    print(f"dashboard filtered views: worst {worst:.2f}x the floor (≤ {TARGET_FILTERED_RATIO:g}x)")


# ------------------------------------------------------------------------------------------------ b) list


def bench_list() -> None:
    """The ledger as a person pages through it: each of 30 pages spread over the register reached by the link
    the page before it shows (by number near either end, by key deep in the list: core.pagination), timed
    against its own statements run directly; then the same pages by a page number typed into the address
    (OFFSET from the nearer end), with their floor the same way."""
    import re

    from django.urls import reverse

    from zhiben.accounts.models import User
    from zhiben.hazards.models import Hazard

    client = login("anweiban")
    url = reverse("hazards:hazard_list")
    first = client.get(url)  # warm caches and connections
    assert first.status_code == 200, first.status_code
    total = Hazard.objects.restrict(User.objects.get(username="anweiban")).count()
    last = max(1, -(-total // 50))
    pages = sorted({1 + i * (last - 1) // (LIST_PAGES - 1) for i in range(LIST_PAGES)})
    next_link = re.compile(r'href="([^"]+)"[^>]*aria-label="下一页"')

    def measure(target: Callable[[int], str]) -> tuple[list[float], list[float], list[int], int]:
        samples, floors, query_counts, by_key = [], [], [], 0
        for page in pages:
            address = target(page)
            by_key += "after=" in address
            with CaptureQueriesContext(connection) as ctx:
                ms, response = timed(lambda address=address: client.get(address))
            assert response.status_code == 200, (response.status_code, page)
            samples.append(ms)
            query_counts.append(len(ctx.captured_queries))
            floors.append(run_directly(reads(ctx.captured_queries, "hazards_hazard")))
        return samples, floors, query_counts, by_key

    def linked(page: int) -> str:
        if page == 1:
            return url
        before = client.get(f"{url}?page={page - 1}")  # the page before, untimed: its 下一页 link
        found = next_link.search(before.content.decode())
        assert found, page
        return url + found.group(1).replace("&amp;", "&")

    for label, target in (("linked", linked), ("typed", lambda page: f"{url}?page={page}")):
        samples, floors, counts, walked = measure(target)
        name = f"page /hazards/ {label} ({len(pages)} of {last:,})"
        print(summary(name, samples, floors, statistics.mean(counts), TARGET_LIST_RATIO, MAX_LIST_QUERIES))
        middle = len(pages) // 2
        print(
            f"  page 1: {samples[0]:.1f} ms (floor {floors[0]:.1f} ms); page {pages[middle]:,}: "
            f"{samples[middle]:.1f} ms (floor {floors[middle]:.1f} ms); page {pages[-1]:,}: "
            f"{samples[-1]:.1f} ms (floor {floors[-1]:.1f} ms); p95 {percentile(samples, 0.95):.1f} ms "
            f"(≤ {TARGET_LIST_MS:g} ms {'OK' if percentile(samples, 0.95) <= TARGET_LIST_MS else 'OVER'})"
            + (f"; {walked} of {len(pages) - 1} reached by key (下一页 after=…)" if label == "linked" else "")
        )


# ----------------------------------------------------------------------------------------- c) transitions


def _department_actors() -> dict[int, Any]:
    from zhiben.accounts.models import RoleAssignment
    from zhiben.accounts.roles import Role

    return {
        a.department_id: a.user
        for a in RoleAssignment.objects.filter(role=Role.DEPARTMENT, user__username__in=DEPARTMENT_PERSONAS)
        .select_related("user")
        .order_by("user__username")
    }


def _batch(n: int, departments: list[int]) -> list[tuple[str, int]]:
    """n work items: alternately 判定 a 待判定 hazard and 销号 a 待销号 one, of the personas' departments."""
    from zhiben.hazards.choices import Status
    from zhiben.hazards.models import Hazard

    # Benchmark bookkeeping: the work list is picked from the whole register; each step checks scope itself.
    def pick(status: str, k: int) -> list[int]:
        qs = Hazard.objects.unrestricted("benchmark bookkeeping").filter(
            status=status, department_id__in=departments
        )
        return list(qs.order_by("id").values_list("id", flat=True)[:k])

    confirms = pick(Status.REPORTED, (n + 1) // 2)
    closes = pick(Status.SELF_ACCEPTED, n // 2)
    items: list[tuple[str, int]] = []
    for i in range(max(len(confirms), len(closes))):
        items += [("confirm", pk) for pk in confirms[i : i + 1]] + [("close", pk) for pk in closes[i : i + 1]]
    return items


def _step(kind: str, pk: int, actors: dict[int, Any], deadline: dt.date) -> None:
    from zhiben.hazards import services
    from zhiben.hazards.models import Hazard

    # As a view would load it; the service then checks that the hazard is in the actor's scope.
    hazard = (
        Hazard.objects.unrestricted("benchmark bookkeeping")
        .select_related("enterprise", "department")
        .get(pk=pk)
    )
    actor = actors[hazard.department_id]
    if kind == "confirm":
        services.confirm(hazard, actor=actor, deadline=deadline, note="基准测试判定")
    else:
        services.close(hazard, actor=actor, note="基准测试销号")


def _run_items(items: list[tuple[str, int]], deadline: dt.date) -> None:
    actors = _department_actors()  # each worker its own user objects (grants are cached on them)
    for kind, pk in items:
        _step(kind, pk, actors, deadline)


def _floor_rows(items: list[tuple[str, int]], actors: dict[int, Any]) -> list[tuple[Any, ...]]:
    from zhiben.hazards.models import Hazard

    departments = dict(
        # Benchmark bookkeeping: the same hazards the timed loop works on.
        Hazard.objects.unrestricted("benchmark bookkeeping")
        .filter(pk__in=[pk for _, pk in items])
        .values_list("pk", "department_id")
    )
    now = timezone.now()
    return [
        (
            pk,
            FLOOR_ACTION,
            "reported" if kind == "confirm" else "accepted",
            "confirmed" if kind == "confirm" else "closed",
            actors[departments[pk]].pk,
            "",
            now,
        )
        for kind, pk in items
    ]


_INSERT = (
    "INSERT INTO hazards_hazardtransition (hazard_id, action, from_status, to_status, actor_id, note, at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


def _floor(rows: list[tuple[Any, ...]]) -> tuple[float, float]:
    """(ms for executemany in one transaction, ms for one INSERT per transaction); the rows are removed after."""

    def many() -> None:
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(_INSERT, rows)

    def one_by_one() -> None:
        for row in rows:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(_INSERT, row)

    try:
        many_ms, _ = timed(many)
        single_ms, _ = timed(one_by_one)
    finally:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM hazards_hazardtransition WHERE action = %s", [FLOOR_ACTION])
    return many_ms, single_ms


def _ensure_calendar(year: int) -> None:
    """Deadlines may reach next year: publish it in the bench database if the package lacks it."""
    from zhiben.core import calendar
    from zhiben.core.calendar import CalendarUnavailable

    with contextlib.suppress(CalendarUnavailable):  # covered by the package, or already published
        calendar.publish_calendar_year(year, actor=None, source="基准测试：按周一至周五计算")


def _two_workers(items: list[tuple[str, int]], deadline: dt.date) -> float:
    halves = [items[0::2], items[1::2]]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(halves) + 1)

    def work(part: list[tuple[str, int]]) -> None:
        try:
            barrier.wait()
            _run_items(part, deadline)
        except BaseException as exc:  # reported after the join
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(h,)) for h in halves]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed * 1000


@contextlib.contextmanager
def _jobs_queued() -> Iterator[None]:
    """Outbox delivery is the worker's job, after the commit: queue it (in memory) instead of running it.

    run.py sets immediate jobs for the seeding; in production a transition only enqueues the delivery (Redis
    LPUSH), so the timed loop does the same, into huey's in-memory storage, and nothing runs it.
    """
    from huey.storage import MemoryStorage

    from zhiben.core.jobs import HUEY

    saved = HUEY._immediate, HUEY.storage
    HUEY._immediate = False  # the private flag: the public setter would open the SQLite queue under var/
    HUEY.storage = MemoryStorage(HUEY.name)
    try:
        yield
    finally:
        HUEY._immediate, HUEY.storage = saved


def _two_processes(items: list[tuple[str, int]], deadline: dt.date) -> float:
    """Two forked processes (as two gunicorn workers would be), each with its own connection and no shared GIL."""
    context = multiprocessing.get_context("fork")
    connections.close_all()  # a forked child must not share the parent's socket
    barrier = context.Barrier(3)

    def work(part: list[tuple[str, int]]) -> None:
        barrier.wait()
        _run_items(part, deadline)
        connections.close_all()

    processes = [context.Process(target=work, args=(part,)) for part in (items[0::2], items[1::2])]
    for p in processes:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    for p in processes:
        p.join()
    elapsed = time.perf_counter() - started
    if any(p.exitcode != 0 for p in processes):
        raise SystemExit("a transition worker process failed (its traceback is above)")
    return elapsed * 1000


def _top_up(n: int, departments: list[int]) -> None:
    """Enough 待判定 and 待销号 hazards for the timed phases: earlier runs used them up (each 判定 or 销号 moves
    one on), so closed 一般 hazards of the personas' departments are put back to either state — benchmark
    data only — and the tally is rebuilt in the database to match."""
    from zhiben.hazards.choices import Status
    from zhiben.hazards.management.commands.hazard_tally import rebuild_in_database

    have = {
        status: _scalar(
            "SELECT count(*) FROM hazards_hazard WHERE status = %s AND department_id = ANY(%s)",
            [str(status), departments],
        )
        for status in (Status.REPORTED, Status.SELF_ACCEPTED)
    }
    want = (n + 1) // 2
    if all(k >= want for k in have.values()):
        return
    pick = (
        "SELECT id FROM hazards_hazard WHERE status = 'closed' AND level = 'general' AND department_id = ANY(%s) "
        "ORDER BY id DESC LIMIT %s"
    )
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "UPDATE hazards_hazard SET status = 'accepted', closed_on = NULL, closed_by_id = NULL, "
            f"closed_on_time = NULL, version = version + 1 WHERE id IN ({pick})",
            [departments, max(0, want - have[Status.SELF_ACCEPTED])],
        )
        cur.execute(
            "UPDATE hazards_hazard SET status = 'reported', closed_on = NULL, closed_by_id = NULL, "
            "closed_on_time = NULL, deadline = NULL, judge_deadline = CURRENT_DATE + 30, version = version + 1 "
            f"WHERE id IN ({pick})",
            [departments, max(0, want - have[Status.REPORTED])],
        )
    rebuild_in_database()
    print(f"  (put {want:,} hazards back to each of 待判定 and 待销号 for the timed phases; tally rebuilt)")


def bench_transitions(n: int) -> None:
    with _jobs_queued():
        _bench_transitions(n)


def _bench_transitions(n: int) -> None:
    actors = _department_actors()
    if not actors:
        raise SystemExit("no department personas: seed_demo did not run")
    today = timezone.localdate()
    deadline = today + dt.timedelta(days=30)
    _ensure_calendar(today.year + 1)
    departments = sorted(actors)
    _top_up(4 * n + 8, departments)  # the three phases and the warm-up each take their own
    warm = _batch(4, departments)
    with CaptureQueriesContext(connection) as ctx:
        _run_items(warm[:2], deadline)
    per_step = len(ctx.captured_queries) / max(1, len(warm[:2]))
    _run_items(warm[2:], deadline)

    items = _batch(n, departments)
    if len(items) < n:
        print(
            f"  (only {len(items)} 待判定/待销号 hazards of the personas' departments left: reseed to get {n})"
        )
    if not items:
        return
    rows = _floor_rows(items, actors)
    ms, _ = timed(lambda: _run_items(items, deadline))
    many_ms, single_ms = _floor(rows)
    _print_tps("1 worker", len(items), ms, many_ms, single_ms, per_step)

    for label, runner in (("2 threads", _two_workers), ("2 processes", _two_processes)):
        items = _batch(n, departments)
        if len(items) < 2:
            return
        rows = _floor_rows(items, actors)
        ms = runner(items, deadline)
        many_ms, single_ms = _floor(rows)
        _print_tps(label, len(items), ms, many_ms, single_ms, per_step)


def _print_tps(label: str, n: int, ms: float, many_ms: float, single_ms: float, per_step: float) -> None:
    tps = n * 1000 / ms
    verdict = "OK" if tps >= TARGET_TPS else "UNDER TARGET"
    print(
        f"{'transitions, ' + label:<38} {n} (判定+销号) in {ms:8.1f} ms = {tps:7.1f}/s (≥ {TARGET_TPS:g}/s), "
        f"{per_step:.0f} queries each | floor: {n} INSERTs executemany {many_ms:7.1f} ms "
        f"(ratio {ms / many_ms:6.1f}x), one per commit {single_ms:7.1f} ms (ratio {ms / single_ms:5.1f}x) "
        f"{verdict}"
    )
