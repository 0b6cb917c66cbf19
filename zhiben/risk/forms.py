"""Page forms of 双重预防 and 一会三卡 (every one a BoundedForm: Chinese field errors, bounded input)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm
from zhiben.registry.models import Enterprise, Region

from . import reference
from .choices import ControlKind, Method, PointKind, ResponsibleLevel, WorkKind
from .models import RiskTable

CONTROL_PREFIXES = {
    "工程": ControlKind.ENGINEERING,
    "管理": ControlKind.MANAGEMENT,
    "培训": ControlKind.TRAINING,
    "防护": ControlKind.PPE,
    "应急": ControlKind.EMERGENCY,
}
TEXTAREA = forms.Textarea(attrs={"rows": 4})


def parse_factors(text: str) -> list[dict[str, str]]:
    """One factor a line: its GB/T 13861 category code, a space, what it is ("2.2 液氨储罐泄漏中毒")."""
    codes = {c for c, _n in reference.factor_choices()}
    out, bad = [], []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        code, _sep, rest = line.partition(" ")
        if code not in codes or not rest.strip():
            bad.append(line[:20])
            continue
        out.append({"category": code, "text": rest.strip()[:200]})
    if bad:
        raise ValidationError(
            _("每行以 GB/T 13861 类别代码开头，空格后写危险有害因素，如“2.2 液氨泄漏中毒”；无法识别：%(l)s")
            % {"l": "、".join(bad)}
        )
    return out


def parse_controls(text: str) -> list[dict[str, str]]:
    """One control a line, starting with its kind: 工程/管理/培训/防护/应急 and a colon."""
    out, bad = [], []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        head, sep, rest = line.replace(":", "：").partition("：")
        kind = CONTROL_PREFIXES.get(head.strip()[:2])
        if not sep or kind is None or not rest.strip():
            bad.append(line[:20])
            continue
        out.append({"kind": str(kind), "text": rest.strip()[:200]})
    if bad:
        raise ValidationError(
            _(
                "每行以措施类别（工程、管理、培训、防护、应急）加冒号开头，如“工程：设置可燃气体报警仪”；无法识别：%(l)s"
            )
            % {"l": "、".join(bad)}
        )
    return out


def factors_text(factors: list[dict[str, Any]]) -> str:
    return "\n".join(f"{f.get('category', '')} {f.get('text', '')}" for f in factors)


def controls_text(controls: list[dict[str, Any]]) -> str:
    names = {str(v): k for k, v in CONTROL_PREFIXES.items()}
    return "\n".join(f"{names.get(c.get('kind', ''), '管理')}：{c.get('text', '')}" for c in controls)


class PointForm(BoundedForm):
    enterprise = forms.ModelChoiceField(label=_("生产经营单位"), queryset=Enterprise.objects.none())
    kind = forms.ChoiceField(label=_("风险点类型"), choices=PointKind.choices)
    name = forms.CharField(label=_("风险点名称"), max_length=100)
    location = forms.CharField(label=_("所在位置"), max_length=200, required=False)
    factors = forms.CharField(
        label=_("危险有害因素"),
        widget=TEXTAREA,
        help_text=_(
            "每行一条：GB/T 13861 类别代码 + 空格 + 描述，如“2.2 液氨储罐泄漏中毒”（类别表待核实）。"
        ),
    )
    controls = forms.CharField(
        label=_("管控措施"),
        widget=TEXTAREA,
        help_text=_(
            "每行一条：类别（工程、管理、培训、防护、应急）+ 冒号 + 措施，如“工程：设置可燃气体报警仪”。"
        ),
    )
    responsible_level = forms.ChoiceField(label=_("管控层级"), choices=ResponsibleLevel.choices)
    responsible_person = forms.CharField(label=_("责任人"), max_length=50)

    def __init__(self, *args: Any, enterprises: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises  # type: ignore[attr-defined]
        codes = "；".join(label for _c, label in reference.factor_choices())
        self.fields["factors"].help_text = f"{self.fields['factors'].help_text} {_('类别')}：{codes}"
        if enterprises is not None and enterprises.count() == 1:
            self.fields["enterprise"].initial = enterprises.first()
            self.fields["enterprise"].widget = forms.HiddenInput()

    def clean_factors(self) -> list[dict[str, str]]:
        return parse_factors(self.cleaned_data["factors"])

    def clean_controls(self) -> list[dict[str, str]]:
        found = parse_controls(self.cleaned_data["controls"])
        if not found:
            raise ValidationError(_("请至少填写一条管控措施。"))
        return found


class AssessForm(BoundedForm):
    method = forms.ChoiceField(label=_("评价方法"), choices=Method.choices)
    L = forms.CharField(label=_("可能性 L"), max_length=10)
    E = forms.CharField(label=_("暴露频繁程度 E（LEC）"), max_length=10, required=False)
    C = forms.CharField(label=_("后果 C（LEC）"), max_length=10, required=False)
    S = forms.CharField(label=_("严重性 S（LS）"), max_length=10, required=False)
    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class PatrolForm(BoundedForm):
    """One 符合/不符合 per control of the point, with a note for what was found."""

    note = forms.CharField(
        label=_("巡查说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args: Any, point: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.controls = list(point.controls or [])
        for i, c in enumerate(self.controls):
            self.fields[f"c{i}"] = forms.ChoiceField(
                label=c.get("text", ""),
                choices=[("ok", _("符合")), ("bad", _("不符合"))],
                widget=forms.RadioSelect,
                initial="ok",
            )
            self.fields[f"n{i}"] = forms.CharField(label=_("问题描述"), required=False, max_length=500)

    def results(self) -> list[dict[str, Any]]:
        return [
            {
                "control": c.get("text", ""),
                "ok": self.cleaned_data[f"c{i}"] == "ok",
                "note": self.cleaned_data.get(f"n{i}", ""),
            }
            for i, c in enumerate(self.controls)
        ]

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"c{i}"], self[f"n{i}"]) for i in range(len(self.controls))]


class PlanForm(BoundedForm):
    image = forms.FileField(label=_("厂区平面图（JPEG 或 PNG，≤ 10 MB）"))


class TableForm(BoundedForm):
    code = forms.CharField(label=_("版本编号"), max_length=40)
    method = forms.ChoiceField(label=_("评价方法"), choices=Method.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    source = forms.CharField(label=_("依据"), max_length=2000)
    content = forms.CharField(
        label=_("分值与分级（JSON）"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace"}),
        help_text=_("包含各因素的分值表和各等级的上下界（及是否含界值）；保存前检查空档和重叠。"),
        max_length=10000,
    )

    def clean_content(self) -> Any:
        try:
            return json.loads(self.cleaned_data["content"])
        except ValueError as exc:
            raise ValidationError(_("不是有效的 JSON：%(e)s") % {"e": exc}) from exc


class AdoptForm(BoundedForm):
    region = forms.ModelChoiceField(label=_("行政区划"), queryset=Region.objects.none())
    table = forms.ModelChoiceField(label=_("分级表"), queryset=RiskTable.objects.none())

    def __init__(self, *args: Any, regions: Any, tables: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["table"].queryset = tables  # type: ignore[attr-defined]


class PostForm(BoundedForm):
    name = forms.CharField(label=_("岗位名称"), max_length=100)
    template = forms.ChoiceField(label=_("卡片模板"), choices=())

    def __init__(self, *args: Any, templates: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t["key"], t["name"]) for t in templates]  # type: ignore[attr-defined]


class MeetingForm(BoundedForm):
    held_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.IntegerField(label=_("应到人数"), min_value=1, max_value=5000)
    present = forms.IntegerField(label=_("实到人数"), min_value=0, max_value=5000)
    risks = forms.CharField(label=_("今日风险"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    measures = forms.CharField(label=_("管控措施"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    signed_by = forms.CharField(label=_("签字确认人"), max_length=50)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("present") is not None and data.get("attendees") and data["present"] > data["attendees"]:
            self.add_error("present", _("实到人数不能多于应到人数。"))
        return data


class CheckForm(BoundedForm):
    """The post's 体检卡 items, each 正常 or 异常."""

    def __init__(self, *args: Any, items: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for i, text in enumerate(items):
            self.fields[f"i{i}"] = forms.ChoiceField(
                label=text,
                choices=[("ok", _("正常")), ("bad", _("异常"))],
                widget=forms.RadioSelect,
                initial="ok",
            )

    def results(self) -> list[dict[str, Any]]:
        return [{"item": t, "ok": self.cleaned_data[f"i{i}"] == "ok"} for i, t in enumerate(self.items)]


class PermitForm(BoundedForm):
    kind = forms.ChoiceField(label=_("作业类型"), choices=WorkKind.choices)
    location = forms.CharField(label=_("作业地点"), max_length=200)
    description = forms.CharField(
        label=_("作业内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    work_on = forms.DateField(label=_("作业日期"), widget=forms.DateInput(attrs={"type": "date"}))


class ConfirmForm(BoundedForm):
    """确认动工: every safety measure of the work's kind confirmed in place."""

    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = [m.get("item", "") for m in (target.measures if target is not None else [])]
        self.fields["confirmed"] = forms.MultipleChoiceField(
            label=_("安全措施已落实"),
            choices=[(str(i), t) for i, t in enumerate(items)],
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )


class FinishForm(BoundedForm):
    note = forms.CharField(
        label=_("完工说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class ReturnForm(BoundedForm):
    reason = forms.CharField(
        label=_("退回理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("说明需要申请人修改或补充的内容"),
    )


class ResubmitForm(PermitForm):
    """修改后重新提交: the returned permit's fields, edited by its applicant."""


class CancelForm(BoundedForm):
    reason = forms.CharField(label=_("作废理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
