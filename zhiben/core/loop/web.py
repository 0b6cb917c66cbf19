"""The page half of the kit: the step page every flow shares, and (from `calls.py`) the way a page runs a
service: `run_service`, `run_form`, `posted_version`, `apply_errors`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from zhiben.core.views import ScopedViewMixin

from .calls import apply_errors, posted_version, run_form, run_service
from .steps import Flow, Step, make_form

__all__ = [
    "StepView",
    "apply_errors",
    "make_form",
    "posted_version",
    "run_form",
    "run_service",
]


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
