"""URL map: pages per app, the API under /api/v1/, schema and docs, health."""

from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from zhiben.core.schema_view import CachedSchemaView
from zhiben.core.views import healthz

urlpatterns = [
    path("", include("zhiben.dashboard.urls")),
    path("accounts/", include("zhiben.accounts.urls")),
    path("registry/", include("zhiben.registry.urls")),
    path("standards/", include("zhiben.standards.urls")),
    path("hazards/", include("zhiben.hazards.urls")),
    path("inspections/", include("zhiben.inspections.urls")),
    path("enforcement/", include("zhiben.enforcement.urls")),
    path("tips/", include("zhiben.tips.urls")),
    path("indicators/", include("zhiben.indicators.urls")),
    path("campaign/", include("zhiben.campaign.urls")),
    path("accidents/", include("zhiben.accidents.urls")),
    path("supervision/", include("zhiben.supervision.urls")),
    path("oversight/", include("zhiben.oversight.urls")),
    path("assessment/", include("zhiben.assessment.urls")),
    path("risk/", include("zhiben.risk.urls")),
    path("sourcecontrol/", include("zhiben.sourcecontrol.urls")),
    path("training/", include("zhiben.training.urls")),
    path("monitoring/", include("zhiben.monitoring.urls")),
    path("open311/v2/", include("zhiben.tips.urls_open311")),
    path("core/", include("zhiben.core.urls")),
    path("api/v1/", include("zhiben.api_urls")),
    path("api/schema/", CachedSchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
]
