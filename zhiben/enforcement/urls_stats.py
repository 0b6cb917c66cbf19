"""URL routes of the enforcement statistics (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
