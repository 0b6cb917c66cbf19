"""Pages: statistics (举报统计), the public outcomes (办理情况公开, no login) and the enterprises' internal
reporting (内部举报) (see urls.py)."""

from django.urls import URLPattern, path

from .views import internal, outcomes, stats

urlpatterns: list[URLPattern] = [
    path("stats/", stats.stats_page, name="stats"),
    path("stats/export.xlsx", stats.stats_export, name="stats_export"),
    path("outcomes/", outcomes.outcomes_page, name="outcomes"),
    path("internal/", internal.InternalReportListView.as_view(), name="internal_list"),
    path("internal/new/", internal.InternalReportEditView.as_view(), name="internal_create"),
    path("internal/counts/", internal.internal_counts, name="internal_counts"),
    path("internal/counts/export.xlsx", internal.internal_counts_export, name="internal_counts_export"),
    path("internal/<int:pk>/", internal.InternalReportDetailView.as_view(), name="internal_detail"),
    path("internal/<int:pk>/edit/", internal.InternalReportEditView.as_view(), name="internal_edit"),
    path("internal/<int:pk>/<str:name>/", internal.InternalStepView.as_view(), name="internal_step"),
]
