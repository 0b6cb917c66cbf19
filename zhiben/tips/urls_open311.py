"""Open311 GeoReport v2 (/open311/v2/): existing citizen-reporting apps submit into the same intake."""

from django.urls import path

from .views import open311

urlpatterns: list = [
    path("services.json", open311.services, name="open311-services"),
    path("requests.json", open311.requests_, name="open311-requests"),
    path("requests/<str:code>.json", open311.request_detail, name="open311-request"),
]
