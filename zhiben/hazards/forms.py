"""Forms of the hazard pages; the API validates with serializers generated from the same forms (actions.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm
from zhiben.core.scoping import grants_for
from zhiben.core.widgets import MultipleFileInput, pick_from
from zhiben.registry.models import Department, Enterprise
from zhiben.standards.models import Clause
from zhiben.standards.queries import clause_picker

from . import plan_rule
from .choices import Level, Source, SupervisionLevel

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads


class HazardRegisterForm(BoundedForm):
    """登记隐患."""

    enterprise = forms.ModelChoiceField(label=_("生产经营单位"), queryset=Enterprise.objects.none())
    level = forms.ChoiceField(label=_("隐患等级"), choices=Level.choices, initial=Level.GENERAL)
    clause = forms.ModelChoiceField(
        label=_("判定依据条款"),
        queryset=Clause.objects.all(),
        required=False,
        help_text=_("重大事故隐患必须引用判定标准条款"),
    )
    source = forms.ChoiceField(label=_("隐患来源"), choices=Source.choices, required=False)
    title = forms.CharField(label=_("隐患名称"), max_length=200)
    description = forms.CharField(
        label=_("隐患描述"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    location = forms.CharField(label=_("隐患部位"), max_length=200, required=False)
    discovered_on = forms.DateField(label=_("发现日期"), widget=DATE)
    finder = forms.CharField(label=_("发现人"), max_length=100, required=False)

    def __init__(self, *args: Any, user: Any = None, enterprises: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = enterprises if enterprises is not None else Enterprise.objects.none()
        pick_from(self.fields["enterprise"], qs)  # type: ignore[arg-type]
        # A search over the citable clauses, the standards of the chosen unit's industry first.
        self.fields["clause"].widget = clause_picker(width=48, enterprise_field="enterprise")
        if user is not None and _enterprise_only(user):
            # A unit reports what it found itself (企业自查); other sources are recorded by the authorities.
            self.fields["source"].choices = [(Source.SELF_CHECK, Source.SELF_CHECK.label)]  # type: ignore[attr-defined]
            self.fields["source"].initial = Source.SELF_CHECK


def _enterprise_only(user: Any) -> bool:
    grants = grants_for(user)
    return bool(grants) and all(g.enterprise_ids is not None for g in grants)


class ConfirmForm(BoundedForm):
    level = forms.ChoiceField(label=_("隐患等级"), choices=Level.choices)
    clause = forms.ModelChoiceField(label=_("判定依据条款"), queryset=Clause.objects.all(), required=False)
    deadline = forms.DateField(
        label=_("整改期限"), widget=DATE, required=False, help_text=_("留空按默认期限（工作日）计算")
    )
    supervision_level = forms.ChoiceField(
        label=_("督办级别"), choices=SupervisionLevel.choices, required=False
    )
    note = forms.CharField(label=_("判定意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        """Given the hazard, the clause search puts its industry's standards first and keeps the clause it
        already cites even when that version is no longer the citable one."""
        super().__init__(*args, **kwargs)
        self.fields["clause"].widget = clause_picker(
            width=48,
            industry=getattr(target, "industry_id", None),
            keep=getattr(target, "clause_id", None),
        )


class ReasonForm(BoundedForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(BoundedForm):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class MergeForm(BoundedForm):
    into = forms.CharField(label=_("合并到（隐患编号）"), max_length=40)
    note = forms.CharField(label=_("说明"), required=False)


class PlanForm(BoundedForm):
    goal = forms.CharField(
        label=_("治理目标和任务"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible = forms.CharField(label=_("整改责任人"), max_length=50)
    funds = forms.DecimalField(
        label=_("整改资金（万元）"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    plan_deadline = forms.DateField(label=_("整改时限"), widget=DATE)
    contingency = forms.CharField(
        label=_("应急预案"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    interim_measures = forms.CharField(
        label=_("整改期间安全防范措施"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    stop_production = forms.BooleanField(label=_("停产停业整改"), required=False)

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        """Given the hazard, the required marks are what its level needs (plan_rule, as the service checks)."""
        super().__init__(*args, **kwargs)
        if target is not None:
            for name, message in plan_rule.required_fields(target.level).items():
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = message


class ProgressForm(BoundedForm):
    content = forms.CharField(label=_("整改进展"), widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_("完成比例（%）"), min_value=0, max_value=100)
    entry_on = forms.DateField(label=_("日期"), widget=DATE, required=False)
    funds_spent = forms.DecimalField(
        label=_("已投入资金（万元）"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    files = forms.FileField(  # type: ignore[assignment]
        label=_("佐证材料"),
        required=False,
        widget=MultipleFileInput(),
        help_text=_("照片（JPEG/PNG）或文件（PDF/Word/Excel），每个不超过 10 MB"),
    )


class SelfAcceptForm(BoundedForm):
    acceptor = forms.CharField(label=_("验收人"), max_length=50)
    passed = forms.TypedChoiceField(
        label=_("验收结论"),
        choices=[("1", _("验收合格")), ("0", _("验收不合格，继续整改"))],
        coerce=lambda v: v in ("1", 1, True, "true", "True"),
        initial="1",
    )
    accepted_on = forms.DateField(label=_("验收日期"), widget=DATE, required=False)
    note = forms.CharField(label=_("验收意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReopenForm(BoundedForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("新的整改期限"), widget=DATE, required=False)


class TransferForm(BoundedForm):
    to_department = forms.ModelChoiceField(
        label=_("接收部门"), queryset=Department.objects.order_by("sort_order", "code"), to_field_name="code"
    )
    reason = forms.CharField(label=_("移送理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionForm(BoundedForm):
    requested_deadline = forms.DateField(label=_("申请延至"), widget=DATE)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}))


class DecideExtensionForm(BoundedForm):
    approve = forms.TypedChoiceField(
        label=_("审批结论"),
        choices=[("1", _("批准")), ("0", _("不予批准"))],
        coerce=lambda v: v in ("1", 1, True, "true", "True"),
    )
    deadline = forms.DateField(
        label=_("批准的期限"), widget=DATE, required=False, help_text=_("留空为申请的期限")
    )
    note = forms.CharField(label=_("审批意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class WorkersReportForm(BoundedForm):
    reported_on = forms.DateField(label=_("报告日期"), widget=DATE)


class SupervisionForm(BoundedForm):
    level = forms.ChoiceField(label=_("督办级别"), choices=SupervisionLevel.choices, required=False)
    note = forms.CharField(label=_("说明"), required=False)


class AttachmentForm(BoundedForm):
    upload = forms.FileField(
        label=_("文件"), help_text=_("照片（JPEG/PNG）或文件（PDF/Word/Excel），不超过 10 MB")
    )
