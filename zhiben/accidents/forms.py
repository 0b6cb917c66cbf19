"""Forms of the accident register: 登记 and each step's form (also the API's serializers, core.loop.api)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm
from zhiben.core.widgets import pick_from
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Enterprise, Industry, Region

from . import reference
from .choices import Concealment, Measure, ResponsibleRole, SubjectKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class CasualtyFields(BoundedForm):
    deaths = forms.IntegerField(label=_("死亡人数"), min_value=0, max_value=100000, initial=0)
    serious_injuries = forms.IntegerField(
        label=_("重伤人数"), min_value=0, max_value=100000, initial=0, help_text=_("包括急性工业中毒")
    )
    missing = forms.IntegerField(label=_("失踪人数"), min_value=0, max_value=100000, initial=0)
    direct_loss = forms.DecimalField(label=_("直接经济损失（元）"), initial=0, **MONEY)  # type: ignore[arg-type]


class AccidentForm(CasualtyFields):
    """登记事故: the first report. The grade is computed from casualties and loss, never chosen."""

    occurred_at = forms.DateTimeField(label=_("发生时间"), widget=DATETIME)
    reported_at = forms.DateTimeField(
        label=_("报告时间"), widget=DATETIME, help_text=_("事故单位报告监管部门的时间")
    )
    place = forms.CharField(label=_("事故地点"), max_length=200)
    region = forms.ModelChoiceField(label=_("所在乡镇（街道）或村（社区）"), queryset=Region.objects.none())
    enterprise = forms.ModelChoiceField(
        label=_("事故单位（已登记）"), queryset=Enterprise.objects.none(), required=False
    )
    unit_name = forms.CharField(
        label=_("事故单位名称"),
        max_length=100,
        required=False,
        help_text=_("未登记的单位填写名称；选择了已登记单位时可不填"),
    )
    industry = forms.ModelChoiceField(label=_("行业领域"), queryset=Industry.objects.none())
    accident_type = forms.ChoiceField(label=_("事故类别"), choices=())
    summary = forms.CharField(label=_("事故简要经过"), widget=TEXT, max_length=5000)
    reporter = forms.CharField(label=_("报告人"), max_length=100)

    field_order = [
        "occurred_at",
        "reported_at",
        "place",
        "region",
        "enterprise",
        "unit_name",
        "industry",
        "accident_type",
        "deaths",
        "serious_injuries",
        "missing",
        "direct_loss",
        "summary",
        "reporter",
    ]

    def __init__(self, *args: Any, enterprises: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(  # type: ignore[attr-defined]
            level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
        ).order_by("code")
        if enterprises is not None:
            pick_from(self.fields["enterprise"], enterprises)  # type: ignore[arg-type]
        self.fields["industry"].queryset = Industry.objects.order_by("code")  # type: ignore[attr-defined]
        current = next((tl for tl in reference.type_lists() if tl.active), None)
        self.fields["accident_type"].choices = [("", "—"), *(current.types if current else ())]  # type: ignore[attr-defined]
        self.fields["accident_type"].help_text = current.title if current else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("enterprise") and not (data.get("unit_name") or "").strip():
            self.add_error("unit_name", _("请选择已登记的单位或填写事故单位名称。"))
        return data


class SupplementForm(CasualtyFields):
    """续报: the casualties and loss as they now stand (not the change), and what changed."""

    note = forms.CharField(label=_("续报内容"), widget=TEXT, max_length=5000)

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        if target is not None and not args:
            kwargs.setdefault(
                "initial",
                {
                    "deaths": target.deaths,
                    "serious_injuries": target.serious_injuries,
                    "missing": target.missing,
                    "direct_loss": target.direct_loss,
                    **kwargs.get("initial", {}),
                },
            )
        super().__init__(*args, **kwargs)


class FlagForm(BoundedForm):
    """瞒报/谎报/迟报 as the office finds it, with its reason and the tip that revealed it."""

    concealment = forms.ChoiceField(
        label=_("认定"), choices=[c for c in Concealment.choices if c[0]], widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("认定理由"), widget=TEXT, max_length=5000)
    tip = forms.IntegerField(
        label=_("发现线索：举报编号"),
        required=False,
        min_value=1,
        help_text=_("经举报发现的，填写举报办理页面上的举报序号（不显示举报人信息）"),
    )


class InvestigateForm(BoundedForm):
    team = forms.CharField(label=_("调查组组成"), widget=TEXT, max_length=3000)
    lead_unit = forms.CharField(label=_("牵头单位"), max_length=100)
    investigation_due = forms.DateField(
        label=_("调查报告期限"),
        widget=DATE,
        required=False,
        help_text=_("默认自事故发生之日起60日（待核实）"),
    )


class ExtendForm(BoundedForm):
    days = forms.IntegerField(label=_("延长天数"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("延期理由"), max_length=300)


class ReportForm(BoundedForm):
    causes = forms.CharField(label=_("事故原因"), widget=TEXT, max_length=10000)
    report_summary = forms.CharField(label=_("调查报告摘要"), widget=TEXT, max_length=10000)
    submitted_on = forms.DateField(label=_("提交日期"), widget=DATE, required=False)


class FindingForm(BoundedForm):
    subject_kind = forms.ChoiceField(label=_("对象类别"), choices=SubjectKind.choices)
    name = forms.CharField(label=_("责任人（单位）"), max_length=100)
    role = forms.ChoiceField(label=_("身份"), choices=ResponsibleRole.choices)
    finding = forms.CharField(label=_("责任认定"), widget=TEXT, max_length=5000)
    measure = forms.ChoiceField(label=_("处理建议"), choices=Measure.choices)
    measure_detail = forms.CharField(label=_("处理内容"), max_length=300, required=False)


class RectificationForm(BoundedForm):
    measure = forms.CharField(label=_("整改措施"), widget=TEXT, max_length=3000)
    responsible = forms.CharField(label=_("责任单位"), max_length=100)
    due_on = forms.DateField(label=_("整改期限"), widget=DATE)


class FollowUpForm(BoundedForm):
    rectification = forms.IntegerField(label=_("整改措施"), min_value=1)
    follow_up = forms.CharField(label=_("落实情况"), widget=TEXT, max_length=3000)
    done = forms.BooleanField(label=_("已整改完成"), required=False)
    done_on = forms.DateField(label=_("完成日期"), widget=DATE, required=False)

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if target is not None:
            open_ = [
                (r.pk, f"{r.measure[:30]}（{r.responsible}，期限 {r.due_on:%Y-%m-%d}）")
                for r in target.rectifications.filter(status="open")
            ]
            self.fields["rectification"].widget = forms.Select(choices=open_)


class CloseForm(BoundedForm):
    approval_number = forms.CharField(label=_("批复文号"), max_length=60)
    closed_on = forms.DateField(label=_("批复日期"), widget=DATE, initial=timezone.localdate)
