"""The write half of the kit: the version pin and the JSON-safe snapshot that every service shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from zhiben.core.errors import Conflict


def pin(obj: Any, version: int | str | None, message: str | None = None) -> None:
    """A form or API call made against `version`: a newer stored version means someone else acted first (409).

    `message` may name the record ("该隐患已被他人处理（当前版本 %(v)s）…"); `%(v)s` is the stored version."""
    if version is None or version == "":
        return
    if int(version) != obj.version:
        text = message or _("该记录已被他人处理（当前版本 %(v)s），请刷新后重试。")
        raise Conflict(str(text) % {"v": obj.version})


def snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` made JSON-safe for an audit row: related objects by primary key, dates and decimals as text."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, dt.date | dt.datetime | Decimal):
            value = str(value)
        out[key] = value
    return out
