"""URL routes of the records pages (included by urls.py under the inspections namespace)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
