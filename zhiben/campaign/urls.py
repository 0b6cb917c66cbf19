"""Pages of the campaign (治本攻坚): the plan, measures, tasks and their steps, files, the registers."""

from django.urls import URLPattern, path

from . import screen, views

app_name = "campaign"

urlpatterns: list[URLPattern] = [
    path("", views.PlanView.as_view(), name="plan"),
    path("measures/<int:pk>/", views.MeasureDetailView.as_view(), name="measure_detail"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/step/<slug:name>/", views.TaskStepView.as_view(), name="task_step"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path("subplans/<int:pk>/file/", views.SubPlanFileView.as_view(), name="subplan_file"),
    path("screen/", screen.ScreenView.as_view(), name="screen"),
    path("registers/", views.RegisterListView.as_view(), name="register_list"),
    path("registers/new/", views.EntryCreateView.as_view(), name="entry_create"),
    path("registers/<int:pk>/evidence/", views.EntryEvidenceView.as_view(), name="entry_evidence"),
]
