"""Exchange pages of the major-hazard list (重大事故隐患清单交换): export, Excel and JSON import, template, status.

The Excel pages are the core import engine's views with the exchange spec (exchange.py), like the enterprise
import; a JSON upload is turned into the same sheet and runs through the same engine. URL names carry the
`exchange_` prefix inside the `hazards` namespace (urls_exchange.py).
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zhiben.core import audit
from zhiben.core import events as core_events
from zhiben.core.excel import MAX_UPLOAD_BYTES, ImportFileError, ImportSpec
from zhiben.core.excel.web import (
    ImportErrorReportView,
    ImportForm,
    ImportStatusView,
    ImportTemplateView,
    ImportView,
)
from zhiben.core.scoping import can
from zhiben.core.views import ScopedViewMixin

from .exchange import (
    export_json_response,
    export_xlsx_response,
    hazard_exchange_spec,
    json_to_sheet,
    major_hazards,
    read_json_document,
)
from .models import Hazard

IMPORT_URL = "hazards:exchange_import"
TEMPLATE_URL = "hazards:exchange_import_template"
ERRORS_URL = "hazards:exchange_import_errors"
STATUS_URL = "hazards:exchange_import_status"


# The JSON upload of the exchange page (JSON 导入): the import form under its own prefix and label.
JSON_PREFIX = "json"
JSON_FILE_LABEL = gettext_lazy("JSON 文件（.json）")


class HazardExchangeImportView(ImportView):
    """The exchange page: export links, and the Excel upload (POST) through the import engine."""

    model = Hazard
    spec_factory = hazard_exchange_spec
    template_name = "hazards/exchange/import.html"
    template_url_name = TEMPLATE_URL
    errors_url_name = ERRORS_URL
    status_url_name = STATUS_URL

    def render_page(
        self, request: HttpRequest, form: ImportForm, status: int = 200, **extra: Any
    ) -> HttpResponse:
        extra.setdefault("json_form", ImportForm(prefix=JSON_PREFIX, file_label=JSON_FILE_LABEL))
        extra["title"] = _("重大事故隐患清单交换")
        extra["can_export"] = can(request.user, "export", Hazard)
        extra["export_query"] = request.GET.urlencode()
        return super().render_page(request, form, status, **extra)


class HazardExchangeJsonImportView(HazardExchangeImportView):
    """The JSON upload: the document becomes the exchange sheet and the engine imports it like any other."""

    form_prefix = JSON_PREFIX
    file_label = JSON_FILE_LABEL

    def read_upload(self, upload: Any, spec: ImportSpec) -> tuple[Any, int]:
        hazards = read_json_document(upload.read(MAX_UPLOAD_BYTES + 1))
        if len(hazards) > spec.max_rows:
            # Refused before the sheet is built: 10 MB of tiny objects would be a sheet of 200 000 rows.
            raise ImportFileError(
                _("单次最多导入 %(n)d 条隐患，请分批导入。") % {"n": spec.max_rows}, field="file"
            )
        return SimpleUploadedFile(upload.name, json_to_sheet(hazards)), len(hazards)

    def form_page(
        self, request: HttpRequest, form: ImportForm, status: int = 200, **extra: Any
    ) -> HttpResponse:
        return self.render_page(request, ImportForm(), status, json_form=form, **extra)


class HazardExchangeImportStatusView(ImportStatusView):
    model = Hazard
    result_template_name = "hazards/exchange/import_result.html"
    errors_url_name = ERRORS_URL
    import_url_name = IMPORT_URL


class HazardExchangeImportTemplateView(ImportTemplateView):
    model = Hazard
    spec_factory = hazard_exchange_spec


class HazardExchangeImportErrorsView(ImportErrorReportView):
    model = Hazard


def _list_filterset() -> Any:
    """The hazard list's FilterSet when the app has one (the register page may not exist yet)."""
    try:
        module = importlib.import_module("zhiben.hazards.filtersets")
    except ModuleNotFoundError:
        return None
    return getattr(module, "HazardFilterSet", None)


class HazardExchangeExportView(ScopedViewMixin, View):
    """GET: the 重大 hazards in the user's export scope, filtered like the list, as .xlsx or JSON."""

    model = Hazard
    action = "export"
    file_format = "xlsx"

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        qs = self.filtered(request, Hazard.objects.all())
        hazards = major_hazards(request.user, qs)
        audit.record(
            None,
            core_events.EXPORT_DOWNLOADED,
            actor=request.user,
            object_type="hazards.hazard",
            object_repr=_("重大事故隐患清单"),
            data={"format": self.file_format, "filters": request.GET.dict(), "rows": hazards.count()},
        )
        if self.file_format == "json":
            return export_json_response(hazards)
        return export_xlsx_response(hazards)

    def filtered(self, request: HttpRequest, qs: QuerySet[Hazard]) -> QuerySet[Hazard]:
        filterset_class = _list_filterset()
        if filterset_class is None or not request.GET:
            return qs
        filterset = filterset_class(request.GET, queryset=qs, request=request)
        return filterset.qs if filterset.is_valid() else qs.none()
