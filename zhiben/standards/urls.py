from django.urls import path

from . import views, views_checklists

app_name = "standards"

urlpatterns = [
    path("", views.StandardListView.as_view(), name="standard_list"),
    path("<int:pk>/", views.StandardDetailView.as_view(), name="standard_detail"),
    path("waiting/", views.WaitingListView.as_view(), name="waiting_list"),
    path("<int:standard_pk>/versions/new/", views.VersionCreateView.as_view(), name="version_create"),
    path("versions/<int:pk>/", views.VersionDetailView.as_view(), name="version_detail"),
    path("versions/<int:pk>/edit/", views.VersionEditView.as_view(), name="version_edit"),
    path(
        "versions/<int:standard_version_pk>/clauses/new/",
        views.ClauseCreateView.as_view(),
        name="clause_create",
    ),
    path("clauses/", views.ClauseListView.as_view(), name="clause_list"),
    path("clauses/lookup/", views.ClauseLookupView.as_view(), name="clause_lookup"),
    path("clauses/<int:pk>/", views.ClauseDetailView.as_view(), name="clause_detail"),
    path("clauses/<int:pk>/edit/", views.ClauseEditView.as_view(), name="clause_edit"),
    *views_checklists.urlpatterns,
]
