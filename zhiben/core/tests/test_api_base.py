"""The API framework in core/api.py: error mapping, versions and If-Match, scope checks, schema and docs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from zhiben.core.api import (
    ScopedPermission,
    ScopedRegionField,
    etag,
    exception_handler,
    expected_version,
)
from zhiben.core.errors import Conflict, DomainError, NotPermitted
from zhiben.core.scoping import region_in_scope
from zhiben.core.testing import login
from zhiben.registry.api import EnterpriseViewSet, EnterpriseWriteSerializer
from zhiben.registry.models import Enterprise, Region

factory = APIRequestFactory()


def api_request(method: str = "patch", data: Any = None, **headers: str) -> Request:
    django_request = getattr(factory, method)("/api/v1/x/", data, format="json", headers=headers)
    return Request(django_request, parsers=[JSONParser()])


def test_it_maps_a_domain_error_with_a_field_to_a_field_error() -> None:
    response = exception_handler(DomainError("名称重复。", field="name"), {})

    assert response is not None
    assert (response.status_code, response.data) == (400, {"name": ["名称重复。"]})


def test_it_maps_conflict_to_409_and_not_permitted_to_403() -> None:
    conflict = exception_handler(Conflict(), {})
    refused = exception_handler(NotPermitted(), {})

    assert (conflict.status_code, conflict.data) == (409, {"detail": "该记录已被他人修改，请刷新后重试。"})
    assert (refused.status_code, refused.data) == (403, {"detail": "您无权执行此操作。"})


def test_it_maps_django_validation_errors_to_400() -> None:
    by_field = exception_handler(DjangoValidationError({"uscc": ["统一社会信用代码应为18位。"]}), {})
    plain = exception_handler(DjangoValidationError("数据有误。"), {})

    assert (by_field.status_code, by_field.data) == (400, {"uscc": ["统一社会信用代码应为18位。"]})
    assert (plain.status_code, plain.data) == (400, {"detail": ["数据有误。"]})


def test_it_answers_404_in_chinese() -> None:
    response = exception_handler(Http404(), {})

    assert (response.status_code, response.data) == (404, {"detail": "未找到。"})


@pytest.mark.parametrize(
    ("data", "headers", "version"),
    [
        ({"version": 3}, {}, 3),
        ({"version": "4"}, {}, 4),
        ({}, {"If-Match": '"5"'}, 5),
        ({}, {"If-Match": 'W/"6"'}, 6),
        ({}, {"If-Match": "7"}, 7),
        ({"version": 2}, {"If-Match": '"9"'}, 2),  # the body wins: it is what the form carried
    ],
)
def test_it_reads_the_version_from_the_body_or_if_match(data: Any, headers: Any, version: int) -> None:
    assert expected_version(api_request(data=data, **headers)) == version


@pytest.mark.parametrize(
    ("data", "headers"),
    [
        ({}, {}),
        ({"version": "abc"}, {}),
        ({"version": 0}, {}),
        ({"version": True}, {}),
        ({}, {"If-Match": "*"}),
    ],
)
def test_it_refuses_a_missing_or_malformed_version_on_the_version_field(data: Any, headers: Any) -> None:
    with pytest.raises(exceptions.ValidationError) as caught:
        expected_version(api_request(data=data, **headers))

    assert list(caught.value.detail) == ["version"]
    assert re.search("[\u4e00-\u9fff]", str(caught.value.detail["version"][0]))


def test_it_tags_a_record_with_its_version(world: Any) -> None:
    assert etag(world.enterprises["qiye1"]) == '"1"'


def test_it_checks_the_action_for_the_viewset_action(world: Any) -> None:
    view = EnterpriseViewSet()
    permission = ScopedPermission()

    def allowed(user: Any, action: str) -> bool:
        view.action = action
        request = api_request("get")
        request.user = user
        return permission.has_permission(request, view)

    assert allowed(world.yingtian, "create")
    assert not allowed(world.zhujian, "create")  # departments supervise, they do not register
    assert allowed(world.zhujian, "partial_update")
    assert not allowed(world.lingdao, "partial_update")
    assert allowed(world.lingdao, "list")
    assert not allowed(world.shenji, "list")


def test_it_refuses_anonymous_in_the_permission(world: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    view = EnterpriseViewSet()
    view.action = "list"
    request = api_request("get")
    request.user = AnonymousUser()

    assert not ScopedPermission().has_permission(request, view)


def test_it_knows_which_regions_a_user_may_create_into(world: Any) -> None:
    yingtian_village = world.regions["营田镇"].children.first().code
    heshi_village = world.regions["河市镇"].children.first().code

    assert region_in_scope(world.yingtian, "add", Enterprise, yingtian_village)
    assert not region_in_scope(world.yingtian, "add", Enterprise, heshi_village)
    assert region_in_scope(world.anweiban, "add", Enterprise, heshi_village)
    assert not region_in_scope(world.zhujian, "add", Enterprise, heshi_village)  # no add permission
    assert region_in_scope(world.zhujian, "change", Enterprise, heshi_village)  # industries, not territory


def test_it_reports_an_out_of_scope_region_by_name_and_code(world: Any) -> None:
    request = api_request("post")
    request.user = world.yingtian
    field = ScopedRegionField(scoped_model=Enterprise, queryset=Region.objects.all())
    serializer = EnterpriseWriteSerializer(context={"request": request})
    field.bind("region", serializer)
    heshi = world.regions["河市镇"]

    with pytest.raises(exceptions.ValidationError) as out_of_scope:
        field.run_validation(heshi.code)
    with pytest.raises(exceptions.ValidationError) as unknown:
        field.run_validation("430671777")

    assert out_of_scope.value.detail == ["行政区划 河市镇（430671101）不在您的管辖范围内。"]
    assert unknown.value.detail == ["行政区划代码 430671777 不存在。"]
    assert field.run_validation(world.regions["营田镇"].code) == world.regions["营田镇"]


def test_it_answers_anonymous_api_calls_with_401_and_the_token_scheme(client: Any, world: Any) -> None:
    response = client.get(reverse("enterprise-list"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "身份认证信息未提供。"}


@pytest.mark.django_db
def test_it_documents_the_token_scheme_and_error_responses(client: Any) -> None:
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()

    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    patch = schema["paths"]["/api/v1/enterprises/{id}/"]["patch"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(patch["responses"])
    assert "put" not in schema["paths"]["/api/v1/enterprises/{id}/"]
    create = schema["paths"]["/api/v1/enterprises/"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "EnterpriseWriteRequest"
    )


@pytest.mark.django_db
def test_it_serves_api_docs_from_local_files_only(client: Any, world: Any) -> None:
    login(client, world.anweiban)

    html = client.get(reverse("api-docs")).content.decode()

    assert "swagger-ui" in html
    assert not re.findall(r"https?://", html), "API 文档页不得引用外部（CDN）资源"
    assert "/static/drf_spectacular_sidecar/" in html
