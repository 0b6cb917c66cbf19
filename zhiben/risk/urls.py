"""Pages of 双重预防 (风险分级) and 一会三卡."""

from django.urls import URLPattern, path

from . import views

app_name = "risk"

urlpatterns: list[URLPattern] = [
    path("", views.PointListView.as_view(), name="point_list"),
    path("new/", views.PointCreateView.as_view(), name="point_create"),
    path("points/<int:pk>/", views.PointDetailView.as_view(), name="point_detail"),
    path("points/<int:pk>/edit/", views.PointEditView.as_view(), name="point_edit"),
    path("points/<int:pk>/step/<slug:name>/", views.PointStepView.as_view(), name="point_step"),
    path("points/<int:pk>/qr.svg", views.PointQrView.as_view(), name="point_qr"),
    path("points/<int:pk>/card/", views.PointCardView.as_view(), name="point_card"),
    path("points/<int:pk>/patrol/", views.PatrolView.as_view(), name="patrol"),
    path("points/<int:pk>/zone/", views.ZoneView.as_view(), name="zone"),
    path("units/<int:pk>/map/", views.MapView.as_view(), name="map"),
    path("plans/<int:pk>/", views.PlanImageView.as_view(), name="plan_image"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("major/", views.MajorListView.as_view(), name="major_list"),
    path("tables/", views.TableListView.as_view(), name="table_list"),
    path("tables/new/", views.TableCreateView.as_view(), name="table_create"),
    path("tables/adopt/", views.AdoptView.as_view(), name="table_adopt"),
    path("cards/", views.CardIndexView.as_view(), name="card_index"),
    path("cards/units/<int:pk>/", views.CardUnitView.as_view(), name="card_unit"),
    path("cards/units/<int:pk>/meeting/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path("cards/posts/<int:pk>/", views.PostDetailView.as_view(), name="post_detail"),
    path("cards/posts/<int:pk>/check/", views.CheckCreateView.as_view(), name="check_create"),
    path("cards/posts/<int:pk>/emergency/", views.EmergencyCardView.as_view(), name="emergency_card"),
    path("permits/", views.PermitListView.as_view(), name="permit_list"),
    path("permits/new/", views.PermitCreateView.as_view(), name="permit_create"),
    path("permits/<int:pk>/", views.PermitDetailView.as_view(), name="permit_detail"),
    path("permits/<int:pk>/step/<slug:name>/", views.PermitStepView.as_view(), name="permit_step"),
]
