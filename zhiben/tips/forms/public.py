"""The public tip form (no login) and the receipt lookup form.

The form carries its own one-time token instead of Django's CSRF cookie: the portal sets no cookie at all
(R15). A cross-site post could only file a tip as anyone may, so the CSRF check protects nothing here; the
token (signed, valid for a day) is the submission key that makes a double submit file one tip.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.core import signing

from zhiben.core.bounds import BoundedForm
from zhiben.registry.choices import EnterpriseStatus, RegionLevel
from zhiben.registry.models import Enterprise, Region

from ..choices import Category
from ..services.intake import MAX_SHORT, MAX_TEXT, MESSAGES, MIN_TEXT

TOKEN_SALT = "zhiben.tips.portal.form"  # noqa: S105 - a signing namespace, not a password
TOKEN_MAX_AGE = 24 * 3600
REPORTABLE_STATUSES = (EnterpriseStatus.OPERATING, EnterpriseStatus.SUSPENDED)

EXPIRED = "页面已打开超过24小时，请核对内容后再次点击“提交举报”。"


def issue_token() -> str:
    return signing.dumps(secrets.token_hex(16), salt=TOKEN_SALT)


def submission_key(token: str, *, prefix: str = "portal") -> str | None:
    """The submission key a form token stands for, or None when it is forged or older than a day."""
    try:
        value = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(value, str) or len(value) != 32:
        return None
    return f"{prefix}:{value}"


def place_choices() -> list[tuple[Any, Any]]:
    """Townships of the district, each with its villages (an <optgroup> per township)."""
    regions = Region.objects.unrestricted("the district's places are public reference data").filter(
        level__in=(RegionLevel.TOWNSHIP, RegionLevel.VILLAGE)
    )
    townships = [r for r in regions if r.level == RegionLevel.TOWNSHIP]
    villages: dict[int | None, list[Region]] = {}
    for r in regions:
        if r.level == RegionLevel.VILLAGE:
            villages.setdefault(r.parent_id, []).append(r)
    choices: list[tuple[Any, Any]] = [("", "不清楚或不填")]
    for town in townships:
        group = [(str(town.pk), f"{town.name}（不确定哪个村、社区）")]
        group += [(str(v.pk), f"{town.name} · {v.name}") for v in villages.get(town.pk, [])]
        choices.append((town.name, group))
    return choices


def reportable_units() -> Any:
    return Enterprise.objects.unrestricted("names of registered units are public").filter(
        status__in=REPORTABLE_STATUSES
    )


class TipForm(BoundedForm):
    category = forms.ChoiceField(
        label="举报类别",
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择举报类别。", "invalid_choice": "请选择举报类别。"},
    )
    unit_name = forms.CharField(
        label="被举报单位",
        required=False,
        max_length=MAX_SHORT,
        help_text="输入名称可从已登记单位中选择；未登记的单位直接填写名称或店名。",
    )
    enterprise = forms.IntegerField(required=False, widget=forms.HiddenInput)
    place = forms.ChoiceField(label="地点所在乡镇（街道）、村（社区）", required=False)
    address = forms.CharField(
        label="详细地点", required=False, max_length=MAX_SHORT, help_text="如：某路某号、某厂房东侧仓库"
    )
    text = forms.CharField(
        label="看到了什么",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="写清时间、地点、什么问题；不必写您自己的信息。",
    )
    name = forms.CharField(label="姓名", required=False, max_length=50)
    phone = forms.CharField(label="联系电话", required=False, max_length=30)
    id_number = forms.CharField(label="身份证号码", required=False, max_length=18)
    employer = forms.CharField(label="工作单位", required=False, max_length=100)
    works_there = forms.ChoiceField(
        label="您是否在被举报单位工作",
        required=False,
        choices=[("", "不填"), ("yes", "是"), ("no", "否")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = place_choices()  # type: ignore[attr-defined]

    def clean_text(self) -> str:
        """The intake's own rules, so that every error shows at once (the service checks them again)."""
        text = (self.cleaned_data.get("text") or "").strip()
        if not text:
            raise forms.ValidationError(MESSAGES["empty"])
        if len(text) < MIN_TEXT:
            raise forms.ValidationError(MESSAGES["short"])
        return text

    def clean_enterprise(self) -> Enterprise | None:
        pk = self.cleaned_data.get("enterprise")
        if not pk:
            return None
        unit = reportable_units().filter(pk=pk).first()
        if unit is None:
            raise forms.ValidationError("所选单位不存在，请重新选择或直接填写单位名称。")
        return unit

    def clean_place(self) -> Region | None:
        pk = self.cleaned_data.get("place")
        if not pk:
            return None
        region = (
            Region.objects.unrestricted("the district's places are public reference data")
            .filter(pk=pk, level__in=(RegionLevel.TOWNSHIP, RegionLevel.VILLAGE))
            .first()
        )
        if region is None:
            raise forms.ValidationError("请从列表中选择地点。")
        return region

    def identity(self) -> dict[str, Any]:
        data = self.cleaned_data
        works = {"yes": True, "no": False}.get(data.get("works_there") or "")
        return {
            "name": data.get("name", ""),
            "phone": data.get("phone", ""),
            "id_number": data.get("id_number", ""),
            "employer": data.get("employer", ""),
            "works_there": works,
        }


class LookupForm(BoundedForm):
    receipt = forms.CharField(
        label="查询码",
        max_length=80,
        error_messages={"required": "请输入提交举报时得到的查询码。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
