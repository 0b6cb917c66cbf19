"""Forms of the plan, cap and draw pages (the API validates the same fields with serializers in api/plans.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm
from zhiben.core.widgets import FastSelect, pick_from
from zhiben.registry.choices import RegionLevel, StandardisationGrade
from zhiben.registry.models import Department, Enterprise, Industry, Region
from zhiben.registry.scoping import industry_ids_of_department

from ..choices import PlanStatus, RiskClass
from ..draw_algorithm import MIN_OFFICERS_PER_CHECK
from ..draw_pools import MAX_RECENT_DAYS, DrawCriteria
from ..models import InspectionPlan

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _unit_field(form: forms.Form, name: str, units: Any) -> None:
    pick_from(form.fields[name], units)  # type: ignore[arg-type]


class PlanForm(BoundedForm):
    """编制/修改年度监督检查计划."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("计划名称"), max_length=200)
    random_ratio = forms.DecimalField(
        label=_("一般单位抽查比例（%）"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        initial=5,
        help_text=_("重点检查单位全覆盖；其余一般单位按此比例双随机抽查"),
    )
    notes = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, data: Any = None, *, instance: InspectionPlan | None = None, user: Any = None) -> None:
        initial = {}
        if instance is not None:
            initial = {f: getattr(instance, f) for f in ("year", "title", "random_ratio", "notes")}
        else:
            year = timezone.localdate().year
            initial = {
                "year": year,
                "title": _("%(y)s年度安全生产监督检查计划") % {"y": year},
                "random_ratio": 5,
            }
        super().__init__(data, initial=initial)
        if instance is not None:
            self.fields.pop("year")  # a plan is for the year it was drafted for


class PlanUnitForm(BoundedForm):
    """列入重点检查单位."""

    enterprise = forms.ModelChoiceField(label=_("重点检查单位"), queryset=Enterprise.objects.none())
    planned_quarter = forms.TypedChoiceField(
        label=_("计划季度"),
        choices=[("", "—"), (1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, data: Any = None, *, units: Any) -> None:
        super().__init__(data)
        _unit_field(self, "enterprise", units)


class ReviewForm(BoundedForm):
    """审批意见 (required when returning a plan or rejecting an exception)."""

    note = forms.CharField(
        label=_("审批意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=500
    )


class CapForm(BoundedForm):
    """检查频次上限 (区安委办)."""

    industry = forms.ModelChoiceField(
        label=_("行业领域"),
        queryset=Industry.objects.order_by("sort_order", "code"),
        required=False,
        empty_label=_("全部行业"),
    )
    risk_class = forms.ChoiceField(label=_("风险类别"), choices=RiskClass.choices, required=False)
    standardisation_grade = forms.ChoiceField(
        label=_("标准化等级"), choices=[("", _("不限")), *StandardisationGrade.choices], required=False
    )
    max_per_year = forms.IntegerField(label=_("每年最多检查次数"), min_value=0, max_value=366)
    source = forms.CharField(label=_("依据"), max_length=200, required=False)
    verified = forms.BooleanField(
        label=_("已核实"), required=False, help_text=_("未核实的上限在页面上标为“待核实”")
    )

    def __init__(self, data: Any = None, *, instance: Any = None, user: Any = None) -> None:
        initial = {}
        if instance is not None:
            initial = {
                "industry": instance.industry_id,
                "risk_class": instance.risk_class,
                "standardisation_grade": instance.standardisation_grade,
                "max_per_year": instance.max_per_year,
                "source": instance.source,
                "verified": instance.verified,
            }
        super().__init__(data, initial=initial)


class CapExceptionForm(BoundedForm):
    """申请超频次检查."""

    enterprise = forms.ModelChoiceField(label=_("生产经营单位"), queryset=Enterprise.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    reason = forms.CharField(
        label=_("理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如举报核查、事故调查、重大事故隐患复查等"),
    )

    def __init__(self, data: Any = None, *, units: Any) -> None:
        super().__init__(data, initial={"year": timezone.localdate().year})
        _unit_field(self, "enterprise", units)


class DecisionForm(BoundedForm):
    """批准或不予批准."""

    approve = forms.TypedChoiceField(
        label=_("审批结果"),
        choices=[("1", _("批准")), ("0", _("不予批准"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("审批意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=500
    )


class DrawForm(BoundedForm):
    """双随机抽查: the task, the entity pool's filters, the count and the teams."""

    title = forms.CharField(label=_("抽查任务名称"), max_length=200)
    subject = forms.CharField(label=_("抽查事项"), max_length=200, required=False)
    plan = forms.ModelChoiceField(label=_("年度计划"), queryset=InspectionPlan.objects.none(), required=False)
    planned_on = forms.DateField(label=_("计划检查日期"), widget=DATE)
    region = forms.ChoiceField(label=_("行政区划"), required=False)
    industry = forms.ChoiceField(label=_("行业领域"), required=False)
    high_risk = forms.ChoiceField(
        label=_("高危企业"),
        choices=[("", _("不限")), ("true", _("仅高危")), ("false", _("仅非高危"))],
        required=False,
    )
    grades = forms.MultipleChoiceField(
        label=_("标准化等级"),
        choices=StandardisationGrade.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("不选为不限"),
    )
    recent_days = forms.IntegerField(
        label=_("排除近期已检查（天）"),
        min_value=0,
        max_value=MAX_RECENT_DAYS,
        initial=90,
        help_text=_("0 为不排除"),
    )
    count = forms.IntegerField(label=_("抽取数量（家）"), min_value=1, required=False)
    proportion = forms.DecimalField(
        label=_("或抽查比例（%）"),
        max_digits=5,
        decimal_places=2,
        min_value=0.01,
        max_value=100,
        required=False,
    )
    officers_per_check = forms.IntegerField(
        label=_("每组执法人员（人）"),
        min_value=MIN_OFFICERS_PER_CHECK,
        max_value=10,
        initial=MIN_OFFICERS_PER_CHECK,
    )
    max_per_officer = forms.IntegerField(label=_("每人最多检查（家）"), min_value=1, required=False)
    pair_days = forms.IntegerField(
        label=_("回避：同一执法人员近期检查过该单位（天）"),
        min_value=0,
        max_value=MAX_RECENT_DAYS,
        initial=365,
        help_text=_("已申报的利害关系始终回避；0 为只按申报回避"),
    )
    weighted = forms.BooleanField(
        label=_("按风险加权"),
        required=False,
        help_text=_("高危、标准化等级低、有未销号隐患的单位被抽中的机会更大"),
    )

    def __init__(
        self, data: Any = None, *, department: Department | None, initial: dict[str, Any] | None = None
    ) -> None:
        base = {
            "planned_on": timezone.localdate(),
            "recent_days": 90,
            "pair_days": 365,
            "officers_per_check": 2,
        }
        super().__init__(data, initial={**base, **(initial or {})})
        regions = Region.objects.filter(
            level__lte=RegionLevel.TOWNSHIP, level__gte=RegionLevel.COUNTY
        ).order_by("code")
        self.fields["region"].choices = [("", _("不限"))] + [
            (r.code, ("\u3000" if r.level == RegionLevel.TOWNSHIP else "") + r.name) for r in regions
        ]
        ids = industry_ids_of_department(department.pk) if department else frozenset()
        industries = Industry.objects.filter(pk__in=ids).order_by("sort_order", "code")
        self.fields["industry"].choices = [("", _("本部门全部行业"))] + [
            (i.code, ("\u3000" if i.parent_id else "") + i.name) for i in industries
        ]
        for name in ("region", "industry", "high_risk"):
            self.fields[name].widget = FastSelect(choices=self.fields[name].choices)
        self.fields["plan"].queryset = (
            InspectionPlan.objects.unrestricted("the draw's department")
            .filter(department=department, status=PlanStatus.APPROVED)
            .order_by("-year")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("count") is None and data.get("proportion") is None and not self.has_error("count"):
            self.add_error("count", _("请填写抽取数量或抽查比例。"))
        if data.get("count") is not None and data.get("proportion") is not None:
            self.add_error("proportion", _("抽取数量与抽查比例只填一项。"))
        return data

    def criteria(self) -> DrawCriteria:
        d = self.cleaned_data
        return DrawCriteria.from_json({k: d.get(k) for k in DrawCriteria.__dataclass_fields__})

    @staticmethod
    def initial_from(draw: Any) -> dict[str, Any]:
        c = dict(draw.criteria)
        c["high_risk"] = {True: "true", False: "false"}.get(c.get("high_risk"), "")
        return {"title": draw.title, "subject": draw.subject, "plan": draw.plan_id, **c}


class RedrawForm(BoundedForm):
    reason = forms.CharField(
        label=_("重新抽取理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("理由将记入审计日志并在公示页面公开；原抽取结果和种子一并公开"),
    )
