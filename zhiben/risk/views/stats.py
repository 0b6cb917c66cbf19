"""Risk statistics by level, township and industry (with the townships' 四色 tile map) and the 重大风险清单."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.scoping import grants_for
from zhiben.core.views import Column, ObjectListView, ScopedViewMixin
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Department, Region

from .. import services
from ..choices import COLOUR_BY_LEVEL, HEX, LEVEL_ORDER, Level
from ..filtersets import PointFilterSet
from ..models import RiskPoint
from .common import status_badge


def _counts(qs: Any) -> dict[str, int]:
    return qs.aggregate(total=Count("pk"), **{str(lv): Count("pk", filter=Q(level=lv)) for lv in LEVEL_ORDER})


class StatsView(ScopedViewMixin, View):
    """Risk points by level, township and industry, with a 四色 map of the townships (a tile per township,
    coloured by its highest level)."""

    model = RiskPoint

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        points = RiskPoint.objects.restrict(request.user, "view")
        total = _counts(points)
        townships = list(Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code"))
        rows = []
        for t in townships:
            c = _counts(points.filter(enterprise__region__code__startswith=t.scope_prefix))
            if (
                not c["total"]
                and not points.filter(enterprise__region__code__startswith=t.scope_prefix).exists()
            ):
                top = None
            else:
                top = next((lv for lv in LEVEL_ORDER if c[str(lv)]), None)
            rows.append(
                {
                    "t": t,
                    "c": c,
                    "top": top,
                    "hex": HEX[top] if top else "#e9ecef",
                    "colour": COLOUR_BY_LEVEL[top] if top else "",
                }
            )
        shown = [r for r in rows if r["c"]["total"]] or rows
        per_row = 4
        tiles = [
            {**r, "x": (i % per_row) * 100 + 4, "y": (i // per_row) * 64 + 4} for i, r in enumerate(rows)
        ]
        industries = list(
            points.values("enterprise__primary_industry__name")
            .annotate(total=Count("pk"), **{str(lv): Count("pk", filter=Q(level=lv)) for lv in LEVEL_ORDER})
            .order_by("-total")
        )
        return render(
            request,
            "risk/stats.html",
            {
                "title": _("风险分级统计"),
                "total": total,
                "levels": [
                    {
                        "key": str(lv),
                        "label": lv.label,
                        "colour": COLOUR_BY_LEVEL[lv],
                        "hex": HEX[lv],
                        "n": total[str(lv)],
                    }
                    for lv in LEVEL_ORDER
                ],
                "rows": shown,
                "tiles": tiles,
                "map_height": ((len(rows) + per_row - 1) // per_row) * 64 + 8,
                "industries": industries,
                "level_keys": [str(lv) for lv in LEVEL_ORDER],
            },
        )


class MajorListView(ObjectListView):
    """重大风险清单: 重大 risk points, by the departments that supervise their units (三管三必须)."""

    model = RiskPoint
    title = _("重大风险清单")
    filterset_class = PointFilterSet
    template_name = "risk/major_list.html"
    default_sort = "enterprise__name"
    columns = [
        Column("name", _("风险点"), sort="name", link=True),
        Column("enterprise.name", _("生产经营单位"), sort="enterprise__name"),
        Column("enterprise.primary_industry.name", _("行业领域")),
        Column("score", _("风险值"), display=lambda p: services.score_text(p.score)),
        Column("responsible_person", _("责任人")),
        Column("assessed_on", _("评估日期"), sort="assessed_on"),
        Column("status", _("状态"), display=status_badge),
    ]

    def get_base_queryset(self) -> Any:
        return RiskPoint.objects.select_related("enterprise", "enterprise__primary_industry").filter(
            level=Level.MAJOR
        )

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        mine = [g.department_ids for g in grants_for(request.user) if g.department_ids]
        own = (
            Department.objects.filter(pk__in=sorted(next(iter(mine), frozenset()))).first() if mine else None
        )
        return {"own_department": own}
