"""Pages of the duties: 应训未训 (by theme, refresher, 开工第一课, inspectors; workers on their own page), 应练未练, and
the rules as data."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core import audit
from zhiben.core import events as core_events
from zhiben.core.excel import export_response
from zhiben.core.scoping import can
from zhiben.core.views import ScopedViewMixin
from zhiben.inspections.models import Inspector
from zhiben.registry.models import Enterprise
from zhiben.sourcecontrol.models import ConstructionProject

from .. import duties
from ..choices import SessionKind
from ..models import (
    CertificateType,
    Drill,
    DrillRule,
    TrainingRule,
    TrainingSession,
    TrainingTheme,
)
from .common import REF, _is_government, _year

# --- duties and gaps -------------------------------------------------------------------------------------------

GAP_KINDS = (
    ("theme", _("年度主题培训")),
    ("refresher", _("主要负责人年度再培训")),
    ("first_lesson", _("开工第一课")),
    ("inspectors", _("执法人员三年轮训")),
    ("workers", _("从业人员岗前和年度再培训")),
)


class GapsView(ScopedViewMixin, View):
    """应训未训: the year's gaps of one duty in the reader's scope, with the counts by township and department."""

    model = TrainingSession

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        year = _year(request)
        kind = request.GET.get("kind", "theme")
        if kind not in dict(GAP_KINDS):
            kind = "theme"
        if kind == "workers":  # the roster's own page (units, then a unit's workers)
            return redirect(reverse("training:worker_gaps") + f"?year={year}")
        units = Enterprise.objects.restrict(request.user, "view")
        theme = TrainingTheme.objects.unrestricted(REF).filter(year=year).first()
        rows: list[dict[str, Any]] = []
        enterprises: list[Enterprise] = []
        if kind == "theme" and theme is not None:
            for g in duties.theme_gaps(theme, units):
                enterprises.append(g.enterprise)
                rows.append({"unit": g.enterprise, "who": g.role_label, "name": g.detail, "what": g.label})
        elif kind == "refresher":
            for g in duties.refresher_gaps(year, units):
                enterprises.append(g.enterprise)
                rows.append(
                    {
                        "unit": g.enterprise,
                        "who": g.role_label,
                        "name": g.enterprise.principal_name,
                        "what": g.detail,
                    }
                )
        elif kind == "first_lesson":
            projects = (
                ConstructionProject.objects.restrict(request.user, "view")
                if can(request.user, "view", ConstructionProject)
                else ConstructionProject.objects.none()
            )
            for p in duties.first_lesson_gaps(year, projects):
                enterprises.append(p.builder)
                rows.append(
                    {
                        "unit": p.builder,
                        "who": _("建设工程项目"),
                        "name": p.name,
                        "what": _("未开展开工第一课"),
                    }
                )
        elif kind == "inspectors":
            roster = (
                Inspector.objects.restrict(request.user, "view")
                if can(request.user, "view", Inspector)
                else Inspector.objects.none()
            )
            first, last = duties.round_of(year)
            for i in duties.inspector_gaps(year, roster):
                rows.append(
                    {
                        "unit": None,
                        "dept": i.department.name,
                        "who": _("执法人员"),
                        "name": i.name,
                        "what": _("%(a)s—%(b)s年未参加集中轮训") % {"a": first, "b": last},
                    }
                )
        if request.GET.get("export") == "xlsx":
            if not can(request.user, "export", TrainingSession):
                raise PermissionDenied(_("您无权导出此数据。"))
            audit.record(
                None,
                core_events.EXPORT_DOWNLOADED,
                actor=request.user,
                object_type="training.trainingsession",
                data={"filters": request.GET.dict(), "rows": len(rows)},
            )
            return export_response(
                f"应训未训-{year}",
                ["单位", "对象", "姓名/项目", "情况"],
                (
                    [
                        r["unit"].name if r["unit"] else r.get("dept", ""),
                        str(r["who"]),
                        r["name"] or "",
                        str(r["what"]),
                    ]
                    for r in rows
                ),
            )
        context = {
            "title": _("应训未训"),
            "year": year,
            "kind": kind,
            "kinds": GAP_KINDS,
            "theme": theme,
            "rows": rows,
            "by_township": duties.counts_by_township(enterprises),
            "by_department": duties.counts_by_department(enterprises) if _is_government(request.user) else [],
            "rules": TrainingRule.objects.unrestricted(REF),
        }
        return render(request, "training/gaps.html", context)


class DrillsDueView(ScopedViewMixin, View):
    """应练未练: each unit and period of the year with no counted drill (高危 by half-year, others by year)."""

    model = Drill

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        year = _year(request)
        today = timezone.localdate()
        state = request.GET.get("state", "")
        dues = duties.drill_dues(year, Enterprise.objects.restrict(request.user, "view"), today)
        if state == "overdue":
            dues = [d for d in dues if d.overdue]
        elif state == "due":
            dues = [d for d in dues if not d.overdue]
        if request.GET.get("export") == "xlsx":
            if not can(request.user, "export", Drill):
                raise PermissionDenied(_("您无权导出此数据。"))
            audit.record(
                None,
                core_events.EXPORT_DOWNLOADED,
                actor=request.user,
                object_type="training.drill",
                data={"filters": request.GET.dict(), "rows": len(dues)},
            )
            return export_response(
                f"应练未练-{year}",
                ["单位", "期间", "状态", "适用规则"],
                ([d.enterprise.name, d.period, str(d.status_label), d.rule] for d in dues),
            )
        context = {
            "title": _("应练未练"),
            "year": year,
            "state": state,
            "rows": dues,
            "by_township": duties.counts_by_township(d.enterprise for d in dues),
            "rules": DrillRule.objects.unrestricted(REF),
        }
        return render(request, "training/drills_due.html", context)


class RulesView(ScopedViewMixin, View):
    """The rules as data: the year's themes, training duties, certificate types and drill duties (待核实 shown)."""

    model = TrainingRule

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        context = {
            "title": _("培训演练规则"),
            "themes": TrainingTheme.objects.unrestricted(REF),
            "rules": TrainingRule.objects.unrestricted(REF),
            "types": CertificateType.objects.unrestricted(REF),
            "drill_rules": DrillRule.objects.unrestricted(REF),
            "kinds": dict(SessionKind.choices),
        }
        return render(request, "training/rules.html", context)
