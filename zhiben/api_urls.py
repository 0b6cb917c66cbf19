"""Every API route under /api/v1/: one router, each app registers its viewsets in its api.py."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from zhiben.accounts.api_views import obtain_token
from zhiben.registry.api import register as register_registry

router = DefaultRouter()
register_registry(router)

urlpatterns = [
    path("auth/token/", obtain_token, name="api-token"),
    *router.urls,
]
