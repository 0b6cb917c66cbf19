"""Enforcement pages: the case register (执法案件) with its Excel export, a case's file with its stepper, the
立案 page (blank or from an inspection finding, a hazard or a 打非治违 record), each step, the discretion
benchmark (行政裁量基准) and the 提请关闭 list. 打非治违 pages are in views_operations.py.

Reads go through `restrict()` (403 without the permission, 404 out of scope); writes go through the services via
the step tables in actions.py, so the pages and the API share one set of rules.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.documents import download_url
from zhiben.core.loop import Step
from zhiben.core.loop.steps import action_label
from zhiben.core.loop.web import StepView, run_form
from zhiben.core.scoping import can
from zhiben.core.views import Column, ObjectEditView, ObjectListView, ScopedViewMixin
from zhiben.hazards.models import Hazard
from zhiben.inspections.models import Finding
from zhiben.registry.filter_options import code_select, department_options
from zhiben.registry.models import Department, Enterprise

from . import services
from .choices import PROPOSAL_COLORS, STATUS_COLORS, CaseStatus, MeasureKind
from .documents import documents_of, measure_text
from .filtersets import CaseFilterSet, DiscretionRuleFilterSet, ProposalFilterSet
from .forms import CaseForm, DiscretionRuleForm
from .models import Case, ClosureProposal, DiscretionRule, IllegalOperation, yuan
from .steps import CASE_FLOW, PROPOSAL_FLOW

_MONEY = DecimalField(max_digits=16, decimal_places=2)


def _fine_display(c: Case) -> str:
    total = getattr(c, "fine_total", None)
    return yuan(total) if total else "—"


CASE_COLUMNS = [
    Column("code", _("案件编号"), sort="code", link=True),
    Column("subject_name", _("当事人"), sort="subject_name"),
    Column("department.short_name", _("办案部门"), sort="department__code"),
    Column("region.name", _("区划"), sort="region__code"),
    Column(
        "violation",
        _("违法事实"),
        display=lambda c: c.violation[:40] + ("…" if len(c.violation) > 40 else ""),
    ),
    Column(
        "get_status_display",
        _("状态"),
        sort="status",
        badge=lambda c: STATUS_COLORS.get(c.status, "secondary"),
    ),
    Column("filed_on", _("立案日期"), sort="filed_on"),
    Column("decided_on", _("决定日期"), sort="decided_on"),
    Column("fine_total", _("罚款"), sort="fine_total", display=_fine_display),
    Column(
        "involves_major_hazard",
        _("重大隐患"),
        sort="involves_major_hazard",
        display=lambda c: _("是") if c.involves_major_hazard else "",
        badge=lambda c: "danger" if c.involves_major_hazard else None,
    ),
    Column(
        "is_typical",
        _("典型案例"),
        sort="is_typical",
        display=lambda c: _("典型") if c.is_typical else "",
        badge=lambda c: "warning" if c.is_typical else None,
    ),
]


class CaseListView(ObjectListView):
    """执法案件: every case in scope; the Excel export holds exactly the filtered, sorted rows."""

    model = Case
    filterset_class = CaseFilterSet
    title = _("执法案件")
    default_sort = "-filed_on"
    create_url_name = "enforcement:case_create"
    columns = CASE_COLUMNS
    template_name = "enforcement/case_list.html"

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        fines = Q(measures__kind=MeasureKind.FINE, measures__decided_on__isnull=False)
        return Case.objects.select_related("department", "region").annotate(
            fine_total=Coalesce(Sum("measures__amount", filter=fines), Value(0), output_field=_MONEY)
        )

    def prepare_filter_form(self, request: HttpRequest, form: forms.Form) -> None:
        super().prepare_filter_form(request, form)
        form.fields["department"].widget = code_select(department_options())
        for name in ("filed_after", "filed_before", "decided_after", "decided_before"):
            form.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        for name in ("region", "industry", "enterprise", "operation"):
            if name not in request.GET:  # reached from a unit's or a record's page, or typed
                form.fields.pop(name, None)


# --- a case's file -------------------------------------------------------------------------------------------

_STAGES = (
    (CaseStatus.FILED, _("立案")),
    (CaseStatus.INVESTIGATING, _("调查取证")),
    (CaseStatus.NOTIFIED, _("告知")),
    (CaseStatus.DECIDED, _("决定")),
    (CaseStatus.EXECUTING, _("执行")),
    (CaseStatus.CLOSED, _("结案")),
)


def lifecycle(case: Case) -> list[dict[str, Any]]:
    order = [s for s, _label in _STAGES]
    current = order.index(case.status) if case.status in order else -1
    if case.status == CaseStatus.WITHDRAWN:
        last = (
            case.history.exclude(action="withdraw").order_by("-at", "-pk").values_list("to_status", flat=True)
        )
        current = order.index(last[0]) if last and last[0] in order else 0
    return [
        {
            "label": label,
            "done": i < current or case.status == CaseStatus.CLOSED,
            "current": i == current and case.status != CaseStatus.WITHDRAWN,
        }
        for i, (_status, label) in enumerate(_STAGES)
    ]


class CaseDetailView(ScopedViewMixin, View):
    """A case's file: the subject and facts, the measures (proposed and decided), documents and history."""

    model = Case

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        case = self.get_object(request, pk)
        measures = list(case.measures.select_related("document").order_by("pk"))
        docs = [
            {"document": d, "docx": download_url(d, "docx"), "pdf": download_url(d, "pdf")}
            for d in documents_of(case)
        ]
        history = [
            {"row": t, "label": action_label(t)}
            for t in case.history.select_related("actor").order_by("at", "pk")
        ]
        rule = case.discretion_rule
        proposals = ClosureProposal.objects.restrict(request.user).filter(enterprise_id=case.enterprise_id)
        context = {
            "object": case,
            "title": case.code,
            "steps": CASE_FLOW.available(request.user, case),
            "status_color": STATUS_COLORS.get(case.status, "secondary"),
            "lifecycle": lifecycle(case),
            "measures": [{"m": m, "text": measure_text(m)} for m in measures],
            "fine_total": sum(
                (m.amount or 0) for m in measures if m.kind == MeasureKind.FINE and m.decided_on
            ),
            "documents": docs,
            "history": history,
            "rule": rule,
            "proposals": [p for p in proposals if case.pk in (p.case_ids or [])]
            if case.enterprise_id
            else [],
            "proposal_colors": PROPOSAL_COLORS,
        }
        return render(request, "enforcement/case_detail.html", context)


# --- 立案 ----------------------------------------------------------------------------------------------------


class CaseCreateView(ScopedViewMixin, View):
    """立案: blank, or prefilled from `?finding=<id>`, `?hazard=<id>` or `?operation=<id>` (each read through
    the actor's scope; an id the actor cannot see is ignored as if absent)."""

    model = Case
    action = "add"

    def _enterprises(self, request: HttpRequest, sources: dict[str, Any]) -> Any:
        """The units in the user's scope, plus the unit of a source the user can see (a joint inspection routes
        a finding to a department outside the unit's industries)."""
        visible = Enterprise.objects.restrict(request.user, "view")
        extra = [
            e
            for e in (
                sources["finding"].inspection.enterprise_id if sources["finding"] else None,
                sources["hazard"].enterprise_id if sources["hazard"] else None,
                sources["operation"].enterprise_id if sources["operation"] else None,
            )
            if e is not None
        ]
        if extra:
            visible = Enterprise.objects.unrestricted("in scope, or a visible source's unit").filter(
                Q(pk__in=visible.values("pk")) | Q(pk__in=extra)
            )
        return visible.order_by("name")

    def _departments(self, request: HttpRequest) -> Any:
        return Department.objects.filter(pk__in=services.departments_of(request.user)).order_by("sort_order")

    def _sources(self, request: HttpRequest, data: Any) -> dict[str, Any]:
        """The finding, hazard and operation named in `data`, each only if the user may see it."""
        out: dict[str, Any] = {"finding": None, "hazard": None, "operation": None}
        for name, model in (("finding", Finding), ("hazard", Hazard), ("operation", IllegalOperation)):
            raw = str(data.get(name) or "")
            if raw.isdigit():
                out[name] = model.objects.restrict(request.user, "view").filter(pk=int(raw)).first()
        return out

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        sources = self._sources(request, request.GET)
        initial: dict[str, Any] = {"filed_on": timezone.localdate()}
        deps = self._departments(request)
        if deps.count() >= 1:
            initial["department"] = deps.first().pk
        finding, hazard, operation = sources["finding"], sources["hazard"], sources["operation"]
        if finding is not None:
            initial.update(
                finding=finding.pk,
                enterprise=finding.inspection.enterprise_id,
                violation=_describe(finding.title, finding.description, finding.location),
                involves_major_hazard=finding.level == "major",
            )
            if finding.hazard_id:
                initial["hazard"] = finding.hazard_id
            if finding.department_id in set(deps.values_list("pk", flat=True)):
                initial["department"] = finding.department_id
        elif hazard is not None:
            initial.update(
                hazard=hazard.pk,
                enterprise=hazard.enterprise_id,
                violation=_describe(hazard.title, hazard.description, hazard.location),
                involves_major_hazard=hazard.level == "major",
            )
        elif operation is not None:
            initial.update(
                operation=operation.pk,
                enterprise=operation.enterprise_id,
                violation=operation.description,
            )
        elif request.GET.get("enterprise", "").isdigit():
            initial["enterprise"] = request.GET["enterprise"]
        form = CaseForm(initial=initial, enterprises=self._enterprises(request, sources), departments=deps)
        return self.render(request, form, sources)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        sources = self._sources(request, request.POST)
        form = CaseForm(
            request.POST,
            enterprises=self._enterprises(request, sources),
            departments=self._departments(request),
        )
        for name in ("finding", "hazard", "operation"):
            if request.POST.get(name) and sources[name] is None:
                form.add_error(None, _("来源记录不存在或不在您的职责范围内。"))

        def call() -> Case:
            d = form.cleaned_data
            return services.file_case(
                actor=request.user,
                department=d["department"],
                violation=d["violation"],
                filed_on=d["filed_on"],
                enterprise=d.get("enterprise"),
                operation=sources["operation"],
                finding=sources["finding"],
                hazard=sources["hazard"],
                discretion_rule=d.get("discretion_rule"),
                involves_major_hazard=bool(d.get("involves_major_hazard")),
            )

        case, status = run_form(request, form, call)
        if status == 200:
            messages.success(request, _("已立案：%(c)s。") % {"c": case.code})
            return redirect(case.get_absolute_url())
        return self.render(request, form, sources, status=status)

    def render(
        self, request: HttpRequest, form: forms.Form, sources: dict[str, Any], status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "enforcement/case_form.html",
            {"form": form, "title": _("立案"), "sources": sources},
            status=status,
        )


def _describe(title: str, description: str, location: str) -> str:
    text = title
    if location:
        text += f"（部位：{location}）"
    if description:
        text += f"。{description}"
    return text


class CaseStepView(StepView):
    model = Case
    flow = CASE_FLOW
    template_name = "enforcement/step.html"
    list_url_name = "enforcement:case_list"
    list_label = _("执法案件")

    def extra_context(self, case: Any, step: Step) -> dict[str, Any]:
        return {"rule": case.discretion_rule if step.name == "add_measure" else None}


# --- the discretion benchmark --------------------------------------------------------------------------------


class DiscretionListView(ObjectListView):
    """行政裁量基准: the benchmark as data; rows not yet confirmed by the office show 待核实."""

    model = DiscretionRule
    filterset_class = DiscretionRuleFilterSet
    title = _("行政裁量基准")
    default_sort = "code"
    template_name = "enforcement/discretion_list.html"
    columns = [
        Column("code", _("编号"), sort="code", link=True),
        Column("violation", _("违法行为"), sort="violation"),
        Column("penalty_basis", _("处罚依据")),
        Column("get_circumstance_display", _("违法情节"), sort="circumstance"),
        Column("criteria", _("情节认定标准")),
        Column("range_display", _("罚款幅度"), display=lambda r: r.range_display),
        Column("person_range_display", _("对个人罚款"), display=lambda r: r.person_range_display),
        Column(
            "measures",
            _("建议措施"),
            display=lambda r: "、".join(
                str(MeasureKind(k).label) for k in r.measures if k in MeasureKind.values
            ),
        ),
        Column(
            "verified",
            _("核实"),
            sort="verified",
            display=lambda r: _("已核实") if r.verified else _("待核实"),
            badge=lambda r: "success" if r.verified else "warning",
        ),
        Column("active", _("启用"), sort="active", display=lambda r: _("启用") if r.active else _("停用")),
    ]

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"can_change": can(request.user, "change", DiscretionRule)}


class DiscretionEditView(ObjectEditView):
    model = DiscretionRule
    form_class = DiscretionRuleForm

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        return services.update_discretion_rule(obj, actor=actor, **data)

    def get(self, request: HttpRequest, pk: Any = None) -> HttpResponse:
        if pk is None:
            raise Http404
        return super().get(request, pk)

    def post(self, request: HttpRequest, pk: Any = None) -> HttpResponse:
        if pk is None:
            raise Http404
        return super().post(request, pk)

    def success_url(self, obj: Any) -> str:
        return reverse("enforcement:discretion_list")

    def cancel_url(self, obj: Any) -> str:
        return reverse("enforcement:discretion_list")


# --- 提请关闭 -----------------------------------------------------------------------------------------------


class ProposalListView(ObjectListView):
    """提请关闭: the units the Art 113 watch caught, open ones first."""

    model = ClosureProposal
    filterset_class = ProposalFilterSet
    title = _("提请关闭")
    default_sort = "-triggered_on"
    template_name = "enforcement/proposal_list.html"
    columns = [
        Column("enterprise.name", _("生产经营单位"), sort="enterprise__name", link=True),
        Column("triggered_on", _("触发日期"), sort="triggered_on"),
        Column("rule", _("触发条件"), sort="rule"),
        Column("case_ids", _("相关案件数"), display=lambda p: len(p.case_ids or [])),
        Column("department.short_name", _("提出部门")),
        Column(
            "get_status_display",
            _("状态"),
            sort="status",
            badge=lambda p: PROPOSAL_COLORS.get(p.status, "secondary"),
        ),
        Column("decided_at", _("处理时间"), sort="decided_at"),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return ClosureProposal.objects.select_related("enterprise", "department")


class ProposalDetailView(ScopedViewMixin, View):
    model = ClosureProposal

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        proposal = self.get_object(request, pk)
        # The cases are shown only as far as the viewer may see them.
        cases = (
            Case.objects.restrict(request.user)
            .filter(pk__in=proposal.case_ids or [])
            .select_related("department", "decision_document")
            .prefetch_related("measures")
            .order_by("decided_on", "pk")
        )
        document = proposal.document
        context = {
            "object": proposal,
            "title": _("提请关闭建议"),
            "cases": [
                {
                    "case": c,
                    "measures": [measure_text(m) for m in c.measures.all() if m.decided_on == c.decided_on],
                }
                for c in cases
            ],
            "hidden_cases": len(proposal.case_ids or []) - len(cases),
            "steps": PROPOSAL_FLOW.available(request.user, proposal),
            "status_color": PROPOSAL_COLORS.get(proposal.status, "secondary"),
            "document": document,
            "docx": download_url(document, "docx") if document else "",
            "pdf": download_url(document, "pdf") if document else "",
        }
        return render(request, "enforcement/proposal_detail.html", context)


class ProposalStepView(StepView):
    model = ClosureProposal
    flow = PROPOSAL_FLOW
    template_name = "enforcement/step.html"
    list_url_name = "enforcement:proposal_list"
    list_label = _("提请关闭")
