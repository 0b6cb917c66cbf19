"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    result = fn()
    return (time.perf_counter() - t) * 1000, result


def summary(
    label: str,
    samples: list[float],
    floor: list[float],
    queries: float,
    target_ratio: float,
    max_queries: int,
    slack_ms: float = 0.0,
) -> str:
    """p50/p95 of `samples` against `floor`; the target is p95 ≤ max(target_ratio × floor p95, floor p95 +
    slack_ms): with a slack, a page whose floor is a few milliseconds may carry that much fixed cost."""
    p50, p95 = statistics.median(samples), percentile(samples, 0.95)
    f50, f95 = statistics.median(floor), percentile(floor, 0.95)
    ratio = p95 / f95 if f95 else float("inf")
    within = p95 <= max(target_ratio * f95, f95 + slack_ms)
    verdict = "OK" if within and queries <= max_queries else "OVER TARGET"
    target = f"≤ {target_ratio}x" + (f" or floor + {slack_ms:g} ms" if slack_ms else "")
    return (
        f"{label:<38} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms | floor p50 {f50:7.2f} ms  p95 {f95:7.2f} ms | "
        f"ratio p95 {ratio:5.2f}x ({target}) | queries {queries:4.1f} (≤ {max_queries}) {verdict}"
    )


def login(username: str, api: bool = False) -> Any:
    """A test client signed in as a persona (session) or carrying a fresh API token."""
    from django.test import Client

    from zhiben.accounts.models import User
    from zhiben.accounts.services import create_token

    user = User.objects.get(username=username)
    if api:
        _, key = create_token(user, actor=user, name="bench")
        return Client(HTTP_AUTHORIZATION=f"Token {key}")
    client = Client()
    client.force_login(user)
    return client


def run_directly(statements: list[str]) -> float:
    """Milliseconds to run `statements` through a plain cursor, fetching every row: the floor of a page."""
    from django.db import connection

    def run() -> None:
        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
                if cur.description is not None:
                    cur.fetchall()

    ms, _ = timed(run)
    return ms


def reads(captured: list[dict[str, Any]], table: str | None) -> list[str]:
    """The SELECTs of a captured request (those naming `table`, or all of them)."""
    selects = [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]
    return [sql for sql in selects if table is None or table in sql]
