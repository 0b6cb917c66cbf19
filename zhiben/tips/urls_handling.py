"""Pages: handling (see urls.py): the handlers' list, a tip's page, its steps, its attachments' working copies."""

from django.urls import path

from .views import handling

urlpatterns: list = [
    path("manage/", handling.TipListView.as_view(), name="manage"),
    path("manage/<int:pk>/", handling.TipDetailView.as_view(), name="detail"),
    path("manage/<int:pk>/step/<slug:name>/", handling.TipStepView.as_view(), name="step"),
    path(
        "manage/<int:pk>/attachments/<int:attachment>/",
        handling.TipAttachmentView.as_view(),
        name="attachment_working",
    ),
]
