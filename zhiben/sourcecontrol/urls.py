from django.urls import path

from . import views

app_name = "sourcecontrol"

urlpatterns = [
    path("standardisation/", views.CertificateListView.as_view(), name="certificate_list"),
    path("standardisation/new/", views.CertificateCreateView.as_view(), name="certificate_create"),
    path("standardisation/<int:pk>/", views.CertificateDetailView.as_view(), name="certificate_detail"),
    path("fees/", views.FeeHomeView.as_view(), name="fees"),
    path("fees/accounts/", views.FeeAccountListView.as_view(), name="fee_account_list"),
    path("fees/accounts/new/", views.FeeAccountCreateView.as_view(), name="fee_account_create"),
    path("fees/accounts/<int:pk>/", views.FeeAccountDetailView.as_view(), name="fee_account_detail"),
    path("fees/accounts/<int:pk>/spend/", views.FeeSpendView.as_view(), name="fee_spend"),
    path("construction/", views.ConstructionListView.as_view(), name="construction_list"),
    path("construction/new/", views.ConstructionCreateView.as_view(), name="construction_create"),
    path("construction/<int:pk>/", views.ConstructionDetailView.as_view(), name="construction_detail"),
    path("construction/<int:pk>/pay/", views.ConstructionPayView.as_view(), name="construction_pay"),
    path("projects/", views.ProjectListView.as_view(), name="project_list"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="project_create"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("projects/<int:pk>/documents/<int:doc>/", views.StageDocumentView.as_view(), name="stage_document"),
    path("projects/<int:pk>/<str:name>/", views.ProjectStepView.as_view(), name="project_step"),
    path("catalogue/", views.CatalogueView.as_view(), name="catalogue"),
    path("phase-out/", views.PhaseOutListView.as_view(), name="phaseout_list"),
    path("phase-out/new/", views.PhaseOutCreateView.as_view(), name="phaseout_create"),
    path("phase-out/<int:pk>/", views.PhaseOutDetailView.as_view(), name="phaseout_detail"),
    path("phase-out/<int:pk>/<str:name>/", views.PhaseOutStepView.as_view(), name="phaseout_step"),
]
