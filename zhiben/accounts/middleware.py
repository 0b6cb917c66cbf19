"""Session policy (R05: idle timeout 15 min admins / 30 min others, 12-hour lifetime), forced password change (R02)
and required two-factor enrolment (R04)."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.navigation import fixed_url

from . import events
from .passwords import change_required_reason
from .two_factor import must_enrol

_LAST = "zhiben_last_seen"
_START = "zhiben_login_at"
_TOUCH_EVERY = 60  # seconds


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
                query = urlencode({"next": request.path, "expired": "1"})
                return redirect(f"{reverse(settings.LOGIN_URL)}?{query}")
            if now - last >= _TOUCH_EVERY:
                # Touching the session on every request would make every page view a database write
                # (and on SQLite every reader a writer); a minute's granularity is enough for a 15-minute rule.
                request.session[_LAST] = now
        return self.get_response(request)


def start_session_clock(request: HttpRequest) -> None:
    now = time.time()
    request.session[_START] = now
    request.session[_LAST] = now


class PasswordPolicyMiddleware:
    """R02: a user who must change the password (first login, reset, 90 days old) can do nothing else; then R04:
    a user whose role requires two-factor login and who has not enrolled can only enrol.

    Pages redirect to the change-password page; API calls answer 403 with the reason. API token
    requests are checked in TokenAuthentication, which runs after this middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._exempt(request.path):
            reason = change_required_reason(user)
            if reason:
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": reason, "code": "password_change_required"}, status=403)
                return redirect(f"{reverse('accounts:password_change')}?{urlencode({'next': request.path})}")
            if must_enrol(user) and not request.path.startswith(fixed_url("accounts:two_factor")):
                # R04 (settings.ZHIBEN_REQUIRE_2FA): an admin or 区安委办 without 2FA enrols first.
                if request.path.startswith("/api/"):
                    detail = _("您的角色须先在“我的账号”中启用双因素认证。")
                    return JsonResponse({"detail": detail, "code": "two_factor_required"}, status=403)
                return redirect(f"{reverse('accounts:two_factor')}?{urlencode({'next': request.path})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        allowed = (
            fixed_url("accounts:password_change"),
            fixed_url("accounts:logout"),
            fixed_url("accounts:login"),
            settings.STATIC_URL,
        )
        return path.startswith(allowed)
