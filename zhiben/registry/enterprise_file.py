"""一企一档: the enterprise page as the unit's file. Each app that keeps records about a unit (hazards,
inspections, self-checks, cases …) registers a section here from its AppConfig.ready(); the registry knows
no domain nouns, and the apps depend on it (downward), never the reverse.

A section is built for one enterprise and one user: it reads through `restrict(user)`, so it shows only what
the user may see, and returns None when the user may see none of its records at all. The page merges the
sections' events into one timeline (newest first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max, Min

from .choices import RegionLevel
from .models import Enterprise, Region


@dataclass(frozen=True)
class FileRow:
    """One record of the section: its title (a link), a status badge, a date and a short detail."""

    text: str
    url: str = ""
    status: str = ""
    tone: str = "secondary"  # a Bootstrap colour for the status badge
    on: dt.date | None = None
    detail: str = ""


@dataclass(frozen=True)
class FileEvent:
    on: dt.date
    text: str
    url: str = ""


@dataclass
class FileSection:
    title: str
    icon: str
    figures: list[tuple[str, int, str]] = field(default_factory=list)  # (label, value, tone)
    rows: list[FileRow] = field(default_factory=list)
    total: int = 0
    more_url: str = ""
    empty: str = "暂无记录"
    events: list[FileEvent] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    key: str
    order: int
    build: Callable[[Enterprise, Any], FileSection | None]


_SECTIONS: dict[str, Section] = {}
TIMELINE_LENGTH = 20


def register_section(key: str, build: Callable[[Enterprise, Any], FileSection | None], *, order: int) -> None:
    """Add (or replace, on a reload) the section `key`; sections show in `order`."""
    _SECTIONS[key] = Section(key, order, build)


def sections_for(enterprise: Enterprise, user: Any) -> list[FileSection]:
    built = (s.build(enterprise, user) for s in sorted(_SECTIONS.values(), key=lambda s: s.order))
    return [s for s in built if s is not None]


def timeline(sections: list[FileSection], length: int = TIMELINE_LENGTH) -> list[FileEvent]:
    events = [e for s in sections for e in s.events]
    return sorted(events, key=lambda e: e.on, reverse=True)[:length]


# --- the location map ------------------------------------------------------------------------------------------

MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 320, 180, 16


@dataclass(frozen=True)
class LocationMap:
    """The unit as a point in the frame of its township (the box around the township's registered units):
    drawn as SVG on the page, with no tile server. Only the frame's bounds are read, never other units."""

    township: str
    x: float
    y: float
    width: int = MAP_WIDTH
    height: int = MAP_HEIGHT


def township_of(region: Region) -> Region:
    township = region
    while township.parent_id is not None and township.level > RegionLevel.TOWNSHIP:
        township = township.parent  # type: ignore[assignment]
    return township


def location_map(enterprise: Enterprise) -> LocationMap | None:
    if enterprise.longitude is None or enterprise.latitude is None:
        return None
    township = township_of(enterprise.region)
    # Bounds only (an aggregate): no unit outside the user's scope is listed or located.
    bounds = (
        Enterprise.objects.unrestricted("the map frame: aggregate bounds of the township")
        .filter(
            region__code__startswith=township.scope_prefix, longitude__isnull=False, latitude__isnull=False
        )
        .aggregate(x0=Min("longitude"), x1=Max("longitude"), y0=Min("latitude"), y1=Max("latitude"))
    )
    return LocationMap(
        township=township.name,
        x=_scale(enterprise.longitude, bounds["x0"], bounds["x1"], MAP_WIDTH),
        y=MAP_HEIGHT - _scale(enterprise.latitude, bounds["y0"], bounds["y1"], MAP_HEIGHT),
    )


def _scale(value: Decimal, low: Decimal | None, high: Decimal | None, size: int) -> float:
    inner = size - 2 * MAP_MARGIN
    if low is None or high is None or high <= low:
        return size / 2
    return round(MAP_MARGIN + float((value - low) / (high - low)) * inner, 1)
