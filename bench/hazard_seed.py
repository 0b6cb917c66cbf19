"""Loads a province-scale hazard register (5 000 000 rows) into the PostgreSQL bench database in minutes.

The services write one hazard per transaction (history, audit, outbox, tally): right for people, far too slow
for five million rows. The bench register is therefore generated inside PostgreSQL by one
`INSERT … SELECT … FROM generate_series` whose pseudo-random choices come from `hashint8extended(g, k)`, so the
same `--hazards` count always gives the same rows:

- enterprise: one of the registry's enterprises; region = its region, industry = its primary industry,
  department = the supervising department of that industry (三管三必须, as `services.supervising_department`);
- level: about 3 % 重大, each citing a clause (a small bench standard is created when the library is empty);
- source: weighted like a real register (企业自查 most, then 监管检查 …);
- discovered_on: 2022-01-01 … 2026-11-27 (is_stock = on or before 2023-12-31);
- status by age on REFERENCE_DAY: recent ones often 待判定 or open, old ones almost all closed, a few
  old ones still open (so past their deadline: overdue), ~1.5 % 不予认定;
- closed_on / closed_on_time consistent with the deadline; codes unique (YH + county + year + 8 digits, two
  characters longer than a service-issued code, so the two never collide).

Secondary indexes and foreign keys are dropped before the load and rebuilt after it, then ANALYZE, then the
statistics read model (`HazardTally`) is built by one INSERT … SELECT … GROUP BY that produces exactly the keys
of `tally.recount_rows()` (checked with `tally.diff()` on smaller loads or with --verify-tally).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction

REFERENCE_DAY = dt.date(2026, 11, 27)  # "today" of the generated data: statuses do not depend on the run date
FIRST_DAY = dt.date(2022, 1, 1)
VERIFY_UP_TO = 500_000  # tally.diff() runs by itself on loads up to this size (it reads every row in Python)

TITLES = (
    "消防通道堆放杂物",
    "灭火器压力不足",
    "安全出口指示标志损坏",
    "电气线路私拉乱接",
    "有限空间作业未执行审批",
    "粉尘清扫记录缺失",
    "特种作业人员无证上岗",
    "危化品储存未分区分类",
    "燃气管道未设置紧急切断阀",
    "脚手架连墙件缺失",
    "高处作业未系安全带",
    "应急预案未按期演练",
    "安全警示标志缺失",
    "设备防护罩缺失",
    "可燃气体报警器失效",
    "员工宿舍与仓库未分隔",
)

# Weighted sources (cumulative percentages): 企业自查 most, then 监管检查 …
SOURCES = (
    (45, "self_check"),
    (70, "inspection"),
    (78, "expert"),
    (83, "peer"),
    (87, "undercover"),
    (91, "tip"),
    (92, "media"),
    (96, "monitoring"),
    (98, "assigned"),
    (100, "transferred"),
)

# Every NOT NULL column of hazards_hazard must be written here; a new one makes the load fail loudly.
_COLUMNS = (
    "id, created_at, updated_at, version, code, level, source, title, description, location, discovered_on, "
    "finder, is_stock, status, confirmed_at, deadline, supervision_level, escalation, plan_goal, "
    "plan_measures, plan_responsible, plan_contingency, interim_measures, stop_production, accepted_on, "
    "acceptor, closed_on, closed_on_time, reopen_count, clause_id, department_id, enterprise_id, "
    "industry_id, region_id"
)


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _scalar(sql: str) -> Any:
    with connection.cursor() as cur:
        cur.execute(sql)
        row = cur.fetchone()
    return row[0] if row else None


def hazard_count() -> int:
    return int(_scalar("SELECT count(*) FROM hazards_hazard"))


def tally_total() -> int:
    return int(_scalar("SELECT coalesce(sum(count), 0) FROM hazards_hazardtally"))


def tally_looks_current(sample: int = 200) -> bool:
    """Whether hazards spread over the register find their key (as tally.key_of() makes it today) in the tally:
    a cheap guard against a tally built under an older key definition (the full proof is --verify-tally)."""
    from zhiben.hazards import tally
    from zhiben.hazards.models import Hazard, HazardTally

    top = int(_scalar("SELECT coalesce(max(id), 0) FROM hazards_hazard"))
    picks = {1 + i * top // sample for i in range(sample)} if top else set()
    hazards = Hazard.objects.unrestricted("benchmark bookkeeping").filter(
        pk__in=picks
    )  # bench bookkeeping over the whole register
    keys = {tally.key_of(h).key for h in hazards}
    return keys <= set(HazardTally.objects.filter(key__in=keys).values_list("key", flat=True))


def _require_bench_database() -> None:
    name = str(settings.DATABASES["default"]["NAME"])
    if connection.vendor != "postgresql" or "bench" not in name:
        raise SystemExit(f"hazard seed refuses to run outside a PostgreSQL bench database (got {name!r})")


def ensure_hazards(target: int, *, verify: bool | None = None, fresh: bool = False, say: Any = print) -> None:
    """Make the bench register hold exactly `target` generated hazards (a matching count is reused, unless
    `fresh`: transitions leave dead rows and snapshots behind, so repeated runs on one register slow down)."""
    _require_bench_database()
    count = hazard_count()
    if count == target and not fresh:
        if tally_total() != count or not tally_looks_current():
            started = time.perf_counter()
            with transaction.atomic():
                build_tally()
            say(f"# hazard tally rebuilt ({count:,} hazards) in {time.perf_counter() - started:.1f} s")
        else:
            say(f"# hazard register reused ({count:,} hazards)")
    else:
        if count:
            why = "a fresh register was asked for" if count == target else f"want {target:,}"
            say(f"# hazard register holds {count:,}, {why}: reseeding")
        started = time.perf_counter()
        timings = seed(target)
        total = time.perf_counter() - started
        parts = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
        say(f"# seeded {target:,} hazards in {total:.1f} s ({parts})")
    if verify or (verify is None and count != target and target <= VERIFY_UP_TO):
        from zhiben.hazards import tally

        started = time.perf_counter()
        diff = tally.diff()
        if diff:
            sample = dict(list(diff.items())[:5])
            raise SystemExit(f"tally differs from a recount in {len(diff)} keys, e.g. {sample}")
        say(f"# tally.diff() == {{}} (checked in {time.perf_counter() - started:.1f} s)")


def _department_of_industry() -> dict[int, int]:
    """三管三必须 as the services apply it: the industry's lead department, or its nearest ancestor's."""
    from zhiben.hazards.services import HazardError, supervising_department
    from zhiben.registry.models import Industry

    mapping: dict[int, int] = {}
    for industry in Industry.objects.all():
        try:
            mapping[industry.pk] = supervising_department(industry).pk
        except HazardError:
            continue  # enterprises of an industry without a lead department get no hazards
    return mapping


def _clause_ids() -> list[int]:
    """Clauses 重大 hazards cite: the library's, or a small bench standard when the library is empty."""
    from zhiben.standards.models import Clause, Standard, StandardVersion

    ids = list(Clause.objects.order_by("pk").values_list("pk", flat=True)[:500])
    if ids:
        return ids
    standard, _ = Standard.objects.get_or_create(
        code="bench-gongmao", defaults={"sector": "工贸", "name": "工贸企业重大事故隐患判定标准（基准测试）"}
    )
    version, _ = StandardVersion.objects.get_or_create(
        standard=standard,
        label="2023版",
        defaults={"title": "工贸企业重大事故隐患判定标准", "doc_number": "应急管理部令第10号"},
    )
    for n in range(1, 21):
        Clause.objects.get_or_create(
            version=version,
            code=f"第{n}项",
            defaults={"article": "基准测试条款", "text": f"基准测试用判定条款 {n}", "sort_order": n},
        )
    return list(Clause.objects.filter(version=version).order_by("pk").values_list("pk", flat=True))


def _drop_for_load(cur: Any, table: str) -> list[str]:
    """Drop the secondary indexes and unique / foreign-key constraints of `table`; returns the DDL to rebuild
    them. Rebuilt once after the load, they cost a sort or one join each instead of millions of row checks (the
    foreign keys are DEFERRABLE: left in place, every row would queue a check that runs at COMMIT)."""
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY conname",
        [table],
    )
    constraints = list(cur.fetchall())
    cur.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname "
        "AND c.conrelid = %s::regclass) ORDER BY i.indexname",
        [table, table],
    )
    indexes = list(cur.fetchall())
    for name, _ in constraints:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    # Indexes first: a unique constraint builds its own, and foreign keys are validated by one join each.
    return [ddl for _, ddl in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}' for name, ddl in constraints
    ]


def _source_case(column: str) -> str:
    parts = [f"WHEN {column} < {limit} THEN {_lit(value)}" for limit, value in SOURCES[:-1]]
    return f"CASE {' '.join(parts)} ELSE {_lit(SOURCES[-1][1])} END"


def _insert_sql(target: int, enterprises: int, clauses: list[int]) -> str:
    days = (REFERENCE_DAY - FIRST_DAY).days + 1
    ref = f"DATE '{REFERENCE_DAY.isoformat()}'"
    titles = "ARRAY[" + ", ".join(_lit(t) for t in TITLES) + "]"
    clause_array = "ARRAY[" + ", ".join(str(c) for c in clauses) + "]::bigint[]"
    return f"""
INSERT INTO hazards_hazard ({_COLUMNS})
WITH base AS (
    SELECT g,
           (hashint8extended(g, 1) & 2147483647)::int AS h1,
           (hashint8extended(g, 2) & 2147483647)::int AS h2,
           (hashint8extended(g, 3) & 2147483647)::int AS h3,
           (hashint8extended(g, 4) & 2147483647)::int AS h4,
           (hashint8extended(g, 5) & 2147483647)::int AS h5,
           (hashint8extended(g, 6) & 2147483647)::int AS h6
    FROM generate_series(1, {target}) AS g
), placed AS (
    SELECT b.*, e.id AS enterprise_id, e.region_id, e.industry_id, e.department_id, e.county,
           DATE '{FIRST_DAY.isoformat()}' + (b.h3 % {days})::int AS discovered_on,
           CASE WHEN b.h2 % 1000 < 30 THEN 'major' ELSE 'general' END AS level
    FROM base b JOIN bench_hazard_enterprise e ON e.n = b.h1 % {enterprises}
), aged AS (
    SELECT p.*,
           p.discovered_on + CASE WHEN p.level = 'major' THEN 60 + p.h6 % 61 ELSE 7 + p.h6 % 24 END AS due,
           {ref} - p.discovered_on AS age,
           p.h4 % 10000 AS r
    FROM placed p
), stated AS (
    SELECT a.*,
           CASE
             WHEN a.age <= 30 AND a.r < 2500 THEN 'reported'
             WHEN a.r >= 9850 THEN 'rejected'
             WHEN a.r < CASE WHEN a.age <= 30 THEN 7000 WHEN a.age <= 90 THEN 4000
                             WHEN a.age <= 365 THEN 800 ELSE 100 END THEN
               CASE WHEN (a.h6 / 7) % 100 < 20 THEN 'confirmed'
                    WHEN (a.h6 / 7) % 100 < 70 THEN 'rectifying'
                    WHEN (a.h6 / 7) % 100 < 85 THEN 'acceptance'
                    ELSE 'accepted' END
             ELSE 'closed'
           END AS status,
           LEAST({ref},
                 CASE WHEN (a.h5 / 101) % 100 < CASE WHEN a.level = 'major' THEN 12 ELSE 8 END
                      THEN a.due + 1 + (a.h6 / 4099) % 60
                      ELSE a.discovered_on + 1 + (a.h6 / 4099) % (a.due - a.discovered_on) END) AS finish
    FROM aged a
)
SELECT s.g,
       s.discovered_on + TIME '09:00',
       COALESCE(CASE WHEN s.status = 'closed' THEN s.finish END, s.discovered_on) + TIME '17:00',
       CASE s.status WHEN 'reported' THEN 1 WHEN 'rejected' THEN 2 WHEN 'confirmed' THEN 2
            WHEN 'rectifying' THEN 3 WHEN 'acceptance' THEN 4 WHEN 'accepted' THEN 5 ELSE 6 END,
       'YH' || s.county || to_char(s.discovered_on, 'YYYY') || lpad(s.g::text, 8, '0'),
       s.level,
       {_source_case("s.h5 % 100")},
       ({titles})[1 + (s.h5 / 7919) % {len(TITLES)}],
       '', '', s.discovered_on, '',
       s.discovered_on <= DATE '2023-12-31',
       s.status,
       CASE WHEN s.status IN ('reported', 'rejected') THEN NULL ELSE s.discovered_on + 1 + TIME '10:00' END,
       CASE WHEN s.status IN ('reported', 'rejected') THEN NULL ELSE s.due END,
       '', '', '', '', '', '', '', false,
       CASE WHEN s.status = 'closed' THEN GREATEST(s.discovered_on, s.finish - 1)
            WHEN s.status = 'accepted' THEN GREATEST(s.discovered_on, LEAST({ref} - 1, s.due)) END,
       '',
       CASE WHEN s.status = 'closed' THEN s.finish END,
       CASE WHEN s.status = 'closed' THEN s.finish <= s.due END,
       0,
       CASE WHEN s.level = 'major' THEN ({clause_array})[1 + (s.h2 / 1009) % {len(clauses)}] END,
       s.department_id, s.enterprise_id, s.industry_id, s.region_id
    FROM stated s
"""


def _tally_sql() -> str:
    """The tally rows `tally.recount_rows()` would compute, keyed exactly like `TallyKey.key`; the region each
    hazard is counted under (`tally.counted_region`) comes from the temp table _counted_regions() fills."""
    return """
INSERT INTO hazards_hazardtally (key, region_id, industry_id, department_id, level, source, is_stock, status,
                                 quarter, discovered_on, deadline, on_time, count)
SELECT concat_ws('|', region_id::text, industry_id::text, department_id::text, level, source,
                 CASE WHEN is_stock THEN '1' ELSE '0' END, status, quarter,
                 COALESCE(to_char(discovered_on, 'YYYY-MM-DD'), ''),
                 COALESCE(to_char(deadline, 'YYYY-MM-DD'), ''),
                 CASE on_time WHEN true THEN '1' WHEN false THEN '0' ELSE '' END),
       region_id, industry_id, department_id, level, source, is_stock, status, quarter, discovered_on,
       deadline, on_time, count(*)
FROM (
    SELECT c.counted_id AS region_id, industry_id, department_id, level, source, is_stock, status,
           to_char(h.discovered_on, 'YYYY') || 'Q' || to_char(h.discovered_on, 'Q') AS quarter,
           CASE WHEN is_open THEN h.discovered_on END AS discovered_on,
           CASE WHEN is_open THEN h.deadline END AS deadline,
           CASE WHEN status = 'closed' THEN h.closed_on_time END AS on_time
    FROM (SELECT *, status IN ('confirmed', 'rectifying', 'acceptance', 'accepted') AS is_open
          FROM hazards_hazard) h
    JOIN bench_counted_region c ON c.region_id = h.region_id
) k
GROUP BY region_id, industry_id, department_id, level, source, is_stock, status, quarter, discovered_on,
         deadline, on_time
"""


def _counted_regions(cur: Any) -> None:
    """region id → the id the tally counts it under, computed by the tally module itself (so a change of the
    tally's region level cannot leave this loader behind)."""
    from zhiben.hazards import tally
    from zhiben.registry.models import Region

    counted = getattr(tally, "counted_region", lambda pk: pk)
    cur.execute(
        "CREATE TEMP TABLE IF NOT EXISTS bench_counted_region (region_id bigint PRIMARY KEY, counted_id bigint) "
        "ON COMMIT DROP"
    )
    cur.execute("DELETE FROM bench_counted_region")
    pks = list(Region.objects.values_list("pk", flat=True))
    cur.executemany("INSERT INTO bench_counted_region VALUES (%s, %s)", [(pk, counted(pk)) for pk in pks])
    cur.execute("ANALYZE bench_counted_region")


def build_tally() -> None:
    """Replace the tally by one INSERT … SELECT … GROUP BY over the register (inside the caller's transaction)."""
    with connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '512MB'")
        _counted_regions(cur)
        cur.execute("DELETE FROM hazards_hazardtally")
        from zhiben.hazards import tally

        tally.forget_snapshots()
        cur.execute(_tally_sql())
        cur.execute("ANALYZE hazards_hazardtally")


def _check_open_statuses() -> None:
    """The SQL above spells OPEN_STATUSES out; fail if the register's definition moved."""
    from zhiben.hazards.choices import OPEN_STATUSES

    assert {str(s) for s in OPEN_STATUSES} == {"confirmed", "rectifying", "acceptance", "accepted"}, (
        OPEN_STATUSES
    )


def seed(target: int) -> dict[str, float]:
    """Replace the bench register with `target` generated hazards; returns the seconds of each phase."""
    _require_bench_database()
    _check_open_statuses()
    timings: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = now - mark
        mark = now

    departments = _department_of_industry()
    clauses = _clause_ids()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        # Bench database only (checked above): every hazard record and anything hanging off it goes.
        cur.execute("TRUNCATE hazards_hazard, hazards_hazardtally RESTART IDENTITY CASCADE")
        rebuild = _drop_for_load(cur, "hazards_hazard")
        rebuild_tally = _drop_for_load(cur, "hazards_hazardtally")
        cur.execute(
            "CREATE TEMP TABLE bench_industry_department (industry_id bigint PRIMARY KEY, department_id bigint) "
            "ON COMMIT DROP"
        )
        cur.executemany("INSERT INTO bench_industry_department VALUES (%s, %s)", list(departments.items()))
        cur.execute(
            "CREATE TEMP TABLE bench_hazard_enterprise ON COMMIT DROP AS "
            "SELECT (row_number() OVER (ORDER BY e.id) - 1)::bigint AS n, e.id, e.region_id, "
            "e.primary_industry_id AS industry_id, d.department_id, left(r.code, 6) AS county "
            "FROM registry_enterprise e JOIN registry_region r ON r.id = e.region_id "
            "JOIN bench_industry_department d ON d.industry_id = e.primary_industry_id"
        )
        cur.execute("ALTER TABLE bench_hazard_enterprise ADD PRIMARY KEY (n)")
        cur.execute("ANALYZE bench_hazard_enterprise")
        cur.execute("SELECT count(*) FROM bench_hazard_enterprise")
        enterprises = int(cur.fetchone()[0])
        if not enterprises:
            raise SystemExit("no enterprises to hang hazards on: run seed_demo first")
        lap("prepare")
        cur.execute(_insert_sql(target, enterprises, clauses))
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('hazards_hazard', 'id'), "
            "(SELECT max(id) FROM hazards_hazard))"
        )
        lap("insert")
        for ddl in rebuild:
            cur.execute(ddl)
        lap("indexes and constraints")
        cur.execute("ANALYZE hazards_hazard")
        build_tally()
        for ddl in rebuild_tally:
            cur.execute(ddl)
        lap("tally")
    lap("commit")
    with connection.cursor() as cur:
        # A register in steady state has been vacuumed (visibility map set, hint bits written) by autovacuum.
        cur.execute("VACUUM (ANALYZE) hazards_hazard")
        cur.execute("VACUUM (ANALYZE) hazards_hazardtally")
    lap("vacuum")
    return timings
