"""Pages of 督办交办 and 暗访."""

from django.urls import URLPattern, path

from . import views

app_name = "supervision"

urlpatterns: list[URLPattern] = [
    path("", views.ItemListView.as_view(), name="item_list"),
    path("new/", views.ItemCreateView.as_view(), name="item_create"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="item_detail"),
    path("assignees/<int:pk>/step/<slug:name>/", views.AssigneeStepView.as_view(), name="assignee_step"),
    path("assignees/<int:pk>/letter/", views.LetterView.as_view(), name="letter"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path("visits/", views.VisitListView.as_view(), name="visit_list"),
    path("visits/new/", views.VisitCreateView.as_view(), name="visit_create"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("findings/<int:pk>/hazard/", views.FindingHazardView.as_view(), name="finding_hazard"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
]
