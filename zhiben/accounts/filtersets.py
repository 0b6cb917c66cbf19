"""FilterSets of accounts: the user list and the audit log viewer."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.apps import apps
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhiben.core import events
from zhiben.core.filtersets import BaseFilterSet
from zhiben.core.models import AuditEntry

from .models import User
from .roles import Role

_DATE = forms.DateInput(attrs={"type": "date"})
_DATE_ERRORS = {"invalid": _("请输入有效的日期（年-月-日）。")}


def event_choices() -> list[tuple[str, str]]:
    """Every registered event type with its Chinese label, read when the form is built (apps are ready)."""
    return sorted(events.all_events().items(), key=lambda item: item[1])


def object_type_choices() -> list[tuple[str, str]]:
    return sorted(
        ((m._meta.label_lower, str(m._meta.verbose_name)) for m in apps.get_models()),
        key=lambda item: item[1],
    )


class UserFilterSet(BaseFilterSet):
    search_fields = ("username", "display_name", "organisation")

    role = django_filters.ChoiceFilter(label=_("角色"), choices=Role.choices, method="filter_role")
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def filter_role(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(pk__in=User.objects.filter(role_assignments__role=value).values("pk"))


class AuditFilterSet(BaseFilterSet):
    """审计日志筛选: event type, actor, object type, outcome and a date range (Asia/Shanghai days)."""

    search_fields = ("object_repr", "object_id", "request_id")

    event = django_filters.ChoiceFilter(label=_("事件类型"), choices=event_choices)
    actor = django_filters.CharFilter(label=_("操作人账号"), field_name="actor_name", lookup_expr="iexact")
    object_type = django_filters.ChoiceFilter(label=_("对象类型"), choices=object_type_choices)
    outcome = django_filters.ChoiceFilter(
        label=_("结果"), choices=(("success", _("成功")), ("failure", _("失败")))
    )
    date_from = django_filters.DateFilter(
        label=_("开始日期"),
        field_name="at",
        lookup_expr="date__gte",
        widget=_DATE,
        error_messages=_DATE_ERRORS,
    )
    date_to = django_filters.DateFilter(
        label=_("结束日期"),
        field_name="at",
        lookup_expr="date__lte",
        widget=_DATE,
        error_messages=_DATE_ERRORS,
    )

    class Meta:
        model = AuditEntry
        fields = ["q", "event", "actor", "object_type", "outcome", "date_from", "date_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("event", "object_type", "outcome"):
            self.form.fields[name].error_messages["invalid_choice"] = _("请选择列表中的选项。")

    def is_valid(self) -> bool:
        valid = super().is_valid()
        data = self.form.cleaned_data if valid else {}
        if valid and data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.form.add_error("date_to", _("结束日期不能早于开始日期。"))
            return False
        return valid
