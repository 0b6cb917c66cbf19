"""Risk grading by LEC (D = L × E × C) or LS (R = L × S) against a band table held as data.

A table is `{"scales": {"L": [{"value": "6", "label": …}, …], …}, "bands": [{"above": "160", "above_inclusive":
false, "upto": "320", "upto_inclusive": true, "level": "较大", "colour": "橙"}, …]}`: every band says whether its
bounds belong to it, so D = 320 is 较大 and D = 320.5 重大 in the default table. `check_table` refuses a table
whose bands leave a gap or overlap, in Chinese, naming the bands.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FACTORS = {"LEC": ("L", "E", "C"), "LS": ("L", "S")}
LEVELS = ("重大", "较大", "一般", "低")
COLOURS = {"重大": "红", "较大": "橙", "一般": "黄", "低": "蓝"}
FACTOR_NAMES = {"L": "可能性 L", "E": "暴露频繁程度 E", "C": "后果 C", "S": "严重性 S"}


@dataclass(frozen=True)
class Grade:
    score: Decimal
    level: str  # 重大/较大/一般/低
    colour: str  # 红/橙/黄/蓝


def _number(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _bound_text(band: dict[str, Any]) -> str:
    low, high = band.get("above"), band.get("upto")
    left = "" if low is None else f"{low}{'≤' if band.get('above_inclusive') else '<'}"
    right = "" if high is None else f"{'≤' if band.get('upto_inclusive') else '<'}{high}"
    return f"{left}分值{right}（{band.get('level', '')}）"


def check_table(method: str, data: Any) -> dict[str, Any]:
    """The table, normalised (bands from highest to lowest); else a ValidationError in Chinese."""
    if method not in FACTORS:
        raise ValidationError({"method": _("评价方法应为 LEC 或 LS。")})
    if not isinstance(data, dict):
        raise ValidationError({"data": _("分级表应为 JSON 对象，包含 scales 和 bands。")})
    errors: list[str] = []
    scales = data.get("scales")
    if not isinstance(scales, dict):
        errors.append(_("缺少分值表 scales。"))
        scales = {}
    for factor in FACTORS[method]:
        rows = scales.get(factor)
        if not isinstance(rows, list) or not rows:
            errors.append(_("缺少%(f)s的分值。") % {"f": FACTOR_NAMES[factor]})
            continue
        for row in rows:
            value = _number(row.get("value") if isinstance(row, dict) else None)
            if value is None or value <= 0 or not str(row.get("label", "")).strip():
                errors.append(_("%(f)s的分值应为正数并有说明。") % {"f": FACTOR_NAMES[factor]})
                break
    bands = data.get("bands")
    if not isinstance(bands, list) or not bands:
        errors.append(_("缺少分级 bands。"))
        raise ValidationError({"data": errors})
    parsed = []
    for band in bands:
        if not isinstance(band, dict):
            errors.append(_("每个分级应为 JSON 对象。"))
            continue
        if band.get("level") not in LEVELS:
            errors.append(_("风险等级“%(l)s”无效，应为重大、较大、一般或低。") % {"l": band.get("level", "")})
        elif band.get("colour") != COLOURS[band["level"]]:
            errors.append(_("%(l)s风险的颜色应为%(c)s。") % {"l": band["level"], "c": COLOURS[band["level"]]})
        low = _number(band.get("above")) if band.get("above") is not None else None
        high = _number(band.get("upto")) if band.get("upto") is not None else None
        if (band.get("above") is not None and low is None) or (band.get("upto") is not None and high is None):
            errors.append(_("分级 %(b)s 的界值应为数字。") % {"b": _bound_text(band)})
            continue
        if low is not None and high is not None and low >= high:
            errors.append(_("分级 %(b)s 的下界应小于上界。") % {"b": _bound_text(band)})
            continue
        parsed.append((low, high, band))
    if errors:
        raise ValidationError({"data": errors})
    # From the top band down: each band's lower bound must be the next one's upper bound, exactly one side
    # including it; the top band is open above, the bottom band open below.
    parsed.sort(key=lambda p: (p[0] is None, -(p[0] or 0)))
    if parsed[0][1] is not None:
        errors.append(
            _("最高一级 %(b)s 应不设上界，否则高于 %(v)s 的分值无法分级。")
            % {"b": _bound_text(parsed[0][2]), "v": parsed[0][1]}
        )
    if parsed[-1][0] is not None:
        errors.append(
            _("最低一级 %(b)s 应不设下界，否则低于 %(v)s 的分值无法分级。")
            % {"b": _bound_text(parsed[-1][2]), "v": parsed[-1][0]}
        )
    for (low, _h, upper), (_l, high, lower) in itertools.pairwise(parsed):
        if low is None or high is None:
            errors.append(
                _("分级 %(a)s 与 %(b)s 重叠。") % {"a": _bound_text(upper), "b": _bound_text(lower)}
            )
            continue
        if high < low:
            errors.append(
                _("分级 %(a)s 与 %(b)s 之间有空档：%(x)s 至 %(y)s 的分值无法分级。")
                % {"a": _bound_text(lower), "b": _bound_text(upper), "x": high, "y": low}
            )
        elif high > low:
            errors.append(
                _("分级 %(a)s 与 %(b)s 重叠：%(x)s 至 %(y)s 属于两个等级。")
                % {"a": _bound_text(lower), "b": _bound_text(upper), "x": low, "y": high}
            )
        else:
            upper_has = bool(upper.get("above_inclusive"))
            lower_has = bool(lower.get("upto_inclusive"))
            if upper_has and lower_has:
                errors.append(
                    _("分值 %(v)s 同时属于 %(a)s 和 %(b)s（重叠）。")
                    % {"v": low, "a": _bound_text(lower), "b": _bound_text(upper)}
                )
            elif not upper_has and not lower_has:
                errors.append(_("分值 %(v)s 不属于任何等级（空档），请明确界值归属。") % {"v": low})
    if errors:
        raise ValidationError({"data": errors})
    return {**data, "bands": [p[2] for p in parsed]}


def scale_values(data: dict[str, Any], factor: str) -> list[Decimal]:
    return [Decimal(str(r["value"])) for r in data.get("scales", {}).get(factor, [])]


def read_inputs(method: str, data: dict[str, Any], raw: dict[str, Any]) -> dict[str, Decimal]:
    """The factor values of an assessment, each one of the table's scale values; else Chinese errors by field."""
    if method not in FACTORS:
        raise ValidationError({"method": _("评价方法应为 LEC 或 LS。")})
    errors: dict[str, str] = {}
    values: dict[str, Decimal] = {}
    for factor in FACTORS[method]:
        number = _number(raw.get(factor))
        allowed = scale_values(data, factor)
        if number is None:
            errors[factor] = _("请填写%(f)s的分值（数字）。") % {"f": FACTOR_NAMES[factor]}
        elif number not in allowed:
            errors[factor] = _("%(f)s的分值 %(v)s 不在分值表内，可选：%(a)s。") % {
                "f": FACTOR_NAMES[factor],
                "v": raw.get(factor),
                "a": "、".join(_plain(a) for a in allowed),
            }
        else:
            values[factor] = number
    if errors:
        raise ValidationError(errors)
    return values


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def score_of(values: dict[str, Decimal]) -> Decimal:
    score = Decimal(1)
    for v in values.values():
        score *= v
    return score


def grade(score: Decimal, data: dict[str, Any]) -> Grade:
    """The band the score falls in (the table was checked: exactly one)."""
    for band in data["bands"]:
        low = _number(band.get("above")) if band.get("above") is not None else None
        high = _number(band.get("upto")) if band.get("upto") is not None else None
        if low is not None and (score < low or (score == low and not band.get("above_inclusive"))):
            continue
        if high is not None and (score > high or (score == high and not band.get("upto_inclusive"))):
            continue
        return Grade(score=score, level=band["level"], colour=band["colour"])
    raise ValidationError({"score": _("分值 %(v)s 不属于任何等级，请检查分级表。") % {"v": score}})


def plain(value: Decimal) -> str:
    """A score as officials write it: 360, 70.5 (no trailing zeros)."""
    return _plain(value)
