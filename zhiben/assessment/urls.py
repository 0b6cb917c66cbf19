"""Pages of the assessment (季度考核): ranking, results, 申诉, schemes, 约谈."""

from django.urls import URLPattern, path

from . import views

app_name = "assessment"

urlpatterns: list[URLPattern] = [
    path("", views.RankingView.as_view(), name="ranking"),
    path(
        "assessments/<int:pk>/step/<slug:name>/", views.AssessmentStepView.as_view(), name="assessment_step"
    ),
    path("results/<int:pk>/", views.ResultDetailView.as_view(), name="result_detail"),
    path("results/<int:pk>/appeal/", views.AppealCreateView.as_view(), name="appeal_create"),
    path("appeals/", views.AppealListView.as_view(), name="appeal_list"),
    path("appeals/<int:pk>/", views.AppealDetailView.as_view(), name="appeal_detail"),
    path("appeals/<int:pk>/step/<slug:name>/", views.AppealStepView.as_view(), name="appeal_step"),
    path("schemes/", views.SchemeListView.as_view(), name="scheme_list"),
    path("schemes/<int:pk>/", views.SchemeDetailView.as_view(), name="scheme_detail"),
    path("interviews/", views.InterviewListView.as_view(), name="interview_list"),
    path("interviews/<int:pk>/", views.InterviewDetailView.as_view(), name="interview_detail"),
    path("interviews/<int:pk>/step/<slug:name>/", views.InterviewStepView.as_view(), name="interview_step"),
]
