"""The campaign command centre for 区安委办 at scale (issue 13, Performance), each figure against a raw-SQL floor
measured in the same run:

a) the goals' indicator values for the district, through the registry (`Indicator.value`, what the plan page
   and the workbench show), against one SQL statement per source table computing the same numerators and
   denominators; the numbers must be equal (the run stops on any difference).
b) pages as anweiban, N requests each: GET /campaign/ (the plan with each goal × year: closed years read from
   the year-end snapshots the daily job writes — frozen first here, as in operation — the running year
   counted), GET / (the home workbench; whatever it shows, the bench reads no markup), GET /indicators/ (the
   registry). Their floor is the raw SQL of what the campaign shows for the running year: task counts by
   status and overdue plus a); the line also gives the ratio against the request's own SQL run directly (what
   the framework and templates add on top of every query the request makes).
c) GET /api/v1/indicators/<id>/values/?scope=township for the hazard indicators, against one GROUP BY per
   indicator over the register giving every township's numerator and denominator; the JSON must equal it.

Target: p50(page) ≤ 3 × p50(floor). On PostgreSQL the hazard register is the hazards benchmark's
(bench/hazard_seed.py, `--hazards`); on SQLite it is what seed_demo made.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .common import login, percentile, reads, run_directly, timed

TARGET_RATIO = 3.0
PLAN = Path(__file__).resolve().parent.parent / "zhiben" / "campaign" / "data" / "plan.json"
HAZARD_INDICATORS = (
    "hazards.on_time_rectification",
    "hazards.stock_clearance",
    "hazards.new_major_yoy",
    "hazards.major_open",
)


def run(*, requests: int, db: str, scale: str = "province", hazards: int | None = None) -> None:
    from zhiben.campaign.models import Task
    from zhiben.indicators.registry import Window, current_period
    from zhiben.registry.choices import RegionLevel
    from zhiben.registry.models import Region

    if db == "postgres":
        from .bench_hazards import DEFAULT_HAZARDS
        from .hazard_seed import ensure_hazards

        ensure_hazards(hazards or DEFAULT_HAZARDS.get(scale, DEFAULT_HAZARDS["province"]))
    today = timezone.localdate()
    w = Window.of(current_period(today), today)
    goals = goal_indicators()
    tasks = Task.objects.unrestricted("benchmark bookkeeping").count()
    townships = Region.objects.filter(level=RegionLevel.TOWNSHIP).count()
    print(
        f"\n## campaign ({_scalar('SELECT count(*) FROM hazards_hazard'):,} hazards, {tasks:,} tasks, "
        f"{townships:,} townships, {db}, period {w.period}, {requests} requests each)"
    )
    print(f"goal indicators (plan.json, registered and available): {', '.join(goals)}")
    freeze_closed_years(w)
    floor = lambda: campaign_floor(goals, w, today)  # noqa: E731 - the floor, timed like the pages
    bench_goal_values(goals, w, floor, requests)
    client = login("anweiban")
    for url in ("/campaign/", "/", "/indicators/"):
        bench_page(client, url, floor, requests)
    api = login("anweiban", api=True)
    for ind_id in HAZARD_INDICATORS:
        bench_township_values(api, ind_id, w, requests)
    print()


def freeze_closed_years(w: Any) -> None:
    """The year-end quarters before this one frozen, as the daily snapshot job leaves them in operation: the
    plan page reads a closed year's figures from its snapshot and counts only the running year."""
    from zhiben.campaign.choices import YEARS
    from zhiben.indicators import snapshots

    closed = [f"{y}Q4" for y in YEARS if f"{y}Q4" < w.period]
    started = time.perf_counter()
    added = sum(snapshots.freeze(q) for q in closed)
    print(
        f"# year-end snapshots {', '.join(closed) or '—'}: {added} rows added "
        f"in {time.perf_counter() - started:.1f} s (already frozen ones are kept)"
    )


def _scalar(sql: str, params: list[Any] | None = None) -> Any:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def goal_indicators() -> list[str]:
    """The indicators the plan's goals name that are registered and available, in plan order."""
    from zhiben.indicators import registry

    known = set(registry.ids())
    out: list[str] = []
    for goal in json.loads(PLAN.read_text(encoding="utf-8"))["goals"]:
        ind_id = goal.get("indicator") or ""
        if ind_id in known and registry.get(ind_id).available and ind_id not in out:
            out.append(ind_id)
    return out


# ------------------------------------------------------------------------------------------------ floor


def _in(values: Any) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(str(x) for x in values)) + ")"


def hazard_parts_sql(w: Any, group_by_township: bool = False, columns: tuple[str, ...] | None = None) -> str:
    """Numerators and denominators of the hazard indicators in one scan of the register (per township when
    asked; only `columns` when given), with the definitions of indicators/sources/hazards.py written as SQL."""
    from zhiben.hazards.choices import COUNTED_STATUSES, OPEN_STATUSES

    end, as_of, year_start = w.end, w.as_of, w.year_start
    last_start, last_end = year_start.replace(year=year_start.year - 1), end.replace(year=end.year - 1)
    counted, open_ = _in(COUNTED_STATUSES), _in(OPEN_STATUSES)
    found = f"h.discovered_on <= '{end}'"
    stock = f"{found} AND h.is_stock AND h.level = 'major'"
    major = f"h.level = 'major' AND h.status IN {counted}"
    conditions = {
        "on_time_n": f"{found} AND h.status = 'closed' AND h.closed_on_time",
        "on_time_d": f"{found} AND (h.status = 'closed' OR (h.status IN {open_} AND h.deadline < '{as_of}'))",
        "stock_n": f"{stock} AND h.status = 'closed'",
        "stock_d": f"{stock} AND h.status IN {counted}",
        "yoy_n": f"{major} AND h.discovered_on BETWEEN '{year_start}' AND '{end}'",
        "yoy_d": f"{major} AND h.discovered_on BETWEEN '{last_start}' AND '{last_end}'",
        "open_n": f"{found} AND h.level = 'major' AND h.status IN {open_}",
    }
    select = ",\n  ".join(
        f"count(*) FILTER (WHERE {cond}) AS {name}"
        for name, cond in conditions.items()
        if columns is None or name in columns
    )
    by = "substr(r.code, 1, 9)" if group_by_township else "''"
    join = "JOIN registry_region r ON r.id = h.region_id" if group_by_township else ""
    group = "GROUP BY 1" if group_by_township else ""
    # Only the rows that count for the columns asked (as the best hand-written query would read them).
    where = "" if columns is None else "WHERE " + " OR ".join(f"({conditions[c]})" for c in columns)
    return f"SELECT {by} AS township,\n  {select}\nFROM hazards_hazard h {join}\n{where}\n{group}"


# indicator id -> (numerator column, denominator column or None) of hazard_parts_sql
HAZARD_COLUMNS = {
    "hazards.on_time_rectification": ("on_time_n", "on_time_d"),
    "hazards.stock_clearance": ("stock_n", "stock_d"),
    "hazards.new_major_yoy": ("yoy_n", "yoy_d"),
    "hazards.major_open": ("open_n", None),
}


def standardisation_sql() -> str:
    """规上工贸企业标准化 (indicators/sources/campaign.py): operating above-scale units in 工贸 or below it."""
    from zhiben.indicators.sources.campaign import DENOMINATOR_SETS, _industry_ids

    ids = _industry_ids(DENOMINATOR_SETS["above_scale_industry_trade"].industry_codes)
    return f"""
SELECT count(*) FILTER (WHERE e.standardisation_grade <> 'none'), count(*)
FROM registry_enterprise e
WHERE e.is_above_scale AND e.status = 'operating' AND e.id IN (
  SELECT enterprise_id FROM registry_enterprise_industries WHERE industry_id IN {_in(ids or {0})})
"""


def campaign_floor(goals: list[str], w: Any, today: dt.date) -> dict[str, Any]:
    """What the campaign shows, by raw SQL: task counts by status and overdue, the goals' numbers."""
    from zhiben.campaign.choices import OPEN_TASK_STATUSES

    out: dict[str, Any] = {}
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT status, count(*), count(*) FILTER (WHERE status IN {_in(OPEN_TASK_STATUSES)} "
            f"AND due_on < '{today}') FROM campaign_task GROUP BY status"
        )
        out["tasks"] = {s: (n, late) for s, n, late in cur.fetchall()}
        if any(g in HAZARD_COLUMNS for g in goals):
            cur.execute(hazard_parts_sql(w))
            names = [c[0] for c in cur.description]
            row = cur.fetchone() or (None,) * len(names)
            hz = dict(zip(names, row, strict=True))
            for g in goals:
                if g in HAZARD_COLUMNS:
                    n, d = HAZARD_COLUMNS[g]
                    out[g] = (hz[n] or 0, (hz[d] or 0) if d else None)
        if "campaign.above_scale_standardisation" in goals:
            cur.execute(standardisation_sql())
            out["campaign.above_scale_standardisation"] = tuple(cur.fetchone())
    return out


# -------------------------------------------------------------------------------------------- measuring


def _ms_samples(fn: Callable[[], Any], n: int) -> tuple[list[float], Any]:
    fn()  # warm caches and connections (each side gets one untimed run)
    samples, result = [], None
    for _ in range(n):
        ms, result = timed(fn)
        samples.append(ms)
    return samples, result


def line(label: str, samples: list[float], floor: list[float], extra: str = "") -> str:
    p50, p95 = statistics.median(samples), percentile(samples, 0.95)
    f50, f95 = statistics.median(floor), percentile(floor, 0.95)
    ratio = p50 / f50 if f50 else float("inf")
    verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
    return (
        f"{label:<46} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms | floor p50 {f50:8.1f} ms  p95 {f95:8.1f} ms | "
        f"ratio p50 {ratio:5.2f}x (≤ {TARGET_RATIO:g}x) {verdict}{extra}"
    )


def bench_goal_values(goals: list[str], w: Any, floor: Callable[[], Any], n: int) -> None:
    from zhiben.indicators import registry
    from zhiben.indicators.registry import Scope

    def values() -> dict[str, Any]:
        with registry.counting_together():  # as the plan page counts them (campaign.goals.progress)
            return {g: registry.get(g).value(Scope.district(), w.period, w.as_of) for g in goals}

    with CaptureQueriesContext(connection) as ctx:
        values()
    samples, got = _ms_samples(values, n)
    floor_samples, raw = _ms_samples(floor, n)
    problems = [
        f"{g}: registry {v.numerator}/{v.denominator} ≠ raw SQL {raw[g][0]}/{raw[g][1]}"
        for g, v in got.items()
        if g in raw and (v.numerator, v.denominator) != raw[g]
    ]
    shown = "; ".join(
        f"{g.split('.', 1)[1]} {v.numerator}/{v.denominator} = {v.display}" for g, v in got.items()
    )
    print(f"goal values (全区): {shown}")
    tasks = raw["tasks"]
    print(
        "tasks: "
        + ", ".join(f"{s} {c}" for s, (c, _late) in sorted(tasks.items()))
        + f"; overdue {sum(late for _c, late in tasks.values())}"
    )
    equal = " | numbers equal" if not problems else f" | {len(problems)} DIFFERENCES"
    extra = f" | {len(ctx.captured_queries)} queries{equal}"
    print(line(f"goal values via registry ({len(goals)})", samples, floor_samples, extra))
    for p in problems:
        print(f"  ! {p}")
    missing = [g for g in goals if g not in raw]
    if missing:
        print(f"  (no floor SQL yet for {', '.join(missing)}: add it to campaign_floor)")
    if problems:
        raise SystemExit("goal indicator values differ from the raw SQL")


def bench_page(client: Any, url: str, floor: Callable[[], Any], n: int) -> None:
    first = client.get(url)
    assert first.status_code == 200, (url, first.status_code)
    samples, own, queries = [], [], []
    for _ in range(n):
        with CaptureQueriesContext(connection) as ctx:
            ms, response = timed(lambda: client.get(url))
        assert response.status_code == 200, (url, response.status_code)
        samples.append(ms)
        queries.append(len(ctx.captured_queries))
        own.append(run_directly(reads(ctx.captured_queries, None)))
    floor_samples, _ = _ms_samples(floor, n)
    own_ratio = statistics.median(samples) / statistics.median(own) if statistics.median(own) else 0
    extra = f" | {statistics.mean(queries):.0f} queries | vs own SQL {own_ratio:5.2f}x"
    print(line(f"GET {url} as anweiban", samples, floor_samples, extra))


def bench_township_values(client: Any, ind_id: str, w: Any, n: int) -> None:
    from zhiben.registry.choices import RegionLevel
    from zhiben.registry.models import Region

    url = f"/api/v1/indicators/{ind_id}/values/?scope=township&period={w.period}"
    first = client.get(url)
    assert first.status_code == 200, (url, first.status_code)
    num, den = HAZARD_COLUMNS[ind_id]
    sql = hazard_parts_sql(w, group_by_township=True, columns=(num, den or num))

    def floor() -> dict[str, tuple[int, int | None]]:
        with connection.cursor() as cur:
            cur.execute(sql)
            names = [c[0] for c in cur.description]
            rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        return {r["township"]: (r[num], r[den] if den else None) for r in rows}

    samples, queries = [], []
    body: Any = None
    for _ in range(n):
        with CaptureQueriesContext(connection) as ctx:
            ms, response = timed(lambda: client.get(url))
        assert response.status_code == 200, (url, response.status_code)
        samples.append(ms)
        queries.append(len(ctx.captured_queries))
        body = response.json()
    floor_samples, raw = _ms_samples(floor, n)
    codes = set(Region.objects.filter(level=RegionLevel.TOWNSHIP).values_list("code", flat=True))
    problems = []
    for r in body["results"]:
        n_, d_ = raw.get(r["key"][:9], (0, 0 if den else None))
        shown = (_int(r["numerator"]), _int(r["denominator"]))
        if shown != (n_, d_):
            problems.append(f"{r['name']}: API {shown} ≠ raw SQL {(n_, d_)}")
    if len(body["results"]) != len(codes):
        problems.append(f"API lists {len(body['results'])} townships of {len(codes)}")
    equal = "numbers equal" if not problems else f"{len(problems)} DIFFERENCES"
    extra = f" | {statistics.mean(queries):.0f} queries | {len(body['results'])} townships, {equal}"
    print(line(f"API values ?scope=township {ind_id.split('.', 1)[1]}", samples, floor_samples, extra))
    for p in problems[:10]:
        print(f"  ! {p}")
    if problems:
        raise SystemExit(f"{ind_id}: township values differ from the raw SQL")


def _int(value: Any) -> int | None:
    if value is None:
        return None
    return int(Decimal(str(value)))
