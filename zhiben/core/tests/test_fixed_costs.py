"""What every request no longer rebuilds: the navigation's URLs (core.navigation.fixed_url) and the OpenAPI
document (core.schema_view.CachedSchemaView)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from zhiben.core import navigation
from zhiben.core.schema_view import CachedSchemaView


def test_fixed_urls_are_the_reversed_urls_and_are_kept() -> None:
    names = [i.url_name for m in navigation.MODULES for i in m.items if i.url_name]
    assert len(names) > 50
    navigation._URLS.clear()
    assert [navigation.fixed_url(n) for n in names] == [reverse(n) for n in names]
    assert len(navigation._URLS) == len(set(names))
    assert navigation.fixed_url("core:planned", "campaign") == reverse("core:planned", args=["campaign"])


def test_the_schema_is_generated_once_per_process_and_answers_the_same(monkeypatch: Any) -> None:
    calls = []
    real = SchemaGenerator.get_schema

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    monkeypatch.setattr(CachedSchemaView, "_documents", {})
    client = Client()
    first = client.get(reverse("api-schema"))
    second = client.get(reverse("api-schema"))
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and b"/api/v1/hazards/" in first.content
    assert len(calls) == 1
