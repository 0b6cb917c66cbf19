"""The page half of the loop kit (core.loop.web): a service's refusal becomes a form error or a message, with
its status, in one place."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from zhiben.core.errors import Conflict, DomainError, NotPermitted
from zhiben.core.loop.web import posted_version, run_form, run_service


class NoteForm(forms.Form):
    title = forms.CharField()
    note = forms.CharField(required=False)


def _request(data: dict[str, Any] | None = None) -> Any:
    request = RequestFactory().post("/", data or {})
    request._messages = CookieStorage(request)
    return request


def _raise(exc: Exception) -> Any:
    def call() -> Any:
        raise exc

    return call


def test_run_form_does_not_call_the_service_for_an_invalid_form() -> None:
    calls: list[int] = []
    form = NoteForm({})
    assert run_form(_request(), form, lambda: calls.append(1), atomic=False) == (None, 400)
    assert calls == [] and "title" in form.errors


def test_run_form_answers_the_services_result() -> None:
    form = NoteForm({"title": "t"})
    assert run_form(_request(), form, lambda: form.cleaned_data["title"], atomic=False) == ("t", 200)


def test_refusals_land_on_their_field_or_on_the_default_field() -> None:
    form = NoteForm({"title": "t"})
    assert form.is_valid()
    refusal = ValidationError({"note": "太短", "elsewhere": "别处"})
    assert run_service(_request(), form, _raise(refusal), atomic=False, field="title") == (None, 400)
    assert form.errors["note"] == ["太短"] and form.non_field_errors() == ["别处"]

    form = NoteForm({"title": "t"})
    assert form.is_valid()
    run_service(_request(), form, _raise(ValidationError("密码太短")), atomic=False, field="note")
    assert form.errors["note"] == ["密码太短"]

    form = NoteForm({"title": "t"})
    assert form.is_valid()
    run_service(_request(), form, _raise(DomainError("不行", field="missing")), atomic=False)
    assert form.non_field_errors() == ["不行"]


def test_refusal_statuses_are_the_services() -> None:
    for exc, status in ((DomainError("x"), 400), (NotPermitted(), 403), (Conflict(), 409)):
        form = NoteForm({"title": "t"})
        assert form.is_valid()
        assert run_service(_request(), form, _raise(exc), atomic=False) == (None, status)


def test_without_a_form_a_refusal_is_a_message() -> None:
    request = _request()
    assert run_service(request, None, _raise(ValidationError({"a": "甲", "b": "乙"})), atomic=False)[1] == 400
    assert run_service(request, None, _raise(NotPermitted("无权")), atomic=False)[1] == 403
    assert [str(m) for m in get_messages(request)] == ["甲；乙", "无权"]


def test_posted_version_reads_the_named_hidden_field() -> None:
    request = _request({"version": "7", "revision": "3", "bad": "3a"})
    assert posted_version(request) == 7
    assert posted_version(request, "revision") == 3
    assert posted_version(request, "bad") is None
    assert posted_version(request, "absent") is None
