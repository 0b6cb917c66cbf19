"""执法检查人员名录库 pages: the roster, one person's file with their 回避 declarations, and the edit forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.loop.web import run_form, run_service
from zhiben.core.scoping import can
from zhiben.core.views import (
    Column,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
)
from zhiben.core.widgets import FastSelect
from zhiben.registry.models import Department, Enterprise

from ..choices import InspectorKind
from ..filtersets.records import InspectorFilterSet
from ..forms.records import ConflictForm, InspectorForm, ReasonForm, department_label
from ..models import Inspector, InspectorConflict
from ..services import records, roster


def _certificate_display(i: Inspector) -> str:
    if i.kind != InspectorKind.OFFICER:
        return "—"
    if i.certificate_valid_until is None:
        return str(_("长期"))
    return f"{i.certificate_valid_until:%Y-%m-%d}"


def _certificate_badge(i: Inspector) -> str | None:
    if i.kind != InspectorKind.OFFICER:
        return None
    return None if i.is_certified(timezone.localdate()) else "danger"


class InspectorListView(ObjectListView):
    """执法检查人员名录库: officers with their certificates, experts and technicians, by department."""

    model = Inspector
    filterset_class = InspectorFilterSet
    title = _("执法检查人员名录库")
    default_sort = "department__sort_order"
    create_url_name = "inspections:inspector_create"
    columns = [
        Column("name", _("姓名"), sort="name", link=True),
        Column("department.short_name", _("所属部门"), sort="department__sort_order"),
        Column(
            "get_kind_display",
            _("人员类别"),
            sort="kind",
            badge=lambda i: "primary" if i.kind == InspectorKind.OFFICER else "secondary",
        ),
        Column("certificate_no", _("执法证号"), sort="certificate_no"),
        Column(
            "certificate_valid_until",
            _("执法证有效期至"),
            sort="certificate_valid_until",
            display=_certificate_display,
            badge=_certificate_badge,
        ),
        Column("specialty", _("专业领域")),
        Column("active", _("在库"), sort="active"),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Inspector.objects.select_related("department")

    def prepare_filter_form(self, request: HttpRequest, form: forms.Form) -> None:
        super().prepare_filter_form(request, form)
        form.fields["department"].widget = FastSelect(
            choices=[("", _("全部"))] + [(d.code, department_label(d)) for d in Department.objects.all()]
        )
        form.fields["certified_on"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InspectorDetailView(ObjectDetailView):
    model = Inspector
    template_name = "inspections/records/inspector_detail.html"

    def extra_context(self, request: HttpRequest, obj: Inspector) -> dict[str, Any]:
        return {
            "edit_url": reverse("inspections:inspector_edit", args=[obj.pk]),
            "conflicts": obj.conflicts.select_related("enterprise").order_by("-active", "-declared_on"),
            "can_declare": roster_keeper(request.user, obj),
            "certified": obj.is_certified(timezone.localdate()),
            "assignments": obj.assignments.select_related("inspection__enterprise").order_by(
                "-inspection__planned_on"
            )[:20],
        }


def roster_keeper(user: Any, inspector: Inspector) -> bool:
    """The person themself, or whoever keeps their department's roster."""
    if inspector.user_id is not None and inspector.user_id == user.pk:
        return True
    return can(user, "add", InspectorConflict) and inspector.department_id in records.department_ids_of(user)


class InspectorEditView(ObjectEditView):
    """新增 / 编辑执法检查人员."""

    model = Inspector
    form_class = InspectorForm

    def get_form(self, request: HttpRequest, obj: Any, data: Any = None) -> forms.Form:
        departments = Department.objects.filter(pk__in=records.department_ids_of(request.user))
        initial = {f: getattr(obj, f) for f in roster.INSPECTOR_FIELDS} if obj is not None else {}
        if obj is not None:
            initial["department"] = obj.department_id
            initial["user"] = obj.user_id
        return InspectorForm(data, initial=initial, departments=departments)

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Inspector:
        return roster.save_inspector(obj, actor=actor, version=obj.version if obj else None, **data)


class ConflictCreateView(ScopedViewMixin, View):
    """申报回避关系 for one inspector."""

    model = Inspector

    def _setup(self, request: HttpRequest, pk: int) -> Inspector:
        self.check_action(request)
        inspector = self.get_object(request, pk)
        if not roster_keeper(request.user, inspector):
            raise PermissionDenied(_("只有本人或本部门可以申报回避关系。"))
        return inspector

    def _form(self, request: HttpRequest, data: Any = None) -> ConflictForm:
        return ConflictForm(
            data,
            initial={"declared_on": timezone.localdate()},
            enterprises=Enterprise.objects.restrict(request.user, "view").order_by("name"),
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspector = self._setup(request, pk)
        return self.render(request, inspector, self._form(request))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspector = self._setup(request, pk)
        form = self._form(request, request.POST)
        _done, status = run_form(
            request,
            form,
            lambda: roster.declare_conflict(actor=request.user, inspector=inspector, **form.cleaned_data),
        )
        if status == 200:
            messages.success(request, _("已申报回避关系。"))
            return redirect(inspector.get_absolute_url() + "#conflicts")
        return self.render(request, inspector, form, status=400)

    def render(
        self, request: HttpRequest, inspector: Inspector, form: forms.Form, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "core/object_form.html",
            {
                "form": form,
                "object": None,
                "title": _("申报回避关系：%(n)s") % {"n": inspector.name},
                "verbose_name": _("回避关系"),
                "cancel_url": inspector.get_absolute_url(),
            },
            status=status,
        )


class ConflictWithdrawView(ScopedViewMixin, View):
    """撤销回避关系 (POST with the reason)."""

    model = InspectorConflict

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        conflict = get_object_or_404(
            InspectorConflict.objects.restrict(request.user).select_related("inspector"), pk=pk
        )
        if not roster_keeper(request.user, conflict.inspector):
            raise PermissionDenied(_("只有本人或本部门可以撤销回避关系。"))
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写撤销理由。"))
        else:
            _done, status = run_service(
                request,
                None,
                lambda: roster.withdraw_conflict(
                    conflict, actor=request.user, reason=form.cleaned_data["reason"]
                ),
            )
            if status == 200:
                messages.success(request, _("已撤销回避关系。"))
        return redirect(conflict.inspector.get_absolute_url() + "#conflicts")
