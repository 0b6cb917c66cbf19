"""检查表 pages: the list, one checklist with its items, building one from clauses, copying, editing.

Reading is open to whoever may view checklists; every change calls one service in checklists.py, which
checks that the actor owns the checklist (its department, its unit, or the office for templates).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.loop.web import posted_version, run_form, run_service
from zhiben.core.scoping import can
from zhiben.core.views import (
    Column,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
    object_history,
)
from zhiben.core.widgets import FastSelect
from zhiben.registry.models import Department

from . import checklists
from .filtersets_checklists import ChecklistFilterSet
from .forms_checklists import ChecklistBuildForm, ChecklistEditForm, ItemAddForm, citable_version_queryset
from .models import Checklist, ChecklistItem, StandardVersion


def _owner(c: Checklist) -> str:
    if c.department_id:
        return c.department.short_name or c.department.name  # type: ignore[union-attr]
    if c.enterprise_id:
        return c.enterprise.name  # type: ignore[union-attr]
    return str(_("通用模板"))


class ChecklistListView(ObjectListView):
    """检查表: departments' and units' checklists and the district templates."""

    model = Checklist
    filterset_class = ChecklistFilterSet
    title = _("检查表")
    default_sort = "name"
    create_url_name = "standards:checklist_create"
    columns = [
        Column("name", _("检查表名称"), sort="name", link=True),
        Column("owner", _("归属"), display=_owner),
        Column("industry.name", _("适用行业"), sort="industry__code"),
        Column("item_count", _("检查项")),
        Column("active", _("启用"), sort="active"),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        from django.db.models import Count

        return Checklist.objects.select_related("department", "enterprise", "industry").annotate(
            item_count=Count("items")
        )

    def prepare_filter_form(self, request: HttpRequest, form: forms.Form) -> None:
        super().prepare_filter_form(request, form)
        form.fields["department"].widget = FastSelect(
            choices=[("", _("全部"))] + [(d.code, d.short_name or d.name) for d in Department.objects.all()]
        )
        form.fields.pop("industry", None)


class ChecklistDetailView(ScopedViewMixin, View):
    """A checklist: its items (clause items cite their clause), and for its owner, add / remove / edit."""

    model = Checklist

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        checklist = get_object_or_404(
            self.scoped_queryset(request).select_related("department", "enterprise", "industry"), pk=pk
        )
        return render(
            request,
            "standards/checklist_detail.html",
            {
                "object": checklist,
                "title": checklist.name,
                "owner": _owner(checklist),
                "items": checklist.items.select_related("clause__version__standard"),
                "can_edit": checklists.may_edit(request.user, checklist),
                "can_copy": can(request.user, "add", Checklist),
                "add_form": ItemAddForm(),
                "history": object_history(checklist),
            },
        )


def _version_from(request: HttpRequest) -> StandardVersion | None:
    raw = request.POST.get("standard_version") or request.GET.get("standard_version") or ""
    if not raw.isdigit():
        return None
    return citable_version_queryset().filter(pk=int(raw)).first()


class ChecklistCreateView(ScopedViewMixin, View):
    """新建检查表 from a standard version's clauses plus custom items (htmx reloads the clauses on change)."""

    model = Checklist
    action = "add"

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        version = _version_from(request)
        initial = {k: request.GET[k] for k in ("name", "description", "industry") if request.GET.get(k)}
        if version is not None:
            initial["standard_version"] = version.pk
            initial.setdefault("name", f"{version.standard.sector}检查表")
        return self.render(request, ChecklistBuildForm(initial=initial, version=version))

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = ChecklistBuildForm(request.POST, version=_version_from(request))

        def call() -> Checklist:
            d = form.cleaned_data
            return checklists.create_checklist(
                actor=request.user,
                name=d["name"],
                clauses=list(d["clauses"]),
                custom_items=d["custom_items"],
                industry=d.get("industry"),
                description=d.get("description", ""),
            )

        checklist, status = run_form(request, form, call)
        if status == 200:
            messages.success(request, _("已新建检查表。"))
            return redirect(checklist.get_absolute_url())
        return self.render(request, form, status=status)

    def render(self, request: HttpRequest, form: forms.Form, status: int = 200) -> HttpResponse:
        return render(
            request, "standards/checklist_form.html", {"form": form, "title": _("新建检查表")}, status=status
        )


class ChecklistEditView(ObjectEditView):
    model = Checklist
    form_class = ChecklistEditForm

    def get_object(self, request: HttpRequest, pk: Any, action: str | None = None) -> Any:
        checklist = super().get_object(request, pk, action)
        if not checklists.may_edit(request.user, checklist):
            raise PermissionDenied(_("只能修改本部门、本单位的检查表。"))
        return checklist

    def get_form(self, request: HttpRequest, obj: Any, data: Any = None) -> forms.Form:
        initial = {f: getattr(obj, f) for f in checklists.CHECKLIST_FIELDS} if obj else {}
        return ChecklistEditForm(data, initial=initial)

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Checklist:
        return checklists.update_checklist(obj, actor=actor, version=obj.version, **data)


class ChecklistCopyView(ScopedViewMixin, View):
    """复制检查表 (POST): a template or another's checklist becomes one's own."""

    model = Checklist
    action = "add"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        source = get_object_or_404(self.scoped_queryset(request, "view"), pk=pk)
        checklist, status = run_service(
            request,
            None,
            lambda: checklists.copy_checklist(source, actor=request.user, name=request.POST.get("name", "")),
        )
        if status != 200:
            return redirect(source.get_absolute_url())
        messages.success(request, _("已复制为“%(n)s”。") % {"n": checklist.name})
        return redirect(checklist.get_absolute_url())


class ChecklistItemAddView(ScopedViewMixin, View):
    """添加检查项 (POST)."""

    model = Checklist
    action = "change"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        checklist = get_object_or_404(self.scoped_queryset(request), pk=pk)
        form = ItemAddForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            _done, status = run_service(
                request,
                None,
                lambda: checklists.add_items(
                    checklist,
                    actor=request.user,
                    clauses=[d["clause"]] if d.get("clause") else [],
                    custom_items=[d["text"]] if d.get("text") else [],
                    guidance=d.get("guidance", ""),
                    version=posted_version(request),
                ),
            )
            if status == 200:
                messages.success(request, _("已添加检查项。"))
        else:
            messages.error(request, _("请填写检查内容或选择判定条款。"))
        return redirect(reverse("standards:checklist_detail", args=[checklist.pk]) + "#items")


class ChecklistItemDeleteView(ScopedViewMixin, View):
    """删除检查项 (POST); an item already answered stays."""

    model = Checklist
    action = "change"

    def post(self, request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
        self.check_action(request)
        checklist = get_object_or_404(self.scoped_queryset(request), pk=pk)
        item = get_object_or_404(ChecklistItem.objects.all(), pk=item_pk, checklist=checklist)
        _done, status = run_service(
            request,
            None,
            lambda: checklists.remove_item(
                checklist, item, actor=request.user, version=posted_version(request)
            ),
        )
        if status == 200:
            messages.success(request, _("已删除检查项。"))
        return redirect(reverse("standards:checklist_detail", args=[checklist.pk]) + "#items")


def _routes() -> list[Any]:
    return [
        path("checklists/", ChecklistListView.as_view(), name="checklist_list"),
        path("checklists/new/", ChecklistCreateView.as_view(), name="checklist_create"),
        path("checklists/<int:pk>/", ChecklistDetailView.as_view(), name="checklist_detail"),
        path("checklists/<int:pk>/edit/", ChecklistEditView.as_view(), name="checklist_edit"),
        path("checklists/<int:pk>/copy/", ChecklistCopyView.as_view(), name="checklist_copy"),
        path("checklists/<int:pk>/items/", ChecklistItemAddView.as_view(), name="checklist_item_add"),
        path(
            "checklists/<int:pk>/items/<int:item_pk>/delete/",
            ChecklistItemDeleteView.as_view(),
            name="checklist_item_delete",
        ),
    ]


# Included by standards/urls.py (`*views_checklists.urlpatterns`), so that file changes by one line.
urlpatterns = _routes()
