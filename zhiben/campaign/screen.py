"""The big screen (指挥大屏, 1920×1080, dark): key indicators, the township map coloured by open 重大 hazards,
those hazards by township, the campaign's task progress by year and the latest events.

Everything is read for the viewer: hazards, tasks and events through `restrict(user)`, indicators for the
viewer's home scope (`indicators.access.reach_of`: the district, its township or its department). The page
is rendered on the server; `?format=json` answers the same figures for the page's script, which polls every
60 s and updates the numbers in place.

The map is drawn from `data/townships.geojson`: simplified outlines drawn by hand after public maps (not
legal boundaries, 待核实 — the collection's `source` says so and the screen prints it).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from zhiben.core.formats import local_time
from zhiben.core.scoping import can
from zhiben.core.views import ScopedViewMixin
from zhiben.enforcement.models import CaseTransition
from zhiben.hazards.choices import OPEN_STATUSES, Level, Status
from zhiben.hazards.models import Hazard, HazardTransition
from zhiben.indicators import registry
from zhiben.indicators.access import reach_of
from zhiben.inspections.choices import InspectionStatus
from zhiben.inspections.models import Inspection
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Region
from zhiben.tips.models import Tip

from .choices import OPEN_TASK_STATUSES, YEARS, TaskStatus
from .models import Task

GEOJSON = Path(__file__).resolve().parent / "data" / "townships.geojson"
REFRESH_SECONDS = 60
EVENTS = 10

# The key indicators, in screen order: the hazard goals first, then inspections and the 7个100%.
KEY_INDICATORS = (
    "hazards.major_open",
    "hazards.stock_clearance",
    "hazards.on_time_rectification",
    "hazards.new_major_yoy",
    "inspections.self_check_coverage",
    "inspections.missed",
    "campaign.above_scale_standardisation",
    "prevention.one_meeting_three_cards",
)

# Map size (SVG user units).
MAP_WIDTH = 860
MAP_PAD = 24


# --- the map ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    code: str  # a township's region code; "" for water
    name: str
    path: str  # SVG path data in the map's user units
    label_x: float
    label_y: float

    @property
    def count_y(self) -> float:
        return round(self.label_y + 44, 1)


@dataclass(frozen=True)
class TownshipMap:
    width: int
    height: int
    source: str
    shapes: tuple[Shape, ...]  # the townships
    lakes: tuple[Shape, ...] = ()
    rivers: tuple[Shape, ...] = ()


def _lines(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    if kind == "LineString":
        return [coords]
    raise ValueError(f"unsupported geometry {kind}")


def load_collection() -> dict[str, Any]:
    return dict(json.loads(GEOJSON.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def township_map() -> TownshipMap:
    """The shipped outlines projected to SVG (equirectangular, scaled by cos(latitude) so it is not squashed)."""
    collection = load_collection()
    features = collection["features"]
    points = [p for f in features for line in _lines(f["geometry"]) for p in line]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    squash = math.cos(math.radians((south + north) / 2))
    scale = (MAP_WIDTH - 2 * MAP_PAD) / ((east - west) * squash)
    height = round((north - south) * scale + 2 * MAP_PAD)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (
            round(MAP_PAD + (lon - west) * squash * scale, 1),
            round(MAP_PAD + (north - lat) * scale, 1),
        )

    found: dict[str, list[Shape]] = {"township": [], "water": [], "river": []}
    for f in features:
        props = f["properties"]
        closed = f["geometry"]["type"] != "LineString"
        parts = []
        for line in _lines(f["geometry"]):
            coords = [xy(lon, lat) for lon, lat in line]
            parts.append("M" + " L".join(f"{x},{y}" for x, y in coords) + (" Z" if closed else ""))
        lx, ly = xy(*props["label"])
        shape = Shape(props.get("code", ""), props["name"], " ".join(parts), lx, ly)
        found[props.get("kind", "township")].append(shape)
    return TownshipMap(
        MAP_WIDTH,
        height,
        collection.get("source", ""),
        tuple(found["township"]),
        tuple(found["water"]),
        tuple(found["river"]),
    )


def heat_step(count: int | None, top: int) -> int | None:
    """0 for none, then 1–3 by thirds of the largest count on screen (None: outside the viewer's reach)."""
    if count is None:
        return None
    if count <= 0:
        return 0
    return min(3, 1 + (3 * (count - 1)) // max(top, 1))


# --- figures --------------------------------------------------------------------------------------------------


def _townships() -> list[Region]:
    return list(
        Region.objects.unrestricted("reference data").filter(level=RegionLevel.TOWNSHIP).order_by("code")
    )


def _township_of(code: str, townships: Iterable[Region]) -> Region | None:
    return next((t for t in townships if code.startswith(t.scope_prefix)), None)


def hazard_list_url(**params: str) -> str:
    return reverse("hazards:hazard_list") + "?" + urlencode(params)


def major_by_township(user: Any, townships: list[Region], reach: Any) -> list[dict[str, Any]]:
    """Open 重大 hazards the viewer may see, per township (None: a township outside a township official's reach)."""
    counts: dict[str, int] = {t.code: 0 for t in townships}
    if can(user, "view", Hazard):
        rows = (
            Hazard.objects.restrict(user)
            .filter(level=Level.MAJOR, status__in=OPEN_STATUSES)
            .values("region__code")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            town = _township_of(row["region__code"], townships)
            if town is not None:
                counts[town.code] += row["n"]
    result: list[dict[str, Any]] = []
    for t in townships:
        visible = reach.everything or not reach.townships or t.code in reach.townships
        n = counts[t.code] if visible else None
        result.append(
            {
                "code": t.code,
                "name": t.name,
                "count": n,
                "mine": t.code in reach.townships,
                "url": hazard_list_url(region=t.code, level=Level.MAJOR.value, open="true")
                if visible
                else "",
            }
        )
    top = max((r["count"] or 0 for r in result), default=0)
    for r in result:
        r["bar"] = round(100 * (r["count"] or 0) / top) if top else 0
        r["step"] = heat_step(r["count"], top)
    return result


def indicator_tiles(scope: registry.Scope | None) -> list[dict[str, Any]]:
    with registry.counting_together():  # the hazard tiles: one scan of the register, not one each
        return _tiles(scope)


def _tiles(scope: registry.Scope | None) -> list[dict[str, Any]]:
    tiles = []
    known = set(registry.ids())
    for ind_id in KEY_INDICATORS:
        if ind_id not in known:
            continue
        ind = registry.get(ind_id)
        if scope is None or not ind.supports(scope):
            continue
        value = ind.value(scope)
        if not value.available:
            text, unit, state = str(_("未接入")), "", "absent"
        elif value.value is None:
            text, unit, state = "—", "", "none"
        else:
            text, unit = str(_number(value.value)), ind.unit
            state = _state(value.value, ind.target, ind.direction)
        tiles.append(
            {
                "id": ind.id,
                "name": ind.name,
                "value": text,
                "unit": unit,
                "state": state,
                "target": _target(ind),
                "url": reverse("indicators:detail", args=[ind.id]),
            }
        )
    return tiles


def _target(ind: registry.Indicator) -> str:
    if ind.target is None:
        return ""
    sign = "≥" if ind.direction == registry.HIGHER else "≤"
    if ind.unit == "%" and ind.target == 100 and ind.direction == registry.HIGHER:
        sign = ""
    return f"{sign}{_number(ind.target)}{'' if ind.unit == '%' else ' '}{ind.unit}"


def _number(value: Any) -> Any:
    return int(value) if value == int(value) else value


def _state(value: Any, target: Any, direction: str) -> str:
    if target is None:
        return "none"
    good = value >= target if direction == registry.HIGHER else value <= target
    return "good" if good else "behind"


def task_progress(user: Any, today: dt.date) -> list[dict[str, Any]]:
    rows = {
        r["year"]: r
        for r in Task.objects.restrict(user)
        .values("year")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=TaskStatus.DONE)),
            overdue=Count("pk", filter=Q(status__in=OPEN_TASK_STATUSES, due_on__lt=today)),
        )
    }
    plan = reverse("campaign:plan")
    result = []
    for year in YEARS:
        r = rows.get(year, {"total": 0, "done": 0, "overdue": 0})
        result.append(
            {
                "year": year,
                "total": r["total"],
                "done": r["done"],
                "overdue": r["overdue"],
                "percent": round(100 * r["done"] / r["total"]) if r["total"] else 0,
                "url": f"{plan}?year={year}",
                "done_url": f"{plan}?year={year}&status=done",
                "overdue_url": f"{plan}?year={year}&status=overdue",
            }
        )
    return result


# --- the latest events (names, never codes; a tip says only that one arrived, and where) -------------------


def _event(at: dt.datetime, kind: str, tone: str, text: str, url: str = "") -> dict[str, Any]:
    return {"at": at, "time": local_time(at), "kind": kind, "tone": tone, "text": text, "url": url}


def latest_events(user: Any, townships: list[Region], limit: int = EVENTS) -> list[dict[str, Any]]:
    """The newest `limit` events; nothing dated after now (a record keyed in ahead of time is not news)."""
    events: list[dict[str, Any]] = []
    now = timezone.now()

    def place(code: str | None) -> str:
        town = _township_of(code or "", townships)
        return town.name if town else str(_("全区"))

    if can(user, "view", Hazard):
        rows = (
            HazardTransition.objects.restrict(user)
            .filter(Q(action="register") | Q(to_status=Status.CLOSED), at__lte=now)
            .select_related("hazard__enterprise", "hazard__region")
            .order_by("-at", "-pk")[:limit]
        )
        for t in rows:
            h = t.hazard
            level = h.get_level_display()
            if t.to_status == Status.CLOSED:
                kind, tone, verb = _("销号"), "good", _("{level}隐患销号")
            else:
                kind, tone, verb = (
                    _("隐患"),
                    "alert" if h.level == Level.MAJOR else "warn",
                    _("登记{level}隐患"),
                )
            text = f"{verb.format(level=level)} · {place(h.region.code)} · {h.enterprise.name}"
            events.append(_event(t.at, kind, tone, text, h.get_absolute_url()))
    if can(user, "view", Tip):
        # Values only: no text, unit or reporter is read, so none can reach the screen.
        for row in (
            Tip.objects.restrict(user)
            .order_by("-received_at")
            .values("received_at", "township__code", "place__code")[:limit]
        ):
            where = place(row["township__code"] or row["place__code"])
            text = _("收到举报 1 件 · {place}").format(place=where)
            events.append(_event(row["received_at"], _("举报"), "info", text))
    if can(user, "view", Inspection):
        done = (
            Inspection.objects.restrict(user)
            .filter(status=InspectionStatus.COMPLETED, finished_at__lte=now)
            .select_related("enterprise", "region")
            .order_by("-finished_at", "-pk")[:limit]
        )
        for i in done:
            kind = _("巡查") if i.patrol_township_id else _("检查")
            text = f"{_('完成')}{kind} · {place(i.region.code)} · {i.enterprise.name}"
            events.append(_event(i.finished_at, kind, "plain", text, i.get_absolute_url()))
    if can(user, "view", CaseTransition):
        filed = (
            CaseTransition.objects.restrict(user)
            .filter(action="file", at__lte=now)
            .select_related("case__region")
            .order_by("-at", "-pk")[:limit]
        )
        for c in filed:
            text = f"{place(c.case.region.code)} · {c.case.subject_name}"
            events.append(_event(c.at, _("立案"), "warn", text, c.case.get_absolute_url()))
    events.sort(key=lambda e: e["at"], reverse=True)
    return events[:limit]


# --- the whole screen -------------------------------------------------------------------------------------------


def figures(user: Any) -> dict[str, Any]:
    """Everything the screen shows, for `user`; the page and its JSON both come from here."""
    now = timezone.localtime()
    reach = reach_of(user)
    scope = reach.home()
    townships = _townships()
    by_township = major_by_township(user, townships, reach)
    events = latest_events(user, townships)
    tasks = task_progress(user, now.date())
    if reach.everything:
        reach_label = _("全区")
    elif reach.townships:
        reach_label = _("本乡镇（街道）")
    else:
        reach_label = _("本部门监管范围")
    return {
        "scope": scope.label() if scope is not None else "",
        "reach": reach_label,
        "updated": local_time(now),
        "indicators": indicator_tiles(scope),
        "townships": by_township,
        "major_total": sum(r["count"] or 0 for r in by_township),
        "major_top": max((r["count"] or 0 for r in by_township), default=0),
        "major_url": hazard_list_url(level=Level.MAJOR.value, open="true"),
        "tasks": tasks,
        "tasks_total": {key: sum(y[key] for y in tasks) for key in ("total", "done", "overdue")},
        "events": [{k: v for k, v in e.items() if k != "at"} for e in events],
    }


class ScreenView(ScopedViewMixin, View):
    """指挥大屏: for everyone who may read the campaign plan; `?format=json` gives the figures to the poller."""

    model = Task

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        data = figures(request.user)
        if request.GET.get("format") == "json":
            response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
            response["Cache-Control"] = "no-store"
            return response
        shapes = township_map()
        rows = {r["code"]: r for r in data["townships"]}
        context = {
            "title": _("屈原管理区安全生产治本攻坚指挥大屏"),
            "data": data,
            "map": shapes,
            "areas": [(s, rows.get(s.code)) for s in shapes.shapes],
            "refresh": REFRESH_SECONDS,
            "now": timezone.localtime(),
        }
        return render(request, "campaign/screen.html", context)
