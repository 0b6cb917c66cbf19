"""Pages: the identity vault (see urls.py)."""

from django.urls import path

from .views import vault as views

urlpatterns = [
    path("vault/", views.VaultIndexView.as_view(), name="vault"),
    path("vault/tips/<int:pk>/", views.VaultTipView.as_view(), name="vault_tip"),
    path("vault/tips/<int:pk>/request/", views.RequestCreateView.as_view(), name="vault_request_create"),
    path(
        "vault/attachments/<int:pk>/original/",
        views.OriginalAttachmentView.as_view(),
        name="vault_attachment_original",
    ),
    path("vault/requests/<int:pk>/", views.RequestDetailView.as_view(), name="vault_request"),
    path(
        "vault/requests/<int:pk>/step/<slug:name>/",
        views.RequestStepView.as_view(),
        name="vault_request_step",
    ),
]
