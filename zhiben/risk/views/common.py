"""What the risk pages share: the level and status badges, the units in the reader's scope, QR codes."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.utils.translation import gettext_lazy as _

from zhiben.core.views import Badge
from zhiben.registry.models import Enterprise

from ..choices import COLOUR_BY_LEVEL, Level, PointStatus
from ..models import RiskPoint

LEVEL_BADGE = {Level.MAJOR: "danger", Level.LARGE: "warning", Level.GENERAL: "warning", Level.LOW: "primary"}


def level_badge(p: RiskPoint) -> Badge | str:
    if not p.level:
        return Badge(_("未评估"), "secondary")
    return Badge(f"{COLOUR_BY_LEVEL[p.level]} · {p.get_level_display()}", LEVEL_BADGE[p.level])  # type: ignore[index]


def status_badge(p: RiskPoint) -> Badge:
    return Badge(p.get_status_display(), "warning" if p.status == PointStatus.REASSESS else "light")


def units_in_scope(user: Any) -> Any:
    """The units the reader may see, by name (the pickers and the 一会三卡 index)."""
    return Enterprise.objects.restrict(user, "view").order_by("name")


def qr_svg(url: str, scale: int = 4) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()
