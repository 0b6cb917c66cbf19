"""The statistics' filters (quarters, region, industry, department, level, source) resolved to the tally's
terms, their description, the trend's quarter window, and the user's statistics scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, cast

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from zhiben.accounts.roles import Role
from zhiben.core.calendar import (
    QUARTER_RE,
    parse_quarter,
    quarter_label,
    quarter_of,
    shift_quarter,
)
from zhiben.core.errors import NotPermitted
from zhiben.core.scoping import Grant, ScopePaths, grants_for
from zhiben.registry.models import Department, Industry, Region
from zhiben.registry.scoping import with_descendants

from ..choices import Level, Source
from ..models import Hazard, HazardTally

# The trend shows this many quarters.
TREND_QUARTERS = 8


# ---------------------------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class StatsFilter:
    """The dashboard's explicit filters (the user's scope applies on top). Codes, as in the page's URL."""

    region: str = ""  # region code: the region and everything below it
    industry: str = ""  # industry code, with its sub-industries
    department: str = ""  # department code (the supervising department)
    level: str = ""
    source: str = ""
    stock: bool | None = None  # True: 存量 only; False: 新增 only
    quarter_from: str = ""  # discovery quarter range, "2025Q1"
    quarter_to: str = ""

    def query_items(self) -> list[tuple[str, str]]:
        """The filters as URL parameters (the export link and the heat table's links carry them)."""
        items = [(f.name, getattr(self, f.name)) for f in fields(self) if f.name != "stock"]
        if self.stock is not None:
            items.append(("stock", "1" if self.stock else "0"))
        return [(k, str(v)) for k, v in items if v]


@dataclass(frozen=True)
class _Resolved:
    """StatsFilter with codes turned into what the queries need; `empty` when a code names nothing."""

    region_prefix: str | None = None
    industry_ids: frozenset[int] | None = None
    department_id: int | None = None
    level: str = ""
    source: str = ""
    stock: bool | None = None
    quarter_from: str = ""
    quarter_to: str = ""
    empty: bool = False


def _resolve(filters: StatsFilter) -> _Resolved:
    empty = False
    prefix = None
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        prefix, empty = (region.scope_prefix, empty) if region else (None, True)
    industry_ids = None
    if filters.industry:
        industry = Industry.objects.filter(code=filters.industry).first()
        if industry is None:
            empty = True
        else:
            industry_ids = frozenset(with_descendants({industry.pk}))
    department_id = None
    if filters.department:
        department_id = (
            Department.objects.filter(code=filters.department).values_list("pk", flat=True).first()
        )
        empty = empty or department_id is None
    for quarter in (filters.quarter_from, filters.quarter_to):
        if quarter and not QUARTER_RE.match(quarter):
            empty = True
    return _Resolved(
        region_prefix=prefix,
        industry_ids=industry_ids,
        department_id=department_id,
        level=filters.level,
        source=filters.source,
        stock=filters.stock,
        quarter_from=filters.quarter_from if QUARTER_RE.match(filters.quarter_from or "") else "",
        quarter_to=filters.quarter_to if QUARTER_RE.match(filters.quarter_to or "") else "",
        empty=empty,
    )


def describe(filters: StatsFilter) -> str:
    """The filters in words, for the page and the top of every exported sheet."""
    parts: list[str] = []
    if filters.region:
        name = Region.objects.filter(code=filters.region).values_list("name", flat=True).first()
        parts.append(_("区域：%(v)s") % {"v": name or filters.region})
    if filters.industry:
        name = Industry.objects.filter(code=filters.industry).values_list("name", flat=True).first()
        parts.append(_("行业领域：%(v)s") % {"v": name or filters.industry})
    if filters.department:
        name = Department.objects.filter(code=filters.department).values_list("name", flat=True).first()
        parts.append(_("监管部门：%(v)s") % {"v": name or filters.department})
    if filters.level:
        parts.append(_("隐患等级：%(v)s") % {"v": _label(Level, filters.level)})
    if filters.source:
        parts.append(_("隐患来源：%(v)s") % {"v": _label(Source, filters.source)})
    if filters.stock is not None:
        parts.append(_("存量/新增：%(v)s") % {"v": _("存量隐患") if filters.stock else _("新增隐患")})
    if filters.quarter_from or filters.quarter_to:
        start = quarter_label(filters.quarter_from) if QUARTER_RE.match(filters.quarter_from) else _("不限")
        end = quarter_label(filters.quarter_to) if QUARTER_RE.match(filters.quarter_to) else _("不限")
        parts.append(_("发现时间：%(a)s至%(b)s") % {"a": start, "b": end})
    return "；".join(parts) or _("全部隐患")


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(dict(choices.choices).get(value, value))


# ------------------------------------------------------------------------------------------------ scope

# The tally's paths to the scope dimensions. It has no enterprise: an enterprise grant admits nothing here
# (a unit sees its own hazards in the register, not district statistics).
_TALLY_PATHS = ScopePaths(region="region__code", industry="industry_id", department="department_id")


class _TallyScope:
    """HazardTally as `Grant.q_for` sees a scoped model, so the tally is scoped by the very code that
    scopes `Hazard.objects.restrict()` (region prefix, industries, or the department's own records)."""

    scope = _TALLY_PATHS
    _meta = HazardTally._meta
    _default_manager = HazardTally.objects


def statistics_grants(user: Any) -> list[Grant]:
    """The user's grants that admit tally rows: view on hazards, not a unit's own (enterprise) grant."""
    return [
        g
        for g in grants_for(user)
        if g.allows("view", Hazard) and g.role != Role.ENTERPRISE and g.q_for(_model(_TallyScope)) is not None
    ]


def _model(shim: type) -> type[models.Model]:
    return cast(type[models.Model], shim)


def may_view_statistics(user: Any) -> bool:
    """The dashboard is for government users who may view hazards; an enterprise-only user may not (403)."""
    return bool(statistics_grants(user))


def tally_scope_q(user: Any) -> Q:
    """The user's scope as a filter on HazardTally (NotPermitted when the user has no statistics scope)."""
    result: Q | None = None
    for grant in statistics_grants(user):
        q = grant.q_for(_model(_TallyScope))
        assert q is not None  # statistics_grants() kept only grants that admit something
        if not q:
            return Q()
        result = q if result is None else result | q
    if result is None:
        raise NotPermitted(_("您无权查看隐患统计。"))
    return result


def scope_label(user: Any) -> str:
    """The user's jurisdiction in words, under the page title."""
    grants = statistics_grants(user)
    if any(g.region_prefix is None and g.industry_ids is None for g in grants):
        return _("全区")
    parts: list[str] = []
    prefixes = sorted({g.region_prefix for g in grants if g.region_prefix})
    if prefixes:
        names = dict(Region.objects.filter(code__in=prefixes).values_list("code", "name"))
        parts.extend(names.get(p, p) for p in prefixes)
    if any(g.industry_ids is not None for g in grants):
        parts.append(_("本部门监管的行业领域及移送本部门的隐患"))
    return "、".join(parts)


def trend_window(filters: StatsFilter, today: dt.date) -> list[str]:
    """The quarters the trend shows: the last 8 up to the end of the quarter range (or today's quarter),
    never before the start of the range."""
    end = filters.quarter_to if QUARTER_RE.match(filters.quarter_to or "") else quarter_of(today)
    quarters = [shift_quarter(end, -i) for i in range(TREND_QUARTERS - 1, -1, -1)]
    if QUARTER_RE.match(filters.quarter_from or ""):
        kept = [q for q in quarters if parse_quarter(q) >= parse_quarter(filters.quarter_from)]
        quarters = kept or [end]
    return quarters


def _trend_quarters(filters: StatsFilter, today: dt.date) -> list[str]:
    window = trend_window(filters, today)
    return sorted({*window, *(shift_quarter(q, -4) for q in window)}, key=parse_quarter)
