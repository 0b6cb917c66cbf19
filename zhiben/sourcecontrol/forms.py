"""Forms of 源头管控: the project and 淘汰 steps' forms (also the API's serializers) and the record forms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm
from zhiben.core.widgets import MultipleFileInput
from zhiben.registry.choices import StandardisationGrade

from . import reference
from .choices import PhaseOutKind, ProjectKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 16, "decimal_places": 2, "min_value": Decimal(0)}


class ApproveForm(BoundedForm):
    conditions_met = forms.BooleanField(
        label=_("已核实满足限制类条目的准入条件"),
        required=False,
        help_text=_("项目属于限制类产业目录条目时须勾选。"),
    )
    note = forms.CharField(label=_("审查意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RefuseForm(BoundedForm):
    reason = forms.CharField(
        label=_("不予通过理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class StageForm(BoundedForm):
    done_on = forms.DateField(label=_("完成日期"), widget=DATE)
    document = forms.CharField(label=_("文件名称"), max_length=200)
    document_number = forms.CharField(label=_("文号"), max_length=60, required=False)
    organisation = forms.CharField(label=_("承担或审查单位"), max_length=100, required=False)
    conclusion = forms.CharField(label=_("结论"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    files = forms.FileField(  # type: ignore[assignment]
        label=_("文件"),
        required=False,
        widget=MultipleFileInput(),
        help_text=_("报告、意见书等文件本身：PDF、Word 或照片（JPEG/PNG），可选多个，每个不超过 10 MB"),
    )


class RetireForm(BoundedForm):
    done_on = forms.DateField(label=_("淘汰完成日期"), widget=DATE)
    method = forms.CharField(
        label=_("淘汰方式"), max_length=100, help_text=_("如：报废拆解、注销登记、更新替换")
    )


def _sector_choices(basis: str) -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in reference.fee_table().sectors if s.basis == basis]


def _category_choices() -> list[tuple[str, str]]:
    return [(c["code"], c["name"]) for c in reference.spending_categories()["categories"]]


def _activity_choices() -> list[tuple[str, Any]]:
    return [("", _("不属于目录所列产业"))] + [
        (e.code, f"{e.kind_label}·{e.name}") for e in reference.catalogue_entries()
    ]


class CertificateForm(BoundedForm):
    grade = forms.ChoiceField(
        label=_("等级"),
        choices=[c for c in StandardisationGrade.choices if c[0] != StandardisationGrade.NONE],
    )
    number = forms.CharField(label=_("证书编号"), max_length=60)
    issuer = forms.CharField(label=_("发证单位"), max_length=100)
    valid_from = forms.DateField(label=_("有效期起"), widget=DATE)
    valid_to = forms.DateField(label=_("有效期至"), widget=DATE)
    next_review = forms.DateField(label=_("下次复评日期"), widget=DATE, required=False)
    is_benchmark = forms.BooleanField(label=_("标杆企业"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] <= data["valid_from"]:
            self.add_error("valid_to", _("有效期至须晚于有效期起。"))
        return data


class FeeAccountForm(BoundedForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    sector = forms.ChoiceField(label=_("提取标准行业"), choices=())
    basis = forms.DecimalField(label=_("上一年度营业收入（元）"), **MONEY)  # type: ignore[arg-type]
    opening_balance = forms.DecimalField(label=_("年初结余（元）"), initial=0, **MONEY)  # type: ignore[arg-type]
    previous_annual = forms.DecimalField(
        label=_("上年应提取（元）"),
        initial=0,
        required=False,
        **MONEY,  # type: ignore[arg-type]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = _sector_choices("revenue")  # type: ignore[attr-defined]


class SpendingForm(BoundedForm):
    category = forms.ChoiceField(label=_("使用范围"), choices=())
    amount = forms.DecimalField(
        label=_("金额（元）"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    spent_on = forms.DateField(label=_("支出日期"), widget=DATE)
    description = forms.CharField(label=_("用途说明"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _category_choices()  # type: ignore[attr-defined]


class PaymentForm(BoundedForm):
    fee_paid = forms.DecimalField(label=_("建设单位累计已支付安全费用（元）"), **MONEY)  # type: ignore[arg-type]
    paid_on = forms.DateField(label=_("支付日期"), widget=DATE)


class ProjectForm(BoundedForm):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    kind = forms.ChoiceField(label=_("项目类型"), choices=ProjectKind.choices)
    activity = forms.ChoiceField(label=_("产业类别（目录条目）"), choices=(), required=False)
    description = forms.CharField(
        label=_("建设内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    investment = forms.DecimalField(
        label=_("总投资（万元）"), max_digits=12, decimal_places=2, min_value=Decimal(0), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = _activity_choices()  # type: ignore[attr-defined]


class PhaseOutForm(BoundedForm):
    kind = forms.ChoiceField(label=_("类别"), choices=PhaseOutKind.choices)
    name = forms.CharField(label=_("名称或型号"), max_length=100)
    identifier = forms.CharField(label=_("号牌或编号"), max_length=60, required=False)
    owner = forms.CharField(label=_("所有人"), max_length=60, required=False)
    due_on = forms.DateField(label=_("淘汰时限"), widget=DATE)


class CalculateForm(BoundedForm):
    sector = forms.ChoiceField(label=_("行业"), choices=())
    basis = forms.DecimalField(label=_("计提依据"), max_digits=18, decimal_places=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [(s.code, s.name) for s in reference.fee_table().sectors]  # type: ignore[attr-defined]
