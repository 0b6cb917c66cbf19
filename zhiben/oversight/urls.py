"""Pages of 考核督办: the duty and task lists, their items and steps, the 通报 and reports."""

from django.urls import URLPattern, path

from . import views

app_name = "oversight"

urlpatterns: list[URLPattern] = [
    path("lists/", views.ListView.as_view(), name="lists"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="item_detail"),
    path("items/<int:pk>/edit/", views.ItemEditView.as_view(), name="item_edit"),
    path("items/<int:pk>/step/<slug:name>/", views.ItemStepView.as_view(), name="item_step"),
    path("bulletins/", views.BulletinListView.as_view(), name="bulletin_list"),
    path("bulletins/new/", views.BulletinCreateView.as_view(), name="bulletin_create"),
    path("bulletins/<int:pk>/", views.BulletinDetailView.as_view(), name="bulletin_detail"),
    path("bulletins/<int:pk>/step/<slug:name>/", views.BulletinStepView.as_view(), name="bulletin_step"),
]
