"""Enterprise list page and API at scale, against the raw SQL floor: the same page queries run directly.

For each request the page's own SQL is captured. The floor re-runs, through a plain cursor and fetching every
row, exactly the statements that read enterprises (the COUNT and the page SELECTs). The target is
p95(page) ≤ max(3 × p95(floor), p95(floor) + 30 ms) and ≤ 10 queries per page. For context the run also prints the ratio against all
of the request's SQL (session, token, roles, filter choices …) run directly, i.e. what the framework adds on
top of every query the request makes.
"""

from __future__ import annotations

import random
import statistics
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .common import percentile, summary, timed

TARGET_RATIO = 3.0
SLACK_MS = 30.0  # issue 18: p95 ≤ max(3 × floor, floor + 30 ms) — a township's floor is a few ms
MAX_QUERIES = 10


def _login(username: str, api: bool) -> Client:
    from zhiben.accounts.models import User
    from zhiben.accounts.services import create_token

    user = User.objects.get(username=username)
    if api:
        _, key = create_token(user, actor=user, name="bench")
        return Client(HTTP_AUTHORIZATION=f"Token {key}")
    client = Client()
    client.force_login(user)
    return client


def _run_directly(statements: list[str]) -> float:
    def run() -> None:
        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
                if cur.description is not None:
                    cur.fetchall()

    ms, _ = timed(run)
    return ms


def _reads(captured: list[dict[str, Any]], table: str | None) -> list[str]:
    selects = [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]
    return [sql for sql in selects if table is None or table in sql]


def _measure(
    client: Client, url_for_page: Any, pages: int, requests: int
) -> tuple[list[float], list[float], list[float], float]:
    rng = random.Random(7)
    samples, floors, all_sql, query_counts = [], [], [], []
    client.get(url_for_page(1))  # warm caches and connections
    for _ in range(requests):
        page = rng.randint(1, pages)
        with CaptureQueriesContext(connection) as ctx:
            ms, response = timed(lambda page=page: client.get(url_for_page(page)))
        assert response.status_code == 200, (response.status_code, url_for_page(page))
        samples.append(ms)
        query_counts.append(len(ctx.captured_queries))
        floors.append(_run_directly(_reads(ctx.captured_queries, "registry_enterprise")))
        all_sql.append(_run_directly(_reads(ctx.captured_queries, None)))
    return samples, floors, all_sql, statistics.mean(query_counts)


def run(*, requests: int, db: str) -> None:
    from zhiben.registry.models import Enterprise

    total = Enterprise.objects.unrestricted(
        "benchmark bookkeeping"
    ).count()  # benchmark bookkeeping, not a user query
    print(f"## enterprise list ({total:,} enterprises, {db})")
    for username in ("anweiban", "yingtian", "zhujian"):
        for api in (False, True):
            client = _login(username, api)
            if api:
                first = client.get("/api/v1/enterprises/").json()
                pages = max(1, min(200, -(-first["count"] // 50)))

                def url(p: int) -> str:
                    return f"/api/v1/enterprises/?page={p}"
            else:
                pages = 200

                def url(p: int) -> str:
                    return f"/registry/enterprises/?page={p}"

            samples, floors, all_sql, queries = _measure(client, url, pages, requests)
            label = f"{'API ' if api else 'page'} as {username}"
            line = summary(label, samples, floors, queries, TARGET_RATIO, MAX_QUERIES, SLACK_MS)
            all_ratio = percentile(samples, 0.95) / percentile(all_sql, 0.95)
            print(f"{line} | vs all request SQL {all_ratio:5.2f}x")
    print()
