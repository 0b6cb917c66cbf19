"""Every API route under /api/v1/: one router, each app registers its viewsets in its api.py."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from zhiben.accounts.api_views import obtain_token
from zhiben.enforcement.api import register as register_enforcement
from zhiben.hazards.api import register as register_hazards
from zhiben.inspections.api import register as register_inspections
from zhiben.registry.api import register as register_registry
from zhiben.standards.api import register as register_standards

router = DefaultRouter()
register_registry(router)
register_standards(router)
register_hazards(router)
register_inspections(router)
register_enforcement(router)

urlpatterns = [
    path("auth/token/", obtain_token, name="api-token"),
    *router.urls,
]
