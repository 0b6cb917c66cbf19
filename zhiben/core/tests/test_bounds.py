"""Out-of-range input is a Chinese field error, never a 500 (issue 11, item 6; core/bounds.py).

Walks every filterset, page form and API serializer so a new one is covered too, then the probe's cases.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from typing import Any

import django_filters
import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

import zhiben
from zhiben.core import bounds
from zhiben.core.bounds import (
    INT_MAX,
    TEXT_MAX_LENGTH,
    BoundedForm,
    BoundedModelSerializer,
    BoundedSerializer,
)
from zhiben.core.excel.spec import CellInvalid, parse_cell
from zhiben.core.filtersets import BaseFilterSet

BIG = "99999999999999999999999"
# Every app's forms and serializers are bounded; nothing is pending.
PENDING: set[str] = set()


def _load_all() -> None:
    for info in pkgutil.walk_packages(zhiben.__path__, "zhiben."):
        if (
            ".tests" in info.name
            or info.name.endswith(("conftest", ".migrations"))
            or ".migrations." in info.name
        ):
            continue
        if info.name in {"zhiben.asgi", "zhiben.wsgi", "zhiben.cli"}:
            continue
        importlib.import_module(info.name)


def _subclasses(cls: type) -> list[type]:
    _load_all()
    found, todo = [], [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("zhiben.") and ".tests" not in sub.__module__:
                found.append(sub)
    return found


def _ours(cls: type) -> bool:
    return not any(cls.__module__.startswith(p) for p in PENDING)


def test_every_page_form_and_serializer_is_bounded() -> None:
    unbounded = [
        f"{c.__module__}.{c.__name__}"
        for c in _subclasses(forms.Form) + _subclasses(serializers.Serializer)
        if _ours(c)
        and not issubclass(c, BoundedForm | BoundedSerializer | BoundedModelSerializer)
        and not issubclass(c, serializers.ListSerializer)
        and not c.__module__.startswith("zhiben.core.bounds")
    ]
    assert unbounded == [], "base page forms on BoundedForm and serializers on BoundedSerializer"


def test_every_filterset_bounds_its_numbers(db: Any) -> None:
    checked = 0
    for cls in _subclasses(BaseFilterSet):
        if cls._meta.model is None:
            continue
        for name, f in cls.base_filters.items():
            if isinstance(f, django_filters.NumberFilter):
                for bad in (BIG, "1.5", str(INT_MAX + 1) if f.field_name.endswith("year") else BIG):
                    fs = cls({name: bad}, queryset=cls._meta.model._default_manager.none())
                    assert not fs.is_valid() and name in fs.errors, (cls, name, bad)
                assert cls({name: "1"}, queryset=cls._meta.model._default_manager.none()).is_valid()
                checked += 1
            elif isinstance(f, django_filters.CharFilter):
                fs = cls(
                    {name: "字" * (TEXT_MAX_LENGTH + 1)}, queryset=cls._meta.model._default_manager.none()
                )
                assert not fs.is_valid(), (cls, name)
    assert checked >= 8


def test_every_serializer_field_has_its_bounds() -> None:
    problems = []
    for cls in _subclasses(serializers.Serializer):
        if not issubclass(cls, BoundedSerializer | BoundedModelSerializer):
            continue
        try:
            fields = cls().fields
        except Exception:  # noqa: S112 - a serializer that needs its context: covered by the API tests
            continue
        for name, field in fields.items():
            if field.read_only:
                continue
            if isinstance(field, serializers.IntegerField) and (
                field.max_value is None or field.max_value > 2**63
            ):
                problems.append(f"{cls.__name__}.{name}: no maximum")
            if isinstance(field, serializers.CharField) and field.max_length is None:
                problems.append(f"{cls.__name__}.{name}: no maximum length")
            if isinstance(field, serializers.DateField) and not any(
                isinstance(v, bounds._DateBound) for v in field.validators
            ):
                problems.append(f"{cls.__name__}.{name}: no date range")
    assert problems == []


@pytest.mark.parametrize(
    "endpoint", ["hazards", "cases", "duty-occurrences", "inspections", "persons", "self-checks"]
)
def test_an_id_out_of_range_or_with_a_fraction_is_a_400(world: Any, endpoint: str) -> None:
    api = APIClient()
    api.force_authenticate(world.anweiban)
    for bad in (BIG, "1.5", "-1e30"):
        r = api.get(f"/api/v1/{endpoint}/", {"enterprise": bad})
        assert r.status_code == 400, (bad, r.content)
        assert "enterprise" in r.json()
    assert api.get(f"/api/v1/{endpoint}/", {"enterprise": world.enterprises["qiye1"].pk}).status_code == 200


def test_the_clause_and_draw_filters_refuse_a_huge_id(world: Any) -> None:
    api = APIClient()
    api.force_authenticate(world.anweiban)
    assert api.get("/api/v1/clauses/", {"version": BIG}).status_code == 400
    assert api.get("/api/v1/draws/", {"plan": BIG}).status_code == 400


def test_a_list_page_with_a_huge_id_shows_nothing_instead_of_failing(client: Any, world: Any) -> None:
    client.force_login(world.anweiban)
    response = client.get(reverse("hazards:hazard_list"), {"enterprise": BIG})
    assert response.status_code == 200
    assert response.context["filterset"].errors["enterprise"]


def test_the_enterprise_form_refuses_employees_beyond_the_column(client: Any, world: Any) -> None:
    client.force_login(world.yingtian)
    village = world.regions["营田镇"].children.order_by("code").last()
    response = client.post(
        reverse("registry:enterprise_create"),
        {
            "name": "营田新洲液化气供应站",
            "kind": "company",
            "status": "operating",
            "region": village.pk,
            "primary_industry": world.industries["GAS"].pk,
            "standardisation_grade": "none",
            "employees": "9223372036854775808",
        },
    )
    assert response.status_code == 400
    assert "数值不能大于 2147483647" in str(response.context["form"].errors["employees"])


def test_an_import_refuses_1e23_employees() -> None:
    from zhiben.registry.excel import enterprise_import_spec  # the registry's spec is built per call

    column = next(c for c in enterprise_import_spec().columns if c.key == "employees")
    with pytest.raises(CellInvalid, match="不能大于 2147483647"):
        parse_cell(column, 1e23)
    assert parse_cell(column, 56.0) == 56


def _register(api: APIClient, world: Any, **changes: Any) -> Any:
    from zhiben.standards.models import Clause  # the reference data is loaded by the world fixture

    body = {
        "enterprise": world.enterprises["qiye1"].pk,
        "level": "general",
        "clause": Clause.objects.order_by("pk").first().pk,
        "title": "配电箱未上锁",
        "discovered_on": timezone.localdate().isoformat(),
        **changes,
    }
    return api.post("/api/v1/hazards/", body, format="json")


def test_the_api_refuses_a_fractional_id_huge_text_and_impossible_dates(world: Any) -> None:
    api = APIClient()
    api.force_authenticate(world.qiye1)
    pk = world.enterprises["qiye1"].pk
    assert _register(api, world, enterprise=pk + 0.5).json() == {"enterprise": ["编号应为正整数。"]}
    r = _register(api, world, description="长" * (TEXT_MAX_LENGTH + 1))
    assert r.status_code == 400 and "最多 10000 个字符" in r.json()["description"][0]
    assert "日期不能早于" in _register(api, world, discovered_on="1948-12-31").json()["discovered_on"][0]
    two_years = dt.date(timezone.localdate().year + 2, 1, 1).isoformat()
    assert "日期不能晚于" in _register(api, world, discovered_on=two_years).json()["discovered_on"][0]
    assert _register(api, world).status_code == 201


def test_the_form_takes_a_uscc_with_spaces_as_the_api_does(client: Any, world: Any) -> None:
    from zhiben.core.codes import make_uscc  # test data only
    from zhiben.registry.models import Enterprise

    code = make_uscc("9", "1", "430671", "MA4L0099")
    client.force_login(world.yingtian)
    response = client.post(
        reverse("registry:enterprise_create"),
        {
            "name": "营田新洲液化气供应站",
            "uscc": f"{code[:8]} {code[8:]} ",
            "kind": "company",
            "status": "operating",
            "region": world.regions["营田镇"].children.order_by("code").last().pk,
            "primary_industry": world.industries["GAS"].pk,
            "standardisation_grade": "none",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Enterprise.objects.unrestricted("test").get(name="营田新洲液化气供应站").uscc == code
