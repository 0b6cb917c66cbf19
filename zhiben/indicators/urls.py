"""指标库 pages (included under /indicators/)."""

from django.urls import URLPattern, path

from . import compare, views

app_name = "indicators"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("compare/", compare.compare, name="compare"),
    path("<str:indicator_id>/", views.detail, name="detail"),
    path("<str:indicator_id>/records/", views.records, name="records"),
]
