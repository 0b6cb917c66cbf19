"""The home dashboard: each persona's figures equal a direct count over its scope, in constant queries."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhiben.core.codes import make_uscc
from zhiben.dashboard import queries
from zhiben.registry.models import Enterprise
from zhiben.registry.services import create_enterprise

pytestmark = pytest.mark.django_db

HOME = reverse("dashboard:home")
EXPORT = reverse("dashboard:industry_distribution_export")


def _direct_counts(**filters) -> dict[str, int]:
    qs = Enterprise.objects.filter(**filters)
    return {
        "total": qs.count(),
        "high_risk": qs.filter(is_high_risk=True).count(),
        "major_hazard_source": qs.filter(has_major_hazard_source=True).count(),
        "above_scale": qs.filter(is_above_scale=True).count(),
    }


def _kpis(response) -> dict[str, int]:
    k = response.context["kpis"]
    return {
        "total": k.total,
        "high_risk": k.high_risk,
        "major_hazard_source": k.major_hazard_source,
        "above_scale": k.above_scale,
    }


@pytest.mark.parametrize(
    ("persona", "filters"),
    [
        ("anweiban", {}),
        ("lingdao", {}),
        ("yingtian", {"region__code__startswith": "430671100"}),
        ("heshi", {"region__code__startswith": "430671101"}),
        ("qiye1", {"name": "屈原营田机械制造有限公司"}),
    ],
)
def test_it_shows_each_persona_the_counts_of_its_own_scope(client, world, persona, filters):
    client.force_login(world.users[persona])
    response = client.get(HOME)
    assert response.status_code == 200
    assert _kpis(response) == _direct_counts(**filters)
    table = response.context["distribution"]
    assert table.grand_total == _direct_counts(**filters)["total"]


def test_it_counts_the_townships_by_primary_industry(client, world):
    client.force_login(world.anweiban)
    table = client.get(HOME).context["distribution"]
    assert table.townships == ["天问街道", "营田镇", "河市镇", "凤凰乡"]
    row = dict(zip(table.industries, table.cells[table.townships.index("营田镇")], strict=True))
    assert row == {"机械": 1, "城镇燃气": 1, "九小场所、沿街门店、家庭作坊": 1} | {
        name: 0
        for name in table.industries
        if name not in ("机械", "城镇燃气", "九小场所、沿街门店、家庭作坊")
    }
    assert table.row_totals == [1, 3, 2, 2]
    assert sum(table.column_totals) == table.grand_total == 8


def test_it_shows_the_township_official_only_its_township(client, world):
    client.force_login(world.yingtian)
    response = client.get(HOME)
    assert response.context["distribution"].townships == ["营田镇"]
    html = response.content.decode()
    assert "河市镇" not in html.split('id="industry-chart-data"')[1]


def test_it_groups_industries_beyond_the_top_ones_as_other(world):
    table = queries.industry_distribution(world.anweiban, top=3)
    assert len(table.industries) == 4 and table.industries[-1] == "其他"
    assert table.grand_total == 8
    assert [sum(r) for r in table.cells] == table.row_totals


def test_it_exports_the_distribution_table_cell_for_cell(client, world):
    client.force_login(world.anweiban)
    table = client.get(HOME).context["distribution"]
    response = client.get(EXPORT)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == ["乡镇（街道）", *table.industries, "合计"]
    body = [[name, *cells, total] for name, cells, total in table.rows]
    assert [list(r) for r in rows[1:-1]] == body
    assert list(rows[-1]) == ["合计", *table.column_totals, table.grand_total]


def test_it_refuses_the_export_to_an_enterprise_manager(client, world):
    client.force_login(world.qiye1)
    assert client.get(EXPORT).status_code == 403


def test_it_shows_the_enterprise_manager_its_own_enterprise(client, world):
    client.force_login(world.qiye1)
    response = client.get(HOME)
    assert [e.name for e in response.context["own_enterprises"]] == ["屈原营田机械制造有限公司"]
    assert 'data-testid="own-enterprise"' in response.content.decode()


def test_it_shows_the_system_admin_the_modules_without_business_data(client, world):
    client.force_login(world.xitong)
    response = client.get(HOME)
    assert response.status_code == 200
    assert "kpis" not in response.context
    html = response.content.decode()
    assert "建设中" in html and "上线" in html


def test_it_passes_chart_data_through_json_script(client, world):
    client.force_login(world.anweiban)
    html = client.get(HOME).content.decode()
    assert '<script id="industry-chart-data" type="application/json">' in html
    assert 'data-zb-chart="stacked-bar"' in html


def test_it_needs_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.anweiban)
    # The page holds a 待办 card per module (a COUNT or two each) and the key figures: about 60 queries, however
    # many units there are (checked below).
    with django_assert_max_num_queries(64) as before:
        client.get(HOME)
    baseline = len(before.captured_queries)

    villages = {r.name: r.children.order_by("code").first() for r in world.regions.values() if r.level == 4}
    industries = list(world.industries.values())
    for i in range(30):
        village = list(villages.values())[i % len(villages)]
        create_enterprise(
            actor=None,
            uscc=make_uscc("9", "1", "430671", f"MA4Q{i:04d}"),
            name=f"屈原测试企业{i:02d}",
            region=village,
            primary_industry=industries[i % len(industries)],
            is_high_risk=i % 3 == 0,
        )
    with django_assert_max_num_queries(baseline):
        response = client.get(HOME)
    assert response.context["kpis"].total == 38


def test_it_climbs_to_counties_when_a_scope_holds_too_many_townships(world, monkeypatch):
    # A province user would otherwise get a chart of thousands of townships; here the limit is lowered.
    monkeypatch.setattr(queries, "MAX_AREAS", 3)
    table = queries.industry_distribution(world.anweiban)
    assert table.area_label == "县（市、区）"
    assert table.townships == ["屈原管理区"]
    assert table.grand_total == Enterprise.objects.count()
    assert table.headers()[0] == "县（市、区）"


def test_it_shows_an_expert_the_inspections_assigned_to_them_as_tasks(client, world):
    """Issue 10 #15: 专家 zhuanjia saw no tasks; assigned to a visit, it is on their 工作台's 待办."""
    import datetime as dt

    from zhiben.inspections.choices import InspectorKind
    from zhiben.inspections.models import InspectionCap, Inspector
    from zhiben.inspections.services import records

    InspectionCap.objects.all().delete()
    fire = world.departments["fire"]
    officers = [
        Inspector.objects.create(
            user=user,
            name=name,
            department=fire,
            kind=InspectorKind.OFFICER,
            certificate_no=cert,
            certificate_valid_until=dt.date(2099, 12, 31),
        )
        for user, name, cert in ((world.xiaofang, "消防监督员", "F1"), (None, "消防监督员乙", "F2"))
    ]
    expert = Inspector.objects.create(
        user=world.zhuanjia, name="安全生产专家", department=fire, kind=InspectorKind.EXPERT
    )

    def visit(unit: str, assistants: list) -> object:
        return records.create_inspection(
            actor=world.xiaofang,
            enterprise=world.enterprises[unit],
            department=fire,
            mode="routine",
            planned_on=dt.date.today() + dt.timedelta(days=3),
            officers=officers,
            assistants=assistants,
        )

    assigned, other = visit("yt_shop", [expert]), visit("fh_school", [])
    client.force_login(world.zhuanjia)
    html = client.get(HOME).content.decode()
    assert 'data-testid="wb-inspections"' in html and 'data-count="inspections.mine">1<' in html
    assert assigned.get_absolute_url() in html and other.get_absolute_url() not in html
    client.force_login(world.lingdao)  # sees every inspection, is on no team: no 待办 card
    assert 'data-testid="wb-inspections"' not in client.get(HOME).content.decode()
