"""The reward calculator (举报奖励计算): pure arithmetic over the reward rules, which are data (RewardRule rows,
shipped by migration 0003 with their legal source and a 待核实 flag, editable by the office).

    calculate("fine", fine="10000")                              → 3000.00 (the minimum)
    calculate("concealed_deaths", grade="一般", deaths=2)          → 60000.00
    calculate("fixed", category="major_hazard")                   → the 住建 fixed amount

Amounts are Decimal, rounded ROUND_HALF_UP to the 分 (0.01 元). Bad input raises a Django ValidationError keyed
by field with a Chinese message (the API answers it as a field-level 400).

How the rules combine: the active rules of the basis that apply to the category are taken in priority order.
A rule without any amount (no percent, per-death table or fixed amount) only adds its exclusions — 湖南
湘应急发〔2023〕16号 keeps the national amounts but leaves 道路交通 and 消防 to their own schemes; the first rule
with an amount gives the formula. An industry excluded by any applicable rule (by its code or its parent's)
is refused with that rule's source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from zhiben.core.scoping import rows_of

from .choices import AccidentGrade, Category, RewardBasis
from .models import RewardRule

CENT = Decimal("0.01")
MAX_FINE = Decimal("1000000000000")  # 1 万亿元: beyond any fine; keeps the arithmetic and the column sane
MAX_DEATHS = 10000


@dataclass(frozen=True)
class Result:
    amount: Decimal
    rule: Any  # the RewardRule whose formula gave the amount
    rule_text: str


def yuan(value: Decimal) -> str:
    """12,345.00 元 — how an amount reads in a rule text."""
    return f"{value.quantize(CENT, ROUND_HALF_UP):,.2f} 元"


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def parse_fine(value: Any) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _fail("fine", "请填写罚款金额。")
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _fail("fine", "罚款金额应为数字。")
    try:
        fine = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise _fail("fine", "罚款金额应为数字。") from None
    if not fine.is_finite():
        raise _fail("fine", "罚款金额应为数字。")
    if fine < 0:
        raise _fail("fine", "罚款金额不能为负数。")
    if fine == 0:
        raise _fail("fine", "罚款金额应大于零：未处罚款的不按罚款比例计奖。")
    if fine >= MAX_FINE:
        raise _fail("fine", "罚款金额过大，请核对。")
    if fine != fine.quantize(CENT, ROUND_HALF_UP):
        raise _fail("fine", "罚款金额最多精确到分（两位小数）。")
    return fine


def parse_deaths(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _fail("deaths", "请填写查实瞒报的死亡人数。")
    if isinstance(value, bool):
        raise _fail("deaths", "死亡人数应为整数。")
    if isinstance(value, int):
        deaths = value
    elif isinstance(value, str) and value.strip().removeprefix("-").isdigit():
        deaths = int(value.strip())
    else:
        raise _fail("deaths", "死亡人数应为整数。")
    if deaths < 1:
        raise _fail("deaths", "查实瞒报的死亡人数应至少为 1 人。")
    if deaths > MAX_DEATHS:
        raise _fail("deaths", "死亡人数过大，请核对。")
    return deaths


def parse_grade(value: Any) -> str:
    text = str(value or "").strip().removesuffix("事故")
    if not text:
        raise _fail("grade", "请选择事故等级。")
    if text not in AccidentGrade.values:
        raise _fail("grade", "事故等级应为一般、较大、重大或特别重大。")
    return text


def _industry_codes(industry: Any) -> set[str]:
    """The industry's code and its parents' (an exclusion of 消防 covers 九小场所 under it)."""
    if industry is None or industry == "":
        return set()
    if isinstance(industry, str):
        return {industry}
    codes: set[str] = set()
    node = industry
    while node is not None and len(codes) < 10:
        codes.add(node.code)
        node = getattr(node, "parent", None)
    return codes


def _has_formula(rule: Any) -> bool:
    return bool(rule.percent is not None or rule.per_death or rule.fixed_amount is not None)


def _cite(rule: Any) -> str:
    mark = "" if rule.verified else "，待核实"
    return f"{rule.source.split('：')[0]}{mark}"


def applicable_rules(basis: str, category: str | None, rules: Iterable[Any]) -> list[Any]:
    return sorted(
        (
            r
            for r in rules
            if r.active
            and r.basis == basis
            and (not category or not r.categories or category in r.categories)
        ),
        key=lambda r: (r.priority, r.code),
    )


def calculate(
    basis: Any,
    fine: Any = None,
    grade: Any = None,
    deaths: Any = None,
    category: Any = None,
    industry: Any = None,
    rules: Iterable[Any] | None = None,
) -> Result:
    """The reward for one founded tip by the rules (`rules`: RewardRule rows; default: the active ones)."""
    if basis not in RewardBasis.values:
        raise _fail(
            "basis", "计奖方式应为按罚款比例（fine）、按瞒报死亡人数（concealed_deaths）或定额（fixed）。"
        )
    if category not in (None, "") and category not in Category.values:
        raise _fail("category", "举报类别不正确。")
    # Validate the inputs of the basis before looking at the rules: the person fixes their input first.
    if basis == RewardBasis.FINE:
        amount_in = parse_fine(fine)
    elif basis == RewardBasis.CONCEALED_DEATHS:
        grade = parse_grade(grade)
        count = parse_deaths(deaths)
    elif not category:
        raise _fail("category", "定额奖励须选择举报类别。")
    if rules is None:
        rules = list(rows_of(RewardRule, "reward rules are reference data").filter(active=True))
    chain = applicable_rules(basis, category or None, rules)
    if not chain:
        label = Category(category).label if category else RewardBasis(basis).label
        raise _fail("category" if category else "basis", f"没有适用于“{label}”的奖励标准。")
    codes = _industry_codes(industry)
    for rule in chain:
        excluded = codes & set(rule.excluded_industries or [])
        if excluded:
            name = getattr(industry, "name", None) or "该行业领域"
            raise _fail(
                "industry",
                f"{name}的举报按其专项奖励办法办理，不适用本标准（{rule.name}，{_cite(rule)}）。",
            )
    formula = next((r for r in chain if _has_formula(r)), None)
    if formula is None:
        raise _fail("basis", "适用的奖励标准未规定金额，请由区安委办补充奖励标准。")
    extra = [r for r in chain if r is not formula and not _has_formula(r) and r.priority < formula.priority]
    if basis == RewardBasis.FINE:
        amount, text = _by_fine(formula, amount_in)
    elif basis == RewardBasis.CONCEALED_DEATHS:
        amount, text = _by_deaths(formula, grade, count)
    else:
        amount = Decimal(formula.fixed_amount)
        text = f"定额 {yuan(amount)}"
    amount = amount.quantize(CENT, ROUND_HALF_UP)
    also = "".join(f"；{r.name}（{_cite(r)}）" for r in extra)
    return Result(amount, formula, f"{text}（{formula.name}，{_cite(formula)}）{also}")


def _bounded(raw: Decimal, rule: Any) -> tuple[Decimal, str]:
    if rule.min_amount is not None and raw < rule.min_amount:
        return Decimal(rule.min_amount), f"，低于最低奖励，按最低 {yuan(rule.min_amount)}"
    if rule.max_amount is not None and raw > rule.max_amount:
        return Decimal(rule.max_amount), f"，超过最高奖励，按最高 {yuan(rule.max_amount)}"
    return raw, ""


def _by_fine(rule: Any, fine: Decimal) -> tuple[Decimal, str]:
    percent = Decimal(rule.percent)
    raw = (fine * percent / Decimal(100)).quantize(CENT, ROUND_HALF_UP)
    amount, bound = _bounded(raw, rule)
    return amount, f"罚款 {yuan(fine)} × {percent.normalize():f}% = {yuan(raw)}{bound}"


def _by_deaths(rule: Any, grade: str, deaths: int) -> tuple[Decimal, str]:
    table = rule.per_death or {}
    if grade not in table:
        raise _fail("grade", f"该奖励标准未规定{grade}事故的奖励金额。")
    each = Decimal(str(table[grade]))
    raw = each * deaths
    amount, bound = _bounded(raw, rule)
    return amount, f"{grade}事故瞒报 {deaths} 人 × {yuan(each)} = {yuan(raw)}{bound}"
