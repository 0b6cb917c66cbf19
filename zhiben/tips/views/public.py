"""The public portal (no login): file a tip, read the receipt once, follow it by the receipt.

Every response: `Cache-Control: no-store`, `Referrer-Policy: no-referrer`, no cookie (the forms carry their
own token, see forms/public.py), only our own static files. Limits per client (ratelimit.py) answer 429 with
a Chinese page. The receipt is looked up by POST so it never appears in a URL or an access log.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from .. import ratelimit
from ..choices import Channel
from ..forms.public import EXPIRED, LookupForm, TipForm, issue_token, reportable_units, submission_key
from ..services import receipts
from ..services.files import MAX_FILES
from ..services.intake import submit_tip

NOT_FOUND = "查询码不正确：请核对后重新输入（共25位数字）。"
PRIVACY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """No CSRF cookie, no caching, no referrer, on every response of `view` (errors included)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        for header, value in PRIVACY_HEADERS.items():
            response[header] = value
        return response

    return csrf_exempt(wrapped)


def too_many(request: HttpRequest, limit: ratelimit.Limit) -> HttpResponse:
    response = render(request, "tips/public/limited.html", {"message": limit.message}, status=429)
    response[ratelimit.RETRY_AFTER] = str(limit.seconds)
    return response


def _portal(request: HttpRequest, form: TipForm, status: int = 200) -> HttpResponse:
    return render(request, "tips/public/portal.html", {"form": form, "max_files": MAX_FILES}, status=status)


@public
@require_http_methods(["GET", "POST"])
def portal(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _portal(request, TipForm(initial={"token": issue_token()}))
    if not ratelimit.hit(request, ratelimit.SUBMIT):
        return too_many(request, ratelimit.SUBMIT)
    form = TipForm(request.POST)
    if not form.is_valid():
        return _refill(request, form)
    key = submission_key(form.cleaned_data.get("token") or "")
    if key is None:
        form.add_error(None, EXPIRED)
        return _refill(request, form)
    data = form.cleaned_data
    try:
        tip, receipt = submit_tip(
            category=data["category"],
            text=data.get("text", ""),
            channel=Channel.PORTAL,
            enterprise=data.get("enterprise"),
            unit_name=data.get("unit_name", ""),
            place=data.get("place"),
            address=data.get("address", ""),
            identity=form.identity(),
            files=request.FILES.getlist("files"),
            submission_key=key,
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _refill(request, form)
    if receipt is None:
        return render(request, "tips/public/already.html", {"code": tip.code})
    return render(request, "tips/public/submitted.html", {"code": tip.code, "receipt": receipt})


def _refill(request: HttpRequest, form: TipForm) -> HttpResponse:
    """The form again with its errors; a fresh token when the old one was refused (files must be re-chosen)."""
    if submission_key(form.data.get("token", "")) is None:
        form.data = form.data.copy()
        form.data["token"] = issue_token()
    return _portal(request, form, status=400)


@public
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "tips/public/status.html", {"form": LookupForm()})
    if not ratelimit.hit(request, ratelimit.LOOKUP):
        return too_many(request, ratelimit.LOOKUP)
    form = LookupForm(request.POST)
    if not form.is_valid():
        return render(request, "tips/public/status.html", {"form": form}, status=400)
    tip = receipts.find_by_receipt(form.cleaned_data["receipt"])
    if tip is None:
        form.add_error("receipt", NOT_FOUND)
        return render(request, "tips/public/status.html", {"form": form}, status=404)
    view = receipts.public_view(tip)
    return render(request, "tips/public/status.html", {"form": LookupForm(), "view": view})


@public
@require_GET
def units(request: HttpRequest) -> HttpResponse:
    """Names and ids of registered units matching `q` (two characters at least), ten at most; nothing else."""
    query = (request.GET.get("q") or "").strip()[:50]
    if len(query) < 2:
        return JsonResponse({"results": []})
    if not ratelimit.hit(request, ratelimit.UNITS):
        return JsonResponse({"detail": ratelimit.UNITS.message}, status=429)
    rows = reportable_units().filter(name__icontains=query).order_by("name").values("id", "name")[:10]
    return JsonResponse({"results": [{"id": r["id"], "name": r["name"]} for r in rows]})
