"""URL routes of the enforcement statistics (included by urls.py)."""

from django.urls import URLPattern, path

from . import views_stats

urlpatterns: list[URLPattern] = [
    path("stats/", views_stats.stats_page, name="stats"),
    path("stats/export.xlsx", views_stats.stats_export, name="stats_export"),
]
