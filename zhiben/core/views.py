"""Base views: declarative list/detail/edit over scoped querysets, plus the framework's own pages.

Every view checks the action first (no permission at all → 403) and then reads through
`restrict(user, action)` (out of scope → 404). Lists sort by whitelisted columns, paginate, and export
exactly the filtered, sorted rows to Excel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from django import forms as dj_forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from . import audit, events
from .crypto import EncryptedTextField
from .errors import Conflict, DomainError
from .excel import export_response
from .loop.calls import run_form
from .models import AuditEntry
from .navigation import module
from .outbox import mark_notifications_read
from .pagination import PAGE_KEYS, IdsFirstPaginator
from .scoping import can
from .widgets import FastSelect


class Badge(str):
    """A cell value shown as a coloured badge; it is still a plain string for Excel and comparisons."""

    color: str

    def __new__(cls, text: Any, color: str) -> Badge:
        badge = super().__new__(cls, str(text))
        badge.color = color
        return badge


@dataclass(frozen=True)
class Column:
    """A list column: `accessor` is an attribute path on the row; `sort` the ORM field to order by.

    `display(obj)` replaces the accessor when the shown value is computed (e.g. "待核实" from a flag);
    `badge(obj)` returns a Bootstrap colour to show the value as a badge, or None for plain text.
    """

    accessor: str
    label: str
    sort: str | None = None
    link: bool = False
    display: Callable[[Any], Any] | None = None
    badge: Callable[[Any], str | None] | None = None

    def value(self, obj: Any) -> Any:
        if self.display is not None:
            value = self.display(obj)
        elif self.accessor.startswith("get_") and self.accessor.endswith("_display"):
            value = _choice_label(type(obj), self.accessor[4:-8], getattr(obj, self.accessor[4:-8]))
        else:
            value = obj
            for part in self.accessor.split("."):
                value = getattr(value, part, None)
                if callable(value):
                    value = value()
                if value is None:
                    return ""
        if isinstance(value, Promise):
            value = str(value)
        color = self.badge(obj) if self.badge is not None else None
        return Badge(value, color) if color else value


@lru_cache(maxsize=512)
def _choice_labels(model: type[models.Model], field: str, language: str) -> dict[Any, str]:
    return {k: str(v) for k, v in model._meta.get_field(field).flatchoices}  # type: ignore[union-attr]


def _choice_label(model: type[models.Model], field: str, value: Any) -> str:
    """`get_FOO_display()` without rebuilding the choices dict and re-translating it for every cell."""
    return _choice_labels(model, field, get_language() or "")[value] if value not in (None, "") else ""


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
    list_only: ClassVar[tuple[str, ...]] = ()  # fields the page's columns need; empty = all

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
            self.prepare_filter_form(request, filterset.form)
        sort = self.sort_key(request)
        qs = qs.order_by(sort, "-pk" if sort.startswith("-") else "pk")
        export = request.GET.get("export")
        if export in ("xlsx", "sheet"):
            if not can(request.user, "export", self.model):
                raise PermissionDenied(_("您无权导出此数据。"))
            return self.export(request, qs, full=export == "sheet" and self.exporter is not None)
        if self.list_only:
            # The page reads only what its columns show (exports above get whole rows).
            qs = qs.only(*self.list_only)
        page = IdsFirstPaginator(qs, self.paginate_by).page_at(request.GET)
        context = {
            "title": self.title or self.model._meta.verbose_name_plural,
            "filterset": filterset,
            "columns": self.columns,
            "rows": [(obj, [c.value(obj) for c in self.columns]) for obj in page.object_list],
            "page": page,
            "sort": sort,
            "query": _query_without(request, *PAGE_KEYS),
            "sort_query": _query_without(request, *PAGE_KEYS, "sort"),
            "can_add": self.create_url_name and can(request.user, "add", self.model),
            "can_export": can(request.user, "export", self.model),
            "has_full_export": self.exporter is not None,
            "can_import": self.import_url_name and can(request.user, "import", self.model),
            "create_url_name": self.create_url_name,
            "import_url_name": self.import_url_name,
        }
        context.update(self.extra_context(request))
        htmx = getattr(request, "htmx", None)
        # A history restore (back button after a cache miss) needs the whole page, not the table partial.
        partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
        template = "core/_object_table.html" if partial else self.template_name
        response = render(request, template, context)
        response["Vary"] = "HX-Request"
        return response

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    def prepare_filter_form(self, request: HttpRequest, form: Form) -> None:
        """Hook: adjust the filter form's widgets for the page (e.g. a code filter shown as a select).

        The default turns django-filter's empty choice labels into "全部", which reads as a filter bar.
        """
        for field in form.fields.values():
            widget = field.widget
            if isinstance(widget, dj_forms.NullBooleanSelect):
                choices = [("unknown", _("全部")), ("true", _("是")), ("false", _("否"))]
                field.widget = FastSelect(choices=choices, attrs=widget.attrs)
            elif isinstance(field, dj_forms.ChoiceField) and not isinstance(widget, dj_forms.SelectMultiple):
                rest = [(v, lbl) for v, lbl in field.choices if v != ""]  # type: ignore[misc,union-attr]
                field.widget = FastSelect(choices=[("", _("全部")), *rest], attrs=widget.attrs)

    def sort_key(self, request: HttpRequest) -> str:
        allowed = {c.sort for c in self.columns if c.sort}
        requested = request.GET.get("sort", "")
        if requested.lstrip("-") in allowed:
            return requested
        return self.default_sort

    def export(self, request: HttpRequest, qs: models.QuerySet[Any], *, full: bool = False) -> HttpResponse:
        """`xlsx`: the columns on screen; `sheet`: the app's full layout (for enterprises, the import sheet)."""
        audit.record(
            None,
            events.EXPORT_DOWNLOADED,
            actor=request.user,
            object_type=self.model._meta.label_lower,
            data={"filters": request.GET.dict(), "rows": qs.count()},
        )
        if full:
            return self.exporter(qs, request.user)  # type: ignore[misc]
        return export_response(
            str(self.title or self.model._meta.verbose_name_plural),
            [str(c.label) for c in self.columns],  # lazy translations → text for openpyxl
            ([c.value(o) for c in self.columns] for o in qs.iterator(chunk_size=2000)),
        )


class ObjectDetailView(ScopedViewMixin, View):
    template_name: ClassVar[str] = "core/object_detail.html"
    # Fields kept off the page: internal codes stay in data and the API (people read names).
    hidden_fields: ClassVar[tuple[str, ...]] = ()

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        self.check_action(request)
        obj = self.get_object(request, pk)
        context = {
            "object": obj,
            "title": str(obj),
            "verbose_name": self.model._meta.verbose_name,
            "fields": detail_fields(obj, exclude=("id", "version", *self.hidden_fields)),
            "history": object_history(obj),
            "can_change": can(request.user, "change", self.model)
            and self.scoped_queryset(request, "change").filter(pk=obj.pk).exists(),
        }
        context.update(self.extra_context(request, obj))
        return render(request, self.template_name, context)

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class DetailField:
    """One label/value row of a generic detail page; `kind` tells the template how to show it."""

    name: str
    label: str
    value: Any
    kind: str = "text"  # text | bool | unverified | masked | link | list
    url: str = ""


def detail_fields(obj: models.Model, exclude: tuple[str, ...] = ("id", "version")) -> list[DetailField]:
    """Every concrete and many-to-many field of `obj` with its verbose name and display value.

    Encrypted columns are never shown in clear (R16): their `masked_<name>` property is used when the
    model has one, otherwise the value is hidden.
    """
    out: list[DetailField] = []
    for f in obj._meta.concrete_fields:
        if f.name in exclude or (
            not getattr(f, "editable", True) and f.name not in ("created_at", "updated_at")
        ):
            continue
        label = str(f.verbose_name)
        if isinstance(f, EncryptedTextField):
            masked = getattr(obj, f"masked_{f.name}", None)
            out.append(
                DetailField(f.name, label, masked if masked is not None else _("（已加密）"), "masked")
            )
        elif f.is_relation:
            related = getattr(obj, f.name)
            url = (
                related.get_absolute_url()
                if related is not None and hasattr(related, "get_absolute_url")
                else ""
            )
            out.append(DetailField(f.name, label, related or "", "link" if url else "text", url))
        elif f.choices:
            out.append(DetailField(f.name, label, getattr(obj, f"get_{f.name}_display")()))
        elif f.name == "verified":
            # Unverified reference facts are flagged in the UI (research/domain.md marks them [M]/[U]).
            out.append(DetailField(f.name, label, getattr(obj, f.name), "unverified"))
        elif isinstance(f, models.BooleanField):
            out.append(DetailField(f.name, label, getattr(obj, f.name), "bool"))
        else:
            value = getattr(obj, f.name)
            out.append(DetailField(f.name, label, "" if value is None else value))
    # Record-keeping timestamps read best after the facts of the record.
    stamps = [d for d in out if d.name in ("created_at", "updated_at")]
    out = [d for d in out if d not in stamps]
    for f in obj._meta.many_to_many:
        out.append(
            DetailField(f.name, str(f.verbose_name), [str(o) for o in getattr(obj, f.name).all()], "list")
        )
    return out + stamps


def _name_and_unit(user: Any) -> str:
    return getattr(user, "name_and_unit", None) or str(user)


def object_history(obj: models.Model, limit: int = 200) -> list[dict[str, Any]]:
    """The audit entries of one object, newest first: event label, what it did, who (name and unit) and when.

    Not scoped separately: the caller has already shown `obj` through restrict(), and an object's history is
    part of the object. What a row did comes from its event's describer (events.describes); without one, an
    edit event (events.is_edit) names the fields it changed and any other event shows only its label — its
    data is not a field diff. Values of edits are not shown (they may be redacted).
    """
    entries = list(
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related(
            "actor"
        )[:limit]
    )
    names = {f.name: str(f.verbose_name) for f in obj._meta.get_fields() if hasattr(f, "verbose_name")}
    datas = [e.data if isinstance(e.data, dict) else {} for e in entries]
    details: dict[int, str] = {}
    by_event: dict[str, list[int]] = {}
    for i, e in enumerate(entries):
        by_event.setdefault(e.event, []).append(i)
    for code, rows in by_event.items():
        describe = events.describer(code)
        if describe is not None:
            for i, text in zip(rows, describe([datas[i] for i in rows]), strict=True):
                details[i] = text
    history = []
    for i, e in enumerate(entries):
        changed = [names[k] for k in datas[i] if k in names] if events.is_edit(e.event) else []
        history.append(
            {
                "at": e.at,
                # The person's name and unit; a deleted account leaves only its login, shown as 已删除用户.
                "actor": _name_and_unit(e.actor)
                if e.actor
                else (_("系统") if e.actor_name in ("", "system") else _("已删除用户")),
                "event": events.label(e.event),
                "detail": details.get(i, ""),
                "changed": changed,
                "outcome": e.outcome,
                "outcome_name": audit.outcome_name(e.outcome),
            }
        )
    return history


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

        def save() -> Any:
            if obj is not None and str(obj.version) != request.POST.get("version", str(obj.version)):
                raise Conflict()
            saved = self.service(obj, form.cleaned_data, request.user)
            # NetBox's re-check: an edit must not move the record out of the editor's own scope (e.g. a
            # township official setting another township's region); the transaction rolls it back if so.
            if not self.scoped_queryset(request, "change" if obj else "add").filter(pk=saved.pk).exists():
                raise DomainError(_("保存后该记录将超出您的管辖范围，未予保存。"))
            return saved

        saved, status = run_form(request, form, save)
        if status == 200:
            messages.success(request, _("已保存。") if obj is not None else _("已创建。"))
            return redirect(self.success_url(saved))
        return self.render_form(request, obj, form, status=status)

    def render_form(self, request: HttpRequest, obj: Any, form: Form, status: int = 200) -> HttpResponse:
        title = (_("编辑") + " " + str(obj)) if obj else (_("新建") + str(self.model._meta.verbose_name))
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "object": obj,
                "title": title,
                "verbose_name": self.model._meta.verbose_name,
                "cancel_url": self.cancel_url(obj),
                "conflict": status == 409,
            },
            status=status,
        )

    def cancel_url(self, obj: Any) -> str:
        if obj is not None and hasattr(obj, "get_absolute_url"):
            return obj.get_absolute_url()
        return ""


def _query_without(request: HttpRequest, *keys: str) -> str:
    params = request.GET.copy()
    for k in keys:
        params.pop(k, None)
    params.pop("export", None)
    return params.urlencode()


class InboxView(LoginRequiredMixin, View):
    """站内信: the signed-in user's in-app notifications, newest first, unread ones highlighted."""

    paginate_by = 30

    def get(self, request: HttpRequest) -> HttpResponse:
        # A user's own inbox is its scope: notifications are always read through request.user.
        qs = request.user.notifications.all()  # type: ignore[union-attr]
        show = request.GET.get("show", "")
        if show == "unread":
            qs = qs.filter(read_at__isnull=True)
        page = IdsFirstPaginator(qs, self.paginate_by).get_page(request.GET.get("page"))
        return render(request, "core/inbox.html", {"title": _("站内信"), "page": page, "show": show})


@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (`id`) or all of them (`all`) as read, then return to the inbox or its link."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    ids = None if request.POST.get("all") else [i for i in request.POST.getlist("id") if i.isdigit()]
    mark_notifications_read(request.user, actor=request.user, ids=ids)
    target = request.POST.get("next") or ""
    if not target or not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("core:inbox")
    return redirect(target)


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
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        db = "ok"
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": db, "vendor": connection.vendor})
