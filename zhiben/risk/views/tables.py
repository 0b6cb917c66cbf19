"""Band tables (风险分级表): versions, a new version, a region's adoption."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.scoping import can
from zhiben.core.views import ObjectEditView, ScopedViewMixin
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Region

from .. import grading, reference, services
from ..forms import AdoptForm, TableForm
from ..models import RiskTable, TableAdoption


class TableListView(ScopedViewMixin, View):
    model = RiskTable

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        reference.ensure_tables()
        tables = list(RiskTable.objects.select_related("created_by").order_by("method", "-created_at", "-pk"))
        for t in tables:
            t.bands_text = [  # type: ignore[attr-defined]
                f"{b['colour']}（{b['level']}）：{grading._bound_text(b).rsplit('（', 1)[0]}"
                for b in t.data.get("bands", [])
            ]
        adoptions = TableAdoption.objects.select_related("region", "table", "adopted_by").order_by(
            "-created_at", "-pk"
        )[:50]
        return render(
            request,
            "risk/table_list.html",
            {
                "title": _("风险分级表"),
                "tables": tables,
                "defaults": {m: reference.table_for(m) for m in ("LEC", "LS")},
                "adoptions": adoptions,
                "can_add": can(request.user, "add", RiskTable),
                "can_adopt": can(request.user, "add", TableAdoption),
            },
        )


class _TableEditView(ObjectEditView):
    """A new row of the band-table reference data through the core form page: not scoped (the office's
    permission alone decides), back to the tables' page afterwards."""

    action = "add"
    done: Any = ""  # what the saved row means, said after the core's 已创建

    def scoped_queryset(self, request: HttpRequest, action: str | None = None) -> Any:
        return self.model._default_manager.all()

    def success_url(self, obj: Any) -> str:
        messages.info(self.request, self.done)
        return reverse("risk:table_list")

    def cancel_url(self, obj: Any) -> str:
        return reverse("risk:table_list")


class TableCreateView(_TableEditView):
    """新增分级表版本: a new code, never an overwrite; the form starts from the current table of the method."""

    model = RiskTable
    form_class = TableForm
    done = _("已新增分级表版本；采用后，该区域新的评估使用此版本。")

    def get_form(self, request: HttpRequest, obj: Any, data: Any = None) -> TableForm:
        if data is not None:
            return TableForm(data)
        method = request.GET.get("method")
        base = reference.table_for(method if method in ("LEC", "LS") else "LEC")
        content = {"scales": base.data["scales"], "bands": base.data["bands"]}
        return TableForm(
            initial={
                "method": base.method,
                "name": base.name,
                "source": base.source,
                "content": json.dumps(content, ensure_ascii=False, indent=1),
            }
        )

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        return services.add_table(
            actor=actor,
            code=data["code"],
            method=data["method"],
            name=data["name"],
            source=data["source"],
            data=data["content"],
        )


class AdoptView(_TableEditView):
    """采用分级表: the district or a township adopts a version; its new assessments use it."""

    model = TableAdoption
    form_class = AdoptForm
    done = _("该区域此后的评估使用新版本，原评估保留原版本。")

    def get_form(self, request: HttpRequest, obj: Any, data: Any = None) -> AdoptForm:
        return AdoptForm(
            data,
            regions=Region.objects.filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP]).order_by(
                "code"
            ),
            tables=RiskTable.objects.order_by("method", "-created_at"),
        )

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        return services.adopt_table(actor=actor, **data)
