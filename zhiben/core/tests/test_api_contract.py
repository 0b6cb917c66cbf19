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
# Seeded examples per operation and persona: an operation on a collection gets EXAMPLES; one on a record gets
# a few with random ids (mostly 404) and more with the id of a row the persona sees.
EXAMPLES = 5
EXAMPLES_RANDOM_ID = 2
EXAMPLES_WITH_ROW = 4
PERSONAS = ("anweiban", "qiye2")  # 区安委办 (the district) and qiye2's manager (one unit)


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


def a_visible_row(client: Client, headers: dict[str, str], listing: str) -> Any:
    """The id of the first row the persona sees on `listing` (a collection's path), or None."""
    response = client.get(listing, headers=headers)
    if response.status_code != 200:
        return None
    body = response.json()
    rows = body.get("results", []) if isinstance(body, dict) else body
    return rows[0]["id"] if rows and isinstance(rows[0], dict) and "id" in rows[0] else None


def exercise(operation: Any, headers: dict[str, str], row: Any) -> list[str]:
    """Run the operation's examples; return its first failure (with how to reproduce it), if any."""
    failures: list[str] = []

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

    if "{id}" not in operation.path:
        run(operation.as_strategy(), EXAMPLES)
        return failures
    run(operation.as_strategy(), EXAMPLES_RANDOM_ID)
    if row is not None:
        run(operation.as_strategy(path_parameters={"id": row}), EXAMPLES_WITH_ROW)
    return failures


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_step_actions_document_their_body_and_errors(document: dict[str, Any]) -> None:
    confirm = document["paths"]["/api/v1/hazards/{id}/confirm/"]["post"]

    body = confirm["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/HazardConfirmRequest")
    assert set(confirm["responses"]) == {"200", "400", "401", "403", "404", "409"}


def test_sub_resources_are_plain_arrays_without_the_list_filters(document: dict[str, Any]) -> None:
    for path in ("/api/v1/hazards/{id}/history/", "/api/v1/cases/{id}/documents/"):
        history = document["paths"][path]["get"]

        assert history["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
        assert [p["name"] for p in history["parameters"]] == ["id"]
        assert set(history["responses"]) == {"200", "401", "403", "404"}


def test_lists_document_pages_from_one_and_a_404_past_the_end(document: dict[str, Any]) -> None:
    regions = document["paths"]["/api/v1/regions/"]["get"]

    page = next(p for p in regions["parameters"] if p["name"] == "page")
    assert page["schema"]["minimum"] == 1
    assert {"400", "401", "403", "404"} <= set(regions["responses"])


def test_fields_read_from_nullable_columns_are_nullable(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]

    for component, field in [
        ("Region", "parent"),
        ("Industry", "parent"),
        ("Checklist", "industry"),
        ("Checklist", "department"),
        ("Case", "discretion_rule"),
        ("Draw", "redraw_of"),
        ("Operation", "industry"),
        ("Inspection", "host_department"),
        ("Inspector", "user"),
    ]:
        assert schemas[component]["properties"][field].get("nullable") is True, (component, field)
    assert "nullable" not in schemas["Region"]["properties"]["code"]


def test_the_token_endpoint_documents_field_errors(document: dict[str, Any]) -> None:
    refused = document["paths"]["/api/v1/auth/token/"]["post"]["responses"]["400"]

    assert refused["content"]["application/json"]["schema"] == {"type": "object", "additionalProperties": {}}


def test_every_operation_answers_as_documented(crawl_world: Any) -> None:  # noqa: F811
    schema = load_schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    client = Client()
    problems: list[str] = []
    for persona in PERSONAS:
        headers = token_header(obtain_token(client, persona))
        # Django's test client reconnects close_old_connections after each request: ask it first.
        listings = {o.path.split("{id}")[0] for o in operations if "{id}" in o.path}
        rows = {listing: a_visible_row(client, headers, listing) for listing in listings}
        assert rows["/api/v1/hazards/"] is not None  # the steps run on a real hazard, not only on 404s
        with same_connection():
            for operation in operations:
                problems += [
                    f"[{persona}] {p}"
                    for p in exercise(operation, headers, rows.get(operation.path.split("{id}")[0]))
                ]

    assert len(operations) > 100
    assert not problems, f"{len(problems)} 处接口与 OpenAPI 文档不符：\n\n" + "\n\n".join(problems)
