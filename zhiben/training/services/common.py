"""What every training service shares: the permission guard, the version pin, the township of a place and the
plain create/edit of a record with its audit row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from zhiben.core.errors import NotPermitted
from zhiben.core.loop.records import pin, snapshot
from zhiben.core.scoping import can
from zhiben.core.workflow import compare_and_swap
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Region

STALE = "该记录已被他人修改（当前版本 %(v)s），请刷新后重试。"


def require(actor: Any, action: str, model: type[models.Model], obj: models.Model | None = None) -> None:
    """403 unless the actor may `action` the model (and, given `obj`, that record is in its scope).
    System calls (actor None) pass."""
    if actor is None:
        return
    if not can(actor, action, model):
        raise NotPermitted(_("您无权执行此操作。"))
    if obj is not None:
        manager: Any = model._default_manager
        if not manager.restrict(actor, action).filter(pk=obj.pk).exists():
            raise NotPermitted(_("该记录不在您的职责范围内。"))


def township_of(region: Region | None) -> Region | None:
    """The 乡镇（街道） a place lies in: the region itself or its nearest township-level ancestor."""
    node = region
    while node is not None and node.level > RegionLevel.TOWNSHIP:
        node = node.parent
    return node if node is not None and node.level == RegionLevel.TOWNSHIP else None


def save_record(
    model: type[models.Model],
    obj: models.Model | None,
    values: Mapping[str, Any],
    *,
    actor: Any,
    version: int | str | None = None,
) -> tuple[Any, dict[str, Any] | None]:
    """Create (obj None) or edit a plain record: permission, scope, version pin, compare-and-swap. Returns the
    record and what its audit row should say (None when nothing changed); the caller writes that row with its
    own event, in the same transaction."""
    if obj is None:
        require(actor, "add", model)
        created = model._default_manager.create(**values)
        return created, {"created": True, **snapshot(values)}
    require(actor, "change", model, obj)
    pin(obj, version, _(STALE))
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    if not changed:
        return obj, None
    compare_and_swap(obj, expected={}, changes=changed)
    return obj, snapshot(changed)
