"""The query builders: the same `Measures` from the tally (`figures`, the dashboard's path) or from the
register (`recount_figures`, the test oracle and the benchmark's floor)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from django.db import connections, models
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear, Substr
from django.utils import timezone

from zhiben.core.calendar import (
    quarter_end,
    quarter_start,
)
from zhiben.registry.models import Industry, Region

from ..choices import COUNTED_STATUSES, OPEN_STATUSES, Level, Status
from ..models import Hazard, HazardTally
from . import snapshots
from .assemble import _assemble
from .definitions import AGE_LABELS, AGE_LIMITS, TOWNSHIP_CODE_LENGTH, Counts, Figures, Measures
from .filters import StatsFilter, _resolve, _Resolved, _trend_quarters, tally_scope_q


def _bucket_bounds(today: dt.date) -> list[dt.date]:
    """A day ≥ bounds[i] is within AGE_LIMITS[i] days before `today`."""
    return [today - dt.timedelta(days=limit) for limit in AGE_LIMITS]


def _age_case(path: str, today: dt.date) -> Case:
    bounds = _bucket_bounds(today)
    return Case(
        When(**{f"{path}__isnull": True}, then=Value(None)),
        *[When(**{f"{path}__gte": b}, then=Value(i)) for i, b in enumerate(bounds)],
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )


def _overdue_case(path: str, today: dt.date) -> Case:
    bounds = _bucket_bounds(today)
    return Case(
        When(**{f"{path}__isnull": True}, then=Value(None)),
        When(**{f"{path}__gte": today}, then=Value(None)),  # not past the deadline
        *[When(**{f"{path}__gte": b}, then=Value(i)) for i, b in enumerate(bounds)],
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )


# ---------------------------------------------------------------------------------------- from the tally


def _tally_filter(r: _Resolved, *, quarters: bool = True) -> Q:
    q = Q()
    if r.region_prefix is not None:
        q &= Q(region__in=Region.objects.filter(code__startswith=r.region_prefix).values("pk"))
    if r.industry_ids is not None:
        q &= Q(industry_id__in=sorted(r.industry_ids))
    if r.department_id is not None:
        q &= Q(department_id=r.department_id)
    if r.level:
        q &= Q(level=r.level)
    if r.source:
        q &= Q(source=r.source)
    if r.stock is not None:
        q &= Q(is_stock=r.stock)
    if quarters and r.quarter_from:
        q &= Q(quarter__gte=r.quarter_from)  # "YYYYQn" sorts as text in time order
    if quarters and r.quarter_to:
        q &= Q(quarter__lte=r.quarter_to)
    return q


def _industry_roots() -> dict[int, int]:
    """Industry id → id of its top-level ancestor (the tree is small: one query)."""
    parents = dict(Industry.objects.values_list("pk", "parent_id"))
    roots: dict[int, int] = {}
    for pk in parents:
        node = pk
        seen = {node}
        while parents.get(node) is not None and parents[node] not in seen:
            node = parents[node]
            seen.add(node)
        roots[pk] = node
    return roots


def _grouped(qs: models.QuerySet[Any], today: dt.date) -> models.QuerySet[Any]:
    """Tally-shaped rows (the tally or its changes) grouped at township level (the region's code, not its id:
    villages would multiply the rows) with the day's ageing and overdue buckets."""
    return (
        qs.annotate(
            area=Substr("region__code", 1, TOWNSHIP_CODE_LENGTH),
            age=_age_case("discovered_on", today),
            od=_overdue_case("deadline", today),
        )
        .values_list(
            "area",
            "industry_id",
            "department_id",
            "level",
            "source",
            "status",
            "is_stock",
            "on_time",
            "age",
            "od",
        )
        .annotate(n=Sum("count"))
        .order_by()
    )


def default_snapshot_parts(today: dt.date) -> snapshots.Parts:
    """How the statistics snapshots group tally-shaped rows, fold them (in SQL: the tally; in Python: the
    few changes since a snapshot) and measure a fold: snapshots.py, on PostgreSQL."""
    roots = _industry_roots()

    def fold(rows: models.QuerySet[Any], *, with_snapshot: bool) -> tuple[Folded, str | None]:
        return _fold_in_sql(rows, roots, connections[rows.db], with_snapshot=with_snapshot)

    return snapshots.Parts(
        grouped=lambda qs: _grouped(qs, today),
        fold=fold,
        fold_changes=lambda rows: _fold(rows, roots),
        measure=_measure,
    )


def _measure(folded: Folded, into: Measures | None = None) -> Measures:
    """A fold's states counted into the measures (added to `into`'s, for the changes since a snapshot)."""
    measures = into if into is not None else Measures()
    for (dim, key, (level, status, is_stock, on_time, age, od)), n in folded.items():
        counts = (
            measures.heat.setdefault(key, Counts())
            if dim == "heat"
            else measures.by[dim].setdefault(key, Counts())
        )
        counts.add(
            status=status, is_stock=is_stock, level=level, on_time=on_time, age=age, overdue_age=od, n=n
        )
        if dim == "level":  # every state once: the totals and the funnel
            measures.totals.add(
                status=status, is_stock=is_stock, level=level, on_time=on_time, age=age, overdue_age=od, n=n
            )
            measures.statuses[status] += n
    return measures


def tally_measures(user: Any, filters: StatsFilter, today: dt.date) -> Measures:
    """The measures from HazardTally: one GROUP BY for everything but the trend, one for the trend. On
    PostgreSQL the default view (no filters) reads the scope's snapshot instead (snapshots.py)."""
    scope = tally_scope_q(user)
    resolved = _resolve(filters)
    if resolved.empty:
        return Measures()
    base = HazardTally.objects.filter(scope)
    # The database the router reads from (a replica for the statistics page, core/dbrouting.py).
    db = connections[base.db]
    if db.vendor == "postgresql" and resolved == _Resolved():
        measures = snapshots.measures(scope, default_snapshot_parts(today), today, user)
    elif db.vendor == "postgresql":
        folded, _visibility = _fold_in_sql(
            _grouped(base.filter(_tally_filter(resolved)), today), _industry_roots(), db
        )
        measures = _measure(folded)
    else:
        measures = _measure(_fold(_grouped(base.filter(_tally_filter(resolved)), today), _industry_roots()))

    trend = (
        base.filter(
            _tally_filter(resolved, quarters=False),
            level=Level.MAJOR,
            status__in=COUNTED_STATUSES,
            quarter__in=_trend_quarters(filters, today),
        )
        .values("quarter")
        .annotate(n=Sum("count"))
        .order_by()
    )
    measures.trend = {r["quarter"]: r["n"] for r in trend if r["n"]}
    return measures


Folded = Counter[tuple[str, Any, tuple[Any, ...]]]


def _fold(rows: models.QuerySet[Any], roots: dict[int, int]) -> Folded:
    """Each grouped tally row counted once per breakdown (township, top industry, department, level, source,
    township × industry), keyed by its state: the portable path (SQLite has no GROUPING SETS)."""
    folded: Folded = Counter()
    for area, industry_id, department_id, level, source, *state, n in rows:
        if not n:
            continue
        st = (level, *state)
        root = roots.get(industry_id, industry_id)
        folded["area", area, st] += n
        folded["industry", root, st] += n
        folded["department", department_id, st] += n
        folded["level", level, st] += n
        folded["source", source, st] += n
        folded["heat", (area, root), st] += n
    return folded


# The breakdowns as grouping sets (the state columns are in every set), and how GROUPING(area, root,
# department_id, source) names each: a bit is 1 where the column is left out of the set.
_STATE = "level, status, is_stock, on_time, age, od"
_SETS = {
    "area": (0b0111, "area"),
    "industry": (0b1011, "root"),
    "department": (0b1101, "department_id"),
    "level": (0b1111, None),
    "source": (0b1110, "source"),
    "heat": (0b0011, "area, root"),
}
_BY_GROUPING = {bits: dim for dim, (bits, _) in _SETS.items()}


def _fold_in_sql(
    rows: models.QuerySet[Any], roots: dict[int, int], db: Any, *, with_snapshot: bool = False
) -> tuple[Folded, str | None]:
    """The same fold as `_fold`, done by PostgreSQL with GROUPING SETS over the grouped tally rows: the
    server returns one row per breakdown key and state (about 1 % of the tally rows at province scale)
    instead of every grouped tally row for Python to fold. `with_snapshot`: also the PostgreSQL snapshot the
    statement read in (`pg_current_snapshot()`, the statement's own), for a statistics snapshot."""
    inner, params = rows.query.get_compiler(connection=db).as_sql()
    pairs = [(k, v) for k, v in roots.items() if k != v]
    mapping = ", ".join(["(%s::bigint, %s::bigint)"] * len(pairs)) or "(NULL::bigint, NULL::bigint)"
    sets = ", ".join(f"({cols}, {_STATE})" if cols else f"({_STATE})" for _, cols in _SETS.values())
    sql = f"""
        SELECT GROUPING(area, root, department_id, source), area, root, department_id, source, {_STATE},
               SUM(n)
        FROM (
            SELECT g.area, COALESCE(m.root, g.industry_id) AS root, g.department_id, g.level, g.source,
                   g.status, g.is_stock, g.on_time, g.age, g.od, g.n
            FROM ({inner}) AS g
            LEFT JOIN (VALUES {mapping}) AS m (id, root) ON m.id = g.industry_id
        ) AS t
        GROUP BY GROUPING SETS ({sets})
    """  # noqa: S608 - only the ORM's own SQL and fixed column names are interpolated; values are parameters
    if with_snapshot:  # one statement, one MVCC snapshot: the fold and the snapshot it was read in
        # None once this transaction has written (snapshots.build keeps no snapshot then).
        head = (
            "SELECT f.*, s.visibility FROM (SELECT CASE WHEN pg_current_xact_id_if_assigned() IS NULL "
            "THEN pg_current_snapshot()::text END AS visibility) AS s"
        )
        sql = f"{head} LEFT JOIN ({sql}) AS f ON true"  # the fold above, nothing from outside
    folded: Folded = Counter()
    visibility = None
    with db.cursor() as cursor:
        cursor.execute(sql, [*params, *(x for pair in pairs for x in pair)])
        for row in cursor.fetchall():
            if with_snapshot:  # the snapshot is the last column of every row (alone on an empty fold)
                visibility, row = row[-1], row[:-1]
            grouping, area, root, department_id, source, level, *state, n = row
            if not n:
                continue
            dim = _BY_GROUPING[grouping]
            key = {
                "area": area,
                "industry": root,
                "department": department_id,
                "level": level,
                "source": source,
                "heat": (area, root),
            }[dim]
            folded[dim, key, (level, *state)] += int(n)
    return folded, visibility


def figures(user: Any, filters: StatsFilter | None = None, today: dt.date | None = None) -> Figures:
    """The dashboard's figures for `user`'s scope and `filters` on `today`, from the tally."""
    filters = filters or StatsFilter()
    today = today or timezone.localdate()
    return _assemble(tally_measures(user, filters, today), filters, today)


# ------------------------------------------------------------------------------------- from the register


def _hazard_filter(r: _Resolved, *, quarters: bool = True) -> Q:
    q = Q()
    if r.region_prefix is not None:
        q &= Q(region__code__startswith=r.region_prefix)
    if r.industry_ids is not None:
        q &= Q(industry_id__in=sorted(r.industry_ids))
    if r.department_id is not None:
        q &= Q(department_id=r.department_id)
    if r.level:
        q &= Q(level=r.level)
    if r.source:
        q &= Q(source=r.source)
    if r.stock is not None:
        q &= Q(is_stock=r.stock)
    if quarters and r.quarter_from:
        q &= Q(discovered_on__gte=quarter_start(r.quarter_from))
    if quarters and r.quarter_to:
        q &= Q(discovered_on__lte=quarter_end(r.quarter_to))
    return q


def _count_expressions(today: dt.date) -> dict[str, Count]:
    """One conditional COUNT per field of `Counts`, straight from the register's columns."""
    counted = Q(status__in=COUNTED_STATUSES)
    is_open = Q(status__in=OPEN_STATUSES)
    closed = Q(status=Status.CLOSED)
    major = Q(level=Level.MAJOR)
    overdue = is_open & Q(deadline__lt=today)
    exprs = {
        "registered": Count("pk"),
        "reported": Count("pk", filter=Q(status=Status.REPORTED)),
        "judge_overdue": Count("pk", filter=Q(status=Status.REPORTED, judge_deadline__lt=today)),
        "counted": Count("pk", filter=counted),
        "open": Count("pk", filter=is_open),
        "closed": Count("pk", filter=closed),
        "closed_on_time": Count("pk", filter=closed & Q(closed_on_time=True)),
        "overdue": Count("pk", filter=overdue),
        "stock": Count("pk", filter=counted & Q(is_stock=True)),
        "stock_closed": Count("pk", filter=closed & Q(is_stock=True)),
        "major": Count("pk", filter=counted & major),
        "major_open": Count("pk", filter=is_open & major),
        "major_overdue": Count("pk", filter=overdue & major),
    }
    bounds = [today + dt.timedelta(days=1), *_bucket_bounds(today), None]
    # bucket i: bounds[i+1] ≤ day < bounds[i] (bucket 0 also takes days after today)
    for i in range(len(AGE_LABELS)):
        newer, older = bounds[i], bounds[i + 1]
        age = Q() if i == 0 else Q(discovered_on__lt=newer)
        late = Q(deadline__lt=today) if i == 0 else Q(deadline__lt=newer)
        if older is not None:
            age &= Q(discovered_on__gte=older)
            late &= Q(deadline__gte=older)
        exprs[f"open_age_{i}"] = Count("pk", filter=is_open & age)
        exprs[f"overdue_age_{i}"] = Count("pk", filter=is_open & late)
    return exprs


def _counts_from(row: Mapping[str, Any]) -> Counts:
    n = len(AGE_LABELS)
    plain = {f.name: row[f.name] or 0 for f in fields(Counts) if f.name not in ("open_age", "overdue_age")}
    return Counts(
        **plain,
        open_age=[row[f"open_age_{i}"] or 0 for i in range(n)],
        overdue_age=[row[f"overdue_age_{i}"] or 0 for i in range(n)],
    )


def register_measures(user: Any, filters: StatsFilter, today: dt.date) -> Measures:
    """The same measures from the register with plain ORM aggregation (test oracle, benchmark floor)."""
    resolved = _resolve(filters)
    measures = Measures()
    if resolved.empty:
        return measures
    tally_scope_q(user)  # the same refusal as figures()
    base = Hazard.objects.restrict(user, "view")
    qs = base.filter(_hazard_filter(resolved))
    exprs = _count_expressions(today)
    measures.totals = _counts_from(qs.aggregate(**exprs))
    # Top-level industry as a column: the tree is at most three levels deep (registry/data/industries.json).
    keys = {
        "area": Substr("region__code", 1, TOWNSHIP_CODE_LENGTH),
        "industry": Coalesce("industry__parent__parent_id", "industry__parent_id", "industry_id"),
        "department": models.F("department_id"),
        "level": models.F("level"),
        "source": models.F("source"),
    }
    for dim, expr in keys.items():
        for row in qs.annotate(k=expr).values("k").annotate(**exprs).order_by():
            measures.by[dim][row["k"]] = _counts_from(row)
    pairs = qs.annotate(a=keys["area"], i=keys["industry"]).values("a", "i").annotate(**exprs).order_by()
    measures.heat = {(row["a"], row["i"]): _counts_from(row) for row in pairs}
    measures.statuses = Counter(
        {r["status"]: r["n"] for r in qs.values("status").annotate(n=Count("pk")).order_by()}
    )
    quarters = _trend_quarters(filters, today)
    trend = (
        base.filter(
            _hazard_filter(resolved, quarters=False),
            level=Level.MAJOR,
            status__in=COUNTED_STATUSES,
            discovered_on__gte=quarter_start(quarters[0]),
            discovered_on__lte=quarter_end(quarters[-1]),
        )
        .annotate(y=ExtractYear("discovered_on"), q=ExtractQuarter("discovered_on"))
        .values("y", "q")
        .annotate(n=Count("pk"))
        .order_by()
    )
    measures.trend = {f"{r['y']}Q{r['q']}": r["n"] for r in trend if r["n"]}
    return measures


def recount_figures(user: Any, filters: StatsFilter | None = None, today: dt.date | None = None) -> Figures:
    """figures() recomputed from the register (`Hazard`), never from the tally."""
    filters = filters or StatsFilter()
    today = today or timezone.localdate()
    return _assemble(register_measures(user, filters, today), filters, today)
