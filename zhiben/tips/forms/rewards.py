"""Forms of rewards: the calculator, 拟定 (propose), the steps (审批, 不予奖励, 告知, 申领, 发放), the public claim
by receipt code, and the office's edit of a reward rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm

from ..choices import AccidentGrade, Category, RewardBasis
from ..models import RewardRule, Tip

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT2 = forms.Textarea(attrs={"rows": 2})

BASIS_CHOICES = [
    (RewardBasis.FINE, _("按罚款比例")),
    (RewardBasis.CONCEALED_DEATHS, _("按瞒报死亡人数")),
    (RewardBasis.FIXED, _("定额（住建领域线索）")),
]


class CalculatorForm(BoundedForm):
    """试算: the calculator for handlers (the same rules as the API)."""

    basis = forms.ChoiceField(label=_("计奖方式"), choices=BASIS_CHOICES)
    fine = forms.CharField(
        label=_("罚款金额（元）"), required=False, max_length=20, help_text=_("按罚款比例时填写")
    )
    grade = forms.ChoiceField(
        label=_("事故等级"), required=False, choices=[("", "—"), *AccidentGrade.choices]
    )
    deaths = forms.CharField(label=_("查实瞒报死亡人数"), required=False, max_length=6)
    category = forms.ChoiceField(label=_("举报类别"), required=False, choices=[("", "—"), *Category.choices])


class ProposeForm(BoundedForm):
    """拟定奖励 for a founded, closed tip: the fine base comes from its cases; 瞒报 needs the grade and deaths."""

    tip = forms.ModelChoiceField(label=_("举报"), queryset=Tip.objects.none())
    basis = forms.ChoiceField(label=_("计奖方式"), choices=BASIS_CHOICES)
    grade = forms.ChoiceField(
        label=_("事故等级"), required=False, choices=[("", "—"), *AccidentGrade.choices]
    )
    deaths = forms.IntegerField(label=_("查实瞒报死亡人数"), required=False, min_value=1, max_value=10000)
    note = forms.CharField(
        label=_("说明"),
        widget=TEXT2,
        required=False,
        help_text=_("奖励金额按计算器结果确定；如有特殊情况在此说明"),
    )

    def __init__(self, *args: Any, tips: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tip"]
        field.queryset = tips  # type: ignore[attr-defined]
        field.label_from_instance = lambda t: f"{t.code}（{t.get_category_display()}）"  # type: ignore[attr-defined]


class NoteForm(BoundedForm):
    note = forms.CharField(label=_("意见"), widget=TEXT2, required=False)


class DeclineForm(BoundedForm):
    reason = forms.CharField(label=_("不予奖励理由"), widget=TEXT2)


class NotifyForm(BoundedForm):
    note = forms.CharField(
        label=_("告知方式"),
        widget=TEXT2,
        required=False,
        help_text=_("如：电话告知举报人凭查询码申领。领取期限自告知之日起计算"),
    )


class ClaimForm(BoundedForm):
    note = forms.CharField(
        label=_("申领情况"), widget=TEXT2, required=False, help_text=_("如：举报人持身份证件到区安委办申领")
    )


class PayForm(BoundedForm):
    payment_method = forms.ChoiceField(
        label=_("发放方式"),
        choices=[("银行转账", _("银行转账")), ("现金", _("现金")), ("委托代领", _("委托代领"))],
    )
    payment_reference = forms.CharField(label=_("发放凭证号"), max_length=100)
    paid_on = forms.DateField(label=_("发放日期"), widget=DATE)


class PublicClaimForm(BoundedForm):
    receipt = forms.CharField(
        label=_("查询码"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class RewardRuleForm(BoundedForm):
    """The office edits a rule's figures, its source and whether it is verified (核实)."""

    name = forms.CharField(label=_("名称"), max_length=100)
    percent = forms.DecimalField(
        label=_("奖励比例（%）"), required=False, max_digits=6, decimal_places=2, min_value=0
    )
    fixed_amount = forms.DecimalField(
        label=_("定额（元）"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    min_amount = forms.DecimalField(
        label=_("最低奖励（元）"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    max_amount = forms.DecimalField(
        label=_("最高奖励（元）"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    source = forms.CharField(label=_("依据"), max_length=300, widget=TEXT2)
    verified = forms.BooleanField(label=_("已核实（对照正式文本）"), required=False)
    active = forms.BooleanField(label=_("启用"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_amount"), data.get("max_amount")
        if low is not None and high is not None and low > high:
            self.add_error("max_amount", _("最高奖励不能低于最低奖励。"))
        return data

    @staticmethod
    def initial_of(rule: RewardRule) -> dict[str, Any]:
        return {f: getattr(rule, f) for f in RewardRuleForm.base_fields}
