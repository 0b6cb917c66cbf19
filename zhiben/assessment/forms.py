"""Forms of the assessment: the steps' forms (also the API's serializers), the query of the ranking page, the
scheme editor, a 申诉 and the 约谈 record."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm

from .choices import UnitKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
POINTS: dict[str, Any] = {
    "max_digits": 8,
    "decimal_places": 2,
    "min_value": Decimal(-1000),
    "max_value": Decimal(1000),
}


class QuarterForm(BoundedForm):
    year = forms.IntegerField(label=_("年度"), min_value=2020, max_value=2100, required=False)
    quarter = forms.IntegerField(label=_("季度"), min_value=1, max_value=4, required=False)
    kind = forms.ChoiceField(label=_("考核对象"), choices=UnitKind.choices, required=False)


class NoteForm(BoundedForm):
    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=500
    )


class AppealForm(BoundedForm):
    point = forms.IntegerField(label=_("申诉的考核项"), widget=forms.Select)
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    evidence = forms.CharField(
        label=_("证据材料"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("说明证据，并列出平台内记录的页面地址（如 /hazards/12/）。"),
    )
    requested_points = forms.DecimalField(label=_("申请调整为（分）"), required=False, **POINTS)

    def __init__(self, *args: Any, points: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].widget.choices = [(p.pk, f"{p.name}（{p.final_points} 分）") for p in points]


class AcceptAppealForm(BoundedForm):
    points = forms.DecimalField(label=_("调整后得分"), **POINTS)
    reason = forms.CharField(label=_("采纳理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RejectAppealForm(BoundedForm):
    reason = forms.CharField(
        label=_("不予采纳的理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


def parse_commitments(text: str) -> list[tuple[dt.date, str]]:
    """整改承诺, one a line: `2026-09-30 完成……` (date, a space, what)."""
    rows = []
    for n, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        head, _sep, rest = line.partition(" ")
        try:
            due = dt.date.fromisoformat(head)
        except ValueError:
            raise ValidationError(
                _("第%(n)s行应以完成时限开头，如“2026-09-30 完成逾期隐患整改”。") % {"n": n}
            ) from None
        if not rest.strip():
            raise ValidationError(_("第%(n)s行缺少承诺事项。") % {"n": n})
        if len(rest.strip()) > 300:
            raise ValidationError(_("第%(n)s行承诺事项过长（不超过300字）。") % {"n": n})
        rows.append((due, rest.strip()))
    return rows


class HoldForm(BoundedForm):
    held_at = forms.DateTimeField(
        label=_("约谈时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    place = forms.CharField(label=_("约谈地点"), max_length=100)
    leaders = forms.CharField(
        label=_("约谈人"), max_length=200, help_text=_("区领导、区安委办负责人姓名和职务")
    )
    attendees = forms.CharField(
        label=_("被约谈人"), max_length=200, help_text=_("被约谈单位主要负责人、分管负责人")
    )
    issues = forms.CharField(label=_("指出的问题"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    minutes = forms.CharField(label=_("约谈情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    commitments = forms.CharField(
        label=_("整改承诺"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("每行一条：完成时限（年-月-日）、空格、承诺事项，如“2026-09-30 完成逾期隐患整改”。"),
    )

    def clean_commitments(self) -> str:
        text = self.cleaned_data.get("commitments") or ""
        if not parse_commitments(text):
            raise ValidationError(_("请至少填写一条整改承诺。"))
        return text


class CheckForm(BoundedForm):
    commitment = forms.IntegerField(label=_("承诺事项"), widget=forms.Select)
    done = forms.BooleanField(label=_("已完成"), required=False)
    note = forms.CharField(label=_("核查情况"), max_length=300)

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = list(target.commitments.order_by("due_on", "pk")) if target is not None else []
        self.fields["commitment"].widget.choices = [
            (c.pk, f"{c.text}（{c.due_on:%Y-%m-%d} · {c.get_status_display()}）") for c in rows
        ]


class SchemeForm(BoundedForm):
    name = forms.CharField(label=_("方案名称"), max_length=200)
    rules = forms.CharField(
        label=_("计分规则（JSON）"),
        widget=forms.Textarea(attrs={"rows": 16, "class": "font-monospace"}),
        max_length=10000,
    )
    tie_breaks = forms.CharField(
        label=_("同分排序规则（JSON）"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "font-monospace"}),
        max_length=2000,
    )
    floor = forms.DecimalField(label=_("最低得分"), **POINTS)
    appeal_days = forms.IntegerField(label=_("申诉期限（发布后自然日）"), min_value=1, max_value=60)
    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def _json(self, name: str) -> Any:
        try:
            return json.loads(self.cleaned_data.get(name) or "")
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("不是有效的 JSON：第%(l)s行第%(c)s列。") % {"l": exc.lineno, "c": exc.colno}
            ) from None

    def clean_rules(self) -> Any:
        return self._json("rules")

    def clean_tie_breaks(self) -> Any:
        return self._json("tie_breaks")
