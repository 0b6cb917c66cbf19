"""Run a service from a page: the one place where a service's refusal becomes what a person sees.

A `ValidationError` lands on the form's fields, a `DomainError` on the form (or as a message when there is no
form) with its HTTP status (400, 403, 409). Every "a form calls a service" page goes through `run_service`,
directly or through `run_form` (validate the form first); `posted_version` reads the version the page was
rendered with. This module sits below `core.views`, so the generic edit page uses it too; `core.loop.web`
offers the same names beside the step page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from zhiben.core.errors import DomainError


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's `ValidationError` on the form: each field's messages on that field, the rest (and those of a
    hidden field, which the page does not show, such as the source record of a new case) on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if _shown(form, field) else None, errors)
    else:
        form.add_error(None, exc)


def _shown(form: forms.Form, field: str | None) -> bool:
    return field in form.fields and not form.fields[field].widget.is_hidden


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
            form.add_error(exc.field if _shown(form, exc.field) else field, exc.message)
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
