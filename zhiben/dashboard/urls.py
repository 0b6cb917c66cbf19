from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "dashboard/industry-distribution.xlsx",
        views.industry_distribution_export,
        name="industry_distribution_export",
    ),
]
