"""Pages of enforcement: cases, measures, the discretion benchmark, 提请关闭, 打非治违, statistics."""

from django.urls import URLPattern, URLResolver, path

from . import urls_stats, views, views_operations

app_name = "enforcement"

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/new/", views.CaseCreateView.as_view(), name="case_create"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/step/<slug:name>/", views.CaseStepView.as_view(), name="case_step"),
    path("discretion/", views.DiscretionListView.as_view(), name="discretion_list"),
    path("discretion/<int:pk>/edit/", views.DiscretionEditView.as_view(), name="discretion_edit"),
    path("closures/", views.ProposalListView.as_view(), name="proposal_list"),
    path("closures/<int:pk>/", views.ProposalDetailView.as_view(), name="proposal_detail"),
    path("closures/<int:pk>/step/<slug:name>/", views.ProposalStepView.as_view(), name="proposal_step"),
    path("operations/", views_operations.OperationListView.as_view(), name="operation_list"),
    path("operations/new/", views_operations.OperationEditView.as_view(), name="operation_create"),
    path("operations/<int:pk>/", views_operations.OperationDetailView.as_view(), name="operation_detail"),
    path("operations/<int:pk>/edit/", views_operations.OperationEditView.as_view(), name="operation_edit"),
    path(
        "operations/<int:pk>/step/<slug:name>/",
        views_operations.OperationStepView.as_view(),
        name="operation_step",
    ),
    path(
        "operations/<int:pk>/evidence/",
        views_operations.EvidenceUploadView.as_view(),
        name="evidence_upload",
    ),
    path("evidence/<int:pk>/", views_operations.EvidenceDownloadView.as_view(), name="evidence"),
]
urlpatterns += urls_stats.urlpatterns
