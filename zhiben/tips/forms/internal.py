"""Forms of enterprise internal reporting (内部举报): the unit records its own workers' reports, verifies them,
registers a founded one as a hazard and records the reward it paid. The API validates with serializers
generated from the step forms (core.loop.api)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm
from zhiben.core.widgets import pick_from
from zhiben.hazards.choices import Level
from zhiben.registry.models import Enterprise
from zhiben.standards.models import Clause
from zhiben.standards.queries import clause_picker

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT3 = forms.Textarea(attrs={"rows": 3})


class InternalReportForm(BoundedForm):
    """登记内部举报 / 修改 (while 待核实)."""

    enterprise = forms.ModelChoiceField(label=_("单位"), queryset=Enterprise.objects.none())
    reported_on = forms.DateField(label=_("报告日期"), widget=DATE)
    reporter_name = forms.CharField(
        label=_("报告人"),
        max_length=50,
        required=False,
        help_text=_("可不填（匿名报告）；填写的姓名加密保存，只在本单位的记录中显示"),
    )
    location = forms.CharField(label=_("部位"), max_length=200, required=False)
    content = forms.CharField(
        label=_("报告内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写报告内容。")},
    )

    def __init__(
        self,
        data: Any = None,
        *args: Any,
        instance: Any = None,
        user: Any = None,
        enterprises: Any = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None and data is None:
            kwargs.setdefault(
                "initial",
                {
                    "enterprise": instance.enterprise_id,
                    "reported_on": instance.reported_on,
                    "reporter_name": instance.reporter_name,
                    "location": instance.location,
                    "content": instance.content,
                },
            )
        super().__init__(data, *args, **kwargs)
        self.fields["reported_on"].initial = self.fields["reported_on"].initial or timezone.localdate()
        qs = enterprises if enterprises is not None else Enterprise.objects.none()
        pick_from(self.fields["enterprise"], qs)  # type: ignore[arg-type]
        if instance is not None:
            # The unit of a report never changes: it is the unit's own record.
            self.fields.pop("enterprise")

    def clean_reported_on(self) -> dt.date | None:
        day = self.cleaned_data.get("reported_on")
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("报告日期不能晚于今天。"))
        return day

    def clean_content(self) -> str:
        text = str(self.cleaned_data.get("content") or "").strip()
        if not text:
            raise forms.ValidationError(_("请填写报告内容。"))
        return text


class FoundForm(BoundedForm):
    """核实属实: the report is founded; the hazard it shows is registered in the unit's hazard ledger."""

    level = forms.ChoiceField(label=_("隐患等级"), choices=Level.choices, initial=Level.GENERAL)
    clause = forms.ModelChoiceField(
        label=_("判定依据条款"),
        queryset=Clause.objects.all(),
        required=False,
        help_text=_("重大事故隐患必须引用判定标准条款"),
    )
    title = forms.CharField(label=_("隐患名称"), max_length=200)
    note = forms.CharField(label=_("核实情况"), widget=TEXT3, required=False)

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enterprise = getattr(target, "enterprise", None)
        self.fields["clause"].widget = clause_picker(
            width=48, industry=getattr(enterprise, "primary_industry_id", None)
        )


class UnfoundedForm(BoundedForm):
    """核实不属实."""

    note = forms.CharField(label=_("核实情况"), widget=TEXT3)


class RewardForm(BoundedForm):
    """登记奖励: what the unit paid the worker who reported."""

    amount = forms.DecimalField(
        label=_("奖励金额（元）"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    rewarded_on = forms.DateField(label=_("奖励日期"), widget=DATE)

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].error_messages["min_value"] = _("奖励金额应大于 0。")
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "step": "0.01"})


def initial_reward(report: Any) -> dict[str, dt.date]:
    return {"rewarded_on": timezone.localdate()}


def initial_found(report: Any) -> dict[str, Any]:
    first = (report.content or "").strip().splitlines()
    return {"title": (first[0] if first else "")[:60], "level": Level.GENERAL}
