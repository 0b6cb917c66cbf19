"""Request context for the audit log, and translation of domain errors that escape a view."""

from __future__ import annotations

import contextvars
import ipaddress
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import workbench
from .dbrouting import SAFE_METHODS
from .errors import Conflict, DomainError
from .scoping import enforced


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    request_id: str = ""


_context: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "zhiben_request", default=RequestContext()
)


def current_request_context() -> RequestContext:
    return _context.get()


@contextmanager
def without_client_address() -> Iterator[None]:
    """Audit rows written in this block carry neither the client's address nor the request id (R15): the
    public whistleblower intake stores nothing that could link a report to the network it came from."""
    token = _context.set(RequestContext(ip=None, request_id=""))
    try:
        yield
    finally:
        _context.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (R21), the one place it is decided: audit rows and the login limits use it.

    REMOTE_ADDR, unless it is one of `settings.TRUSTED_PROXIES` (the reverse proxy in front of gunicorn):
    then the right-most X-Forwarded-For entry that is not itself a trusted proxy. Entries further left are
    whatever the client wrote and are never believed, so a spoofed header cannot change the limiter key."""
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = set(settings.TRUSTED_PROXIES)
    if remote is None or remote not in trusted:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a malformed hop from the proxy: fall back to the proxy itself
    return remote


class RequestContextMiddleware:
    """Gives each request an id (echoed as X-Request-ID) and the client address for audit rows.

    The address is `client_ip()`: X-Forwarded-For is believed only from a trusted proxy (R21).
    The request runs with scoping enforced: an unrestricted read of a scoped model fails (core/scoping.py).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        token = _context.set(RequestContext(ip=client_ip(request), request_id=request_id))
        try:
            with enforced():
                response = self.get_response(request)
        finally:
            _context.reset(token)
        response["X-Request-ID"] = request_id
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.setdefault("Cache-Control", "no-store")
        return response


class WorkbenchFreshnessMiddleware:
    """After a successful write by a signed-in person (a form, an API call), their 待办 workbench and its badge
    count afresh at the next look (core/workbench.py keeps them briefly otherwise)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                workbench.forget(user)
        return response


class ConflictMiddleware:
    """A DomainError that reaches the top of a page view becomes a translated error page, never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            status = 409 if isinstance(exception, Conflict) else exception.status_code
            return render(
                request, "core/error.html", {"message": exception.message, "status": status}, status=status
            )
        return None


# Scripts only from our own origin: the pages have no inline script or event handler (R-level XSS defence in
# depth). Styles allow 'unsafe-inline': the templates carry style="" attributes and three <style> blocks (the
# official document's page margins are computed per document), and htmx adds its indicator <style>; inline CSS
# cannot run script, and every value in it is autoescaped. The Swagger UI (api-docs) is served split (its
# initialiser is a separate script from our origin), so the same policy holds there.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class ContentSecurityPolicyMiddleware:
    """Sends the Content-Security-Policy on every response (issue 11, item 8)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
