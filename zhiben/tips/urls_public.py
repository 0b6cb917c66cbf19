"""Pages: the public portal (no login; see views/public.py)."""

from django.urls import path

from .views import public

urlpatterns: list = [
    path("", public.portal, name="portal"),
    path("status/", public.status, name="status"),
    path("units/", public.units, name="units"),
]
