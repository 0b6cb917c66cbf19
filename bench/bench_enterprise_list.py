"""Enterprise list page and API at scale, against the raw SQL floor: the same page queries run directly.

For each request the page's own SQL is captured; the floor re-runs exactly the statements that read
enterprises (the COUNT and the page SELECT) through a plain cursor and fetches every row. The ratio is
p95(page) / p95(floor); the targets are ratio ≤ 3 and ≤ 10 queries per page.
"""

from __future__ import annotations

import random
import statistics
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .common import summary, timed

TARGET_RATIO = 3.0
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


def _floor(captured: list[dict[str, Any]]) -> float:
    """Run the statements that read the enterprise table, as the view issued them, and fetch all rows."""
    statements = [
        q["sql"]
        for q in captured
        if "registry_enterprise" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
    ]

    def run() -> None:
        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
                cur.fetchall()

    ms, _ = timed(run)
    return ms


def _measure(
    client: Client, url_for_page: Any, pages: int, requests: int
) -> tuple[list[float], list[float], float]:
    rng = random.Random(7)
    samples, floors, query_counts = [], [], []
    client.get(url_for_page(1))  # warm caches and connections
    for _ in range(requests):
        page = rng.randint(1, pages)
        with CaptureQueriesContext(connection) as ctx:
            ms, response = timed(lambda page=page: client.get(url_for_page(page)))
        assert response.status_code == 200, (response.status_code, url_for_page(page))
        samples.append(ms)
        query_counts.append(len(ctx.captured_queries))
        floors.append(_floor(ctx.captured_queries))
    return samples, floors, statistics.mean(query_counts)


def run(*, requests: int, db: str) -> None:
    from zhiben.registry.models import Enterprise

    total = Enterprise.objects.unrestricted().count()  # benchmark bookkeeping, not a user query
    print(f"## enterprise list ({total:,} enterprises, {db})")
    for username in ("anweiban", "yingtian", "zhujian"):
        for api in (False, True):
            client = _login(username, api)
            if api:
                first = client.get("/api/v1/enterprises/").json()
                pages = max(1, min(200, -(-first["count"] // 50)))
                url = lambda p: f"/api/v1/enterprises/?page={p}"  # noqa: E731
            else:
                pages = 200
                url = lambda p: f"/registry/enterprises/?page={p}"  # noqa: E731
            samples, floors, queries = _measure(client, url, pages, requests)
            label = f"{'API ' if api else 'page'} as {username}"
            print(summary(label, samples, floors, queries, TARGET_RATIO, MAX_QUERIES))
    print()
