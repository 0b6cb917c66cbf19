"""The API contract: schemathesis sends generated requests to every operation of /api/schema/ and checks the
answers against it — no 5xx, only documented status codes, bodies and content types as documented.

It runs in-process against the Django WSGI app on the crawl's world (hazards, inspections, cases, 打非治违),
as two personas that hold API tokens: 区安委办 (sees the district) and qiye2's manager (sees one unit). Each
operation gets a few seeded examples with random ids and a few with the id of a row the persona can see, so
detail pages and step actions answer 200/400/409 and not only 404. Every example runs in a savepoint that
is rolled back, so a DELETE or a step does not change what the next example finds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from zhiben.core.testing import obtain_token, token_header
from zhiben.core.tests.test_crawl import crawl_world  # noqa: F401 - the seeded world fixture

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 4  # per operation and persona: random ids …
EXAMPLES_WITH_ROW = 4  # … and the id of a row the persona sees
PERSONAS = ("anweiban", "qiye2")


@contextmanager
def same_connection() -> Iterator[None]:
    """Keep the test's database connection across WSGI requests (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def load_schema() -> Any:
    document = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(document)
    schema.app = get_wsgi_application()
    return schema


def a_visible_row(client: Client, headers: dict[str, str], path: str) -> Any:
    """The id of the first row the persona sees on the list that `path` ({id} …) belongs to, or None."""
    listing = path.split("{id}")[0]
    response = client.get(listing, headers=headers)
    if response.status_code != 200:
        return None
    body = response.json()
    rows = body.get("results", []) if isinstance(body, dict) else body
    return rows[0]["id"] if rows and isinstance(rows[0], dict) and "id" in rows[0] else None


def exercise(operation: Any, headers: dict[str, str], row: Any) -> list[str]:
    """Run the operation's examples; return the first failure (with how to reproduce it), if any."""
    failures: list[str] = []
    strategies = [operation.as_strategy()]
    if row is not None:
        strategies.append(operation.as_strategy(path_parameters={"id": row}))

    def run(strategy: Any, count: int) -> None:
        @settings(
            max_examples=count,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def example(case: Any) -> None:
            if failures:
                return
            try:
                with transaction.atomic():
                    case.call_and_validate(headers=headers, checks=CHECKS)
                    transaction.set_rollback(True)
            except (FailureGroup, Exception) as exc:
                failures.append(f"{operation.label}: {exc}")

        example()

    run(strategies[0], EXAMPLES)
    if row is not None:
        run(strategies[1], EXAMPLES_WITH_ROW)
    return failures


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_operation_answers_as_documented(crawl_world: Any, persona: str) -> None:  # noqa: F811
    client = Client()
    headers = token_header(obtain_token(client, persona))
    schema = load_schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    problems: list[str] = []
    with same_connection():
        for operation in operations:
            row = a_visible_row(client, headers, operation.path) if "{id}" in operation.path else None
            problems += exercise(operation, headers, row)

    assert len(operations) > 50
    assert not problems, f"{len(problems)} 个接口与 OpenAPI 文档不符：\n\n" + "\n\n".join(problems)
