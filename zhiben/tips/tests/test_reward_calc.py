"""The reward calculator against the shipped rules (migration 0003) and against rules given as data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from zhiben.tips.models import RewardRule
from zhiben.tips.reward_calc import calculate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fine", "amount"),
    [
        ("10000", "3000.00"),  # 1,500 → the minimum
        ("20000", "3000.00"),  # exactly the minimum
        ("100000", "15000.00"),
        ("33333.33", "5000.00"),  # 4,999.9995 → ROUND_HALF_UP to the 分
        ("2000000", "300000.00"),  # the cap
        (2000001, "300000.00"),
    ],
)
def test_fine_basis(fine: Any, amount: str) -> None:
    result = calculate("fine", fine=fine)
    assert result.amount == Decimal(amount)
    assert result.rule.code == "CN-2018-FINE"
    assert "待核实" in result.rule_text and "安监总财〔2018〕19号" in result.rule_text


def test_rounding_is_half_up_to_the_fen() -> None:
    rule = RewardRule(code="x", name="x", basis="fine", percent=Decimal("15"), source="测试", active=True)
    assert calculate("fine", fine="0.03", rules=[rule]).amount == Decimal("0.00")  # 0.0045 → 0.00
    assert calculate("fine", fine="0.1", rules=[rule]).amount == Decimal("0.02")  # 0.015 → 0.02 (half up)


@pytest.mark.parametrize(
    ("grade", "deaths", "amount"),
    [
        ("一般", 2, "60000.00"),
        ("较大", 3, "120000.00"),
        ("重大", 1, "50000.00"),
        ("特别重大", 11, "300000.00"),
    ],
)
def test_concealed_deaths(grade: str, deaths: int, amount: str) -> None:
    result = calculate("concealed_deaths", grade=grade, deaths=deaths)
    assert result.amount == Decimal(amount)


def test_fixed_housing_clues() -> None:
    assert calculate("fixed", category="concealed").amount == Decimal("1000.00")
    assert calculate("fixed", category="major_hazard").amount == Decimal("800.00")
    assert calculate("fixed", category="illegal").amount == Decimal("600.00")


def test_hunan_excludes_road_and_fire(world: Any) -> None:
    with pytest.raises(ValidationError) as err:
        calculate("fine", fine="100000", category="major_hazard", industry=world.industries["ROAD"])
    assert "industry" in err.value.message_dict
    # 九小场所 sits under 消防: excluded with its parent.
    with pytest.raises(ValidationError):
        calculate("fine", fine="100000", industry=world.industries["FIRE-SMALL"])
    ok = calculate("fine", fine="100000", category="major_hazard", industry=world.industries["HAZCHEM-PROD"])
    assert ok.amount == Decimal("15000.00") and "湘应急发〔2023〕16号" in ok.rule_text


def test_an_office_edit_of_the_rule_changes_the_amount() -> None:
    RewardRule.objects.filter(code="CN-2018-FINE").update(min_amount=Decimal("5000"))
    assert calculate("fine", fine="10000").amount == Decimal("5000.00")


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"basis": "fine", "fine": "-1"}, "fine", "负数"),
        ({"basis": "fine", "fine": "0"}, "fine", "大于零"),
        ({"basis": "fine", "fine": "abc"}, "fine", "数字"),
        ({"basis": "fine", "fine": None}, "fine", "请填写"),
        ({"basis": "fine", "fine": "1.001"}, "fine", "分"),
        ({"basis": "fine", "fine": "NaN"}, "fine", "数字"),
        ({"basis": "fine", "fine": True}, "fine", "数字"),
        ({"basis": "fine", "fine": "1e30"}, "fine", "过大"),
        ({"basis": "fine", "fine": "1000", "category": "hazard"}, "category", "一般隐患"),
        ({"basis": "concealed_deaths", "grade": "小", "deaths": 1}, "grade", "一般、较大"),
        ({"basis": "concealed_deaths", "grade": "一般", "deaths": 0}, "deaths", "至少"),
        ({"basis": "concealed_deaths", "grade": "一般", "deaths": -3}, "deaths", "至少"),
        ({"basis": "concealed_deaths", "grade": "一般", "deaths": 1.5}, "deaths", "整数"),
        ({"basis": "concealed_deaths", "grade": "一般", "deaths": "两"}, "deaths", "整数"),
        ({"basis": "salary"}, "basis", "计奖方式"),
        ({"basis": "fixed"}, "category", "类别"),
    ],
)
def test_bad_input(kwargs: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as err:
        calculate(**kwargs)
    messages = err.value.message_dict[field]
    assert any(words in m for m in messages), messages
