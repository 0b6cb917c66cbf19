"""The one record picker (core.widgets.pick_from): every choice of a district's list, by name, filterable."""

from __future__ import annotations

from typing import Any

from django import forms

from zhiben.core import widgets
from zhiben.registry.models import Enterprise


def test_a_long_list_is_a_filterable_select_and_a_huge_one_is_typed(world: Any, monkeypatch: Any) -> None:
    field = forms.ModelChoiceField(queryset=Enterprise.objects.none())
    units = Enterprise.objects.all()
    widgets.pick_from(field, units)
    html = field.widget.render("enterprise", None)
    assert 'data-filter="输入名称筛选"' in html
    assert all(f">{e.name}</option>" in html for e in units)  # names, never ids to type
    names = [e.name for e in units.order_by("name")]
    assert html.index(names[0]) < html.index(names[-1])
    assert field.clean(str(units.first().pk)) == units.first()
    monkeypatch.setattr(widgets, "MAX_PICK_OPTIONS", units.count() - 1)
    widgets.pick_from(field, units)
    assert isinstance(field.widget, forms.NumberInput)
