"""Pages of self-inspection duties: 应查未查 and the task ledger for regulators, 我的自查任务 and 记录自查 for units,
the self-check register, and the rules (自查规则, 高危行业名录) the committee office keeps.

Reads go through `restrict()` (403 without the permission, 404 out of scope); writes through the services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.errors import DomainError
from zhiben.core.loop.web import posted_version, run_form, run_service
from zhiben.core.scoping import can
from zhiben.core.views import Column, ObjectDetailView, ObjectListView, ScopedViewMixin
from zhiben.hazards.choices import Level
from zhiben.registry.choices import RegionLevel
from zhiben.registry.filter_options import code_select, industry_options, region_options
from zhiben.registry.models import Enterprise, Industry
from zhiben.standards.models import Checklist
from zhiben.standards.queries import clause_choices

from ..choices import OccurrenceStatus
from ..filtersets.duties import DutyOccurrenceFilterSet, SelfCheckFilterSet
from ..forms.duties import DutyRuleForm, FindingFormSet, SelfCheckForm
from ..models import DutyOccurrence, DutyRule, SelfCheck
from ..services import duties, selfchecks

STATUS_COLORS = {
    OccurrenceStatus.PENDING: "info",
    OccurrenceStatus.DONE: "success",
    OccurrenceStatus.LATE: "warning",
    OccurrenceStatus.MISSED: "danger",
}


def township_of(enterprise: Enterprise) -> str:
    region = enterprise.region
    if region.level == RegionLevel.VILLAGE and region.parent is not None:
        return region.parent.name
    return region.name


def _period(o: DutyOccurrence) -> str:
    return duties.period_label(o.rule.frequency, o.period_start)


def _overdue_days(o: DutyOccurrence) -> Any:
    if o.status != OccurrenceStatus.MISSED:
        return ""
    return (timezone.localdate() - o.period_end).days


OCCURRENCE_COLUMNS = [
    Column("enterprise.name", _("生产经营单位"), sort="enterprise__name", link=True),
    Column(
        "enterprise",
        _("乡镇（街道）"),
        sort="enterprise__region__code",
        display=lambda o: township_of(o.enterprise),
    ),
    Column("enterprise.primary_industry.name", _("主行业"), sort="enterprise__primary_industry__code"),
    Column(
        "enterprise.is_high_risk",
        _("高危"),
        display=lambda o: _("是") if duties.is_high_risk(o.enterprise) else _("否"),
        badge=lambda o: "danger" if duties.is_high_risk(o.enterprise) else None,
    ),
    Column("rule.get_frequency_display", _("频次"), sort="rule__frequency"),
    Column("period_start", _("周期"), sort="period_start", display=_period),
    Column("period_end", _("截止日期"), sort="period_end"),
    Column("period_end", _("逾期天数"), display=_overdue_days),
    Column(
        "get_status_display",
        _("状态"),
        sort="status",
        badge=lambda o: STATUS_COLORS.get(o.status, "secondary"),
    ),
    Column("enterprise.principal_name", _("主要负责人")),
]


def _unit_filter_widgets(request: HttpRequest, form: forms.Form) -> None:
    """Township and industry as selects (the townships the user may see), as on the hazard register."""
    form.fields["region"].widget = code_select(region_options(request.user))
    form.fields["industry"].widget = code_select(industry_options())
    if "enterprise" not in request.GET:  # reached from a unit's page only
        form.fields.pop("enterprise", None)


class DutyOccurrenceListView(ObjectListView):
    """自查任务台账: every unit's self-inspection duty per period, in the user's scope."""

    model = DutyOccurrence
    filterset_class = DutyOccurrenceFilterSet
    title = _("自查任务台账")
    default_sort = "-period_end"
    columns = OCCURRENCE_COLUMNS
    template_name = "inspections/duties/occurrence_list.html"

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return self.base_filter(
            DutyOccurrence.objects.select_related(
                "enterprise__region__parent", "enterprise__primary_industry", "rule"
            )
        )

    def base_filter(self, qs: Any) -> Any:
        return qs

    def prepare_filter_form(self, request: HttpRequest, form: forms.Form) -> None:
        super().prepare_filter_form(request, form)
        _unit_filter_widgets(request, form)
        form.fields["due_month"].widget = forms.TextInput(attrs={"type": "month", "placeholder": "2025-02"})
        form.fields["year"].widget = forms.NumberInput(attrs={"min": 2024, "max": 2030})

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"missed_page": False}


class MissedListView(DutyOccurrenceListView):
    """应查未查: periods that ended with no principal-led check recorded (seed 三（三）5)."""

    title = _("应查未查")

    def base_filter(self, qs: Any) -> Any:
        return qs.filter(status=OccurrenceStatus.MISSED)

    def prepare_filter_form(self, request: HttpRequest, form: forms.Form) -> None:
        super().prepare_filter_form(request, form)
        form.fields.pop("status", None)

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"missed_page": True}


class DutyOccurrenceDetailView(ObjectDetailView):
    model = DutyOccurrence
    template_name = "inspections/duties/occurrence_detail.html"

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return DutyOccurrence.objects.select_related("enterprise", "rule", "self_check")

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {
            "period": _period(obj),
            "status_color": STATUS_COLORS.get(obj.status, "secondary"),
            "can_record": can(request.user, "add", SelfCheck) and obj.status in duties.OPEN_STATUSES,
        }


class DutyMineView(ScopedViewMixin, View):
    """我的自查任务: a unit's current and overdue periods with a 记录自查 button; regulators go to 应查未查."""

    model = DutyOccurrence

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        units = Enterprise.objects.restrict(request.user, "view")
        if not can(request.user, "add", SelfCheck):
            return redirect("inspections:duty_missed")
        today = timezone.localdate()
        qs = self.scoped_queryset(request).select_related("enterprise", "rule", "self_check")
        open_now = list(
            qs.filter(status=OccurrenceStatus.PENDING, period_start__lte=today).order_by("period_end", "pk")
        )
        overdue = list(qs.filter(status=OccurrenceStatus.MISSED).order_by("-period_end", "pk")[:24])
        upcoming = list(
            qs.filter(status=OccurrenceStatus.PENDING, period_start__gt=today).order_by("period_start")[:6]
        )
        recent = list(qs.filter(status__in=duties.FULFILLED_STATUSES).order_by("-period_end", "-pk")[:12])
        for o in (*open_now, *overdue, *upcoming, *recent):
            o.label = _period(o)  # type: ignore[attr-defined]
            o.days_left = (o.period_end - today).days  # type: ignore[attr-defined]
            o.days_over = (today - o.period_end).days  # type: ignore[attr-defined]
        return render(
            request,
            "inspections/duties/mine.html",
            {
                "title": _("我的自查任务"),
                "open_now": open_now,
                "overdue": overdue,
                "upcoming": upcoming,
                "recent": recent,
                "units": list(units.order_by("name")[:20]),
                "rules": duties.active_rules(),
                "today": today,
            },
        )


# --- self-checks -----------------------------------------------------------------------------------------------


class SelfCheckListView(ObjectListView):
    """企业自查记录: principal-led checks in the user's scope."""

    model = SelfCheck
    filterset_class = SelfCheckFilterSet
    title = _("企业自查记录")
    default_sort = "-checked_on"
    create_url_name = "inspections:selfcheck_create"
    columns = [
        Column("checked_on", _("检查日期"), sort="checked_on", link=True),
        Column("enterprise.name", _("生产经营单位"), sort="enterprise__name"),
        Column(
            "enterprise",
            _("乡镇（街道）"),
            sort="enterprise__region__code",
            display=lambda c: township_of(c.enterprise),
        ),
        Column("led_by_name", _("带队负责人"), sort="led_by_name"),
        Column("led_by_title", _("职务")),
        Column("checklist.name", _("检查表")),
        Column(
            "failed_count",
            _("不符合项"),
            sort="failed_count",
            badge=lambda c: "danger" if c.failed_count else None,
        ),
        Column("hazard_count", _("登记隐患"), sort="hazard_count"),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return SelfCheck.objects.select_related("enterprise__region__parent", "checklist").annotate(
            failed_count=Count("answers", filter=Q(answers__result="fail"), distinct=True),
            hazard_count=Count("answers", filter=Q(answers__hazard__isnull=False), distinct=True),
        )

    def prepare_filter_form(self, request: HttpRequest, form: forms.Form) -> None:
        super().prepare_filter_form(request, form)
        _unit_filter_widgets(request, form)
        for name in ("checked_after", "checked_before"):
            form.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SelfCheckDetailView(ScopedViewMixin, View):
    model = SelfCheck

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        check = get_object_or_404(
            self.scoped_queryset(request).select_related(
                "enterprise", "checklist", "led_by_person", "recorded_by"
            ),
            pk=pk,
        )
        answers = check.answers.select_related("item__clause__version", "hazard").order_by(
            "item__sort_order", "item__pk"
        )
        # Hazards are shown only where the user may see them (a township sees its own; others may not).
        from zhiben.hazards.models import Hazard

        visible = set(
            Hazard.objects.restrict(request.user, "view")
            .filter(pk__in=[a.hazard_id for a in answers if a.hazard_id])
            .values_list("pk", flat=True)
        )
        fulfilled = (
            DutyOccurrence.objects.unrestricted("of a check read in scope")
            .filter(self_check=check)
            .select_related("rule")
            .order_by("period_start")
        )
        for o in fulfilled:
            o.label = _period(o)  # type: ignore[attr-defined]
        return render(
            request,
            "inspections/duties/selfcheck_detail.html",
            {
                "object": check,
                "title": _("企业自查 %(d)s") % {"d": check.checked_on},
                "answers": answers,
                "visible_hazards": visible,
                "photos": check.photos.order_by("pk"),
                "fulfilled": fulfilled,
                "status_colors": STATUS_COLORS,
            },
        )


class SelfCheckCreateView(ScopedViewMixin, View):
    """记录自查 (phone-first): choose the checklist, answer each item, add findings and photos."""

    model = SelfCheck
    action = "add"

    def _setup(self, request: HttpRequest) -> tuple[Any, Enterprise | None, Checklist | None]:
        self.check_action(request)
        units = Enterprise.objects.restrict(request.user, "view").order_by("name")
        raw = request.POST.get("enterprise") or request.GET.get("enterprise") or ""
        if raw:
            unit = units.filter(pk=raw).first() if raw.isdigit() else None
            if unit is None:
                raise Http404  # another unit's, or none: the same answer (R08)
        else:
            unit = units.first() if units.count() == 1 else None
        checklist = None
        raw = request.POST.get("checklist") or request.GET.get("checklist") or ""
        if unit is not None and raw.isdigit():
            checklist = selfchecks.checklists_for(unit).filter(pk=raw).first()
        return units, unit, checklist

    def get(self, request: HttpRequest) -> HttpResponse:
        units, unit, checklist = self._setup(request)
        initial: dict[str, Any] = {"checked_on": timezone.localdate()}
        if unit is not None:
            initial["enterprise"] = unit.pk
            if checklist is not None:
                initial["checklist"] = checklist.pk
            principal = unit.people.filter(role="principal").order_by("pk").first()
            if principal is not None:
                initial.update(
                    led_by_person=principal.pk, led_by_name=principal.name, led_by_title=principal.title
                )
            else:
                initial.update(led_by_name=unit.principal_name, led_by_title=_("主要负责人"))
            if request.GET.get("occurrence", "").isdigit():
                initial["occurrence"] = request.GET["occurrence"]
        form = SelfCheckForm(initial=initial, enterprises=units, enterprise=unit, checklist=checklist)
        findings = FindingFormSet(prefix="findings", form_kwargs={"clause_choices": clause_choices(width=40)})
        return self.render(request, form, findings, unit, checklist)

    def post(self, request: HttpRequest) -> HttpResponse:
        units, unit, checklist = self._setup(request)
        if unit is None:
            raise Http404
        form = SelfCheckForm(
            request.POST, request.FILES, enterprises=units, enterprise=unit, checklist=checklist
        )
        findings = FindingFormSet(
            request.POST, prefix="findings", form_kwargs={"clause_choices": clause_choices(width=40)}
        )

        def call() -> SelfCheck:
            d = form.cleaned_data
            return selfchecks.record_self_check(
                actor=request.user,
                enterprise=unit,
                checked_on=d["checked_on"],
                led_by_name=d.get("led_by_name") or "",
                led_by_title=d.get("led_by_title") or "",
                led_by_person=d.get("led_by_person"),
                participants=d.get("participants") or "",
                checklist=checklist,
                answers=[selfchecks.AnswerInput(i, r, n) for i, r, n in form.answers()],
                findings=[
                    selfchecks.FindingInput(
                        title=f["title"],
                        level=f.get("level") or Level.GENERAL,
                        clause=f.get("clause"),
                        location=f.get("location") or "",
                        description=f.get("description") or "",
                    )
                    for f in findings.cleaned_data
                    if f and (f.get("title") or "").strip()
                ],
                summary=d.get("summary") or "",
                photos=[
                    selfchecks.PhotoInput(p, latitude=d.get("latitude"), longitude=d.get("longitude"))
                    for p in d.get("photos") or []
                ],
                occurrence=d.get("occurrence"),
            )

        status = 400
        if form.is_valid() and findings.is_valid():
            check, status = run_service(request, form, call)
            if status == 200:
                messages.success(request, _("已记录自查。"))
                return redirect(check.get_absolute_url())
        return self.render(request, form, findings, unit, checklist, status=status)

    def render(
        self,
        request: HttpRequest,
        form: SelfCheckForm,
        findings: Any,
        unit: Enterprise | None,
        checklist: Checklist | None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "inspections/duties/selfcheck_form.html",
            {
                "title": _("记录自查"),
                "form": form,
                "findings": findings,
                "unit": unit,
                "checklist": checklist,
                "checklists": list(selfchecks.checklists_for(unit)) if unit is not None else [],
                "units": form.fields["enterprise"].queryset,
            },
            status=status,
        )


# --- rules (区安委办) --------------------------------------------------------------------------------------------


class DutyRulesView(ScopedViewMixin, View):
    """自查规则: the rules as data, with their legal source; unverified ones are flagged 待核实."""

    model = DutyRule

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        rules = sorted(
            DutyRule.objects.restrict(request.user),
            key=lambda r: (not r.active, duties.months_of(r.frequency), r.code),
        )
        return render(
            request,
            "inspections/duties/rules.html",
            {
                "title": _("自查规则"),
                "rules": rules,
                "can_change": can(request.user, "change", DutyRule),
                "high_risk_industries": Industry.objects.filter(high_risk=True).order_by(
                    "sort_order", "code"
                ),
                "can_edit_industries": can(request.user, "change", Industry),
            },
        )


class DutyRuleEditView(ScopedViewMixin, View):
    model = DutyRule
    action = "change"

    def _rule(self, request: HttpRequest, pk: int) -> DutyRule:
        self.check_action(request)
        return get_object_or_404(DutyRule.objects.restrict(request.user, "change"), pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = self._rule(request, pk)
        initial = {f: getattr(rule, f) for f in DutyRuleForm.base_fields}
        return self.render(request, rule, DutyRuleForm(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = self._rule(request, pk)
        form = DutyRuleForm(request.POST)
        version = posted_version(request)
        _done, status = run_form(
            request,
            form,
            lambda: duties.update_duty_rule(
                rule,
                actor=request.user,
                version=rule.version if version is None else version,
                **form.cleaned_data,
            ),
        )
        if status == 200:
            messages.success(request, _("已保存。未到期的自查任务将按新规则重新生成。"))
            return redirect("inspections:duty_rules")
        return self.render(request, rule, form, status)

    def render(
        self, request: HttpRequest, rule: DutyRule, form: forms.Form, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "core/object_form.html",
            {
                "form": form,
                "object": rule,
                "title": _("修改自查规则：%(r)s") % {"r": rule},
                "verbose_name": DutyRule._meta.verbose_name,
                "cancel_url": reverse("inspections:duty_rules"),
                "conflict": status == 409,
            },
            status=status,
        )


class HighRiskIndustriesView(ScopedViewMixin, View):
    """高危行业名录: the industries whose units owe the monthly check; the office switches them on and off."""

    model = Industry

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        industries = list(
            Industry.objects.restrict(request.user).select_related("parent").order_by("sort_order", "code")
        )
        counts = dict(
            Enterprise.objects.unrestricted("a count per industry")  # a count per industry, no unit shown
            .filter(status="operating")
            .values_list("primary_industry")
            .annotate(n=Count("pk"))
        )
        return render(
            request,
            "inspections/duties/high_risk_industries.html",
            {
                "title": _("高危行业名录"),
                "industries": [_with_count(i, counts.get(i.pk, 0)) for i in industries],
                "can_change": can(request.user, "change", Industry),
            },
        )


def _with_count(industry: Industry, count: int) -> Industry:
    industry.unit_count = count  # type: ignore[attr-defined]
    return industry


class HighRiskIndustryToggleView(ScopedViewMixin, View):
    """POST only: put an industry on the high-risk list or take it off (with the version read)."""

    model = Industry
    action = "change"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseNotAllowed(["POST"])  # a button on the high-risk list, never a page

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        industry = get_object_or_404(Industry.objects.restrict(request.user, "change"), pk=pk)
        raw = request.POST.get("version", "")
        wanted = request.POST.get("high_risk") == "1"
        if not raw.isdigit():
            messages.error(request, _("缺少版本号，请刷新后重试。"))
            return redirect("inspections:duty_high_risk")
        try:
            duties.set_industry_high_risk(industry, actor=request.user, high_risk=wanted, version=int(raw))
        except DomainError as exc:
            if exc.status_code == 403:
                raise PermissionDenied(exc.message)
            messages.error(request, exc.message)  # a stale version (409): shown on the refreshed list
            return redirect("inspections:duty_high_risk")
        messages.success(
            request,
            (_("已将“%(i)s”列入高危行业。") if wanted else _("已将“%(i)s”移出高危行业。"))
            % {"i": industry.name},
        )
        return redirect("inspections:duty_high_risk")
