"""统一社会信用代码 (GB 32100-2015) and region codes, as tables."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhiben.core.codes import make_uscc, normalise, region_level, validate_region_code, validate_uscc

VALID = [
    ("914403001922038216", "914403001922038216"),  # public example (research/domain.md §7.1)
    ("9144030071526726XG", "9144030071526726XG"),
    ("91330100716105852F", "91330100716105852F"),
    ("91110108551385082Q", "91110108551385082Q"),
    ("91110000600037341L", "91110000600037341L"),
    ("  9144030071526726xg ", "9144030071526726XG"),  # stray spaces, lower case
    ("９１４４０３００１９２２０３８２１６", "914403001922038216"),  # full-width digits
    ("9144 0300 7152 6726 XG", "9144030071526726XG"),  # typed in groups
]

INVALID = [
    ("91440300192203821", "18位"),  # 17 characters
    ("9144030019220382166", "18位"),
    ("914403001922038217", "校验位"),  # wrong check character
    ("91440300I92203821X", "不允许的字符"),  # I is not in the alphabet
    ("944403001922038216", "机构类别码"),  # 9 + 4 is no category
    ("91ABCDEF1922038216", "行政区划"),
    ("", "18位"),
]


@pytest.mark.parametrize(("raw", "expected"), VALID)
def test_it_accepts_and_normalises_valid_codes(raw, expected):
    assert validate_uscc(raw) == expected


@pytest.mark.parametrize(("raw", "message"), INVALID)
def test_it_rejects_invalid_codes_with_a_chinese_reason(raw, message):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(raw)
    assert message in " ".join(exc.value.messages)


@pytest.mark.parametrize(
    ("dept", "category"), [("N", "2"), ("N", "3"), ("A", "1"), ("Y", "1"), ("5", "1"), ("9", "2")]
)
def test_it_accepts_codes_python_stdnum_rejects(dept, category):
    # 村级集体经济组织 (N2…) and other non-enterprise registrations are common in a rural district.
    code = make_uscc(dept, category, "430671", "MA4L3C0Y")
    assert validate_uscc(code) == code


def test_it_builds_codes_whose_embedded_organisation_code_checks():
    code = make_uscc("9", "1", "440300", "19220382")
    assert code == "914403001922038216"


@pytest.mark.parametrize(
    ("code", "level"), [("430000", 1), ("430600", 2), ("430671", 3), ("430671203", 4), ("430671203201", 5)]
)
def test_it_knows_region_levels(code, level):
    assert region_level(validate_region_code(code)) == level


@pytest.mark.parametrize("bad", ["4306", "43067a", "0000000", "430671-203"])
def test_it_rejects_malformed_region_codes(bad):
    with pytest.raises(ValidationError):
        validate_region_code(bad)


def test_it_normalises_full_width_text():
    assert normalise("　ａｂｃ１２３ ") == "ABC123"
