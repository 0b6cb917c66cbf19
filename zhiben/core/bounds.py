"""Bounds on every number, text and date a user types: refused with a Chinese field error, never a 500.

One place for the limits of input (issue 11, item 6):

* integers fit PostgreSQL's `integer` column (−2147483648…2147483647; a model field's own column type when
  the field is known), on SQLite too, so a value that works in tests works in production;
* an id is a whole number: 1.5 is refused, not read as 1;
* free text is at most `TEXT_MAX_LENGTH` characters (a TextField has no limit of its own);
* dates are from 1949 on; a date that records something that happened (`EVENT_DATES`) is at most
  the end of next year, any other date (deadlines, validity) at most `LAST_DATE`.

Page forms subclass `BoundedForm`, API serializers `BoundedSerializer` / `BoundedModelSerializer` and the
filtersets `core.filtersets.BaseFilterSet`; core/tests/test_bounds.py walks every one of them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core import validators
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, PrimaryKeyRelatedField

INT_MIN, INT_MAX = BaseDatabaseOperations.integer_field_ranges["IntegerField"]
TEXT_MAX_LENGTH = 10_000
FIRST_DATE = dt.date(1949, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)

# Dates (and date-times) that record an event that has happened: not after the end of next year.
EVENT_DATES = frozenset(
    {
        "accepted_on",
        "applied_on",
        "captured_at",
        "checked_on",
        "closed_on",
        "decided_on",
        "declared_on",
        "discovered_on",
        "entry_on",
        "executed_on",
        "filed_on",
        "issued_on",
        "notified_on",
        "reported_on",
        "reported_to_workers_on",
        "triggered_on",
    }
)

MESSAGES = {
    "max_value": _("数值不能大于 %(limit_value)s。"),
    "min_value": _("数值不能小于 %(limit_value)s。"),
    "max_length": _("内容过长：最多 %(limit_value)d 个字符（当前 %(show_value)d 个）。"),
    "first_date": _("日期不能早于 %(limit_value)s。"),
    "last_date": _("日期不能晚于 %(limit_value)s。"),
    "whole_id": _("编号应为正整数。"),
}


def column_range(field: models.Field | None) -> tuple[int, int]:
    """The range of the PostgreSQL column behind an integer model field (a foreign key: its target's)."""
    while isinstance(field, models.ForeignKey):
        field = field.target_field
    internal = field.get_internal_type() if field is not None else "IntegerField"
    low, high = BaseDatabaseOperations.integer_field_ranges.get(internal, (INT_MIN, INT_MAX))
    return low, high


def last_date(name: str) -> dt.date:
    """The latest acceptable date for a field named `name`."""
    if name in EVENT_DATES:
        return dt.date(timezone.localdate().year + 1, 12, 31)
    return LAST_DATE


def whole_id(value: Any) -> int | None:
    """A row id given by a user (a number or text) as an int in the id column's range, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 19:
        number = int(value.strip())
    else:
        return None
    return number if 1 <= number <= INT_MAX else None


def _bound_number(field: Any, low: int | Decimal | None, high: int | Decimal | None) -> None:
    min_value = getattr(field, "min_value", None)
    max_value = getattr(field, "max_value", None)
    if low is not None and (min_value is None or min_value < low):
        field.min_value = low
        field.validators.append(validators.MinValueValidator(low, message=MESSAGES["min_value"]))
    if high is not None and (max_value is None or max_value > high):
        field.max_value = high
        field.validators.append(validators.MaxValueValidator(high, message=MESSAGES["max_value"]))


def _bound_text(field: Any) -> None:
    if getattr(field, "max_length", None) is None:
        field.max_length = TEXT_MAX_LENGTH
        field.validators.append(
            validators.MaxLengthValidator(TEXT_MAX_LENGTH, message=MESSAGES["max_length"])
        )


def _bound_date(field: Any, name: str) -> None:
    if getattr(field, "_zhiben_dates_bounded", False):
        return
    field._zhiben_dates_bounded = True
    latest = last_date(name)
    field.validators.append(_DateBound(FIRST_DATE, latest))


class _DateBound:
    """Refuses a date (or the date of a date-time) outside [first, last]."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.first = first
        self.last = last

    def __call__(self, value: Any) -> None:
        if value is None:
            return
        day = value.date() if isinstance(value, dt.datetime) else value
        if day < self.first:
            raise forms.ValidationError(
                MESSAGES["first_date"], code="min_value", params={"limit_value": self.first.isoformat()}
            )
        if day > self.last:
            raise forms.ValidationError(
                MESSAGES["last_date"], code="max_value", params={"limit_value": self.last.isoformat()}
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _DateBound) and (self.first, self.last) == (other.first, other.last)

    def __hash__(self) -> int:
        return hash((self.first, self.last))


def bound_form_fields(fields: dict[str, forms.Field]) -> None:
    """Give every integer, free-text and date field of a page form its bounds (idempotent)."""
    for name, field in fields.items():
        if isinstance(field, forms.IntegerField):
            _bound_number(field, INT_MIN, INT_MAX)
        elif isinstance(field, forms.DecimalField | forms.FloatField):
            _bound_number(field, -(10**12), 10**12)
        elif isinstance(field, forms.CharField) and not isinstance(field, forms.ChoiceField):
            _bound_text(field)
        elif isinstance(field, forms.DateField | forms.DateTimeField):
            _bound_date(field, name)


def bound_serializer_fields(fields: dict[str, serializers.Field], model: type[models.Model] | None) -> None:
    """The same for an API serializer; an integer field of a model gets its column's range."""
    for name, field in fields.items():
        if field.read_only:
            continue
        model_field = _model_field(model, getattr(field, "source", name) or name)
        if isinstance(field, serializers.IntegerField):
            low, high = column_range(model_field if isinstance(model_field, models.IntegerField) else None)
            _bound_number(field, low, high)
        elif isinstance(field, serializers.FloatField):
            _bound_number(field, -(10**12), 10**12)
        elif isinstance(field, serializers.CharField):
            _bound_text(field)
        elif isinstance(field, serializers.DateField | serializers.DateTimeField):
            _bound_date(field, name)
        elif isinstance(field, serializers.ListField) and field.child is not None:
            bound_serializer_fields({name: field.child}, None)


def _model_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    return field if isinstance(field, models.Field) else None


class BoundedForm(forms.Form):
    """Base of every page form: numbers, text and dates bounded before cleaning (fields added in __init__ too)."""

    def full_clean(self) -> None:
        bound_form_fields(self.fields)
        super().full_clean()


class _BoundedSerializerMixin:
    """Bounds the fields and refuses ids that are not whole numbers (1.5 is not read as 1)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        meta = getattr(self, "Meta", None)
        bound_serializer_fields(fields, getattr(meta, "model", None))
        return fields

    def to_internal_value(self, data: Any) -> Any:
        errors: dict[str, list[str]] = {}
        if hasattr(data, "get"):
            for name, field in self.fields.items():  # type: ignore[attr-defined]
                if field.read_only or field.field_name not in data:
                    continue
                related = field.child_relation if isinstance(field, ManyRelatedField) else field
                if not isinstance(related, PrimaryKeyRelatedField) or related.pk_field is not None:
                    continue
                raw = (
                    data.getlist(name)
                    if hasattr(data, "getlist") and field is not related
                    else data.get(name)
                )
                values = raw if isinstance(raw, list | tuple) else [raw]
                if any(v not in (None, "") and whole_id(v) is None for v in values):
                    errors[name] = [str(MESSAGES["whole_id"])]
        try:
            value = super().to_internal_value(data)  # type: ignore[misc]
        except serializers.ValidationError as exc:
            # All of a request's field errors come back at once; an id that is not whole replaces its field's.
            detail = exc.detail if isinstance(exc.detail, dict) else {}
            raise serializers.ValidationError({**detail, **errors}) from exc
        if errors:  # a fractional id the relation would have rounded (1.5 → 1)
            raise serializers.ValidationError(errors)
        return value


class BoundedSerializer(_BoundedSerializerMixin, serializers.Serializer):
    """Base of every API input serializer."""


class BoundedModelSerializer(_BoundedSerializerMixin, serializers.ModelSerializer):
    """Base of every API model serializer."""
