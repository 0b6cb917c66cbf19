from django.urls import path

from . import interview_views, rules, urls_exchange, urls_stats, views

app_name = "hazards"

urlpatterns = [
    path("", views.HazardListView.as_view(), name="hazard_list"),
    path("major/", views.MajorHazardListView.as_view(), name="major_list"),
    path("major/pending/", views.MajorPendingListView.as_view(), name="major_pending"),
    path("closures/", views.ClosureListView.as_view(), name="closure_list"),
    path("escalations/", views.EscalationListView.as_view(), name="escalation_list"),
    path("new/", views.HazardRegisterView.as_view(), name="hazard_create"),
    path("<int:pk>/", views.HazardDetailView.as_view(), name="hazard_detail"),
    path("<int:pk>/step/<slug:name>/", views.HazardStepView.as_view(), name="hazard_step"),
    path(
        "<int:pk>/interview/<int:step_pk>/",
        interview_views.InterviewScheduleView.as_view(),
        name="interview_schedule",
    ),
    path("<int:pk>/attachments/", views.AttachmentUploadView.as_view(), name="attachment_upload"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path("rules/", rules.RulesView.as_view(), name="rules"),
    path("rules/<slug:kind>/<int:pk>/", rules.RuleEditView.as_view(), name="rule_edit"),
]
urlpatterns += urls_exchange.urlpatterns
urlpatterns += urls_stats.urlpatterns
