"""The options of the ledgers' region, industry and department filters, shared by every list page that offers
them (units, hazards, cases) and kept briefly.

Each list page used to read the whole region table (every township and village in scope) and the industry
and department tables on every request to draw its filter bar: at province scale that is most of a township
page's fixed cost. The options change only when the register's regions, industries or departments do, so
they are kept for `settings.ZHIBEN_CHOICES_TTL` seconds (60; 0 reads them on every page): the regions per
reader (their scope decides which), the industries and departments for everyone. A region or industry added
meanwhile appears in the filters within that time; what a filter finds is always read afresh."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from zhiben.core.widgets import FastSelect

from .choices import RegionLevel
from .forms import MAX_REGION_OPTIONS, regions_in_scope
from .models import Department, Industry

Options = list[tuple[str, str]]


def code_select(options: Options) -> FastSelect:
    """A filter's select of codes shown by name, "全部" first."""
    return FastSelect(choices=[("", _("全部")), *options])


def _kept(key: str, read: Callable[[], Options]) -> Options:
    ttl = settings.ZHIBEN_CHOICES_TTL
    if ttl <= 0:
        return read()
    options: Options | None = cache.get(key)
    if options is None:
        options = read()
        cache.set(key, options, ttl)
    return options


def region_options(user: Any) -> Options:
    """Townships and villages the reader may see (villages indented); past MAX_REGION_OPTIONS, townships."""

    def read() -> Options:
        rows = list(regions_in_scope(user, "view").values_list("code", "name", "level"))
        if len(rows) > MAX_REGION_OPTIONS:
            rows = [r for r in rows if r[2] <= RegionLevel.TOWNSHIP]
        return [(c, ("\u3000" + n) if lvl == RegionLevel.VILLAGE else n) for c, n, lvl in rows]

    return _kept(f"zhiben:filter:regions:{user.pk}", read)


def industry_options() -> Options:
    """Every industry in the catalogue's order, sub-industries indented."""

    def read() -> Options:
        rows = Industry.objects.order_by("sort_order", "code").values_list("code", "name", "parent_id")
        return [(code, ("\u3000" + name) if parent else name) for code, name, parent in rows]

    return _kept("zhiben:filter:industries", read)


def department_options() -> Options:
    """Every department by its short name, in the committee's order."""

    def read() -> Options:
        rows = Department.objects.order_by("sort_order", "code").values_list("code", "short_name", "name")
        return [(code, short or name) for code, short, name in rows]

    return _kept("zhiben:filter:departments", read)
