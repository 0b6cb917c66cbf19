"""Pages of 监测预警."""

from django.urls import URLPattern, path

from . import views

app_name = "monitoring"

urlpatterns: list[URLPattern] = [
    path("", views.HomeView.as_view(), name="home"),
    path("enterprises/<int:pk>/", views.PanelView.as_view(), name="panel"),
    path("devices/", views.DeviceListView.as_view(), name="device_list"),
    path("devices/new/", views.DeviceCreateView.as_view(), name="device_create"),
    path("devices/<int:pk>/", views.DeviceDetailView.as_view(), name="device_detail"),
    path("devices/<int:pk>/edit/", views.DeviceEditView.as_view(), name="device_edit"),
    path("devices/<int:pk>/secret/", views.DeviceSecretView.as_view(), name="device_secret"),
    path("alarms/", views.AlarmListView.as_view(), name="alarm_list"),
    path("alarms/<int:pk>/", views.AlarmDetailView.as_view(), name="alarm_detail"),
    path("alarms/<int:pk>/step/<slug:name>/", views.AlarmStepView.as_view(), name="alarm_step"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/step/<slug:name>/", views.TaskStepView.as_view(), name="task_step"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
]
