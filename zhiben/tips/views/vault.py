"""Pages of the identity vault (R13, R16): the custodian's desk (identities masked, requests to decide), a tip's
vault page (the full identity — and for the custodian the original text and attachments — each opening
audited), the original attachments served decrypted, and the handlers' identity requests."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.errors import NotPermitted
from zhiben.core.loop.web import StepView, run_form
from zhiben.core.scoping import rows_of
from zhiben.core.views import ScopedViewMixin

from ..choices import IdentityRequestStatus
from ..forms.vault import IdentityRequestForm
from ..models import IdentityRequest, Tip, TipAttachment, TipIdentity
from ..services import vault
from ..vault_steps import FLOW

REQUEST_COLORS = {
    IdentityRequestStatus.REQUESTED: "warning",
    IdentityRequestStatus.APPROVED: "success",
    IdentityRequestStatus.DENIED: "secondary",
    IdentityRequestStatus.EXPIRED: "secondary",
}


def _private(response: HttpResponse) -> HttpResponse:
    """Pages showing protected data are never cached, nor sniffed."""
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response


class VaultIndexView(ScopedViewMixin, View):
    """身份保密库: for the custodian the tips with an identity (masked) and the requests; for a handler, their own
    requests."""

    model = IdentityRequest

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        custodian = vault.is_custodian(request.user)
        requests = IdentityRequest.objects.restrict(request.user, "view").select_related(
            "tip", "requested_by"
        )
        if not custodian:
            requests = requests.filter(requested_by=request.user)
        identities = []
        if custodian:
            rows = (
                rows_of(TipIdentity, "the custodian's desk (masked)")
                .select_related("tip")
                .order_by("-tip__received_at")[:200]
            )
            identities = [(row.tip, vault.mask_identity(row)) for row in rows]
        context = {
            "title": _("举报人身份保密库"),
            "custodian": custodian,
            "requests": requests.order_by("-created_at")[:200],
            "identities": identities,
            "colors": REQUEST_COLORS,
        }
        return _private(render(request, "tips/vault/index.html", context))


class VaultTipView(ScopedViewMixin, View):
    """A tip's identity in full (custodian, or a requester while approved): each opening is audited; anyone else
    gets 403 and an audited refusal."""

    model = Tip

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        tip = self.get_object(request, pk)
        try:
            identity = vault.read_identity(tip, actor=request.user)
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        custodian = vault.is_custodian(request.user)
        original = vault.read_original_text(tip, actor=request.user) if custodian else None
        attachments = list(rows_of(TipAttachment, "the vault page").filter(tip=tip)) if custodian else []
        context = {
            "title": _("举报人身份"),
            "tip": tip,
            "identity": identity,
            "original": original,
            "attachments": attachments,
            "custodian": custodian,
            "grant": None if custodian else vault.active_grant(tip, request.user),
        }
        return _private(render(request, "tips/vault/tip.html", context))


class OriginalAttachmentView(ScopedViewMixin, View):
    """An attachment's original, decrypted on the fly for the custodian (nosniff, no-store, as a download)."""

    model = TipAttachment
    action = "original"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        attachment = self.get_object(request, pk)
        try:
            original = vault.read_original_attachment(attachment, actor=request.user)
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        response = HttpResponse(
            original.content, content_type=original.content_type or "application/octet-stream"
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(original.name)}"
        return _private(response)


class RequestCreateView(ScopedViewMixin, View):
    """申请查看举报人身份 for a tip the handler sees."""

    model = Tip

    def _tip(self, request: HttpRequest, pk: int) -> Tip:
        if not FLOW.may_attempt(request.user, FLOW["request"]) or vault.is_custodian(request.user):
            raise PermissionDenied(_("您无权申请查看举报人身份。"))
        return get_object_or_404(Tip.objects.restrict(request.user, "view"), pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        tip = self._tip(request, pk)
        return self._render(request, tip, IdentityRequestForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        tip = self._tip(request, pk)
        form = IdentityRequestForm(request.POST)
        req, status = run_form(
            request,
            form,
            lambda: vault.request_identity(tip, actor=request.user, reason=form.cleaned_data["reason"]),
        )
        if status == 200:
            return redirect(req.get_absolute_url())
        return self._render(request, tip, form, status=status)

    def _render(self, request: HttpRequest, tip: Tip, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "tips/vault/request_form.html",
            {"form": form, "tip": tip, "title": _("申请查看举报人身份")},
            status=status,
        )


class RequestDetailView(ScopedViewMixin, View):
    model = IdentityRequest

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        req = self.get_object(request, pk)
        if not vault.is_custodian(request.user) and req.requested_by_id != request.user.pk:
            raise Http404
        context = {
            "title": _("身份查看申请"),
            "object": req,
            "steps": FLOW.available(request.user, req),
            "color": REQUEST_COLORS.get(req.status, "secondary"),
            "may_view": req.requested_by_id == request.user.pk
            and vault.active_grant(req.tip, request.user) is not None,
        }
        return _private(render(request, "tips/vault/request_detail.html", context))


class RequestStepView(StepView):
    model = IdentityRequest
    flow = FLOW
    list_url_name = "tips:vault"
    list_label = _("举报人身份保密库")

    def object_label(self, obj: Any) -> str:
        return f"{obj.tip.code} 身份查看申请"
