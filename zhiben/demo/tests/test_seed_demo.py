"""seed-demo: the deterministic synthetic district, written through the services, idempotent, demo mode only."""

from __future__ import annotations

import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from zhiben.accounts.models import User
from zhiben.core.audit import verify_chain
from zhiben.core.codes import validate_uscc
from zhiben.core.models import AuditEntry
from zhiben.demo.generator import QUYUAN_BOUNDS, REGIONS_FILE, SYNTHETIC_SOURCE, plan_world
from zhiben.demo.seeding import seed_demo
from zhiben.registry.models import Enterprise, Region

USCC_PREFIXES = {
    "company": {"91"},
    "sole_trader": {"92"},
    "venue": {"92"},
    "cooperative": {"93"},
    "institution": {"12", "52"},
}


def _identity(rows):
    return [(r.uscc, r.name, r.region_code) for r in rows]


def _seed(*args: str, **options) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, **options)
    return out.getvalue()


def _raw(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


# ---- the plan (pure, no database) ----------------------------------------------------------------------------


def test_it_plans_the_same_enterprises_for_the_same_seed():
    first = _identity(plan_world("district", 7, 300).enterprises())
    second = _identity(plan_world("district", 7, 300).enterprises())
    other_seed = _identity(plan_world("district", 8, 300).enterprises())
    assert len(first) == 300
    assert first == second
    assert first != other_seed


def test_it_plans_valid_usccs_names_and_places_inside_quyuan():
    rows = list(plan_world("district", 1).enterprises())
    villages = {r["code"] for r in json.loads(REGIONS_FILE.read_text(encoding="utf-8")) if r["level"] == 5}
    assert len(rows) == 2000
    assert len({r.name for r in rows}) == len(rows)
    assert len({r.uscc for r in rows if r.uscc}) == len([r for r in rows if r.uscc])
    lon_min, lon_max, lat_min, lat_max = QUYUAN_BOUNDS
    for r in rows:
        assert r.region_code in villages
        assert lon_min <= r.longitude <= lon_max and lat_min <= r.latitude <= lat_max
        if r.kind in ("construction", "self_built"):
            assert r.uscc is None  # 在建项目 and 经营性自建房 are not registered legal entities
            continue
        assert validate_uscc(r.uscc) == r.uscc
        assert r.uscc[:2] in USCC_PREFIXES[r.kind], (r.kind, r.uscc)
        assert r.uscc[2:8] in ("430671", "430681")


def test_it_plans_a_believable_mix_of_units():
    rows = list(plan_world("district", 1).enterprises())
    kinds = Counter(r.kind for r in rows)
    industries = Counter(r.industries[0] for r in rows)
    townships = Counter(r.township for r in rows)
    assert set(townships) == {"天问街道", "营田镇", "河市镇", "凤凰乡"}
    assert townships.most_common(1)[0][0] == "营田镇"  # the seat of government has the most units
    # Mostly small premises and shops, with a tail of high-risk units.
    assert kinds["sole_trader"] > kinds["company"] > kinds["institution"] > 0
    assert industries["FIRE-SMALL"] > 500
    for code in ("HAZCHEM-PROD", "HAZCHEM-TRADE", "FIREWORKS", "CONSTRUCTION", "SELFBUILT", "ROAD"):
        assert 0 < industries[code] < 300, code
    for code in ("EDUCATION", "ELDERCARE", "HEALTH", "GAS", "INDTRADE-MACHINE"):
        assert industries[code] > 0, code
    names = [r.name for r in rows]
    assert any(n.endswith("加油站") for n in names)
    assert any(n.endswith("期工程") for n in names)
    assert any("自建房（" in n for n in names)
    assert any(n.endswith("小学") for n in names)
    assert any(n.endswith("专业合作社") for n in names)
    assert sum(r.has_major_hazard_source for r in rows) > 0
    assert all(not r.has_major_hazard_source for r in rows if r.industries[0] == "FIRE-SMALL")
    assert 100 < sum(len(r.people) for r in rows) < 1000


def test_it_puts_the_persona_enterprises_first():
    rows = list(plan_world("district", 3, 3).enterprises())
    assert [(r.slot, r.township, r.industries[0], r.kind) for r in rows] == [
        ("qiye1", "营田镇", "INDTRADE-MACHINE", "company"),
        ("qiye2", "河市镇", "HAZCHEM-PROD", "company"),
        ("qiye3", "天问街道", "CONSTRUCTION", "company"),
    ]


def test_it_plans_synthetic_counties_that_do_not_clash_with_real_codes():
    plan = plan_world("province", 1, 200)
    real = {r["code"] for r in json.loads(REGIONS_FILE.read_text(encoding="utf-8"))}
    counties = [r for r in plan.regions if r.level == 3]
    assert len(counties) == 99 and len(plan.counties) == 100
    assert all(r.code[4:6] >= "90" for r in counties)  # xx90–xx99: unused county numbers in Hunan
    assert not real & {r.code for r in plan.regions}
    assert sum(plan.shares) == 200
    township_names = {r.name for r in plan.regions if r.level == 4}
    assert not township_names & {"天问街道", "营田镇", "河市镇", "凤凰乡"}


# ---- the command -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"PRODUCTION": True}, "生产环境（ZHIBEN_ENV=production）禁止生成演示数据"),
        ({"DEMO_MODE": False}, "演示模式未开启"),
    ],
)
@pytest.mark.usefixtures("empty_db")
def test_it_refuses_outside_demo_mode(overrides, message):
    with override_settings(**overrides), pytest.raises(CommandError, match=message):
        _seed("--enterprises", "5")
    assert not Enterprise.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_refuses_fewer_enterprises_than_personas_need():
    with pytest.raises(CommandError, match="至少为 3"):
        _seed("--enterprises", "2")


@pytest.mark.usefixtures("empty_db")
def test_it_seeds_a_city_through_the_bulk_services():
    output = _seed("--scale", "city", "--seed", "3", "--enterprises", "30")
    plan = plan_world("city", 3, 30)
    synthetic = Region.objects.filter(source=SYNTHETIC_SOURCE)
    assert synthetic.count() == len(plan.regions) > 300
    assert not synthetic.filter(verified=True).exists()
    assert Region.objects.filter(code="430691", level=3, parent__code="430600").exists()
    assert set(Enterprise.objects.values_list("uscc", "name", "region__code")) == set(
        _identity(plan.enterprises())
    )
    counties = Counter(Enterprise.objects.values_list("region__parent__parent__code", flat=True))
    assert len(counties) == 10 and counties["430671"] == 6  # 屈原: 3 anchors + an even share of 27
    for e in Enterprise.objects.exclude(region__parent__parent__code="430671").exclude(uscc=None):
        assert e.uscc[2:8] == e.region.parent.parent.code
    imported = AuditEntry.objects.filter(event="ENTERPRISES_IMPORTED")
    assert sum(a.data["count"] for a in imported) == 30
    assert AuditEntry.objects.filter(event="ENTERPRISE_CREATED").count() == 0
    raw = _raw("SELECT principal_phone FROM registry_enterprise")
    assert all(p.startswith("sm4gcm:v1:") for (p,) in raw)
    assert verify_chain().intact
    assert User.objects.get(username="qiye2").role_assignments.get().enterprise.region.parent.name == "河市镇"
    assert "按县（区）" in output
    before = (Region.objects.count(), Enterprise.objects.count(), AuditEntry.objects.count())
    assert "本次未新增任何数据" in _seed("--scale", "city", "--seed", "3", "--enterprises", "30")
    assert (Region.objects.count(), Enterprise.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.usefixtures("empty_db")
def test_it_extends_a_district_to_a_city_without_duplicates():
    # The district's units only: the modules' histories (most of a minute) do not bear on the plan's keys.
    seed_demo(scale="district", seed=1, count=23, hazards=False)
    output = _seed("--scale", "city", "--seed", "1", "--enterprises", "230")
    # The city plan starts with the same 屈原 rows, so those are recognised by their natural key.
    planned = Enterprise.objects.filter(illegal_operations__isnull=True)  # not the demo's converted 打非 unit
    assert planned.count() == len(list(plan_world("city", 1, 230).enterprises()))
    assert "已存在而跳过：23 家" in output
