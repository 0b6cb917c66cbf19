"""Forms of the enforcement pages; the API validates with serializers generated from the same step forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm
from zhiben.core.scoping import grants_for
from zhiben.core.widgets import FastSelect, pick_from
from zhiben.registry.choices import EnterpriseKind, RegionLevel
from zhiben.registry.models import Department, Enterprise, Industry, Region

from .choices import Circumstance, MeasureKind, OperationKind
from .documents import measure_text
from .models import DiscretionRule, IllegalOperation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads
TEXT2 = forms.Textarea(attrs={"rows": 2})
TEXT3 = forms.Textarea(attrs={"rows": 3})


def industry_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [
        (i.code, ("\u3000" + i.name) if i.parent_id else i.name)
        for i in Industry.objects.order_by("sort_order", "code")
    ]


def rule_label(rule: DiscretionRule) -> str:
    verified = "" if rule.verified else "【待核实】"
    return f"{rule.code} {rule.violation}（{rule.get_circumstance_display()}，罚款 {rule.range_display}）{verified}"


class StepForm(BoundedForm):
    """A step's form; `case` (or the record the step acts on) lets a form offer choices of that record."""

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        self.target = target
        super().__init__(*args, **kwargs)


# --- cases ---------------------------------------------------------------------------------------------------


class CaseForm(BoundedForm):
    """立案."""

    enterprise = forms.ModelChoiceField(
        label=_("当事单位"), queryset=Enterprise.objects.none(), required=False
    )
    department = forms.ModelChoiceField(label=_("办案部门"), queryset=Department.objects.none())
    violation = forms.CharField(label=_("违法事实"), widget=forms.Textarea(attrs={"rows": 4}))
    discretion_rule = forms.ModelChoiceField(
        label=_("适用裁量基准"),
        queryset=DiscretionRule.objects.filter(active=True),
        required=False,
        help_text=_("选择违法行为和情节，系统据此提示罚款幅度"),
    )
    involves_major_hazard = forms.BooleanField(
        label=_("涉及重大事故隐患"),
        required=False,
        help_text=_(
            "安全生产法第一百一十三条：存在重大事故隐患，一百八十日内三次或一年内四次受到行政处罚的，提请关闭"
        ),
    )
    filed_on = forms.DateField(label=_("立案日期"), widget=DATE)
    finding = forms.IntegerField(required=False, widget=forms.HiddenInput)
    hazard = forms.IntegerField(required=False, widget=forms.HiddenInput)
    operation = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, enterprises: Any = None, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ents = enterprises if enterprises is not None else Enterprise.objects.none()
        pick_from(self.fields["enterprise"], ents)  # type: ignore[arg-type]
        deps = departments if departments is not None else Department.objects.none()
        self.fields["department"].queryset = deps  # type: ignore[attr-defined]
        self.fields["department"].widget = FastSelect(choices=[(str(d.pk), d.name) for d in deps])
        rules = DiscretionRule.objects.filter(active=True).order_by("code")
        self.fields["discretion_rule"].widget = FastSelect(
            choices=[("", "—")] + [(str(r.pk), rule_label(r)) for r in rules]
        )


class RuleForm(StepForm):
    """适用裁量基准 (a step of the case)."""

    discretion_rule = forms.ModelChoiceField(
        label=_("适用裁量基准"),
        queryset=DiscretionRule.objects.filter(active=True),
        to_field_name="code",
        help_text=_("违法行为和情节；告知书和决定书载明其违法依据和处罚依据"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = DiscretionRule.objects.filter(active=True).order_by("code")
        self.fields["discretion_rule"].widget = FastSelect(
            choices=[("", "—")] + [(r.code, rule_label(r)) for r in rules]
        )


class MeasureForm(StepForm):
    kind = forms.ChoiceField(label=_("措施"), choices=MeasureKind.choices)
    amount = forms.DecimalField(
        label=_("罚款金额（元）"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    daily_amount = forms.DecimalField(
        label=_("按日处罚金额（元/日）"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("按照原处罚数额；留空按原罚款金额"),
    )
    start_on = forms.DateField(
        label=_("开始日期"),
        widget=DATE,
        required=False,
        help_text=_("停产停业整顿的开始日期；按日连续处罚自责令改正之日的次日起算（留空自动计算）"),
    )
    end_on = forms.DateField(
        label=_("期限/结束日期"), widget=DATE, required=False, help_text=_("责令限期整改的整改期限")
    )
    details = forms.CharField(label=_("内容"), widget=TEXT3, required=False)
    outside_range_reason = forms.CharField(
        label=_("超出裁量基准的理由"),
        widget=TEXT2,
        required=False,
        help_text=_("罚款金额超出所选裁量基准的幅度时必填，记录在案"),
    )


class MeasureRemoveForm(StepForm):
    measure = forms.TypedChoiceField(label=_("拟作出的措施"), coerce=int, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.target is not None:
            self.fields["measure"].choices = [  # type: ignore[attr-defined]
                (m.pk, measure_text(m)) for m in self.target.measures.filter(decided_on__isnull=True)
            ]


class NoteForm(StepForm):
    note = forms.CharField(label=_("说明"), widget=TEXT2, required=False)


class ReasonForm(StepForm):
    reason = forms.CharField(label=_("理由"), widget=TEXT3)


class NotifyForm(StepForm):
    notified_on = forms.DateField(label=_("告知日期"), widget=DATE)
    note = forms.CharField(
        label=_("告知方式及送达情况"),
        widget=TEXT2,
        required=False,
        help_text=_("如：直接送达《行政处罚告知书》"),
    )


class DecideForm(StepForm):
    decided_on = forms.DateField(label=_("决定日期"), widget=DATE)
    statement = forms.CharField(
        label=_("陈述申辩情况"),
        widget=TEXT3,
        required=False,
        help_text=_("当事人提出的陈述申辩及采纳情况；留空视为未提出"),
    )


class CloseForm(StepForm):
    closed_on = forms.DateField(label=_("结案日期"), widget=DATE)
    daily_end_on = forms.DateField(
        label=_("按日处罚截止日期"),
        widget=DATE,
        required=False,
        help_text=_("有按日连续处罚时必填：当事人改正之日"),
    )
    note = forms.CharField(label=_("执行情况"), widget=TEXT2, required=False)


class TypicalForm(StepForm):
    typical = forms.BooleanField(label=_("典型案例"), required=False, initial=True)
    summary = forms.CharField(
        label=_("典型案例简介"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


# --- the discretion benchmark --------------------------------------------------------------------------------


class DiscretionRuleForm(BoundedForm):
    violation = forms.CharField(label=_("违法行为"), max_length=300)
    legal_basis = forms.CharField(label=_("违法依据"), max_length=300, required=False)
    penalty_basis = forms.CharField(label=_("处罚依据"), max_length=300)
    circumstance = forms.ChoiceField(label=_("违法情节"), choices=Circumstance.choices)
    criteria = forms.CharField(label=_("情节认定标准"), max_length=500, widget=TEXT2, required=False)
    min_amount = forms.DecimalField(
        label=_("罚款下限（元）"), max_digits=12, decimal_places=2, required=False
    )
    max_amount = forms.DecimalField(
        label=_("罚款上限（元）"), max_digits=12, decimal_places=2, required=False
    )
    person_min_amount = forms.DecimalField(
        label=_("对个人罚款下限（元）"), max_digits=12, decimal_places=2, required=False
    )
    person_max_amount = forms.DecimalField(
        label=_("对个人罚款上限（元）"), max_digits=12, decimal_places=2, required=False
    )
    measures = forms.MultipleChoiceField(
        label=_("建议措施"),
        choices=MeasureKind.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": len(MeasureKind.choices)}),
    )
    source = forms.CharField(label=_("来源"), max_length=200, required=False)
    verified = forms.BooleanField(label=_("已核实"), required=False)
    active = forms.BooleanField(label=_("启用"), required=False)

    def __init__(
        self, data: Any = None, *args: Any, instance: Any = None, user: Any = None, **kwargs: Any
    ) -> None:
        if instance is not None and data is None:
            kwargs.setdefault("initial", {f: getattr(instance, f) for f in self.base_fields})
        super().__init__(data, *args, **kwargs)


# --- 打非治违 -----------------------------------------------------------------------------------------------


def _regions(user: Any) -> list[tuple[str, str]]:
    regions = Region.objects.filter(level__gte=RegionLevel.TOWNSHIP).order_by("code")
    prefixes: list[str] = []
    for g in grants_for(user):
        if not g.allows("add", IllegalOperation) and not g.allows("change", IllegalOperation):
            continue
        if g.region_prefix is None:
            prefixes = []
            break
        prefixes.append(g.region_prefix)
    if prefixes:
        q = Q()
        for p in prefixes:
            q |= Q(code__startswith=p)
        regions = regions.filter(q)
    return [("", "—")] + [
        (r.code, ("\u3000" + r.name) if r.level == RegionLevel.VILLAGE else r.name) for r in regions
    ]


class OperationForm(BoundedForm):
    """登记/修改打非治违记录."""

    subject_name = forms.CharField(label=_("当事人/经营者"), max_length=100)
    uscc = forms.CharField(
        label=_("统一社会信用代码"), max_length=18, required=False, help_text=_("无证无照的可不填")
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("违法类型"), choices=OperationKind.choices)
    region = forms.ModelChoiceField(label=_("所在区划"), queryset=Region.objects.all(), to_field_name="code")
    industry = forms.ModelChoiceField(
        label=_("行业领域"), queryset=Industry.objects.all(), to_field_name="code", required=False
    )
    address = forms.CharField(label=_("地点"), max_length=200)
    latitude = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label=_("经度"), max_digits=9, decimal_places=6, required=False)
    description = forms.CharField(label=_("违法事实"), widget=forms.Textarea(attrs={"rows": 4}))
    discovered_on = forms.DateField(label=_("发现日期"), widget=DATE)
    department = forms.ModelChoiceField(
        label=_("查处部门"), queryset=Department.objects.all(), required=False
    )

    def __init__(
        self, data: Any = None, *args: Any, instance: Any = None, user: Any = None, **kwargs: Any
    ) -> None:
        if instance is not None and data is None:
            initial = {f: getattr(instance, f) for f in self.base_fields if f not in ("region", "industry")}
            initial["region"] = instance.region.code
            initial["industry"] = instance.industry.code if instance.industry_id else ""
            initial["department"] = instance.department_id
            kwargs.setdefault("initial", initial)
        super().__init__(data, *args, **kwargs)
        self.fields["region"].widget = FastSelect(choices=_regions(user))
        self.fields["industry"].widget = FastSelect(choices=industry_choices())
        self.fields["department"].widget = FastSelect(
            choices=[("", "—")]
            + [(str(d.pk), d.name) for d in Department.objects.order_by("sort_order", "code")]
        )
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update({"step": "0.000001", "inputmode": "decimal"})


class OperationNoteForm(StepForm):
    note = forms.CharField(label=_("说明"), widget=TEXT3, required=False)


class ConvertForm(StepForm):
    name = forms.CharField(label=_("单位名称"), max_length=100, required=False)
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=_("已在其他记录中登记的代码将直接关联该单位"),
    )
    kind = forms.ChoiceField(label=_("类型"), choices=EnterpriseKind.choices, required=False)
    primary_industry = forms.ModelChoiceField(
        label=_("行业领域"), queryset=Industry.objects.all(), to_field_name="code", required=False
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    principal_name = forms.CharField(label=_("主要负责人"), max_length=50, required=False)
    principal_phone = forms.CharField(label=_("主要负责人电话"), max_length=30, required=False)
    note = forms.CharField(label=_("说明"), widget=TEXT2, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["primary_industry"].widget = FastSelect(choices=industry_choices())


class EvidenceForm(BoundedForm):
    upload = forms.FileField(label=_("照片或 PDF"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    captured_at = forms.DateTimeField(
        label=_("拍摄时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class ProposalNoteForm(StepForm):
    note = forms.CharField(label=_("区安委办意见"), widget=TEXT3, required=False)
