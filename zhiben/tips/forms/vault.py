"""Forms of the identity vault: a handler's request to see a reporter's identity, and the custodian's decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm

TEXT3 = forms.Textarea(attrs={"rows": 3})

VALIDITY_CHOICES = [(4, _("4 小时")), (24, _("24 小时")), (72, _("3 日")), (168, _("7 日"))]


class IdentityRequestForm(BoundedForm):
    reason = forms.CharField(
        label=_("申请理由"),
        widget=TEXT3,
        min_length=5,
        max_length=1000,
        help_text=_("说明核查中为何必须知道举报人身份（如须当面核实现场情况）；保密员据此审批"),
    )


class ApproveForm(BoundedForm):
    hours = forms.TypedChoiceField(label=_("查看有效期"), choices=VALIDITY_CHOICES, coerce=int, initial=24)
    note = forms.CharField(label=_("审批意见"), widget=TEXT3, required=False, max_length=1000)


class DenyForm(BoundedForm):
    note = forms.CharField(label=_("不予批准理由"), widget=TEXT3, max_length=1000)
