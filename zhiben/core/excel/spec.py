"""The declarative import spec (导入模板定义) and the tolerant parsing of one cell per column kind."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import from_excel

from ..bounds import FIRST_DATE, INT_MAX, INT_MIN, TEXT_MAX_LENGTH, last_date
from .export import FORMULA_START

# ---------------------------------------------------------------------------------------------------------
# The declarative import spec


class Kind:
    """How a column's cells are parsed."""

    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    BOOL = "bool"
    DATE = "date"
    CHOICE = "choice"
    CUSTOM = "custom"


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", gettext_lazy("全部正确才导入（有任何错误则不导入任何数据）")
    VALID_ONLY = "valid_only", gettext_lazy("只导入正确的行（错误行列入错误报告）")


class Outcome:
    """What a row handler did with one row."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ALL = (CREATED, UPDATED, UNCHANGED)


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


# A parser returns KEEP for "leave the stored value as it is" (e.g. a masked phone from an export, R16).
KEEP: Any = _Keep()

TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "对"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "✗", "✘", "x", "无", "不是", "错"})


@dataclass(frozen=True)
class ImportColumn:
    """One column of an import sheet (导入列): its header, the aliases real sheets use and how to parse it.

    `choices` ([(value, label)] or a callable returning them) serves CHOICE columns; `parse` serves CUSTOM
    columns (cleaned cell value → value, raises ValidationError with a Chinese message, may return KEEP);
    `dropdown` lists the template's suggestions for a CUSTOM column without enforcing them.
    """

    key: str
    label: str | Promise
    kind: str = Kind.TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: Any = None
    parse: Callable[[Any], Any] | None = None
    dropdown: Callable[[], Sequence[str]] | None = None
    help_text: str | Promise = ""
    example: Any = None
    max_length: int | None = None
    min_value: Any = None
    max_value: Any = None
    decimal_places: int | None = None
    fold_width: bool = False  # TEXT: fold full-width letters and digits too (codes; never names, see _text)
    width: int = 0

    @property
    def label_text(self) -> str:
        return str(self.label)

    def choice_pairs(self) -> list[tuple[str, str]]:
        pairs = self.choices() if callable(self.choices) else (self.choices or [])
        return [(str(v), str(label)) for v, label in pairs]

    def dropdown_values(self) -> list[str]:
        if self.kind == Kind.CHOICE:
            return [label for _v, label in self.choice_pairs()]
        if self.kind == Kind.BOOL:
            return ["是", "否"]
        if self.dropdown is not None:
            return [str(v) for v in self.dropdown()]
        return []

    def header_keys(self) -> set[str]:
        return {header_key(self.label), *(header_key(a) for a in self.aliases)}


@dataclass(frozen=True)
class ImportSpec:
    """An import sheet (导入模板): columns, the natural key that makes imports idempotent, the row handler.

    `natural_key(values)` returns (column key to report a duplicate under, hashable key) or None;
    `handle_row(values, actor)` calls the app's services and returns an Outcome; it raises ValidationError
    (keyed by column key) or DomainError (with `field`) to reject the row.
    """

    title: str | Promise
    columns: tuple[ImportColumn, ...]
    handle_row: Callable[[dict[str, Any], Any], str]
    natural_key: Callable[[dict[str, Any]], tuple[str, Hashable] | None] = lambda values: None
    object_type: str = ""
    instructions: tuple[str | Promise, ...] = ()
    max_rows: int = 5000
    template_rows: int = 1000

    @property
    def title_text(self) -> str:
        return str(self.title)

    def column(self, key: str) -> ImportColumn | None:
        return next((c for c in self.columns if c.key == key), None)

    def label_of(self, key: str | None) -> str:
        col = self.column(key) if key else None
        return col.label_text if col else ""


# ---------------------------------------------------------------------------------------------------------
# Cell cleaning and parsing

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[\s\u3000\xa0]+")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DATE_TEXT = re.compile(r"^(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_SERIAL = re.compile(r"^\d{5}(\.0+)?$")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


class CellInvalid(Exception):
    """One cell could not be parsed; the message is the Chinese reason."""


def header_key(value: Any) -> str:
    """A header as compared: full-width folded (NFKC), no whitespace, no required-marks, lower case."""
    text = unicodedata.normalize("NFKC", str(value or "")).translate(_INVISIBLE)
    text = _SPACES.sub("", text).replace("*", "")
    for mark in ("(必填)", "(选填)", "必填"):
        text = text.replace(mark, "")
    return text.lower()


def fold(value: str) -> str:
    """Full-width folded (NFKC) with every space removed: for codes, numbers, dates and choice words."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", value).translate(_INVISIBLE))


def _text(value: Any) -> str:
    """Stray and full-width spaces trimmed; names keep their full-width punctuation（有限公司）on purpose,
    so an exported name imports back unchanged."""
    text = str(value).translate(_INVISIBLE)
    text = _SPACES.sub(" ", text).strip()
    # The inverse of safe_cell(): an exported "'=..." comes back as "=...".
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        text = text[1:]
    return text


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not _text(value))


def _integral(value: float) -> bool:
    return value == value and value not in (float("inf"), float("-inf")) and float(value).is_integer()


def _show(value: Any) -> str:
    return str(value)[:40]


def _check_range(col: ImportColumn, number: Any) -> None:
    if (
        col.kind == Kind.INT
    ):  # a whole number must fit its column (core/bounds.py), even without a limit of its own
        if number < max(INT_MIN, INT_MIN if col.min_value is None else col.min_value):
            raise CellInvalid(
                _("不能小于 %(v)s，当前为 %(n)s。")
                % {"v": max(INT_MIN, col.min_value or INT_MIN), "n": number}
            )
        if number > min(INT_MAX, INT_MAX if col.max_value is None else col.max_value):
            raise CellInvalid(
                _("不能大于 %(v)s，当前为 %(n)s。")
                % {"v": min(INT_MAX, col.max_value or INT_MAX), "n": number}
            )
    if col.min_value is not None and number < col.min_value:
        raise CellInvalid(_("不能小于 %(v)s，当前为 %(n)s。") % {"v": col.min_value, "n": number})
    if col.max_value is not None and number > col.max_value:
        raise CellInvalid(_("不能大于 %(v)s，当前为 %(n)s。") % {"v": col.max_value, "n": number})


def _number_text(value: str) -> str:
    text = fold(value).replace("，", ",")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    return text


def parse_int(col: ImportColumn, value: Any) -> int:
    if isinstance(value, bool):
        raise CellInvalid(_("应为整数。"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        if not _integral(float(value)):
            raise CellInvalid(_("应为整数，当前为 %(v)s。") % {"v": value})
        number = int(value)
    else:
        text = _number_text(str(value))
        if not re.fullmatch(r"[+-]?\d+(\.0+)?", text):
            raise CellInvalid(_("应为整数，当前为“%(v)s”。") % {"v": _show(value)})
        number = int(Decimal(text))
    _check_range(col, number)
    return number


def parse_decimal(col: ImportColumn, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellInvalid(_("应为数字。"))
    text = str(value) if isinstance(value, int | float | Decimal) else _number_text(str(value))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellInvalid(_("应为数字，当前为“%(v)s”。") % {"v": _show(value)}) from None
    if not number.is_finite():
        raise CellInvalid(_("应为数字，当前为“%(v)s”。") % {"v": _show(value)})
    if col.decimal_places is not None:
        number = number.quantize(Decimal(1).scaleb(-col.decimal_places), rounding=ROUND_HALF_UP)
    _check_range(col, number)
    return number


def parse_bool(col: ImportColumn, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = fold(str(int(value) if isinstance(value, float) and _integral(value) else value)).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellInvalid(_("应填写“是”或“否”，当前为“%(v)s”。") % {"v": _show(value)})


def parse_date(col: ImportColumn, value: Any) -> dt.date:
    """A date from a date cell, an Excel serial, or text: 2024年3月12日, 2024.3.12, 2024/3/12, 2024-03-12, 20240312."""
    if isinstance(value, dt.datetime):
        return _check_date(col, value.date(), value.date().isoformat())
    if isinstance(value, dt.date):
        return _check_date(col, value, value.isoformat())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _check_date(col, _from_serial(value), value)
    raw = str(value)
    text = _TIME_SUFFIX.sub("", unicodedata.normalize("NFKC", raw).strip())
    text = fold(text)
    if _DATE_SERIAL.match(text):
        return _check_date(col, _from_serial(float(text)), raw)
    match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
    if not match:
        raise CellInvalid(
            _("日期格式无法识别：“%(v)s”。请填写如 2024-03-12 或 2024年3月12日。") % {"v": _show(raw)}
        )
    year, month, day = (int(g) for g in match.groups())
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise CellInvalid(_("日期不存在：“%(v)s”。") % {"v": _show(raw)}) from None
    return _check_date(col, date, raw)


def _check_date(col: ImportColumn, date: dt.date, raw: Any) -> dt.date:
    """From 1949 on; a date that records an event (core/bounds.py) not after the end of next year."""
    if not FIRST_DATE <= date <= last_date(col.key):
        raise CellInvalid(_("日期超出范围：“%(v)s”。") % {"v": _show(raw)})
    return date


def _from_serial(serial: float) -> dt.date:
    # Excel's serial day numbers: 1 = 1900-01-01; 2958465 = 9999-12-31.
    if not 1 <= serial < 2958466:
        raise CellInvalid(_("日期数值无效：%(v)s。") % {"v": serial})
    result = from_excel(serial)
    date = result.date() if isinstance(result, dt.datetime) else result
    if not 1900 <= date.year <= 2100:
        raise CellInvalid(_("日期超出范围：%(v)s。") % {"v": date.isoformat()})
    return date


def parse_choice(col: ImportColumn, value: Any) -> str:
    given = value
    if isinstance(value, float) and _integral(value):
        value = int(value)
    word = fold(str(value)).lower()
    pairs = col.choice_pairs()
    for v, label in pairs:
        if word in (fold(label).lower(), fold(v).lower()):
            return v
    labels = [label for _v, label in pairs]
    shown = "、".join(labels[:12]) + ("等" if len(labels) > 12 else "")
    raise CellInvalid(_("“%(v)s”不是有效选项，应为：%(opts)s。") % {"v": _show(given), "opts": shown})


def parse_text(col: ImportColumn, value: Any) -> str:
    if isinstance(value, float) and _integral(value):
        value = int(value)  # a phone or code typed as a number arrives as 13800000001.0
    elif isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time(0) else value
    if isinstance(value, dt.date | dt.datetime):
        value = value.isoformat()
    text = _text(value)
    if col.fold_width:
        text = fold(text)
    limit = TEXT_MAX_LENGTH if col.max_length is None else col.max_length
    if len(text) > limit:
        raise CellInvalid(_("不能超过 %(n)d 个字符（当前 %(m)d 个）。") % {"n": limit, "m": len(text)})
    return text


def parse_custom(col: ImportColumn, value: Any) -> Any:
    if isinstance(value, float) and _integral(value):
        value = int(value)
    if isinstance(value, str):
        value = _text(value)
    assert col.parse is not None, f"column {col.key} of kind custom needs parse="
    try:
        return col.parse(value)
    except ValidationError as exc:
        raise CellInvalid("".join(exc.messages)) from None


PARSERS: dict[str, Callable[[ImportColumn, Any], Any]] = {
    Kind.TEXT: parse_text,
    Kind.INT: parse_int,
    Kind.DECIMAL: parse_decimal,
    Kind.BOOL: parse_bool,
    Kind.DATE: parse_date,
    Kind.CHOICE: parse_choice,
    Kind.CUSTOM: parse_custom,
}


def parse_cell(col: ImportColumn, value: Any) -> Any:
    """The column's value for one cell, None for a blank one; raises CellInvalid with a Chinese reason."""
    if is_blank(value):
        if col.required:
            raise CellInvalid(_("为必填项，不能为空。"))
        return None
    return PARSERS[col.kind](col, value)
