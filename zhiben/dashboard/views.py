"""Home dashboard (工作台): read models only, no writes (see queries.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from zhiben.accounts.roles import Role
from zhiben.core import audit, events, workbench
from zhiben.core.excel import export_response
from zhiben.core.navigation import MODULES
from zhiben.core.scoping import can, grants_for
from zhiben.registry.models import Enterprise, Region

from . import figures, queries


def scope_label(user: Any) -> str:
    """The user's jurisdiction in words, for the "管辖范围" card."""
    grants = [g for g in grants_for(user) if g.allows("view", Enterprise)]
    if not grants:
        return ""
    if any(g.region_prefix is None and g.industry_ids is None and g.enterprise_ids is None for g in grants):
        return _("全区")
    parts: list[str] = []
    prefixes = sorted({g.region_prefix for g in grants if g.region_prefix})
    if prefixes:
        parts.extend(Region.objects.filter(code__in=prefixes).values_list("name", flat=True))
    if any(g.industry_ids is not None for g in grants):
        parts.append(_("本部门监管的行业领域"))
    if any(g.enterprise_ids is not None for g in grants):
        parts.append(_("本单位"))
    return "、".join(str(p) for p in parts)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """工作台: what waits for me first (core/workbench.py), the campaign's key figures for my scope, then the
    units of my scope (KPIs, the township × industry chart)."""
    user = request.user
    cards, counted_at = workbench.page_cards(user)
    context: dict[str, Any] = {
        "title": _("工作台"),
        "modules": MODULES,
        "built_count": sum(1 for m in MODULES if m.built),
        "can_view_enterprises": can(user, "view", Enterprise),
        "cards": [c for c in cards if not c.empty],
        "quiet_cards": [c for c in cards if c.empty],
        "due_total": workbench.remember(user, cards),  # the navigation's badge agrees with this page
        "counted_at": counted_at,
        "scope": scope_label(user),
        "role_labels": sorted({str(g.label or g.role) for g in grants_for(user)}),
        "key_figures": figures.key_figures(user),
    }
    if context["can_view_enterprises"]:
        table = queries.industry_distribution(user)
        context.update(
            kpis=queries.enterprise_kpis(user),
            distribution=table,
            chart_data=table.chart_data(),
            can_export=can(user, "export", Enterprise),
            top_industries=queries.TOP_INDUSTRIES,
        )
        if any(g.role == Role.ENTERPRISE for g in grants_for(user)):
            context["own_enterprises"] = list(
                Enterprise.objects.restrict(user)
                .select_related("region", "primary_industry")
                .order_by("name")[:3]
            )
    return render(request, "dashboard/home.html", context)


@login_required
def industry_distribution_export(request: HttpRequest) -> HttpResponse:
    """The township × industry table of the dashboard as .xlsx, cell for cell."""
    if not can(request.user, "export", Enterprise):
        raise PermissionDenied(_("您无权导出此数据。"))
    table = queries.industry_distribution(request.user)
    audit.record(
        None,
        events.EXPORT_DOWNLOADED,
        actor=request.user,
        object_type="dashboard.industry_distribution",
        data={"rows": len(table.townships)},
    )
    return export_response(
        _("各%(area)s行业分布") % {"area": table.area_label}, table.headers(), table.export_rows()
    )
