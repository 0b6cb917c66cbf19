"""Forms of the campaign: a task's report and review (the steps' forms, also the API's serializers), a
sub-plan upload and a register entry."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm
from zhiben.core.widgets import MultipleFileInput
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Department, Region

from .choices import EntryStatus, RegisterKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_LINKS = 20
# A path on this site: no scheme, no host, no backslash (a browser reads "/\\evil" as another host).
_PATH = re.compile(r"/[A-Za-z0-9_\-./?=&%#]*")


def parse_links(text: str) -> list[str]:
    """Links to platform records, one per line: paths on this site (/hazards/12/), never another site's."""
    links = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(links) > MAX_LINKS:
        raise ValidationError(_("关联记录最多 %(n)s 条。") % {"n": MAX_LINKS})
    for link in links:
        if not _PATH.fullmatch(link) or link.startswith("//") or len(link) > 300:
            raise ValidationError(
                _("“%(l)s”不是本平台的记录链接：请填写以 / 开头的页面地址，如 /hazards/12/。")
                % {"l": link[:60]}
            )
    return links


class ReportForm(BoundedForm):
    content = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 4}))
    percent = forms.IntegerField(label=_("完成比例（%）"), min_value=0, max_value=100)
    reported_on = forms.DateField(label=_("报告日期"), widget=DATE, required=False)
    links = forms.CharField(
        label=_("关联记录"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("平台内记录的页面地址，每行一条，如 /hazards/12/、/enforcement/cases/3/"),
    )
    files = forms.FileField(  # type: ignore[assignment]
        label=_("佐证材料"),
        required=False,
        widget=MultipleFileInput(),
        help_text=_("照片（JPEG/PNG）或文件（PDF/Word/Excel），每个不超过 10 MB"),
    )

    def clean_links(self) -> str:
        text = self.cleaned_data.get("links") or ""
        parse_links(text)
        return text


class AcceptForm(BoundedForm):
    note = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReturnForm(BoundedForm):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 3}))


def _departments() -> Any:
    return Department.objects.unrestricted("reference data").order_by("sort_order", "code")


def _townships() -> Any:
    return Region.objects.unrestricted("reference data").filter(level=RegionLevel.TOWNSHIP).order_by("code")


class SubPlanForm(BoundedForm):
    department = forms.ModelChoiceField(
        label=_("制定单位"), queryset=Department.objects.none(), to_field_name="code"
    )
    title = forms.CharField(label=_("方案名称"), max_length=200)
    document_number = forms.CharField(label=_("文号"), max_length=60, required=False)
    issued_on = forms.DateField(label=_("印发日期"), widget=DATE)
    upload = forms.FileField(label=_("方案文件"), help_text=_("PDF 或 Word 文件，不超过 10 MB"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()  # type: ignore[attr-defined]


class EntryForm(BoundedForm):
    kind = forms.ChoiceField(label=_("登记类别"), choices=RegisterKind.choices)
    name = forms.CharField(label=_("名称"), max_length=200)
    township = forms.ModelChoiceField(
        label=_("乡镇（街道）"), queryset=Region.objects.none(), to_field_name="code", required=False
    )
    department = forms.ModelChoiceField(
        label=_("责任部门"), queryset=Department.objects.none(), to_field_name="code", required=False
    )
    quantity = forms.DecimalField(label=_("数量"), max_digits=12, decimal_places=2, min_value=0, initial=1)
    status = forms.ChoiceField(label=_("状态"), choices=EntryStatus.choices, initial=EntryStatus.DONE)
    on = forms.DateField(label=_("日期"), widget=DATE)
    evidence_note = forms.CharField(label=_("佐证说明"), max_length=300, required=False)
    evidence = forms.FileField(
        label=_("佐证材料"), required=False, help_text=_("照片或 PDF/Word/Excel 文件，不超过 10 MB")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = _townships()  # type: ignore[attr-defined]
        self.fields["department"].queryset = _departments()  # type: ignore[attr-defined]
