"""Helpers shared by the account tests: logging in through the real login page, reading audit rows."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse

from zhiben.core.models import AuditEntry


def login_via_page(client: Client, username: str, password: str | None = None) -> Any:
    """POST the login form as a browser would (starts the R05 session clock, unlike force_login)."""
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password if password is not None else settings.DEMO_PASSWORD},
    )


def audit_rows(event: str, **filters: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event=event, **filters).order_by("seq"))


_CSRF = re.compile(r"[A-Za-z0-9]{64}")


def normalised(body: bytes, *secrets: str) -> str:
    """A page with the per-response CSRF mask and the echoed inputs taken out, for equality checks."""
    text = _CSRF.sub("CSRF", body.decode())
    for s in secrets:
        text = text.replace(s, "INPUT")
    return text
