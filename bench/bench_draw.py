"""双随机 draw at province scale (issue 4, item 11): 200 000 units, 1 000 officers, with 回避.

a) the draw itself, in memory: `DrawInputs.build` (normalising the frozen pools) + `pool_digest` (SM3 of the
   canonical JSON) + `draw` (SM3-counter DRBG, weighted sampling without replacement, officer teams with
   回避 and a per-officer cap) + `result_digest`, against the floor of a plain `random.sample` of the same
   number of units from the same pool. 回避: 2 % of the units (4 000) have declared conflicts with 1–3 officers
   each, plus 20 000 officer–unit pairs that met within the window (inspection history). 5 % of the pool is
   drawn (10 000 units), two officers per check, at most 30 checks per officer, weighted by risk.
   Target: ≤ 2 s; the ratio to the floor is printed.
b) the whole service path on the bench database: `commit_draw` (the pools read from the registry, the
   inspection history and the conflicts, then frozen with the seed commitment) and `perform_draw` (the draw
   and its assignments stored), for the department with the most units, with 1 000 certified officers and 2 %
   declared conflicts created for the bench when missing.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import statistics
import time
from collections.abc import Callable
from typing import Any

UNITS = 200_000
OFFICERS = 1_000
CONFLICT_SHARE = 0.02
HISTORY_PAIRS = 20_000
PROPORTION = 5  # percent of the pool drawn
OFFICERS_PER_CHECK = 2
MAX_PER_OFFICER = 30
TARGET_SECONDS = 2.0
REPEAT = 5


def run(*, db: str = "sqlite", scale: str = "province") -> None:
    print(f"\n## draw ({UNITS:,} units, {OFFICERS:,} officers, 回避 on; {db})")
    bench_memory()
    bench_services()
    print()


def _median(fn: Callable[[], Any], repeat: int = REPEAT) -> tuple[float, Any]:
    fn()  # warm-up, untimed
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def synthetic_pools(rng: random.Random) -> dict[str, Any]:
    units = list(range(1, UNITS + 1))
    officers = list(range(1, OFFICERS + 1))
    pairs: set[tuple[int, int]] = set()
    for unit in rng.sample(units, int(UNITS * CONFLICT_SHARE)):
        for officer in rng.sample(officers, rng.randint(1, 3)):
            pairs.add((officer, unit))
    while len(pairs) < int(UNITS * CONFLICT_SHARE) * 2 + HISTORY_PAIRS:
        pairs.add((rng.choice(officers), rng.choice(units)))
    weights = {u: 1 + rng.choice((0, 2)) + rng.choice((0, 1, 2)) + rng.choice((0, 0, 0, 1, 3)) for u in units}
    return {"units": units, "officers": officers, "pairs": pairs, "weights": weights}


def bench_memory() -> None:
    from zhiben.inspections.draw_algorithm import DrawInputs, draw, result_digest, seed_digest

    pools = synthetic_pools(random.Random(20250303))
    count = UNITS * PROPORTION // 100
    print(
        f"pools: {len(pools['units']):,} units, {len(pools['officers']):,} officers, "
        f"{len(pools['pairs']):,} 回避 pairs; drawing {count:,} units × {OFFICERS_PER_CHECK} officers"
    )

    def verifiable_draw(weighted: bool) -> Callable[[], Any]:
        def go() -> Any:
            inputs = DrawInputs.build(
                entities=pools["units"],
                officers=pools["officers"],
                excluded_pairs=pools["pairs"],
                weights=pools["weights"] if weighted else None,
                count=count,
                officers_per_check=OFFICERS_PER_CHECK,
                max_per_officer=MAX_PER_OFFICER,
            )
            seed = secrets.token_hex(32)
            committed = (inputs.pool_digest(), seed_digest(seed))
            assignments = draw(inputs, seed)
            return committed, assignments, result_digest(committed[0], seed, assignments)

        return go

    def floor() -> Any:
        return random.sample(pools["units"], count)

    floor_s, _ = _median(floor)
    excluded = pools["pairs"]
    for weighted in (False, True):
        seconds, (_c, assignments, _r) = _median(verifiable_draw(weighted))
        assert len(assignments) == count
        assert all((o, u) not in excluded for u, team in assignments for o in team), "回避 violated"
        verdict = "OK" if seconds <= TARGET_SECONDS else "OVER TARGET"
        label = "weighted by risk" if weighted else "equal chance"
        print(
            f"verifiable draw ({label:<16}) {seconds * 1000:8.1f} ms | floor random.sample {floor_s * 1000:6.2f} ms | "
            f"ratio {seconds / floor_s:7.1f}x | target ≤ {TARGET_SECONDS:.0f} s {verdict}"
        )
    _split(pools, count)


def _split(pools: dict[str, Any], count: int) -> None:
    """Where the time goes (equal chance): normalising the pools, the commitment, the draw."""
    from zhiben.inspections.draw_algorithm import DrawInputs, draw

    start = time.perf_counter()
    inputs = DrawInputs.build(
        entities=pools["units"],
        officers=pools["officers"],
        excluded_pairs=pools["pairs"],
        count=count,
        officers_per_check=OFFICERS_PER_CHECK,
        max_per_officer=MAX_PER_OFFICER,
    )
    built = time.perf_counter()
    inputs.pool_digest()
    digested = time.perf_counter()
    draw(inputs, secrets.token_hex(32))
    drawn = time.perf_counter()
    print(
        f"  of which: build {1000 * (built - start):.0f} ms, pool digest {1000 * (digested - built):.0f} ms, "
        f"draw {1000 * (drawn - digested):.0f} ms"
    )


# ------------------------------------------------------------------------------------------ b) services


def _busiest_department() -> Any:
    """The department supervising the most units (三管三必须, sub-industries included)."""
    from zhiben.inspections.services.plans import in_department_scope
    from zhiben.registry.models import Department, Responsibility

    leads = Department.objects.filter(pk__in=Responsibility.objects.values("lead_id"))
    return max(leads, key=lambda d: in_department_scope(d).count())


def _ensure_officers(department: Any) -> list[int]:
    """1 000 certified officers of the department for the bench (bench data, inserted in bulk)."""
    from zhiben.inspections.choices import InspectorKind
    from zhiben.inspections.models import Inspector

    have = list(
        Inspector.objects.filter(department=department, certificate_no__startswith="BENCH-").values_list(
            "pk", flat=True
        )
    )
    missing = OFFICERS - len(have)
    if missing > 0:
        Inspector.objects.bulk_create(
            [
                Inspector(
                    name=f"基准执法员{i:04d}",
                    department=department,
                    kind=InspectorKind.OFFICER,
                    certificate_no=f"BENCH-{department.pk}-{i:04d}",
                    certificate_valid_until=dt.date(2099, 12, 31),
                )
                for i in range(len(have), OFFICERS)
            ],
            batch_size=1000,
        )
    return list(
        Inspector.objects.filter(department=department, certificate_no__startswith="BENCH-").values_list(
            "pk", flat=True
        )
    )


def _ensure_conflicts(department: Any, officers: list[int]) -> int:
    from zhiben.inspections.models import InspectorConflict
    from zhiben.inspections.services.plans import in_department_scope

    existing = InspectorConflict.objects.filter(inspector_id__in=officers).count()
    if existing:
        return existing
    rng = random.Random(4)
    units = list(in_department_scope(department).values_list("pk", flat=True))
    rows = {
        (o, u)
        for u in rng.sample(units, int(len(units) * CONFLICT_SHARE))
        for o in rng.sample(officers, rng.randint(1, 3))
    }
    InspectorConflict.objects.bulk_create(
        [
            InspectorConflict(
                inspector_id=o, enterprise_id=u, reason="基准测试", declared_on=dt.date(2025, 1, 2)
            )
            for o, u in rows
        ],
        batch_size=2000,
    )
    return len(rows)


def bench_services() -> None:
    from zhiben.inspections.draw_pools import DrawCriteria
    from zhiben.inspections.services import draws
    from zhiben.inspections.services.plans import in_department_scope

    department = _busiest_department()
    units = in_department_scope(department).operating().count()
    if not units:
        print("services: no units in the bench database; skipped")
        return
    officers = _ensure_officers(department)
    conflicts = _ensure_conflicts(department, officers)
    criteria = DrawCriteria.from_json(
        {
            "proportion": str(PROPORTION),
            "officers_per_check": OFFICERS_PER_CHECK,
            "max_per_officer": MAX_PER_OFFICER * 5,
            "recent_days": 90,
            "pair_days": 365,
        }
    )
    obj = draws.create_draw(actor=None, department=department, title="基准测试抽查", criteria=criteria)
    start = time.perf_counter()
    draws.commit_draw(obj, actor=None)
    committed = time.perf_counter()
    draws.perform_draw(obj, actor=None)
    drawn = time.perf_counter()
    report = draws.replay(obj)
    replayed = time.perf_counter()
    print(
        f"services ({department.short_name or department.name}: {units:,} units, {len(officers):,} bench officers, "
        f"{conflicts:,} declared conflicts): commit {committed - start:.2f} s (pools read and frozen: "
        f"{obj.entity_count:,} units, {len(obj.excluded_pairs):,} pairs), draw {drawn - committed:.2f} s "
        f"({obj.parameters['count']:,} checks stored), replay {replayed - drawn:.2f} s ({'match' if report.ok else 'MISMATCH'})"
    )
