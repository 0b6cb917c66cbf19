"""Base views: declarative list/detail/edit over scoped querysets, plus the framework's own pages.

Every view checks the action first (no permission at all → 403) and then reads through
`restrict(user, action)` (out of scope → 404). Lists sort by whitelisted columns, paginate, and export
exactly the filtered, sorted rows to Excel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from . import audit, events
from .errors import DomainError
from .navigation import module
from .scoping import can


@dataclass(frozen=True)
class Column:
    """A list column: `accessor` is an attribute path on the row; `sort` the ORM field to order by."""

    accessor: str
    label: str
    sort: str | None = None
    link: bool = False

    def value(self, obj: Any) -> Any:
        value = obj
        for part in self.accessor.split("."):
            value = getattr(value, part, None)
            if callable(value):
                value = value()
            if value is None:
                return ""
        return value


class ScopedViewMixin(LoginRequiredMixin):
    """Permission then scope: 403 when the user may not do `action` on the model at all, 404 when out of scope."""

    model: ClassVar[type[models.Model]]
    action: ClassVar[str] = "view"

    def check_action(self, request: HttpRequest, action: str | None = None) -> None:
        if not can(request.user, action or self.action, self.model):
            raise PermissionDenied(_("您无权访问此页面。"))

    def scoped_queryset(self, request: HttpRequest, action: str | None = None) -> models.QuerySet[Any]:
        return self.get_base_queryset().restrict(request.user, action or self.action)  # type: ignore[attr-defined]

    def get_base_queryset(self) -> models.QuerySet[Any]:
        return self.model._default_manager.all()

    def get_object(self, request: HttpRequest, pk: Any, action: str | None = None) -> Any:
        return get_object_or_404(self.scoped_queryset(request, action), pk=pk)


class ObjectListView(ScopedViewMixin, View):
    """A sortable, filterable, paginated list with an Excel export of exactly what is filtered."""

    filterset_class: ClassVar[Any] = None
    columns: ClassVar[list[Column]] = []
    template_name: ClassVar[str] = "core/object_list.html"
    paginate_by: ClassVar[int] = 50
    default_sort: ClassVar[str] = "-pk"
    title: ClassVar[str] = ""
    create_url_name: ClassVar[str | None] = None
    import_url_name: ClassVar[str | None] = None
    exporter: ClassVar[Any] = None  # callable(queryset, user) -> HttpResponse

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.check_action(request)
        qs = self.scoped_queryset(request)
        filterset = (
            self.filterset_class(request.GET or None, queryset=qs, request=request)
            if self.filterset_class
            else None
        )
        if filterset is not None:
            qs = qs.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
        sort = self.sort_key(request)
        qs = qs.order_by(sort, "-pk" if sort.startswith("-") else "pk")
        if request.GET.get("export") == "xlsx":
            if not can(request.user, "export", self.model):
                raise PermissionDenied(_("您无权导出此数据。"))
            return self.export(request, qs)
        page = Paginator(qs, self.paginate_by).get_page(request.GET.get("page"))
        context = {
            "title": self.title or self.model._meta.verbose_name_plural,
            "filterset": filterset,
            "columns": self.columns,
            "rows": [(obj, [c.value(obj) for c in self.columns]) for obj in page.object_list],
            "page": page,
            "sort": sort,
            "query": _query_without(request, "page"),
            "sort_query": _query_without(request, "page", "sort"),
            "can_add": self.create_url_name and can(request.user, "add", self.model),
            "can_export": can(request.user, "export", self.model),
            "can_import": self.import_url_name and can(request.user, "import", self.model),
            "create_url_name": self.create_url_name,
            "import_url_name": self.import_url_name,
        }
        context.update(self.extra_context(request))
        template = "core/_object_table.html" if getattr(request, "htmx", False) else self.template_name
        return render(request, template, context)

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    def sort_key(self, request: HttpRequest) -> str:
        allowed = {c.sort for c in self.columns if c.sort}
        requested = request.GET.get("sort", "")
        if requested.lstrip("-") in allowed:
            return requested
        return self.default_sort

    def export(self, request: HttpRequest, qs: models.QuerySet[Any]) -> HttpResponse:
        from .excel import export_response

        audit.record(
            None,
            events.EXPORT_DOWNLOADED,
            actor=request.user,
            object_type=self.model._meta.label_lower,
            data={"filters": request.GET.dict(), "rows": qs.count()},
        )
        if self.exporter is not None:
            return self.exporter(qs, request.user)  # type: ignore[misc]
        return export_response(
            str(self.title or self.model._meta.verbose_name_plural),
            [c.label for c in self.columns],
            ([c.value(o) for c in self.columns] for o in qs.iterator(chunk_size=2000)),
        )


class ObjectDetailView(ScopedViewMixin, View):
    template_name: ClassVar[str] = "core/object_detail.html"

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        self.check_action(request)
        obj = self.get_object(request, pk)
        context = {
            "object": obj,
            "title": str(obj),
            "can_change": can(request.user, "change", self.model)
            and self.scoped_queryset(request, "change").filter(pk=obj.pk).exists(),
        }
        context.update(self.extra_context(request, obj))
        return render(request, self.template_name, context)

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {}


class ObjectEditView(ScopedViewMixin, View):
    """Create (pk None) or edit through a form and a service; stale versions answer 409."""

    form_class: ClassVar[type[Form]]
    template_name: ClassVar[str] = "core/object_form.html"
    action = "change"

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def success_url(self, obj: Any) -> str:
        return obj.get_absolute_url()

    def get_form(self, request: HttpRequest, obj: Any, data: Any = None) -> Form:
        return self.form_class(data, instance=obj, user=request.user)  # type: ignore[call-arg]

    def _obj(self, request: HttpRequest, pk: Any) -> Any:
        if pk is None:
            self.check_action(request, "add")
            return None
        self.check_action(request, "change")
        return self.get_object(request, pk, "change")

    def get(self, request: HttpRequest, pk: Any = None) -> HttpResponse:
        obj = self._obj(request, pk)
        return self.render_form(request, obj, self.get_form(request, obj))

    def post(self, request: HttpRequest, pk: Any = None) -> HttpResponse:
        obj = self._obj(request, pk)
        form = self.get_form(request, obj, request.POST)
        status = 400
        if form.is_valid():
            try:
                if obj is not None and str(obj.version) != request.POST.get("version", str(obj.version)):
                    from .errors import Conflict

                    raise Conflict()
                saved = self.service(obj, form.cleaned_data, request.user)
            except ValidationError as exc:
                _apply_errors(form, exc)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 409 if exc.status_code == 409 else 400
            else:
                return redirect(self.success_url(saved))
        return self.render_form(request, obj, form, status=status)

    def render_form(self, request: HttpRequest, obj: Any, form: Form, status: int = 200) -> HttpResponse:
        title = (_("编辑") + " " + str(obj)) if obj else (_("新建") + self.model._meta.verbose_name)
        return render(
            request, self.template_name, {"form": form, "object": obj, "title": title}, status=status
        )


def _apply_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _query_without(request: HttpRequest, *keys: str) -> str:
    params = request.GET.copy()
    for k in keys:
        params.pop(k, None)
    params.pop("export", None)
    return params.urlencode()


class PlannedModuleView(LoginRequiredMixin, View):
    """A module of the seed that is not built yet says so plainly."""

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        try:
            m = module(key)
        except KeyError:
            raise Http404
        return render(request, "core/planned.html", {"module": m, "title": m.label})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database status for the load balancer and operators."""
    from django.db import connection

    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        db = "ok"
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": db, "vendor": connection.vendor})
