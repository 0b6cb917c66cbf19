"""Pages of 培训演练."""

from django.urls import URLPattern, path

from . import views

app_name = "training"

urlpatterns: list[URLPattern] = [
    path("", views.SessionListView.as_view(), name="session_list"),
    path("sessions/new/", views.SessionEditView.as_view(), name="session_create"),
    path("sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session_detail"),
    path("sessions/<int:pk>/edit/", views.SessionEditView.as_view(), name="session_edit"),
    path("sessions/<int:pk>/step/<slug:name>/", views.SessionStepView.as_view(), name="session_step"),
    path("sessions/<int:pk>/exam/", views.ExamView.as_view(), name="session_exam"),
    path("sessions/<int:pk>/sign/", views.ManualSignInView.as_view(), name="session_sign"),
    path("s/<str:token>/", views.SignInView.as_view(), name="signin"),
    path("gaps/", views.GapsView.as_view(), name="gaps"),
    path("rules/", views.RulesView.as_view(), name="rules"),
    path("certificates/", views.CertificateListView.as_view(), name="certificate_list"),
    path("certificates/new/", views.CertificateEditView.as_view(), name="certificate_create"),
    path("certificates/<int:pk>/", views.CertificateDetailView.as_view(), name="certificate_detail"),
    path("certificates/<int:pk>/edit/", views.CertificateEditView.as_view(), name="certificate_edit"),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("drills/", views.DrillListView.as_view(), name="drill_list"),
    path("drills/due/", views.DrillsDueView.as_view(), name="drills_due"),
    path("drills/new/", views.DrillEditView.as_view(), name="drill_create"),
    path("drills/held/", views.DrillHeldView.as_view(), name="drill_held"),
    path("drills/<int:pk>/", views.DrillDetailView.as_view(), name="drill_detail"),
    path("drills/<int:pk>/edit/", views.DrillEditView.as_view(), name="drill_edit"),
    path("drills/<int:pk>/step/<slug:name>/", views.DrillStepView.as_view(), name="drill_step"),
    path("drills/<int:pk>/photos/", views.DrillPhotoUploadView.as_view(), name="drill_photo_upload"),
    path("drill-photos/<int:pk>/", views.DrillPhotoView.as_view(), name="drill_photo"),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views.PlanEditView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", views.PlanEditView.as_view(), name="plan_edit"),
    path("teams/", views.TeamListView.as_view(), name="team_list"),
    path("teams/new/", views.TeamEditView.as_view(), name="team_create"),
    path("teams/<int:pk>/", views.TeamDetailView.as_view(), name="team_detail"),
    path("teams/<int:pk>/edit/", views.TeamEditView.as_view(), name="team_edit"),
    path("teams/<int:pk>/members/", views.MemberAddView.as_view(), name="team_member_add"),
    path("supplies/", views.SupplyListView.as_view(), name="supply_list"),
    path("supplies/new/", views.SupplyEditView.as_view(), name="supply_create"),
    path("supplies/<int:pk>/", views.SupplyDetailView.as_view(), name="supply_detail"),
    path("supplies/<int:pk>/edit/", views.SupplyEditView.as_view(), name="supply_edit"),
    path("resources/", views.ResourcesView.as_view(), name="resources"),
    path("publicity/", views.PublicityListView.as_view(), name="publicity_list"),
    path("publicity/new/", views.PublicityEditView.as_view(), name="publicity_create"),
    path("publicity/<int:pk>/", views.PublicityDetailView.as_view(), name="publicity_detail"),
    path("publicity/<int:pk>/edit/", views.PublicityEditView.as_view(), name="publicity_edit"),
]
