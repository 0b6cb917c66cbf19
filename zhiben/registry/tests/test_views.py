"""Registry pages as the personas see them: scope, sorting, filters, export, detail, create and edit."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhiben.core import events as core_events
from zhiben.core.models import AuditEntry
from zhiben.registry import events
from zhiben.registry.models import Enterprise
from zhiben.registry.services import update_enterprise

pytestmark = pytest.mark.django_db

LIST_URL = reverse("registry:enterprise_list")
YINGTIAN_PREFIX = "430671100"


def _listed(client: Any, query: str = "") -> list[Enterprise]:
    response = client.get(f"{LIST_URL}?{query}")
    assert response.status_code == 200
    return [obj for obj, _values in response.context["rows"]]


def _sheet(content: bytes) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The header and the data rows of an exported workbook's first sheet."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header, *rows = sheet.iter_rows(values_only=True)
    return [str(h) for h in header], [r for r in rows if any(v is not None for v in r)]


def _form_data(e: Enterprise, **changes: Any) -> dict[str, Any]:
    """The edit form as the browser would post it, unchanged unless told otherwise."""
    data: dict[str, Any] = {
        "name": e.name,
        "uscc": e.uscc or "",
        "kind": e.kind,
        "status": e.status,
        "region": e.region_id,
        "address": e.address,
        "longitude": "",
        "latitude": "",
        "primary_industry": e.primary_industry_id,
        "industries": [i.pk for i in e.industries.all()],
        "standardisation_grade": e.standardisation_grade,
        "employees": e.employees or "",
        "principal_name": e.principal_name,
        "principal_phone": "",
        "controller_name": e.controller_name,
        "controller_phone": "",
        "version": e.version,
    }
    for flag in ("is_above_scale", "is_high_risk", "has_major_hazard_source"):
        if getattr(e, flag):
            data[flag] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_it_lists_only_yingtian_enterprises_for_the_yingtian_official(client, world):
    client.force_login(world.yingtian)
    listed = _listed(client)
    assert {e.name for e in listed} == {world.enterprises[s].name for s in ("qiye1", "yt_gas", "yt_shop")}
    assert all(e.region.code.startswith(YINGTIAN_PREFIX) for e in listed)


def test_it_sorts_by_name_both_ways(client, world):
    client.force_login(world.anweiban)
    ascending = [e.name for e in _listed(client, "sort=name")]
    descending = [e.name for e in _listed(client, "sort=-name")]
    assert len(ascending) == len(world.enterprises)
    assert ascending == sorted(ascending)
    assert descending == list(reversed(ascending))


def test_it_ignores_a_sort_key_that_is_not_a_column(client, world):
    client.force_login(world.anweiban)
    response = client.get(f"{LIST_URL}?sort=principal_phone")
    assert response.status_code == 200
    assert response.context["sort"] == "name"


def test_it_filters_by_industry(client, world):
    client.force_login(world.anweiban)
    listed = _listed(client, "industry=GAS")
    assert [e.name for e in listed] == [world.enterprises["yt_gas"].name]


def test_it_exports_exactly_the_filtered_sorted_rows(client, world):
    client.force_login(world.anweiban)
    query = "is_high_risk=true&sort=-name"
    on_screen = [e.name for e in _listed(client, query)]
    assert len(on_screen) == sum(1 for e in world.enterprises.values() if e.is_high_risk)

    response = client.get(f"{LIST_URL}?{query}&export=xlsx")
    assert response.status_code == 200
    header, rows = _sheet(response.content)
    # The file has the columns of the screen, the rows of the screen, in its order.
    page = client.get(f"{LIST_URL}?{query}")
    assert header == [str(c.label) for c in page.context["columns"]]
    assert [r[header.index("名称")] for r in rows] == on_screen
    # Phones leave the server masked, in the file as on the screen (R16).
    assert all("****" in r[header.index("联系电话")] for r in rows)
    # The full register (the import layout) has the same rows, phones masked too.
    header, rows = _sheet(client.get(f"{LIST_URL}?{query}&export=sheet").content)
    assert [r[header.index("名称")] for r in rows] == on_screen
    assert all("****" in r[header.index("主要负责人电话")] for r in rows)
    assert AuditEntry.objects.filter(event=core_events.EXPORT_DOWNLOADED, actor=world.anweiban).exists()


def test_it_links_the_export_button_to_the_current_filters(client, world):
    client.force_login(world.anweiban)
    response = client.get(f"{LIST_URL}?industry=GAS&page=1")
    html = response.content.decode()
    assert 'href="?industry=GAS&amp;export=xlsx"' in html


def test_it_returns_only_the_table_to_htmx(client, world):
    client.force_login(world.yingtian)
    response = client.get(f"{LIST_URL}?q=燃气", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert world.enterprises["yt_gas"].name in html
    assert world.enterprises["yt_shop"].name not in html
    assert 'id="export-link"' in html and 'hx-swap-oob="true"' in html
    assert "export=xlsx" in html and "export=sheet" in html


def test_it_sends_the_anonymous_visitor_to_the_login_page(client, world):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_it_refuses_the_enterprise_list_to_the_expert(client, world):
    client.force_login(world.zhuanjia)
    assert client.get(LIST_URL).status_code == 403


def test_it_answers_404_for_an_enterprise_outside_the_township(client, world):
    client.force_login(world.yingtian)
    heshi_chemicals = world.enterprises["qiye2"]
    assert client.get(heshi_chemicals.get_absolute_url()).status_code == 404
    assert client.get(reverse("registry:enterprise_edit", args=[heshi_chemicals.pk])).status_code == 404


def test_it_shows_the_detail_with_masked_phones_and_history(client, world):
    client.force_login(world.yingtian)
    e = world.enterprises["yt_gas"]
    response = client.get(e.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert e.name in html and "高危企业" in html
    assert "138****0001" in html and "139****0002" in html
    assert "13800000001" not in html and "13900000002" not in html
    history = response.context["history"]
    assert [h["event"] for h in history] == [core_events.label(events.ENTERPRISE_CREATED)]
    assert history[0]["event"] in html


def test_it_lets_yingtian_edit_and_writes_an_audit_row(client, world):
    client.force_login(world.yingtian)
    e = world.enterprises["yt_shop"]
    url = reverse("registry:enterprise_edit", args=[e.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert "13800000001" not in form.content.decode(), "the edit form never sends the phone in clear"

    response = client.post(url, _form_data(e, name="营田兰花超市（新址）", address="营田镇兰花社区8号"))
    assert response.status_code == 302
    assert response["Location"] == e.get_absolute_url()
    e.refresh_from_db()
    assert (e.name, e.address, e.version) == ("营田兰花超市（新址）", "营田镇兰花社区8号", 2)
    assert e.principal_phone == "13800000001", "an empty phone input keeps the registered number"
    entry = AuditEntry.objects.get(event=events.ENTERPRISE_UPDATED, object_id=str(e.pk))
    assert entry.actor == world.yingtian
    assert set(entry.data) == {"name", "address"}


def test_it_answers_409_when_someone_else_saved_first(client, world):
    client.force_login(world.yingtian)
    e = world.enterprises["yt_shop"]
    stale = _form_data(e, name="营田兰花超市（甲）")
    update_enterprise(e, actor=world.anweiban, address="营田镇营田社区1号")  # the other editor wins

    response = client.post(reverse("registry:enterprise_edit", args=[e.pk]), stale)
    assert response.status_code == 409
    assert "已被他人修改，请刷新后重试" in response.content.decode()
    e.refresh_from_db()
    assert e.name == "营田兰花超市"
    assert not AuditEntry.objects.filter(
        event=events.ENTERPRISE_UPDATED, object_id=str(e.pk), actor=world.yingtian
    ).exists()


def test_it_creates_an_enterprise_in_yingtian(client, world):
    client.force_login(world.yingtian)
    village = world.regions["营田镇"].children.order_by("code").last()
    industry = world.industries["GAS"]
    response = client.post(
        reverse("registry:enterprise_create"),
        {
            "name": "营田新洲液化气供应站",
            "kind": "company",
            "status": "operating",
            "region": village.pk,
            "primary_industry": industry.pk,
            "standardisation_grade": "none",
            "principal_phone": "13712345678",
            "is_high_risk": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Enterprise.objects.get(name="营田新洲液化气供应站")
    assert created.region == village and created.is_high_risk
    assert list(created.industries.all()) == [industry]
    assert AuditEntry.objects.filter(event=events.ENTERPRISE_CREATED, object_id=str(created.pk)).exists()


def test_it_offers_yingtian_only_its_own_regions(client, world):
    client.force_login(world.yingtian)
    response = client.get(reverse("registry:enterprise_create"))
    regions = response.context["form"].fields["region"].queryset
    assert regions.exists()
    assert all(r.code.startswith(YINGTIAN_PREFIX) for r in regions)

    shop = world.enterprises["yt_shop"]
    heshi_village = world.regions["河市镇"].children.first()
    response = client.post(
        reverse("registry:enterprise_edit", args=[shop.pk]), _form_data(shop, region=heshi_village.pk)
    )
    assert response.status_code == 400
    assert "region" in response.context["form"].errors
    shop.refresh_from_db()
    assert shop.region.code.startswith(YINGTIAN_PREFIX)


def test_it_lets_qiye1_see_its_own_enterprise_but_not_another(client, world):
    client.force_login(world.qiye1)
    own = world.enterprises["qiye1"]
    assert client.get(own.get_absolute_url()).status_code == 200
    assert [e.pk for e in _listed(client)] == [own.pk]
    assert client.get(world.enterprises["yt_gas"].get_absolute_url()).status_code == 404


def test_it_rolls_back_an_edit_that_leaves_the_editors_scope(client, world):
    """住建局 supervises construction; moving an enterprise out of its industries is refused."""
    client.force_login(world.zhujian)
    e = world.enterprises["qiye3"]
    data = _form_data(e, primary_industry=world.industries["FIRE-SMALL"].pk, industries=[])
    response = client.post(reverse("registry:enterprise_edit", args=[e.pk]), data)
    assert response.status_code == 400
    assert "超出您的管辖范围" in response.content.decode()
    e.refresh_from_db()
    assert e.primary_industry == world.industries["CONSTRUCTION"]
    assert not AuditEntry.objects.filter(event=events.ENTERPRISE_UPDATED, object_id=str(e.pk)).exists()


def test_it_flags_unverified_regions_and_filters_them_by_level(client, world):
    client.force_login(world.yingtian)
    response = client.get(reverse("registry:region_list") + "?level=4")
    assert response.status_code == 200
    names = [obj.name for obj, _v in response.context["rows"]]
    assert names == ["天问街道", "营田镇", "河市镇", "凤凰乡"]
    assert "待核实" in response.content.decode()


def test_it_lists_responsibilities_with_co_departments_in_constant_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.zhujian)
    client.get(reverse("registry:responsibility_list"))  # the nav's 待办 badge is counted once a minute
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registry:responsibility_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "配合部门" in html and "牵头部门" in html


def test_it_renders_the_filter_bar_with_all_as_the_empty_choice(client, world):
    client.force_login(world.yingtian)
    response = client.get(LIST_URL)
    html = response.content.decode()
    assert "---------" not in html
    region_choices = [v for v, _label in response.context["filterset"].form.fields["region"].widget.choices]
    assert region_choices[0] == ""
    assert all(code.startswith(YINGTIAN_PREFIX) for code in region_choices[1:])


@pytest.mark.parametrize("persona", ["anweiban", "yingtian", "zhujian", "qiye1", "lingdao"])
def test_it_renders_the_enterprise_list_in_at_most_ten_queries(
    persona, client, world, django_assert_max_num_queries
):
    # The page reads only its columns' fields (list_only); a deferred field touched per row would be an N+1.
    client.force_login(getattr(world, persona))
    client.get(LIST_URL)  # the session's first request stores its clock
    with django_assert_max_num_queries(11):  # 11: the page's ids, then its rows (core.pagination)
        response = client.get(LIST_URL + "?sort=-name")
    assert response.status_code == 200
    assert response.context["rows"]
