"""The page half of the kit: run a service from a form, and the step page every flow shares.

`run_service(request, form, call)` is the one place where a service's refusal becomes what a person sees: a
`ValidationError` lands on the form's fields, a `DomainError` on the form (or as a message when there is no
form) with its HTTP status (400, 403, 409). Every "a form calls a service" page goes through it, directly or
through `run_form` (validate the form first); `posted_version` reads the version the page was rendered with.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from zhiben.core.errors import DomainError
from zhiben.core.views import ScopedViewMixin, apply_errors

from .steps import Flow, Step


def run_service(
    request: HttpRequest,
    form: forms.Form | None,
    call: Callable[[], Any],
    *,
    atomic: bool = True,
    field: str | None = None,
) -> tuple[Any, int]:
    """Call a service (in one transaction unless `atomic=False`); returns (its result or None, HTTP status).

    Refusals become form errors, or messages when there is no form: 400 for a rule or a field, 403 and 409
    as the service says. A refusal that names no field of the form lands on `field` (None: the whole form).
    `atomic=False` is for a service whose refusal must keep what it wrote (a failed login counts)."""
    try:
        if not atomic:
            return call(), 200
        with transaction.atomic():
            return call(), 200
    except ValidationError as exc:
        if form is None:
            messages.error(request, "；".join(exc.messages))
        elif hasattr(exc, "error_dict"):
            apply_errors(form, exc)
        else:
            form.add_error(field, exc)
        return None, 400
    except DomainError as exc:
        if form is not None:
            form.add_error(exc.field if exc.field in form.fields else field, exc.message)
        else:
            messages.error(request, exc.message)
        return None, exc.status_code if exc.status_code in (403, 409) else 400


def run_form(
    request: HttpRequest,
    form: forms.Form,
    call: Callable[[], Any],
    *,
    atomic: bool = True,
    field: str | None = None,
) -> tuple[Any, int]:
    """Validate `form`, then `run_service` (`call` reads `form.cleaned_data`); an invalid form is (None, 400)."""
    if not form.is_valid():
        return None, 400
    return run_service(request, form, call, atomic=atomic, field=field)


def posted_version(request: HttpRequest, name: str = "version") -> int | None:
    """The version a page's form was rendered with (hidden field `name`), or None."""
    raw = request.POST.get(name, "")
    return int(raw) if raw.isdigit() else None


def make_form(step: Step, obj: Any, *args: Any, **kwargs: Any) -> forms.Form:
    """The step's form; a form whose constructor takes `target` gets the record (its choices may depend on it)."""
    assert step.form is not None
    if "target" in inspect.signature(step.form.__init__).parameters:
        kwargs["target"] = obj
    return step.form(*args, **kwargs)


class StepView(ScopedViewMixin, View):
    """One step of a record's workflow as a form page: GET shows the form, POST runs the step's service.

    Subclasses name the flow, the list they belong to and, if needed, a template extending core/step.html."""

    flow: ClassVar[Flow]
    template_name: ClassVar[str] = "core/step.html"
    list_url_name: ClassVar[str] = ""
    list_label: ClassVar[Any] = ""

    def _setup(self, request: HttpRequest, pk: int, name: str) -> tuple[Any, Step]:
        self.check_action(request)
        step = self.flow.by_name.get(name)
        if step is None or step.form is None:
            raise Http404
        obj = self.get_object(request, pk)
        refusal = self.flow.refusal(request.user, step, obj)
        if refusal is not None:
            raise PermissionDenied(refusal)
        return obj, step

    def get(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        obj, step = self._setup(request, pk, name)
        initial = step.initial(obj) if step.initial is not None else {}
        return self.render(request, obj, step, make_form(step, obj, initial=initial))

    def post(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        obj, step = self._setup(request, pk, name)
        form = make_form(step, obj, request.POST, request.FILES)
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            if step.versioned:
                data["version"] = request.POST.get("version") or None
            if step.multipart:
                data["files"] = request.FILES.getlist("files")
            _result, status = run_service(request, form, lambda: step.run(obj, data, request.user))
            if status == 200:
                messages.success(request, _("%(s)s：已完成。") % {"s": step.label})
                return redirect(obj.get_absolute_url())
        return self.render(request, obj, step, form, status=status)

    def extra_context(self, obj: Any, step: Step) -> dict[str, Any]:
        return {}

    def object_label(self, obj: Any) -> str:
        """How the record is named in the breadcrumb and the title (its code, where it has one)."""
        return str(obj)

    def render(
        self, request: HttpRequest, obj: Any, step: Step, form: forms.Form, status: int = 200
    ) -> HttpResponse:
        context = {
            "object": obj,
            "object_label": self.object_label(obj),
            "step": step,
            "form": form,
            "title": step.label,
            "conflict": status == 409,
            "list_url_name": self.list_url_name,
            "list_label": self.list_label,
            "versioned": step.versioned and hasattr(obj, "version"),
        }
        context.update(self.extra_context(obj, step))
        return render(request, self.template_name, context, status=status)
