"""The registry API as the personas use it: scoped reads, writes through services, version conflicts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhiben.core.codes import make_uscc
from zhiben.core.models import AuditEntry
from zhiben.core.testing import (
    AccessMatrix,
    ApiCase,
    ViewCase,
    assert_audited,
    login,
    obtain_token,
    token_header,
)
from zhiben.registry import events
from zhiben.registry.api import EnterpriseWriteSerializer
from zhiben.registry.models import Enterprise, Person
from zhiben.registry.services import create_enterprise, create_person

ADMINS = ["xitong", "anquan", "shenji"]
DEPARTMENTS = ["yingji", "zhujian", "jiaotong", "xiaofang", "shichang"]
TOWNSHIPS = ["tianwen", "yingtian", "heshi", "fenghuang"]
ENTERPRISES = ["qiye1", "qiye2", "qiye3"]
TOWNSHIP_NAMES = {"tianwen": "天问街道", "yingtian": "营田镇", "heshi": "河市镇", "fenghuang": "凤凰乡"}


def qiye2_pk(world: Any) -> dict[str, int]:
    return {"pk": world.enterprises["qiye2"].pk}


def village_of(world: Any, township: str) -> Any:
    return world.regions[township].children.order_by("code").first()


def new_enterprise_data(world: Any, persona: str) -> dict[str, Any]:
    """A valid enterprise in the persona's own township (营田镇 for district-wide personas)."""
    n = sorted(world.users).index(persona) if persona in world.users else 99
    township = TOWNSHIP_NAMES.get(persona, "营田镇")
    return {
        "uscc": make_uscc("9", "1", "430671", f"MA5N{n:04d}"),
        "name": f"测试新建单位{n}",
        "region": village_of(world, township).code,
        "primary_industry": "FIRE-SMALL",
        "industries": ["FIRE-SMALL", "GAS"],
        "employees": 12,
        "principal_name": "王五",
        "principal_phone": "13712345678",
    }


def qiye2_patch(world: Any, persona: str) -> dict[str, Any]:
    current = Enterprise.objects.get(pk=world.enterprises["qiye2"].pk)
    return {"employees": (current.employees or 0) + 1, "version": current.version}


class TestEnterpriseListAccess(AccessMatrix):
    cases = [
        ApiCase(
            "enterprise-list",
            allowed=["anweiban", "lingdao", "jubao", *DEPARTMENTS, *TOWNSHIPS, *ENTERPRISES],
            forbidden=["zhuanjia", *ADMINS],
        )
    ]


class TestEnterpriseDetailAccess(AccessMatrix):
    # qiye2 is a 河市镇 hazardous-chemicals producer: 应急 leads, 交通 and 市场监管 co-supervise (三管三必须).
    cases = [
        ApiCase(
            "enterprise-detail",
            kwargs=qiye2_pk,
            allowed=["anweiban", "lingdao", "jubao", "yingji", "jiaotong", "shichang", "heshi", "qiye2"],
            forbidden=["zhuanjia", *ADMINS],
            hidden=["zhujian", "xiaofang", "tianwen", "yingtian", "fenghuang", "qiye1", "qiye3"],
        )
    ]


class TestEnterpriseCreateAccess(AccessMatrix):
    cases = [
        ApiCase(
            "enterprise-list",
            method="post",
            data=new_enterprise_data,
            ok=201,
            allowed=["anweiban", *TOWNSHIPS],
            forbidden=["lingdao", "jubao", "zhuanjia", *ADMINS, *DEPARTMENTS, *ENTERPRISES],
            snapshot=lambda world: Enterprise.objects.count(),
        )
    ]


class TestEnterpriseUpdateAccess(AccessMatrix):
    cases = [
        ApiCase(
            "enterprise-detail",
            kwargs=qiye2_pk,
            method="patch",
            data=qiye2_patch,
            allowed=["anweiban", "yingji", "jiaotong", "shichang", "heshi", "qiye2"],
            forbidden=["lingdao", "jubao", "zhuanjia", *ADMINS],
            hidden=["zhujian", "xiaofang", "tianwen", "yingtian", "fenghuang", "qiye1", "qiye3"],
            snapshot=lambda world: Enterprise.objects.get(pk=world.enterprises["qiye2"].pk).version,
        )
    ]


class TestReferenceAccess(AccessMatrix):
    everyone_but_admins = ["anweiban", "lingdao", "jubao", *DEPARTMENTS, *TOWNSHIPS]
    cases = [
        ApiCase(
            "region-list",
            allowed=[*everyone_but_admins, "zhuanjia"],
            forbidden=[*ADMINS, *ENTERPRISES],
        ),
        ApiCase(
            "industry-list",
            allowed=[*everyone_but_admins, "zhuanjia"],
            forbidden=[*ADMINS, *ENTERPRISES],
        ),
        ApiCase(
            "department-list",
            allowed=everyone_but_admins,
            forbidden=["zhuanjia", *ADMINS, *ENTERPRISES],
        ),
        ApiCase(
            "responsibility-list",
            allowed=everyone_but_admins,
            forbidden=["zhuanjia", *ADMINS, *ENTERPRISES],
        ),
    ]


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


def slots(world: Any, *names: str) -> set[int]:
    return {world.enterprises[n].pk for n in names}


def test_it_shows_yingtian_only_its_township_through_a_token(client: Any, world: Any) -> None:
    token = obtain_token(client, "yingtian")
    url = reverse("enterprise-list")

    listed = ids(client.get(url, headers=token_header(token)))
    detail = client.get(
        reverse("enterprise-detail", kwargs={"pk": world.enterprises["hs_road"].pk}),
        headers=token_header(token),
    )

    营田镇 = Enterprise.objects.filter(region__code__startswith="430671100").values_list("pk", flat=True)
    assert listed == set(营田镇) == slots(world, "qiye1", "yt_gas", "yt_shop")
    assert detail.status_code == 404
    assert detail.json() == {"detail": "未找到。"}


def test_it_shows_qiye1_exactly_its_own_enterprise(client: Any, world: Any) -> None:
    token = obtain_token(client, "qiye1")

    listed = ids(client.get(reverse("enterprise-list"), headers=token_header(token)))
    other = client.get(
        reverse("enterprise-detail", kwargs={"pk": world.enterprises["qiye2"].pk}),
        headers=token_header(token),
    )

    assert listed == slots(world, "qiye1")
    assert other.status_code == 404


def test_it_answers_401_without_credentials_and_for_a_bad_token(client: Any, world: Any) -> None:
    anonymous = client.get(reverse("enterprise-list"))
    forged = client.get(reverse("enterprise-list"), headers=token_header("0" * 40))

    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    assert forged.status_code == 401
    assert forged.json() == {"detail": "令牌无效或已过期。"}


def test_it_keeps_id_uscc_name_and_region_code_in_every_item(client: Any, world: Any) -> None:
    login(client, world.anweiban)

    rows = client.get(reverse("enterprise-list")).json()["results"]

    assert len(rows) == len(world.enterprises)
    for row in rows:
        e = Enterprise.objects.get(pk=row["id"])
        assert (row["uscc"], row["name"], row["region"]) == (e.uscc, e.name, e.region.code)
        assert row["principal_phone"] == "138****0001"
        assert row["controller_phone"] == "139****0002"


def test_it_filters_by_region_industry_and_text(client: Any, world: Any) -> None:
    login(client, world.anweiban)
    url = reverse("enterprise-list")

    by_region = ids(client.get(url, {"region": "430671101"}))
    by_industry = ids(client.get(url, {"industry": "INDTRADE"}))  # parent of qiye1's INDTRADE-MACHINE
    by_text = ids(client.get(url, {"q": "燃气"}))
    unknown = ids(client.get(url, {"region": "999999"}))

    assert by_region == slots(world, "qiye2", "hs_road")
    assert by_industry == slots(world, "qiye1")
    assert by_text == slots(world, "yt_gas")
    assert unknown == set()


def test_it_filters_inside_the_scope_only(client: Any, world: Any) -> None:
    login(client, world.yingtian)

    listed = ids(client.get(reverse("enterprise-list"), {"region": "430671101"}))

    assert listed == set()


def test_it_creates_an_enterprise_through_the_service(client: Any, world: Any) -> None:
    login(client, world.yingtian)
    data = new_enterprise_data(world, "yingtian")

    response = client.post(reverse("enterprise-list"), data, content_type="application/json")

    assert response.status_code == 201, response.content
    created = Enterprise.objects.get(pk=response.json()["id"])
    assert created.name == data["name"]
    assert created.uscc == data["uscc"]
    assert created.region == village_of(world, "营田镇")
    assert created.primary_industry.code == "FIRE-SMALL"
    assert {i.code for i in created.industries.all()} == {"FIRE-SMALL", "GAS"}
    assert created.principal_phone == "13712345678"
    assert response.json()["principal_phone"] == "137****5678"
    assert response["ETag"] == '"1"'
    entry = assert_audited(events.ENTERPRISE_CREATED, created, actor=world.yingtian)
    assert entry.data["principal_phone"] == "[已脱敏]"


def test_it_refuses_to_create_into_another_township(client: Any, world: Any) -> None:
    login(client, world.yingtian)
    data = {**new_enterprise_data(world, "yingtian"), "region": village_of(world, "河市镇").code}
    before = Enterprise.objects.count()

    response = client.post(reverse("enterprise-list"), data, content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()) == ["region"]
    assert "不在您的管辖范围内" in response.json()["region"][0]
    assert Enterprise.objects.count() == before


def test_it_rejects_bad_input_field_by_field(client: Any, world: Any) -> None:
    login(client, world.anweiban)
    data = {
        **new_enterprise_data(world, "anweiban"),
        "uscc": "91430671MA4L00010X",
        "kind": "castle",
        "region": "430671999999",
        "industries": ["NO-SUCH"],
        "latitude": "200",
        "employees": -3,
        "principal_phone": "电话<script>",
        "name": "",
    }
    before = Enterprise.objects.count()

    response = client.post(reverse("enterprise-list"), data, content_type="application/json")

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {
        "uscc",
        "kind",
        "region",
        "industries",
        "latitude",
        "employees",
        "principal_phone",
        "name",
    }
    assert "430671999999" in errors["region"][0]
    assert all(isinstance(m, str) and m for messages in errors.values() for m in messages)
    assert Enterprise.objects.count() == before


def test_it_rejects_a_duplicate_uscc_on_the_field(client: Any, world: Any) -> None:
    login(client, world.anweiban)
    data = {**new_enterprise_data(world, "anweiban"), "uscc": world.enterprises["qiye1"].uscc}

    response = client.post(reverse("enterprise-list"), data, content_type="application/json")

    assert response.status_code == 400
    assert "已登记" in response.json()["uscc"][0]


def test_it_requires_an_industry_to_create(client: Any, world: Any) -> None:
    login(client, world.anweiban)
    data = new_enterprise_data(world, "anweiban")
    del data["primary_industry"], data["industries"]

    response = client.post(reverse("enterprise-list"), data, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"primary_industry": ["请选择主行业或行业领域。"]}


def patch(client: Any, enterprise: Any, data: dict[str, Any], **headers: str) -> Any:
    return client.patch(
        reverse("enterprise-detail", kwargs={"pk": enterprise.pk}),
        data,
        content_type="application/json",
        headers=headers,
    )


def test_it_updates_with_the_version_and_bumps_it(client: Any, world: Any) -> None:
    login(client, world.heshi)
    road = world.enterprises["hs_road"]

    response = patch(
        client, road, {"employees": 40, "industries": ["ROAD", "WAREHOUSE"], "version": road.version}
    )

    assert response.status_code == 200, response.content
    road.refresh_from_db()
    assert road.employees == 40
    assert road.version == 2
    assert {i.code for i in road.industries.all()} == {"ROAD", "WAREHOUSE"}
    assert response.json()["version"] == 2
    assert set(response.json()["industries"]) == {"ROAD", "WAREHOUSE"}
    assert response["ETag"] == '"2"'
    entry = assert_audited(events.ENTERPRISE_UPDATED, road, actor=world.heshi, employees=40)
    assert sorted(entry.data["industries"]) == sorted(i.pk for i in road.industries.all())


def test_it_answers_409_to_a_stale_version_and_keeps_the_first_edit(client: Any, world: Any) -> None:
    login(client, world.heshi)
    road = world.enterprises["hs_road"]
    read_version = road.version

    first = patch(client, road, {"employees": 41, "version": read_version})
    second = patch(client, road, {"employees": 99, "version": read_version})

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json() == {"detail": "该记录已被他人修改，请刷新后重试。"}
    road.refresh_from_db()
    assert (road.employees, road.version) == (41, read_version + 1)


def test_it_takes_the_version_from_if_match(client: Any, world: Any) -> None:
    login(client, world.heshi)
    road = world.enterprises["hs_road"]
    etag = client.get(reverse("enterprise-detail", kwargs={"pk": road.pk}))["ETag"]

    fresh = patch(client, road, {"address": "河市镇新址"}, **{"If-Match": etag})
    stale = patch(client, road, {"address": "覆盖"}, **{"If-Match": etag})

    assert etag == '"1"'
    assert fresh.status_code == 200
    assert stale.status_code == 409
    road.refresh_from_db()
    assert road.address == "河市镇新址"


def test_it_requires_a_version_to_edit(client: Any, world: Any) -> None:
    login(client, world.heshi)
    road = world.enterprises["hs_road"]

    missing = patch(client, road, {"employees": 5})
    garbled = patch(client, road, {"employees": 5}, **{"If-Match": "soon"})

    assert missing.status_code == 400
    assert "version" in missing.json()
    assert garbled.status_code == 400
    assert "version" in garbled.json()
    road.refresh_from_db()
    assert road.version == 1


def test_it_refuses_put_and_delete(client: Any, world: Any) -> None:
    login(client, world.anweiban)
    url = reverse("enterprise-detail", kwargs={"pk": world.enterprises["qiye1"].pk})

    assert client.put(url, {}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405
    assert Enterprise.objects.filter(pk=world.enterprises["qiye1"].pk).exists()


def test_it_keeps_an_enterprise_account_from_moving_or_closing_itself(client: Any, world: Any) -> None:
    login(client, world.qiye1)
    own = world.enterprises["qiye1"]

    refused = patch(
        client, own, {"status": "closed", "region": village_of(world, "营田镇").code, "version": own.version}
    )
    allowed = patch(client, own, {"employees": 80, "version": own.version})

    assert refused.status_code == 400
    assert set(refused.json()) == {"status", "region"}
    assert allowed.status_code == 200
    own.refresh_from_db()
    assert (own.status, own.employees) == ("operating", 80)


def test_it_rolls_back_an_edit_that_would_leave_the_editors_scope(client: Any, world: Any) -> None:
    # 住建局 supervises gas (三管三必须); re-filing the gas shop under road transport would hide it from them.
    login(client, world.zhujian)
    gas = world.enterprises["yt_gas"]

    response = patch(
        client, gas, {"primary_industry": "ROAD", "industries": ["ROAD"], "version": gas.version}
    )

    assert response.status_code == 400
    assert "超出您的管辖范围" in response.json()["detail"]
    gas.refresh_from_db()
    assert (gas.primary_industry.code, gas.version) == ("GAS", 1)
    assert {i.code for i in gas.industries.all()} == {"GAS"}
    assert not AuditEntry.objects.filter(event=events.ENTERPRISE_UPDATED, object_id=str(gas.pk)).exists()


@pytest.mark.parametrize("page_size", [2, 40])
def test_it_lists_enterprises_in_a_constant_number_of_queries(
    client: Any, world: Any, page_size: int, django_assert_max_num_queries: Any
) -> None:
    for n in range(40):
        create_enterprise(
            actor=None,
            name=f"批量单位{n}",
            region=village_of(world, "营田镇"),
            primary_industry=world.industries["GAS"],
            industries=[world.industries["GAS"], world.industries["FIRE-SMALL"]],
            principal_phone="13800000000",
        )
    login(client, world.zhujian)  # a department: its grant needs the responsibility matrix too
    url = reverse("enterprise-list")

    with django_assert_max_num_queries(10):
        response = client.get(url, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"page_size": 1})
    with CaptureQueriesContext(connection) as large:
        client.get(url, {"page_size": 41})
    assert len(small.captured_queries) == len(large.captured_queries)


def test_it_shows_persons_in_scope_with_masked_phones(client: Any, world: Any) -> None:
    person = create_person(
        actor=None,
        enterprise=world.enterprises["qiye2"],
        name="赵安全",
        role="safety_manager",
        phone="13512345678",
        id_number="430671199001011234",
    )
    detail = reverse("person-detail", kwargs={"pk": person.pk})

    login(client, world.heshi)
    seen = client.get(detail)
    listed = client.get(reverse("person-list"), {"enterprise": world.enterprises["qiye2"].pk})
    login(client, world.yingtian)
    hidden = client.get(detail)
    hidden_list = client.get(reverse("person-list"), {"enterprise": world.enterprises["qiye2"].pk})
    login(client, world.shenji)
    forbidden = client.get(detail)

    assert seen.status_code == 200
    assert seen.json() == {
        "id": person.pk,
        "enterprise": world.enterprises["qiye2"].pk,
        "enterprise_name": "岳阳河市化工有限公司",
        "name": "赵安全",
        "role": "safety_manager",
        "title": "",
        "phone": "135****5678",
    }
    assert [r["id"] for r in listed.json()["results"]] == [person.pk]
    assert hidden.status_code == 404
    assert hidden_list.json()["results"] == []
    assert forbidden.status_code == 403
    assert Person.objects.get(pk=person.pk).phone == "13512345678"


def test_it_lists_the_responsibility_matrix_by_codes(client: Any, world: Any) -> None:
    login(client, world.zhujian)

    rows = client.get(reverse("responsibility-list"), {"page_size": 100}).json()["results"]

    by_industry = {r["industry"]: r for r in rows}
    assert by_industry["CONSTRUCTION"]["lead"] == "housing"
    assert set(by_industry["GAS"]["co_departments"]) >= {"fire", "market"}


def test_it_filters_regions_by_level_and_parent(client: Any, world: Any) -> None:
    login(client, world.zhuanjia)

    towns = client.get(reverse("region-list"), {"level": 4}).json()["results"]
    villages = client.get(reverse("region-list"), {"parent": "430671100", "page_size": 500}).json()["results"]
    bad = client.get(reverse("region-list"), {"level": "x"})

    assert {r["name"] for r in towns} == {"天问街道", "营田镇", "河市镇", "凤凰乡"}
    assert villages and all(r["parent"] == "430671100" for r in villages)
    assert bad.status_code == 400
    assert "level" in bad.json()


class TestPageAndApiAgree(AccessMatrix):
    # Scope lives in restrict(): the enterprise page and the API answer every persona alike.
    detail = {
        "kwargs": qiye2_pk,
        "allowed": ["anweiban", "lingdao", "jubao", "yingji", "jiaotong", "shichang", "heshi", "qiye2"],
        "forbidden": ["zhuanjia", *ADMINS],
        "hidden": ["zhujian", "xiaofang", "tianwen", "yingtian", "fenghuang", "qiye1", "qiye3"],
    }
    cases = [ViewCase("registry:enterprise_detail", **detail), ApiCase("enterprise-detail", **detail)]


WRITE_FIELDS = sorted(EnterpriseWriteSerializer.Meta.fields)
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=300),
    st.lists(st.text(max_size=20), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["430671100101", "GAS", "company", "operating", "\x00", "9" * 18, "1e400"]),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.dictionaries(st.sampled_from(WRITE_FIELDS), junk, max_size=8),
    method=st.sampled_from(["post", "patch"]),
    current_version=st.booleans(),
)
def test_it_never_answers_5xx_to_junk_input(
    client: Any, world: Any, body: dict[str, Any], method: str, current_version: bool
) -> None:
    login(client, world.yingtian)
    own = Enterprise.objects.get(pk=world.enterprises["yt_shop"].pk)
    if method == "patch" and current_version:
        body = {**body, "version": own.version}  # get past the version check to the field validation
    url = (
        reverse("enterprise-list")
        if method == "post"
        else reverse("enterprise-detail", kwargs={"pk": own.pk})
    )
    before = Enterprise.objects.count()

    response = getattr(client, method)(url, body, content_type="application/json")

    assert response.status_code in (200, 201, 400, 409), (response.status_code, response.content[:300])
    if response.status_code == 400:
        assert isinstance(response.json(), dict) and response.json()
        assert Enterprise.objects.count() == before


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("enterprise-list", {"q": "\x00"}),
        ("enterprise-list", {"region": "4306\x00"}),
        ("enterprise-list", {"industry": "GAS\x00"}),
        ("enterprise-list", {"kind": "castle"}),
        ("person-list", {"enterprise": "x"}),
        ("region-list", {"parent": "\x00"}),
        ("industry-list", {"q": "\x00"}),
    ],
)
def test_it_answers_bad_filters_with_400(
    client: Any, world: Any, url_name: str, params: dict[str, str]
) -> None:
    login(client, world.anweiban)

    response = client.get(reverse(url_name), params)

    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_it_lists_each_enterprise_exactly_as_its_detail_shows_it(client: Any, world: Any) -> None:
    # The list reads .values() rows for speed; the detail goes through the serializer. They must agree.
    from zhiben.registry.services import update_enterprise

    update_enterprise(
        world.enterprises["yt_gas"],
        actor=None,
        longitude="112.951234",
        latitude="28.861234",
        employees=12,
        industries=[world.industries["GAS"], world.industries["FIRE-SMALL"]],
    )
    client.force_login(world.anweiban)
    listed = client.get("/api/v1/enterprises/?page_size=100").json()["results"]
    assert len(listed) == Enterprise.objects.count()
    for item in listed:
        detail = client.get(f"/api/v1/enterprises/{item['id']}/").json()
        assert item == detail
    gas = next(i for i in listed if i["id"] == world.enterprises["yt_gas"].pk)
    assert gas["industries"] == ["GAS", "FIRE-SMALL"]
    assert gas["principal_phone"] == "138****0001"


def test_it_gives_each_department_its_full_name_and_document_code(client: Any, world: Any) -> None:
    token = obtain_token(client, "anweiban")

    rows = client.get(reverse("department-list") + "?page_size=100", headers=token_header(token)).json()
    by_code = {row["code"]: row for row in rows["results"]}

    assert by_code["housing"]["name"] == "区住房和城乡建设局"  # pages keep the short form
    assert by_code["housing"]["full_name"] == "屈原管理区住房和城乡建设局"  # documents are issued in full
    assert by_code["housing"]["document_code"] == "屈住建"
    assert all(row["full_name"].startswith("屈原管理区") for row in rows["results"])
