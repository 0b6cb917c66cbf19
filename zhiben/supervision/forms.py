"""Forms of 督办交办 and 暗访: the assignee steps' forms (also the API's serializers), 新建督办, 督促函,
暗访 and its findings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm
from zhiben.core.widgets import MultipleFileInput, pick_from
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Department, Enterprise, Region

from .choices import Level

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _files_field(label: Any) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        widget=MultipleFileInput(),
        help_text=_("照片（JPEG/PNG）或文件（PDF/Word/Excel），每个不超过 10 MB"),
    )


class AcceptForm(BoundedForm):
    note = forms.CharField(label=_("签收说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ProgressForm(BoundedForm):
    text = forms.CharField(label=_("办理进展"), widget=forms.Textarea(attrs={"rows": 4}))
    files = _files_field(_("附件"))  # type: ignore[assignment]


class ReportForm(BoundedForm):
    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 4}))
    files = _files_field(_("佐证材料"))  # type: ignore[assignment]


class FinishForm(BoundedForm):
    note = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReturnForm(BoundedForm):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 3}))


def departments() -> Any:
    return Department.objects.unrestricted("reference data").order_by("sort_order", "code")


def townships() -> Any:
    return Region.objects.unrestricted("reference data").filter(level=RegionLevel.TOWNSHIP).order_by("code")


class ItemForm(BoundedForm):
    subject = forms.CharField(label=_("督办事项"), max_length=200)
    requirement = forms.CharField(label=_("督办要求"), widget=forms.Textarea(attrs={"rows": 4}))
    basis = forms.CharField(label=_("督办依据"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    deadline = forms.DateField(label=_("办理时限"), widget=DATE)
    level = forms.ChoiceField(label=_("督办级别"), choices=Level.choices, initial=Level.GENERAL)
    departments = forms.ModelMultipleChoiceField(
        label=_("承办部门"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    townships = forms.ModelMultipleChoiceField(
        label=_("承办乡镇（街道）"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    links = forms.CharField(
        label=_("涉及对象"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("本平台内隐患、攻坚任务、举报或生产经营单位的页面地址，每行一条，如 /hazards/12/"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments()  # type: ignore[attr-defined]
        self.fields["townships"].queryset = townships()  # type: ignore[attr-defined]


class LetterForm(BoundedForm):
    note = forms.CharField(
        label=_("督促事项"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("写入督促函正文的具体要求（可空）"),
    )


class VisitForm(BoundedForm):
    visited_on = forms.DateField(label=_("暗访日期"), widget=DATE)
    place = forms.CharField(label=_("暗访地点"), max_length=200)
    township = forms.ModelChoiceField(label=_("乡镇（街道）"), queryset=Region.objects.none(), required=False)
    team = forms.CharField(label=_("暗访人员"), max_length=300)
    summary = forms.CharField(label=_("暗访情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships()  # type: ignore[attr-defined]


class FindingForm(BoundedForm):
    enterprise = forms.ModelChoiceField(
        label=_("涉及单位"), queryset=Enterprise.objects.none(), required=False
    )
    text = forms.CharField(label=_("发现问题"), widget=forms.Textarea(attrs={"rows": 3}))
    files = _files_field(_("照片"))  # type: ignore[assignment]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Enterprise.objects.restrict(user, "view") if user is not None else Enterprise.objects.none()
        pick_from(self.fields["enterprise"], units)  # type: ignore[arg-type]


class FindingHazardForm(BoundedForm):
    level = forms.ChoiceField(label=_("隐患等级"), choices=[("general", _("一般")), ("major", _("重大"))])
    title = forms.CharField(label=_("隐患名称"), max_length=200)
