"""Pages of the accident register: the list, 登记, an accident and its steps, statistics, 责任倒查."""

from django.urls import URLPattern, path

from . import views

app_name = "accidents"

urlpatterns: list[URLPattern] = [
    path("", views.AccidentListView.as_view(), name="accident_list"),
    path("new/", views.AccidentCreateView.as_view(), name="accident_create"),
    path("stats/", views.StatsView.as_view(), name="accident_stats"),
    path("<int:pk>/", views.AccidentDetailView.as_view(), name="accident_detail"),
    path("<int:pk>/step/<slug:name>/", views.AccidentStepView.as_view(), name="accident_step"),
    path("<int:pk>/lookback/", views.AccidentLookbackView.as_view(), name="accident_lookback"),
    path("hazards/<int:pk>/lookback/", views.HazardLookbackView.as_view(), name="hazard_lookback"),
]
