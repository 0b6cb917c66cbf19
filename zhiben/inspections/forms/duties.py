"""Forms of the self-inspection pages: recording a check (phone-first), findings, and the rules' edit form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm
from zhiben.core.widgets import FastSelect
from zhiben.hazards.choices import Level
from zhiben.registry.choices import PersonRole
from zhiben.registry.models import Enterprise, Person
from zhiben.standards.models import Checklist, ChecklistItem, Clause

from ..choices import Answer, Frequency
from ..models import DutyOccurrence
from ..services.duties import period_label
from ..services.selfchecks import checklists_for, makeup_candidates

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads
MAX_PHOTOS = 20


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos under one name (a camera input and a gallery input may both use it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png", "multiple": True})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("一次最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS})
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


def item_field(item: ChecklistItem) -> str:
    return f"item_{item.pk}"


def note_field(item: ChecklistItem) -> str:
    return f"note_{item.pk}"


def _occurrence_label(o: DutyOccurrence) -> str:
    return f"{period_label(o.rule.frequency, o.period_start)}（{o.get_status_display()}，截止 {o.period_end:%Y-%m-%d}）"


class SelfCheckForm(BoundedForm):
    """记录企业自查: who led it, when, the checklist answered item by item, photos; findings in a formset."""

    enterprise = forms.ModelChoiceField(label=_("生产经营单位"), queryset=Enterprise.objects.none())
    checklist = forms.ModelChoiceField(
        label=_("检查表"), queryset=Checklist.objects.none(), required=False, widget=forms.HiddenInput
    )
    checked_on = forms.DateField(label=_("检查日期"), widget=DATE)
    led_by_person = forms.ModelChoiceField(
        label=_("带队负责人（人员库）"), queryset=Person.objects.none(), required=False
    )
    led_by_name = forms.CharField(label=_("带队负责人姓名"), max_length=50, required=False)
    led_by_title = forms.CharField(label=_("职务"), max_length=50, required=False)
    participants = forms.CharField(
        label=_("参加人员"), max_length=300, required=False, help_text=_("多人以顿号或逗号分隔")
    )
    summary = forms.CharField(label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    occurrence = forms.ModelChoiceField(
        label=_("补查任务"),
        queryset=DutyOccurrence.objects.none(),
        required=False,
        help_text=_("本次检查用于补做此前逾期未查的周期时选择（记为“逾期补查”）"),
    )
    photos = MultipleImageField(label=_("现场照片"), help_text=_("JPEG 或 PNG，每张不超过 10 MB"))
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        enterprises: Any,
        enterprise: Enterprise | None,
        checklist: Checklist | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.unit = enterprise
        self.checklist_obj = checklist
        self.fields["enterprise"].queryset = enterprises
        self.fields["enterprise"].widget = FastSelect(choices=[(str(e.pk), e.name) for e in enterprises])
        if enterprise is not None:
            self.fields["checklist"].queryset = checklists_for(enterprise)
            people = enterprise.people.order_by("name")
            principal_first = sorted(people, key=lambda p: (p.role != PersonRole.PRINCIPAL, p.name))
            self.fields["led_by_person"].queryset = people
            self.fields["led_by_person"].widget = FastSelect(
                choices=[("", "—")]
                + [(str(p.pk), f"{p.name}（{p.title or p.get_role_display()}）") for p in principal_first]
            )
            today = timezone.localdate()
            candidates = list(makeup_candidates(enterprise, today))
            self.fields["occurrence"].queryset = enterprise.duties.filter(pk__in=[o.pk for o in candidates])
            self.fields["occurrence"].widget = FastSelect(
                choices=[("", _("无（本周期检查）"))]
                + [(str(o.pk), _occurrence_label(o)) for o in candidates]
            )
            if not candidates:
                self.fields.pop("occurrence")
        self.items: list[ChecklistItem] = []
        if checklist is not None:
            self.items = list(checklist.items.select_related("clause__version").order_by("sort_order", "pk"))
            for item in self.items:
                self.fields[item_field(item)] = forms.ChoiceField(
                    label=item.text,
                    choices=Answer.choices,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("请选择检查结果。")},
                )
                self.fields[note_field(item)] = forms.CharField(
                    label=_("说明"), max_length=500, required=False
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person = data.get("led_by_person")
        if not (data.get("led_by_name") or "").strip() and person is None:
            self.add_error("led_by_name", _("请填写带队负责人，或从人员库中选择。"))
        if self.checklist_obj is None and not (data.get("summary") or "").strip():
            self.add_error("summary", _("未使用检查表时，请填写检查情况。"))
        return data

    def item_rows(self) -> list[dict[str, Any]]:
        """The checklist's items with their bound fields, for the template."""
        return [{"item": i, "answer": self[item_field(i)], "note": self[note_field(i)]} for i in self.items]

    def answers(self) -> list[tuple[ChecklistItem, str, str]]:
        d = self.cleaned_data
        return [(i, d[item_field(i)], d.get(note_field(i)) or "") for i in self.items]


class FindingForm(BoundedForm):
    """A problem found outside the checklist: it is registered as a hazard (来源：企业自查)."""

    title = forms.CharField(label=_("问题（隐患名称）"), max_length=200, required=False)
    level = forms.ChoiceField(
        label=_("隐患等级"), choices=Level.choices, initial=Level.GENERAL, required=False
    )
    clause = forms.ModelChoiceField(
        label=_("判定依据条款"),
        queryset=Clause.objects.all(),
        required=False,
        help_text=_("重大事故隐患必须引用判定标准条款"),
    )
    location = forms.CharField(label=_("部位"), max_length=200, required=False)
    description = forms.CharField(label=_("描述"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self, *args: Any, clause_choices: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if clause_choices is not None:
            self.fields["clause"].widget = FastSelect(choices=clause_choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("title") or "").strip():
            if data.get("location") or data.get("description") or data.get("clause"):
                self.add_error("title", _("请填写问题名称。"))
            return data
        if data.get("level") == Level.MAJOR and data.get("clause") is None:
            self.add_error("clause", _("重大事故隐患必须引用判定标准条款。"))
        return data


FindingFormSet = forms.formset_factory(FindingForm, extra=1, max_num=30, validate_max=True)


class DutyRuleForm(BoundedForm):
    """修改自查规则 (区安委办)."""

    name = forms.CharField(label=_("名称"), max_length=100)
    frequency = forms.ChoiceField(label=_("频次"), choices=Frequency.choices)
    high_risk_only = forms.BooleanField(
        label=_("仅高危行业"), required=False, help_text=_("适用于主行业为高危行业或标记为高危企业的单位")
    )
    led_by = forms.CharField(label=_("带队人"), max_length=50)
    reminder_days = forms.IntegerField(label=_("到期前提醒（天）"), min_value=0, max_value=60)
    source = forms.CharField(label=_("依据"), max_length=200, required=False)
    verified = forms.BooleanField(label=_("已核实"), required=False)
    active = forms.BooleanField(label=_("启用"), required=False)
