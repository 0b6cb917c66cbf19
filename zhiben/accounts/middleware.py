"""Session policy (R05): idle timeout (15 min admins, 30 min others) and an absolute lifetime of 12 hours."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from zhiben.core import audit

from . import events

_LAST = "zhiben_last_seen"
_START = "zhiben_login_at"


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and hasattr(request, "session")
            and _LAST in request.session
        ):
            now = time.time()
            idle = (
                settings.SESSION_IDLE_TIMEOUT_ADMIN if user.is_admin_role else settings.SESSION_IDLE_TIMEOUT
            )
            last = request.session.get(_LAST, now)
            started = request.session.get(_START, now)
            if (
                now - last > idle.total_seconds()
                or now - started > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()
            ):
                audit.record(user, events.SESSION_EXPIRED, actor=user)
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}&expired=1")
            request.session[_LAST] = now
        return self.get_response(request)


def start_session_clock(request: HttpRequest) -> None:
    now = time.time()
    request.session[_START] = now
    request.session[_LAST] = now
