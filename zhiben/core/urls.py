from django.urls import path

from . import document_views, views

app_name = "core"

urlpatterns = [
    path("modules/<slug:key>/", views.PlannedModuleView.as_view(), name="planned"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox_read"),
]
urlpatterns += document_views.urlpatterns
