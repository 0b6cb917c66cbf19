"""Forms of the judgement-standard library: input shape only; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm

from .models import Clause, Confidence, Standard, StandardVersion

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionForm(BoundedForm):
    """新增版本 / 修改版本: the particulars of one issued text of a standard."""

    SECTIONS = (
        (
            _("文件"),
            (
                ("label", "col-md-3"),
                ("title", "col-md-9"),
                ("doc_number", "col-md-4"),
                ("issued_on", "col-md-4"),
                ("effective_from", "col-md-4"),
                ("effective_to", "col-md-4"),
                ("confidence", "col-md-4"),
                ("source", "col-md-12"),
                ("notes", "col-md-12"),
            ),
        ),
        (_("生效与条款"), (("make_current", "col-md-6"), ("copy_clauses", "col-md-6"))),
    )

    label = forms.CharField(label=_("版本"), max_length=40, help_text=_("如 2025版；同一标准内不能重复"))
    title = forms.CharField(label=_("文件标题"), max_length=200)
    doc_number = forms.CharField(
        label=_("文号"), max_length=100, required=False, help_text=_("如 应急管理部令第10号")
    )
    issued_on = forms.DateField(label=_("发布日期"), required=False, widget=_DATE)
    effective_from = forms.DateField(label=_("施行日期"), required=False, widget=_DATE)
    effective_to = forms.DateField(label=_("废止日期"), required=False, widget=_DATE)
    confidence = forms.ChoiceField(
        label=_("核实状态"),
        choices=Confidence.choices,
        initial=Confidence.UNVERIFIED,
        help_text=_("条款文本与官方原文核对一致后选“已核实”"),
    )
    source = forms.CharField(
        label=_("来源"), max_length=300, required=False, help_text=_("官方发布网址或文件出处")
    )
    notes = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    make_current = forms.BooleanField(
        label=_("设为现行版本"),
        required=False,
        initial=True,
        help_text=_("原现行版本保留并标记为不再现行，未填废止日期的以本版施行日期为废止日期"),
    )
    copy_clauses = forms.BooleanField(
        label=_("复制现行版本的条款"),
        required=False,
        initial=True,
        help_text=_("以现行版本的条款为起点，再逐条修改；不复制则从空白开始录入"),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        standard: Standard,
        instance: StandardVersion | None = None,
    ) -> None:
        self.standard = standard
        self.instance = instance
        initial: dict[str, Any] = {}
        if instance is not None:
            initial = {f: getattr(instance, f) for f in self.edit_fields()}
        super().__init__(data, initial=initial or None)
        current = standard.current_version
        self.copy_source = current if current is not None and current.clauses.exists() else None
        if instance is not None:
            # Editing: whether it is current is changed by making another version current, not here.
            del self.fields["make_current"]
            del self.fields["copy_clauses"]
        elif self.copy_source is None:
            del self.fields["copy_clauses"]
        else:
            count = self.copy_source.clauses.count()
            self.fields["copy_clauses"].label = _("复制现行版本（%(label)s）的 %(n)d 条条款") % {
                "label": self.copy_source.label,
                "n": count,
            }

    @staticmethod
    def edit_fields() -> tuple[str, ...]:
        return (
            "label",
            "title",
            "doc_number",
            "issued_on",
            "effective_from",
            "effective_to",
            "confidence",
            "source",
            "notes",
        )

    def sections(self) -> list[tuple[Any, list[tuple[forms.BoundField, str]]]]:
        out = []
        for title, fields in self.SECTIONS:
            present = [(self[name], col) for name, col in fields if name in self.fields]
            if present:
                out.append((title, present))
        return out

    def clean_label(self) -> str:
        return self.cleaned_data["label"].strip()

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()


class ClauseForm(BoundedForm):
    """判定条款: one judgement item of a version. `revision` is the version's row version (409 when stale)."""

    code = forms.CharField(
        label=_("条款编号"), max_length=40, help_text=_("在本版本内唯一，如 第四条（六）、4.2 a)、第1项")
    )
    article = forms.CharField(
        label=_("所属条/章"), max_length=100, required=False, help_text=_("如 冶金企业、锅炉")
    )
    text = forms.CharField(label=_("条款内容"), widget=forms.Textarea(attrs={"rows": 5}))
    sort_order = forms.IntegerField(
        label=_("排序"), min_value=0, max_value=2_000_000_000, required=False, help_text=_("留空排在最后")
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    LAYOUT = (("code", "col-md-4"), ("article", "col-md-5"), ("sort_order", "col-md-3"), ("text", "col-12"))

    def __init__(
        self,
        data: Any = None,
        *,
        version: StandardVersion,
        instance: Clause | None = None,
        frozen: bool = False,
    ) -> None:
        self.standard_version = version
        self.instance = instance
        initial: dict[str, Any] = {"revision": version.version}
        if instance is not None:
            initial.update({f: getattr(instance, f) for f in ("code", "article", "text", "sort_order")})
        super().__init__(data, initial=initial)
        if frozen:
            # A cited clause: the cited fields are shown, not editable (services refuse them anyway).
            for name in ("code", "article", "text"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("已被隐患引用，不可修改；请新增版本")

    def layout(self) -> list[tuple[forms.BoundField, str]]:
        return [(self[name], col) for name, col in self.LAYOUT]

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("请填写条款内容。"))
        return text
