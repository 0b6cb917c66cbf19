"""URL routes of the duties pages (included by urls.py under the inspections namespace)."""

from django.urls import URLPattern, path

from . import photos, views_duties

urlpatterns: list[URLPattern] = [
    path("duties/", views_duties.DutyMineView.as_view(), name="duty_mine"),
    path("duties/missed/", views_duties.MissedListView.as_view(), name="duty_missed"),
    path("duties/occurrences/", views_duties.DutyOccurrenceListView.as_view(), name="duty_occurrence_list"),
    path(
        "duties/occurrences/<int:pk>/",
        views_duties.DutyOccurrenceDetailView.as_view(),
        name="duty_occurrence_detail",
    ),
    path("duties/rules/", views_duties.DutyRulesView.as_view(), name="duty_rules"),
    path("duties/rules/<int:pk>/edit/", views_duties.DutyRuleEditView.as_view(), name="duty_rule_edit"),
    path(
        "duties/high-risk-industries/", views_duties.HighRiskIndustriesView.as_view(), name="duty_high_risk"
    ),
    path(
        "duties/high-risk-industries/<int:pk>/",
        views_duties.HighRiskIndustryToggleView.as_view(),
        name="duty_high_risk_toggle",
    ),
    path("self-checks/", views_duties.SelfCheckListView.as_view(), name="selfcheck_list"),
    path("self-checks/new/", views_duties.SelfCheckCreateView.as_view(), name="selfcheck_create"),
    path("self-checks/<int:pk>/", views_duties.SelfCheckDetailView.as_view(), name="selfcheck_detail"),
    path("photos/<int:pk>/", photos.PhotoView.as_view(), name="photo"),
]
