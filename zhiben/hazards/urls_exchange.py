"""URLs of the major-hazard list exchange (清单交换); included into the `hazards` namespace by hazards/urls.py."""

from django.urls import path

from . import imports

urlpatterns = [
    path("exchange/", imports.HazardExchangeImportView.as_view(), name="exchange_import"),
    path(
        "exchange/import/json/", imports.HazardExchangeJsonImportView.as_view(), name="exchange_import_json"
    ),
    path(
        "exchange/import/template/",
        imports.HazardExchangeImportTemplateView.as_view(),
        name="exchange_import_template",
    ),
    path(
        "exchange/import/<uuid:token>/errors/",
        imports.HazardExchangeImportErrorsView.as_view(),
        name="exchange_import_errors",
    ),
    path(
        "exchange/import/<uuid:token>/",
        imports.HazardExchangeImportStatusView.as_view(),
        name="exchange_import_status",
    ),
    path(
        "exchange/export.xlsx",
        imports.HazardExchangeExportView.as_view(file_format="xlsx"),
        name="exchange_export_xlsx",
    ),
    path(
        "exchange/export.json",
        imports.HazardExchangeExportView.as_view(file_format="json"),
        name="exchange_export_json",
    ),
]
