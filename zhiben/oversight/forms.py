"""Forms of 考核督办: the steps of a list item (also the API's serializers), the office's edit of an item, and
the draft of a 通报 or report."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm

from .choices import BulletinKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgressForm(BoundedForm):
    evidence = forms.CharField(
        label=_("推进情况及佐证"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("做了什么、何时、形成了哪些材料（文件文号、会议纪要、平台记录链接等）"),
    )


class CompleteForm(BoundedForm):
    evidence = forms.CharField(
        label=_("完成情况及佐证"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("按“佐证材料要求”说明完成情况和佐证材料，区安委办确认后事项办结"),
    )
    completed_on = forms.DateField(label=_("完成日期"), widget=DATE)


class ConfirmForm(BoundedForm):
    note = forms.CharField(label=_("确认意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReturnForm(BoundedForm):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ItemEditForm(BoundedForm):
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence_required = forms.CharField(label=_("佐证材料要求"), max_length=300, required=False)
    due_on = forms.DateField(label=_("完成时限"), widget=DATE, required=False)
    source = forms.CharField(label=_("来源"), max_length=200)
    verified = forms.BooleanField(label=_("已核实"), required=False)


class BulletinDraftForm(BoundedForm):
    kind = forms.ChoiceField(label=_("类别"), choices=BulletinKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2024, max_value=2100)
    period = forms.CharField(
        label=_("期间"),
        max_length=8,
        required=False,
        help_text=_("工作进展通报填季度（如 2026Q1），半年工作报告填半年（如 2026H1）"),
    )
    title = forms.CharField(label=_("标题"), max_length=200, required=False, help_text=_("不填则按类别生成"))
    narrative = forms.CharField(
        label=_("正文"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("区安委办编写的情况分析、存在问题和下步工作，每段一行"),
    )
    cases = forms.CharField(
        label=_("曝光案例（隐患编号）"),
        required=False,
        max_length=500,
        help_text=_("典型案例曝光：平台内的隐患编号，逗号或空格分隔"),
    )
    praised = forms.CharField(
        label=_("表扬单位及理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("通报表扬：每行一个，“单位名称：理由”"),
    )


class BulletinEditForm(BoundedForm):
    title = forms.CharField(label=_("标题"), max_length=200)
    narrative = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 10}), required=False)


class IssueForm(BoundedForm):
    note = forms.CharField(label=_("签发意见"), required=False, max_length=200)
