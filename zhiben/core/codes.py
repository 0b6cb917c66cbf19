"""Code lists with check rules: 统一社会信用代码 (GB 32100-2015) and 行政区划代码 (GB/T 2260)."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# 登记管理部门码 → 机构类别码 allowed (GB 32100 table; research/domain.md §7.1).
USCC_CATEGORIES: dict[str, str] = {
    "1": "1239",
    "2": "19",
    "3": "123459",
    "4": "19",
    "5": "1239",
    "6": "129",
    "7": "129",
    "8": "19",
    "9": "123",
    "A": "19",
    "N": "1239",
    "Y": "1",
}
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


# A USCC as typed (spaces, full-width characters) may be longer than its 18 characters: forms and the API
# accept this much and validate_uscc() normalises before checking the length.
USCC_INPUT_MAX_LENGTH = 40


def normalise(value: str) -> str:
    """Trim, fold full-width characters to half-width (NFKC) and upper-case, as typed data arrives."""
    return unicodedata.normalize("NFKC", value or "").strip().upper().replace(" ", "")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return the normalised 统一社会信用代码 or raise ValidationError with a Chinese message."""
    code = normalise(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(n)d位。") % {"n": len(code)}, code="length"
        )
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、S、V、Z）。")
            % {"chars": "".join(bad)},
            code="alphabet",
        )
    dept, category = code[0], code[1]
    if dept not in USCC_CATEGORIES or category not in USCC_CATEGORIES[dept]:
        raise ValidationError(
            _("统一社会信用代码的登记管理部门码或机构类别码无效：%(p)s。") % {"p": code[:2]}, code="category"
        )
    if not code[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第3至8位应为行政区划代码（数字）。"), code="region")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：应为 %(c)s。") % {"c": expected}, code="checksum"
        )
    return code


def is_valid_uscc(value: str) -> bool:
    try:
        validate_uscc(value)
    except ValidationError:
        return False
    return True


def org_code_check_char(first8: str) -> str:
    """GB 11714 组织机构代码 check character for the 9-character body embedded in a USCC."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def make_uscc(dept: str, category: str, region: str, body8: str) -> str:
    """Build a valid USCC from its parts (used by the demo generator and tests)."""
    org = body8 + org_code_check_char(body8)
    first17 = dept + category + region + org
    return first17 + uscc_check_char(first17)


REGION_CODE_RE = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")


def validate_region_code(value: str) -> str:
    """GB/T 2260 (6 digits) or 统计用区划代码 township (9) / village (12) code."""
    code = normalise(value)
    if not REGION_CODE_RE.match(code):
        raise ValidationError(_("行政区划代码应为6、9或12位数字。"), code="region_code")
    if code[:2] == "00":
        raise ValidationError(_("行政区划代码的省级部分无效。"), code="region_code")
    return code


def region_level(code: str) -> int:
    """1 province, 2 city, 3 county, 4 township, 5 village."""
    if len(code) == 12:
        return 5
    if len(code) == 9:
        return 4
    if code[2:] == "0000":
        return 1
    if code[4:] == "00":
        return 2
    return 3
