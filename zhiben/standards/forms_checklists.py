"""Forms of the checklist pages: build from a standard version's clauses plus custom items, edit, add items."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm
from zhiben.core.widgets import FastSelect
from zhiben.registry.models import Industry

from .models import Clause, StandardVersion
from .queries import citable_versions, clause_choices


def _industry_select() -> FastSelect:
    return FastSelect(
        choices=[("", "—")]
        + [
            (str(i.pk), ("\u3000" + i.name) if i.parent_id else i.name)
            for i in Industry.objects.order_by("sort_order", "code")
        ]
    )


def _version_label(v: StandardVersion, fallbacks: frozenset[int] = frozenset()) -> str:
    flag = _("（待核实：新版本条款尚未收录）") if v.pk in fallbacks else ""
    return f"【{v.standard.sector}】{v.title} {v.label}{flag}"


def citable_version_queryset() -> Any:
    """The versions whose clauses may be cited (never one without clauses): see queries.citable_versions."""
    ids = [c.version.pk for c in citable_versions().values()]
    return StandardVersion.objects.filter(pk__in=ids).select_related("standard")


class ChecklistBuildForm(BoundedForm):
    """新建检查表: a standard version's clauses (all ticked to start with) plus custom items, one per line."""

    name = forms.CharField(label=_("检查表名称"), max_length=100)
    industry = forms.ModelChoiceField(label=_("适用行业"), queryset=Industry.objects.all(), required=False)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    standard_version = forms.ModelChoiceField(
        label=_("判定标准版本"),
        queryset=StandardVersion.objects.none(),
        required=False,
        help_text=_("选择后列出该版本的条款；不符合条款项即为重大事故隐患"),
    )
    clauses = forms.ModelMultipleChoiceField(
        label=_("判定条款"),
        queryset=Clause.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
    )
    custom_items = forms.CharField(
        label=_("自定义检查项"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("每行一项；不符合时按一般事故隐患处理"),
    )

    def __init__(self, *args: Any, version: StandardVersion | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["industry"].widget = _industry_select()
        citable = citable_versions()
        fallbacks = frozenset(c.version.pk for c in citable.values() if c.fallback)
        versions = citable_version_queryset().order_by("standard__sort_order", "standard__code")
        self.fields["standard_version"].queryset = versions  # type: ignore[attr-defined]
        self.fields["standard_version"].widget = FastSelect(
            choices=[("", "—")] + [(str(v.pk), _version_label(v, fallbacks)) for v in versions],
            attrs={"data-testid": "standard-version"},
        )
        if version is not None:
            clauses = version.clauses.order_by("sort_order", "code")
            self.fields["clauses"].queryset = clauses
            self.fields["clauses"].label_from_instance = lambda c: f"{c.code} {c.text}"  # type: ignore[attr-defined]
            if not self.is_bound:
                self.initial["clauses"] = [c.pk for c in clauses]

    def clean_custom_items(self) -> list[str]:
        return [
            line.strip()
            for line in (self.cleaned_data.get("custom_items") or "").splitlines()
            if line.strip()
        ]


class ChecklistEditForm(BoundedForm):
    name = forms.CharField(label=_("检查表名称"), max_length=100)
    industry = forms.ModelChoiceField(label=_("适用行业"), queryset=Industry.objects.all(), required=False)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    active = forms.BooleanField(label=_("启用"), required=False)

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.pop("instance", None)
        kw.pop("user", None)
        super().__init__(*args, **kw)
        self.fields["industry"].widget = _industry_select()


class ItemAddForm(BoundedForm):
    text = forms.CharField(label=_("检查内容"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    clause = forms.ModelChoiceField(label=_("或选择判定条款"), queryset=Clause.objects.all(), required=False)
    guidance = forms.CharField(label=_("检查方法"), max_length=500, required=False)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["clause"].widget = FastSelect(choices=clause_choices(width=40))
