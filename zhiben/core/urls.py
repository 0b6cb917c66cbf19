from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("modules/<slug:key>/", views.PlannedModuleView.as_view(), name="planned"),
]
