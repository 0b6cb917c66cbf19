"""Form widgets of the framework."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


class FastSelect(forms.Select):
    """A single select rendered in Python: Django's per-option templates cost ~0.1 ms an option, which adds
    up on filter bars with hundreds of regions."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs or {})
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        if isinstance(value, bool):  # a null-boolean filter's bound value; its options say "true"/"false"
            selected = "true" if value else "false"
        else:
            selected = "" if value is None else str(value)
        # escape() every value and label, then join once: format_html per option is several times slower.
        options = mark_safe(  # noqa: S308 - every interpolated piece is escaped right here
            "".join(
                f'<option value="{escape(v)}"{" selected" if str(v) == selected else ""}>{escape(label)}</option>'
                for v, label in self.choices
            )
        )
        attrs_html = format_html_join(
            "", ' {}="{}"', ((k, v) for k, v in final.items() if v not in (None, False))
        )
        return format_html('<select name="{}"{}>{}</select>', name, attrs_html, options)


# A list longer than this is not rendered at all: the record's id is typed or carried from its page (a
# province has tens of thousands of units; a district's 2,000 render in a few milliseconds with FastSelect).
MAX_PICK_OPTIONS = 5000


def pick_from(field: forms.ModelChoiceField, queryset: Any, label: Any = None) -> None:
    """The one widget for choosing a record from a long scoped list (a unit, …): a select of every choice,
    ordered by name, which `static/js/zhiben.js` turns into a type-to-filter box (`data-filter`); without
    JavaScript it is a plain select. Above MAX_PICK_OPTIONS the id is typed instead."""
    field.queryset = queryset
    if queryset.count() > MAX_PICK_OPTIONS:
        field.widget = forms.NumberInput(attrs={"placeholder": "编号"})
        field.help_text = "数量较多，请在记录页面发起，或填写编号"
        return
    rows = queryset.order_by("name").only("pk", "name")
    field.widget = FastSelect(
        choices=[("", "—")] + [(str(o.pk), label(o) if label else o.name) for o in rows],
        attrs={"data-filter": "输入名称筛选"},
    )


class MultipleFileInput(forms.ClearableFileInput):
    """`<input type=file multiple>` (Django renders `multiple` only when the widget class allows it; an
    `allow_multiple_selected` attribute on the instance renders nothing). The form field checks one file; the
    step takes them all (`request.FILES.getlist(name)`, core.loop)."""

    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"multiple": True, **(attrs or {})})

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return files.get(name)
