"""Which checklist a department brings to a unit: its list for the unit's kind and industry (or the nearest
ancestor industry), else its general list, never another industry's list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from zhiben.core.codes import make_uscc
from zhiben.inspections.choices import Mode, Origin
from zhiben.inspections.models import InspectionCap
from zhiben.inspections.services import records
from zhiben.registry.choices import EnterpriseKind
from zhiben.registry.services import create_enterprise
from zhiben.standards.checklists import checklist_for, create_checklist

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def housing_lists(world: Any) -> dict[str, Any]:
    """住建局's construction-site list, its 经营性自建房 list and its general list."""
    return {
        "construction": create_checklist(
            actor=world.zhujian,
            name="建筑施工安全检查表",
            custom_items=["基坑支护", "模板支架"],
            industry=world.industries["CONSTRUCTION"],
        ),
        "selfbuilt": create_checklist(
            actor=world.zhujian,
            name="经营性自建房安全检查表",
            custom_items=["房屋结构安全", "擅自改变用途"],
            industry=world.industries["SELFBUILT"],
        ),
        "general": create_checklist(
            actor=world.zhujian, name="住建通用检查表", custom_items=["安全管理制度"]
        ),
    }


def _house(world: Any, primary: str) -> Any:
    town = world.regions["营田镇"]
    return create_enterprise(
        actor=None,
        uscc=make_uscc("9", "2", "430671", "MA4L0099"),
        name="营田村张三自建房（棋牌室）",
        kind=EnterpriseKind.SELF_BUILT_HOUSE,
        region=town.children.order_by("code").first() or town,
        primary_industry=world.industries[primary],
        industries=[world.industries[primary]],
        principal_name="张三",
        principal_phone="13800000009",
        address="营田镇营田村",
    )


def _visit(world: Any, inspectors: Any, unit: Any, **kw: Any) -> Any:
    InspectionCap.objects.all().delete()
    return records.create_inspection(
        actor=world.zhujian,
        enterprise=unit,
        department=world.departments["housing"],
        mode=Mode.ROUTINE,
        origin=Origin.SPECIAL,
        planned_on=dt.date(2025, 3, 3),
        officers=[inspectors["zhujian"], inspectors["zhujian_2"]],
        **kw,
    )


def _brought(inspection: Any) -> Any:
    return inspection.departments.get(is_lead=True).checklist


def test_a_self_built_house_gets_the_self_built_list_and_a_construction_site_the_construction_list(
    world: Any, inspectors: Any, housing_lists: Any
) -> None:
    house = _visit(world, inspectors, _house(world, "SELFBUILT"))
    site = _visit(world, inspectors, world.enterprises["qiye3"])

    assert _brought(house) == housing_lists["selfbuilt"]
    assert _brought(site) == housing_lists["construction"]
    assert "基坑支护" not in {i.text for i in _brought(house).items.all()}


def test_the_kind_of_the_unit_decides_before_its_recorded_trade(world: Any, housing_lists: Any) -> None:
    house = _house(
        world, "FIRE-SMALL"
    )  # recorded under its tenant's trade (九小场所), still a self-built house
    assert checklist_for(world.departments["housing"], house) == housing_lists["selfbuilt"]


def test_without_a_list_of_its_industry_a_unit_gets_the_general_list_never_another_industrys(
    world: Any, housing_lists: Any
) -> None:
    shop = world.enterprises["yt_shop"]  # 九小场所: 住建局 has no list of it
    assert checklist_for(world.departments["housing"], shop) == housing_lists["general"]

    housing_lists["general"].active = False
    housing_lists["general"].save(update_fields=["active"])
    assert checklist_for(world.departments["housing"], shop) is None


def test_a_sub_industry_gets_the_list_of_its_nearest_ancestor(world: Any, housing_lists: Any) -> None:
    gas = create_checklist(
        actor=world.zhujian, name="城镇燃气检查表", custom_items=["x"], industry=world.industries["GAS"]
    )
    pipeline = world.industries["GAS-PIPELINE"]
    unit = world.enterprises["yt_gas"]
    unit.primary_industry = pipeline  # read-only use: the chooser reads the instance
    assert checklist_for(world.departments["housing"], unit) == gas


def test_choosing_another_industrys_list_is_refused_with_a_clear_message(
    world: Any, inspectors: Any, housing_lists: Any
) -> None:
    house = _house(world, "SELFBUILT")
    with pytest.raises(ValidationError) as exc:
        _visit(
            world,
            inspectors,
            house,
            checklists={world.departments["housing"].pk: housing_lists["construction"]},
        )
    assert "建筑施工安全检查表" in str(exc.value) and "与该单位的行业不符" in str(exc.value)
