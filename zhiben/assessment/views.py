"""Pages of the assessment: the quarter's ranking (table, phone list, Excel of the same rows), a unit's result
(each rule's value, numerator, denominator, points and the links to the records behind them), schemes, 申诉
and their steps, the quarter's 约谈 list and each 约谈 with its steps.

Reads go through `restrict()` (403 without the permission, 404 out of scope). The published ranking (unit,
total, rank) is shown to every assessed unit; its per-rule details only for the units the reader may see
(`visible_results`)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from zhiben.core.calendar import quarter_of, shift_quarter
from zhiben.core.documents import download_url
from zhiben.core.excel.tables import TablesWorkbook
from zhiben.core.loop.steps import action_label
from zhiben.core.loop.web import StepView, run_form, run_service
from zhiben.core.scoping import can
from zhiben.core.views import ScopedViewMixin
from zhiben.indicators import registry, snapshots, tables

from . import services
from .choices import STATUS_COLORS, AssessmentStatus, InterviewStatus, SchemeStatus, UnitKind
from .forms import AppealForm, QuarterForm, SchemeForm
from .models import Appeal, Assessment, Commitment, Interview, InterviewRule, Result, RulePoint, Scheme
from .steps import APPEAL_FLOW, ASSESSMENT_FLOW, INTERVIEW_FLOW

PAGE_SIZE = 50


def records_links(point: RulePoint, result: Result) -> dict[str, str]:
    """The links from a point to the records behind it: the indicator's numerator (and denominator) records for
    the unit and quarter (the indicators app's link builder)."""
    if not point.available or point.indicator not in registry.ids():
        return {}
    ind = registry.get(point.indicator)
    if not ind.available:
        return {}
    scope = (
        registry.Scope.township(result.township)
        if result.township_id
        else registry.Scope.department(result.department_id or 0)
    )  # type: ignore[arg-type]
    period = result.assessment.period
    links = {"numerator": tables.records_page_url(ind, scope, period, tables.NUMERATOR)}
    if point.denominator is not None:
        links["denominator"] = tables.records_page_url(ind, scope, period, tables.DENOMINATOR)
    return links


def records_api_links(point: RulePoint, result: Result) -> dict[str, str]:
    if (
        not point.available
        or point.indicator not in registry.ids()
        or not registry.get(point.indicator).available
    ):
        return {}
    ind = registry.get(point.indicator)
    scope = (
        registry.Scope.township(result.township)
        if result.township_id
        else registry.Scope.department(result.department_id or 0)
    )  # type: ignore[arg-type]
    period = result.assessment.period
    links = {"numerator": tables.records_api_url(ind, scope, period, tables.NUMERATOR)}
    if point.denominator is not None:
        links["denominator"] = tables.records_api_url(ind, scope, period, tables.DENOMINATOR)
    return links


def default_quarter(today: Any = None) -> tuple[int, int]:
    """The last closed quarter."""

    period = shift_quarter(quarter_of(today or timezone.localdate()), -1)
    return int(period[:4]), int(period[-1])


def visible_assessment(user: Any, year: int, quarter: int, kind: str) -> Assessment | None:
    """The quarter's assessment as this reader may see it: the office every state, others once published."""
    qs = (
        Assessment.objects.restrict(user)
        .filter(year=year, quarter=quarter, kind=kind)
        .select_related("scheme", "bulletin")
    )
    if not can(user, "add", Assessment):
        qs = qs.filter(status=AssessmentStatus.PUBLISHED)
    return qs.first()


def visible_results(user: Any, assessment: Assessment) -> set[int]:
    return set(Result.objects.restrict(user).filter(assessment=assessment).values_list("pk", flat=True))


def ranking_rows(user: Any, assessment: Assessment) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The ranking: every unit's rank and totals (published to all assessed units); the per-rule points only
    where the reader may see the unit's result."""
    mine = visible_results(user, assessment)
    results = (
        Result.objects.unrestricted(
            "the ranking is published to every assessed unit; details are filtered below"
        )
        .filter(assessment=assessment)
        .select_related("township", "department", "assessment")
        .prefetch_related("points")
        .order_by("final_rank", "pk")
    )
    columns = [{"code": r["code"], "name": r["name"]} for r in assessment.scheme.rules]
    rows = []
    for r in results:
        cells = []
        if r.pk in mine:
            for p in r.points.all():
                cells.append({"point": p, "links": records_links(p, r)})
        rows.append({"result": r, "cells": cells, "details": r.pk in mine})
    return rows, columns


class RankingView(ScopedViewMixin, View):
    """季度考核排名: year, quarter and kind; the office freezes, computes, publishes and issues the 通报 here."""

    model = Assessment

    def _query(self, request: HttpRequest) -> tuple[QuarterForm, int, int, str]:
        form = QuarterForm(request.GET or None)
        year, quarter = default_quarter()
        kind = UnitKind.TOWNSHIP.value
        if form.is_bound and form.is_valid():
            year = form.cleaned_data.get("year") or year
            quarter = form.cleaned_data.get("quarter") or quarter
            kind = form.cleaned_data.get("kind") or kind
        return form, year, quarter, kind

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form, year, quarter, kind = self._query(request)
        assessment = visible_assessment(request.user, year, quarter, kind)
        rows, columns = ranking_rows(request.user, assessment) if assessment else ([], [])
        if request.GET.get("export") == "xlsx" and assessment is not None:
            return self.export(request, assessment, rows, columns)
        return self.render(request, form, year, quarter, kind, assessment, rows, columns)

    def render(
        self,
        request: HttpRequest,
        form: Any,
        year: int,
        quarter: int,
        kind: str,
        assessment: Any,
        rows: Any,
        columns: Any,
        status: int = 200,
    ) -> HttpResponse:
        office = can(request.user, "add", Assessment)
        period = services.period_of(year, quarter)

        context = {
            "title": _("季度考核排名"),
            "form": form,
            "year": year,
            "quarter": quarter,
            "kind": kind,
            "kinds": UnitKind.choices,
            "quarters": (1, 2, 3, 4),
            "period_label": services.period_label(year, quarter),
            "assessment": assessment,
            "rows": rows,
            "columns": columns,
            "office": office,
            "frozen": snapshots.is_frozen(period),
            "closed": snapshots.quarter_closed(period),
            "steps": ASSESSMENT_FLOW.available(request.user, assessment) if assessment else [],
            "status_color": STATUS_COLORS.get(assessment.status, "secondary") if assessment else "",
            "bulletin_url": download_url(assessment.bulletin)
            if assessment and assessment.bulletin_id
            else "",
            "appeal_deadline": services.appeal_deadline(assessment) if assessment else None,
            "query": f"year={year}&quarter={quarter}&kind={kind}",
        }
        return render(request, "assessment/ranking.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request, "add")
        _form, year, quarter, kind = self._query(request)
        form = QuarterForm({"year": year, "quarter": quarter, "kind": kind})
        form.is_valid()
        action = request.POST.get("action", "")
        user = request.user

        def bulletin() -> Any:
            assessment = visible_assessment(user, year, quarter, kind)
            if assessment is None:
                raise ValidationError(_("没有可通报的考核。"))
            return services.issue_ranking_bulletin(assessment, actor=user)

        calls: dict[str, tuple[Any, str]] = {
            "freeze": (
                lambda: services.freeze_quarter(year, quarter, actor=user),
                _("已冻结%(p)s的指标快照。"),
            ),
            "compute": (
                lambda: services.compute(year, quarter, kind, actor=user),
                _("已计算%(p)s考核，请核对后发布。"),
            ),
            "bulletin": (bulletin, _("已印发%(p)s排名通报。")),
        }
        if action not in calls:
            return redirect(reverse("assessment:ranking") + f"?year={year}&quarter={quarter}&kind={kind}")
        call, done = calls[action]
        _result, status = run_service(request, form, call)
        if status == 200:
            messages.success(request, done % {"p": services.period_label(year, quarter)})
            return redirect(reverse("assessment:ranking") + f"?year={year}&quarter={quarter}&kind={kind}")
        assessment = visible_assessment(request.user, year, quarter, kind)
        rows, columns = ranking_rows(request.user, assessment) if assessment else ([], [])
        return self.render(request, form, year, quarter, kind, assessment, rows, columns, status=status)

    def export(
        self,
        request: HttpRequest,
        assessment: Assessment,
        rows: list[dict[str, Any]],
        columns: list[dict[str, str]],
    ) -> HttpResponse:
        """The screen's rows as .xlsx: rank, unit, totals, then each rule's points where the screen shows them."""
        if not can(request.user, "export", Assessment):
            raise PermissionDenied(_("您无权导出此数据。"))
        headers = [_("排名"), _("单位"), _("最终得分"), _("计算得分"), _("一票否决")] + [
            c["name"] for c in columns
        ]
        lines = []
        for row in rows:
            r = row["result"]
            line = [r.final_rank, r.unit_name, r.final_score, r.score, _("是") if r.vetoed else ""]
            line += (
                [c["point"].final_points if c["point"].available else _("未接入") for c in row["cells"]]
                if row["details"]
                else ["—"] * len(columns)
            )
            lines.append(line)
        book = TablesWorkbook(
            _("%(a)s · %(s)s（%(st)s）")
            % {"a": assessment, "s": assessment.scheme, "st": assessment.get_status_display()}
        )
        book.sheet(_("排名"), headers, lines)
        return book.download(
            f"{assessment}",
            timezone.localdate(),
            actor=request.user,
            object_type="assessment.assessment",
            data={"assessment": assessment.pk, "rows": len(lines)},
        )


class AssessmentStepView(StepView):
    model = Assessment
    flow = ASSESSMENT_FLOW
    list_url_name = "assessment:ranking"
    list_label = _("季度考核排名")


class ResultDetailView(ScopedViewMixin, View):
    """A unit's result: each rule's value, numerator, denominator, points (and adjusted points), with links."""

    model = Result

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        result = self.get_object(request, pk)
        assessment = result.assessment
        if assessment.status != AssessmentStatus.PUBLISHED and not can(request.user, "add", Assessment):
            raise PermissionDenied(_("考核结果尚未发布。"))
        points = [{"point": p, "links": records_links(p, result)} for p in result.points.all()]
        deadline = services.appeal_deadline(assessment)
        may_appeal = (
            can(request.user, "add", Appeal)
            and services.is_assessed_unit(request.user, result)
            and deadline is not None
            and timezone.localdate() <= deadline
        )
        context = {
            "title": str(result),
            "object": result,
            "assessment": assessment,
            "points": points,
            "appeals": result.appeals.select_related("point", "submitted_by", "decided_by"),
            "may_appeal": may_appeal,
            "appeal_deadline": deadline,
            "period": assessment.period,
        }
        return render(request, "assessment/result_detail.html", context)


class AppealCreateView(ScopedViewMixin, View):
    """提出申诉 against one of the unit's points."""

    model = Result

    def _form(self, result: Result, *args: Any, **kwargs: Any) -> AppealForm:
        return AppealForm(*args, points=result.points.all(), **kwargs)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        result = self.get_object(request, pk)
        if not can(request.user, "add", Appeal):
            raise PermissionDenied(_("您无权提出考核申诉。"))
        initial = {"point": request.GET.get("point")} if request.GET.get("point", "").isdigit() else {}
        return self.render(request, result, self._form(result, initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        result = self.get_object(request, pk)
        if not can(request.user, "add", Appeal):
            raise PermissionDenied(_("您无权提出考核申诉。"))
        form = self._form(result, request.POST)
        appeal, status = run_form(
            request, form, lambda: services.submit_appeal(result, actor=request.user, **form.cleaned_data)
        )
        if status == 200:
            messages.success(request, _("申诉已提交，区安委办将作出决定。"))
            return redirect(appeal.get_absolute_url())
        return self.render(request, result, form, status=status)

    def render(self, request: HttpRequest, result: Result, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "assessment/appeal_form.html",
            {"title": _("提出申诉"), "object": result, "form": form},
            status=status,
        )


class AppealListView(ScopedViewMixin, View):
    model = Appeal

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        qs = Appeal.objects.restrict(request.user).select_related(
            "result__assessment", "result__township", "result__department", "point", "submitted_by"
        )
        state = request.GET.get("status", "")
        if state in ("submitted", "accepted", "rejected"):
            qs = qs.filter(status=state)
        page = Paginator(qs.order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "assessment/appeal_list.html",
            {"title": _("考核申诉"), "page": page, "status": state, "colors": STATUS_COLORS},
        )


class AppealDetailView(ScopedViewMixin, View):
    model = Appeal

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        appeal = self.get_object(request, pk)
        history = [
            {"row": t, "label": action_label(t)}
            for t in appeal.history.select_related("actor").order_by("at", "pk")
        ]
        return render(
            request,
            "assessment/appeal_detail.html",
            {
                "title": str(appeal),
                "object": appeal,
                "steps": APPEAL_FLOW.available(request.user, appeal),
                "history": history,
                "status_color": STATUS_COLORS.get(appeal.status, "secondary"),
            },
        )


class AppealStepView(StepView):
    model = Appeal
    flow = APPEAL_FLOW
    list_url_name = "assessment:appeal_list"
    list_label = _("考核申诉")


class SchemeListView(ScopedViewMixin, View):
    model = Scheme

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        schemes = Scheme.objects.restrict(request.user).order_by("-year", "kind", "-number")
        return render(request, "assessment/scheme_list.html", {"title": _("考核方案"), "schemes": schemes})


class SchemeDetailView(ScopedViewMixin, View):
    """A scheme: its rules in words (and 待核实 marks); the office edits a draft or starts a new version."""

    model = Scheme

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        scheme = self.get_object(request, pk)
        return self.render(request, scheme, self._form(scheme))

    def _form(self, scheme: Scheme, data: Any = None) -> SchemeForm:
        initial = {
            "name": scheme.name,
            "rules": json.dumps(scheme.rules, ensure_ascii=False, indent=1),
            "tie_breaks": json.dumps(scheme.tie_breaks, ensure_ascii=False),
            "floor": scheme.floor,
            "appeal_days": scheme.appeal_days,
            "note": scheme.note,
        }
        return SchemeForm(data, initial=initial)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request, "change")
        scheme = self.get_object(request, pk)
        action = request.POST.get("action", "save")
        if action == "new_version":
            draft, status = run_service(
                request, None, lambda: services.new_scheme_version(scheme, actor=request.user)
            )
            if status == 200:
                messages.success(request, _("已建立新版本草稿，可编辑后施行。"))
                return redirect(draft.get_absolute_url())
            return redirect(scheme.get_absolute_url())
        if action == "activate":
            _r, status = run_service(
                request, None, lambda: services.activate_scheme(scheme, actor=request.user)
            )
            if status == 200:
                messages.success(request, _("该版本已施行；此后计算的考核使用该版本，已发布的结果不变。"))
            return redirect(scheme.get_absolute_url())
        form = self._form(scheme, request.POST)
        _r, status = run_form(
            request,
            form,
            lambda: services.save_scheme(
                scheme, actor=request.user, version=request.POST.get("version") or None, **form.cleaned_data
            ),
        )
        if status == 200:
            messages.success(request, _("草稿已保存。"))
            return redirect(scheme.get_absolute_url())
        return self.render(request, scheme, form, status=status)

    def render(self, request: HttpRequest, scheme: Scheme, form: Any, status: int = 200) -> HttpResponse:
        indicators = {i: registry.get(i) for i in registry.ids()}
        rules = []
        for r in scheme.rules:
            ind = indicators.get(r.get("indicator", ""))
            rules.append(
                {
                    "rule": r,
                    "indicator": ind,
                    "connected": bool(ind and ind.available),
                    "json": json.dumps(r, ensure_ascii=False),
                }
            )
        return render(
            request,
            "assessment/scheme_detail.html",
            {
                "title": str(scheme),
                "object": scheme,
                "rules": rules,
                "form": form,
                "editable": scheme.status == SchemeStatus.DRAFT and can(request.user, "change", Scheme),
                "may_copy": scheme.status != SchemeStatus.DRAFT and can(request.user, "change", Scheme),
            },
            status=status,
        )


class InterviewListView(ScopedViewMixin, View):
    """约谈通报: the quarter's 约谈 list (generated from the rules), each with its reasons and state."""

    model = Interview

    def get(self, request: HttpRequest, status: int = 200, form: Any = None) -> HttpResponse:
        self.check_action(request)
        query = QuarterForm(request.GET or None)
        year, quarter = default_quarter()
        if query.is_bound and query.is_valid():
            year = query.cleaned_data.get("year") or year
            quarter = query.cleaned_data.get("quarter") or quarter
        due = request.GET.get("due") == "1"
        interviews = Interview.objects.restrict(request.user)
        if due:  # the workbench's figure: 约谈 with commitments due soon or overdue, any quarter
            from .workbench import due_commitments

            mine = due_commitments(Commitment.objects.restrict(request.user), timezone.localdate())
            interviews = interviews.filter(pk__in=mine.values("interview"))
        else:
            interviews = interviews.filter(year=year, quarter=quarter)
        interviews = (
            interviews.select_related("township", "department", "document")
            .prefetch_related("commitments")
            .order_by("department", "township__code", "pk")
        )

        bulletins = []
        for kind in UnitKind.values:
            a = visible_assessment(request.user, year, quarter, kind)
            if a is not None and a.bulletin_id:
                bulletins.append({"assessment": a, "url": download_url(a.bulletin)})  # type: ignore[arg-type]
        return render(
            request,
            "assessment/interview_list.html",
            {
                "title": _("约谈通报"),
                "year": year,
                "quarter": quarter,
                "quarters": (1, 2, 3, 4),
                "period_label": services.period_label(year, quarter),
                "page": Paginator(interviews, PAGE_SIZE).get_page(request.GET.get("page")),
                "due": due,
                "rules": InterviewRule.objects.restrict(request.user).filter(active=True),
                "office": can(request.user, "add", Interview),
                "colors": STATUS_COLORS,
                "bulletins": bulletins,
                "errors": form,
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request, "add")
        query = QuarterForm(request.POST)
        if (
            not query.is_valid()
            or not query.cleaned_data.get("year")
            or not query.cleaned_data.get("quarter")
        ):
            messages.error(request, _("请选择年度和季度。"))
            return redirect("assessment:interview_list")
        year, quarter = query.cleaned_data["year"], query.cleaned_data["quarter"]
        made, status = run_service(
            request, None, lambda: services.list_interviews(year, quarter, actor=request.user)
        )
        if status == 200:
            messages.success(request, _("约谈名单已生成：新增 %(n)s 个单位。") % {"n": len(made)})
        return redirect(reverse("assessment:interview_list") + f"?year={year}&quarter={quarter}")


class InterviewDetailView(ScopedViewMixin, View):
    model = Interview

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        interview = self.get_object(request, pk)
        history = [
            {"row": t, "label": action_label(t)}
            for t in interview.history.select_related("actor").order_by("at", "pk")
        ]
        today = timezone.localdate()
        return render(
            request,
            "assessment/interview_detail.html",
            {
                "title": str(interview),
                "object": interview,
                "steps": INTERVIEW_FLOW.available(request.user, interview),
                "history": history,
                "commitments": interview.commitments.order_by("due_on", "pk"),
                "today": today,
                "status_color": STATUS_COLORS.get(interview.status, "secondary"),
                "document_url": download_url(interview.document) if interview.document_id else "",  # type: ignore[arg-type]
                "held": interview.status != InterviewStatus.PLANNED,
            },
        )


class InterviewStepView(StepView):
    model = Interview
    flow = INTERVIEW_FLOW
    list_url_name = "assessment:interview_list"
    list_label = _("约谈通报")


def result_of(user: Any, pk: int) -> Result:
    return get_object_or_404(Result.objects.restrict(user), pk=pk)
