"""URL routes of the plans pages (included by urls.py under the inspections namespace)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
