"""Routes of the statistics dashboard and the 通报 page, to be included in hazards/urls.py (namespace "hazards"):

path("", include("zhiben.hazards.urls_stats")),  # or: *urls_stats.urlpatterns
"""

from django.urls import path

from . import dashboard_views

urlpatterns = [
    path("stats/", dashboard_views.stats_page, name="hazard_stats"),
    path("stats/export.xlsx", dashboard_views.stats_export, name="hazard_stats_export"),
    path("bulletins/", dashboard_views.bulletin_list, name="bulletin_list"),
]
