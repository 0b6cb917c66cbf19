"""Pages of 持证上岗: certificates and the inspector's check on a phone (记为检查问题)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.loop.web import run_form, run_service
from zhiben.core.views import (
    Badge,
    Column,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
)

from ..choices import (
    CERT_STATUS_COLORS,
    CERT_STATUS_LABELS,
)
from ..filtersets import CertificateFilterSet
from ..forms import (
    CertificateFindingForm,
    CertificateForm,
    VerifyForm,
)
from ..models import Certificate
from ..services import certificates
from .common import _is_government

# --- certificates ------------------------------------------------------------------------------------------------


def _cert_state(o: Certificate) -> Badge:
    state = o.state(timezone.localdate())
    return Badge(CERT_STATUS_LABELS[state], CERT_STATUS_COLORS[state])


class CertificateListView(ObjectListView):
    model = Certificate
    filterset_class = CertificateFilterSet
    title = _("持证上岗")
    default_sort = "valid_to"
    create_url_name = "training:certificate_create"
    template_name = "training/certificate_list.html"
    columns = [
        Column("holder_name", _("持证人"), sort="holder_name", link=True),
        Column("enterprise.name", _("所在单位"), sort="enterprise__name"),
        Column("kind.name", _("证书类型"), sort="kind__sort_order"),
        Column("operation", _("作业类别")),
        Column("number", _("证书编号"), sort="number"),
        Column("valid_to", _("有效期至"), sort="valid_to"),
        Column("state", _("状态"), display=_cert_state),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Certificate.objects.select_related("enterprise", "kind")

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"can_verify": _is_government(request.user)}


class CertificateEditView(ObjectEditView):
    model = Certificate
    form_class = CertificateForm

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        return certificates.save_certificate(obj, actor=actor, **data)

    def cancel_url(self, obj: Any) -> str:
        return obj.get_absolute_url() if obj is not None else reverse("training:certificate_list")


class CertificateDetailView(ObjectDetailView):
    model = Certificate
    hidden_fields = ("person",)

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        state = obj.state(timezone.localdate())
        return {
            "edit_url": reverse("training:certificate_edit", args=[obj.pk]),
            "verbose_name": _("持证上岗"),
            "title": f"{obj.holder_name} · {obj.kind.name}（{CERT_STATUS_LABELS[state]}）",
        }


class VerifyView(ScopedViewMixin, View):
    """核验证书 on a phone: an inspector types (or scans) a number and sees 有效/即将到期/已过期/无此证; an expired or
    missing one may be recorded as a finding on the inspector's open inspection of the unit."""

    model = Certificate

    def _check(self, request: HttpRequest) -> None:
        self.check_action(request)
        if not _is_government(request.user):
            raise PermissionDenied(_("证书核验由监管部门和乡镇（街道）人员在检查时使用。"))

    def get(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        number = request.GET.get("number", "").strip()
        form = VerifyForm(request.GET if number else None)
        result = None
        if number and form.is_valid():
            result, _status = run_service(
                request,
                form,
                lambda: certificates.check_number(form.cleaned_data["number"], actor=request.user),
            )
        return self._page(request, form, result)

    def post(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        finding_form = CertificateFindingForm(request.POST)
        finding, status = run_form(
            request,
            finding_form,
            lambda: certificates.record_certificate_finding(actor=request.user, **finding_form.cleaned_data),
        )
        number = request.POST.get("number", "")
        form = VerifyForm({"number": number})
        result = certificates.check_number(number, actor=None) if number.strip() else None
        if status == 200:
            messages.success(request, _("已记为检查问题：%(t)s") % {"t": finding.title})
            return redirect(reverse("inspections:inspection_detail", args=[finding.inspection_id]))
        return self._page(request, form, result, finding_form=finding_form, status=status)

    def _page(
        self, request: HttpRequest, form: Any, result: Any, *, finding_form: Any = None, status: int = 200
    ) -> HttpResponse:
        inspections: list[Any] = []
        if result is not None and result.refused:
            inspections = certificates.open_inspections(
                request.user, result.certificate.enterprise if result.certificate else None
            )
            if finding_form is None:
                finding_form = CertificateFindingForm(
                    initial={
                        "number": result.number,
                        "holder_name": result.certificate.holder_name if result.certificate else "",
                        "case": bool(result.certificate is None or result.certificate.kind.case_measure),
                        "inspection": inspections[0].pk if inspections else None,
                    }
                )
        context = {
            "title": _("证书核验"),
            "form": form,
            "result": result,
            "inspections": inspections,
            "finding_form": finding_form,
            "state_color": CERT_STATUS_COLORS.get(result.state, "danger") if result else "",
        }
        return render(request, "training/verify.html", context, status=status)
