"""The scoring rules of a scheme, in pure Python: one rule and one frozen value → points; a unit's points → its
total; totals and tie-breaks → ranks. No database here (the services feed it the snapshot's values).

Rule types (a rule is a dict of the scheme's `rules`):

* `linear` — `points × value ÷ target`, capped at `points`. For a LOWER-is-better indicator the rule names
  `zero_at` (the value that earns nothing): `points × (zero_at − value) ÷ (zero_at − target)`, between 0 and
  `points` (at or below the target: full points). A rate without a denominator (nothing to count) earns
  `empty_points` (default: full points — nothing was late; 待核实 in the scheme).
* `threshold` — `steps`: `[{"min": 90, "points": 15}, …]` (value ≥ min, first match from the top) or
  `[{"max": 0, "points": 10}, …]` for LOWER (value ≤ max); no step matched: 0.
* `deduct` — `per` points for each counted record (the numerator: accidents, deaths, overdue 重大 hazards),
  at most `cap`; the points are negative.
* `veto` — the numerator above 0 (a 瞒报 accident): the unit's total becomes `score` (default 0).

An indicator that is not registered, not `available` or not frozen for the quarter is 未接入: the rule gives
no points either way and says so.

Ranking: higher total first; then the scheme's `tie_breaks` in order — `{"by": "deductions"}` (fewer points
deducted first), `{"by": "rule", "rule": "T1"}` (more points on that rule first); units equal on all of them
share a rank (1, 1, 3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
RULE_TYPES = ("linear", "threshold", "deduct", "veto")


def q(value: Decimal | int | float) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Frozen:
    """The frozen value a rule reads (None: 未接入)."""

    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None


@dataclass(frozen=True)
class Points:
    points: Decimal
    max_points: Decimal
    available: bool
    vetoed: bool
    explanation: str


def max_points(rule: Mapping[str, Any]) -> Decimal:
    kind = rule["type"]
    if kind == "linear":
        return q(rule["points"])
    if kind == "threshold":
        return q(max((Decimal(str(s["points"])) for s in rule["steps"]), default=Decimal(0)))
    return Decimal(0)


def score_rule(rule: Mapping[str, Any], frozen: Frozen | None, *, lower: bool = False) -> Points:
    """The points `rule` gives for `frozen` (None: the indicator is 未接入)."""
    kind = rule["type"]
    top = max_points(rule)
    if frozen is None:
        return Points(Decimal(0), top, False, False, "未接入：不计分")
    value, numerator = frozen.value, frozen.numerator
    if kind == "linear":
        points = top
        if value is None:
            empty = rule.get("empty_points")
            points = top if empty is None else q(empty)
            return Points(points, top, True, False, f"无可计数记录，按方案计 {points} 分")
        target = Decimal(str(rule.get("target", 100)))
        if lower:
            zero_at = Decimal(str(rule["zero_at"]))
            if value <= target:
                share = Decimal(1)
            elif value >= zero_at or zero_at == target:
                share = Decimal(0)
            else:
                share = (zero_at - value) / (zero_at - target)
            text = f"{value}（目标≤{target}，达到{zero_at}不得分）"
        else:
            share = min(Decimal(1), value / target) if target > 0 else Decimal(1)
            text = f"{value}÷目标{target}"
        points = q(top * max(Decimal(0), share))
        return Points(points, top, True, False, f"{text}×{top}分={points}分")
    if kind == "threshold":
        if value is None:
            return Points(Decimal(0), top, True, False, "无指标值，不得分")
        for step in rule["steps"]:
            if ("min" in step and value >= Decimal(str(step["min"]))) or (
                "max" in step and value <= Decimal(str(step["max"]))
            ):
                bound = f"≥{step['min']}" if "min" in step else f"≤{step['max']}"
                return Points(q(step["points"]), top, True, False, f"{value}{bound}，得{step['points']}分")
        return Points(Decimal(0), top, True, False, f"{value}未达最低档，不得分")
    count = numerator or Decimal(0)
    if kind == "deduct":
        per, cap = Decimal(str(rule["per"])), Decimal(str(rule.get("cap", 0)))
        lost = per * count
        if cap and lost > cap:
            lost = cap
        text = f"{count.normalize():f}起×{per}分" + (f"，最多扣{cap}分" if cap else "")
        return Points(q(-lost), top, True, False, f"{text}，扣{q(lost)}分" if count else "无，不扣分")
    if kind == "veto":
        vetoed = count > 0
        return Points(Decimal(0), top, True, vetoed, f"{count.normalize():f}起，一票否决" if vetoed else "无")
    raise ValueError(f"unknown rule type {kind!r}")


def total(
    points: Sequence[Points], rules: Sequence[Mapping[str, Any]], floor: Decimal
) -> tuple[Decimal, bool]:
    """A unit's total: the sum of its points, not below `floor`; a veto forces the rule's `score`."""
    for p, rule in zip(points, rules, strict=True):
        if p.vetoed:
            return q(rule.get("score", 0)), True
    return max(q(floor), q(sum((p.points for p in points), Decimal(0)))), False


def check_rules(rules: Any, tie_breaks: Any) -> dict[str, str]:
    """Field errors of a scheme's rules and tie-breaks (empty: valid), in Chinese."""
    errors: list[str] = []
    if not isinstance(rules, list) or not rules:
        return {"rules": "计分规则应为非空列表。"}
    codes = set()
    for i, rule in enumerate(rules, 1):
        where = f"第{i}条规则"
        if not isinstance(rule, dict):
            errors.append(f"{where}应为对象。")
            continue
        for key in ("code", "name", "indicator", "type"):
            if not str(rule.get(key, "")).strip():
                errors.append(f"{where}缺少“{key}”。")
        if rule.get("code") in codes:
            errors.append(f"{where}编号“{rule.get('code')}”重复。")
        codes.add(rule.get("code"))
        kind = rule.get("type")
        try:
            if kind == "linear":
                if Decimal(str(rule["points"])) <= 0:
                    errors.append(f"{where}分值应大于0。")
                Decimal(str(rule.get("target", 100)))
                if "zero_at" in rule:
                    Decimal(str(rule["zero_at"]))
            elif kind == "threshold":
                steps = rule["steps"]
                if not isinstance(steps, list) or not steps:
                    errors.append(f"{where}应列出分档。")
                for s in steps:
                    Decimal(str(s["points"]))
                    if "min" not in s and "max" not in s:
                        errors.append(f"{where}每档应有 min 或 max。")
            elif kind == "deduct":
                if Decimal(str(rule["per"])) <= 0:
                    errors.append(f"{where}每次扣分应大于0。")
                Decimal(str(rule.get("cap", 0)))
            elif kind == "veto":
                Decimal(str(rule.get("score", 0)))
            else:
                errors.append(f"{where}计分方式应为 linear、threshold、deduct 或 veto。")
        except (KeyError, TypeError, ArithmeticError, ValueError):
            errors.append(f"{where}的数值不完整或不是数字。")
    out: dict[str, str] = {}
    if errors:
        out["rules"] = "；".join(errors[:5])
    if not isinstance(tie_breaks, list):
        out["tie_breaks"] = "同分排序规则应为列表。"
    else:
        for t in tie_breaks:
            if not isinstance(t, dict) or t.get("by") not in ("deductions", "rule"):
                out["tie_breaks"] = "同分排序规则的 by 应为 deductions 或 rule。"
            elif t.get("by") == "rule" and t.get("rule") not in codes:
                out["tie_breaks"] = f"同分排序规则引用的规则“{t.get('rule')}”不在方案中。"
    return out


@dataclass
class Entry:
    """What ranking needs of one unit."""

    key: Any
    total: Decimal
    deducted: Decimal  # points deducted (positive)
    by_rule: dict[str, Decimal]


def rank(entries: Sequence[Entry], tie_breaks: Sequence[Mapping[str, Any]]) -> dict[Any, int]:
    """Competition ranks (1, 1, 3): higher total first, then the tie-breaks; equal on all → same rank."""

    def sort_key(e: Entry) -> tuple[Decimal, ...]:
        parts = [-e.total]
        for t in tie_breaks:
            if t.get("by") == "deductions":
                parts.append(e.deducted)
            elif t.get("by") == "rule":
                parts.append(-e.by_rule.get(str(t.get("rule")), Decimal(0)))
        return tuple(parts)

    ordered = sorted(entries, key=sort_key)
    ranks: dict[Any, int] = {}
    previous: tuple[Decimal, ...] | None = None
    current = 0
    for position, e in enumerate(ordered, 1):
        k = sort_key(e)
        if k != previous:
            current = position
            previous = k
        ranks[e.key] = current
    return ranks
