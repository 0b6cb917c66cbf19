from django.urls import path

from . import imports, views

app_name = "registry"

urlpatterns = [
    path("enterprises/", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("enterprises/<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("enterprises/new/", views.EnterpriseEditView.as_view(), name="enterprise_create"),
    path("enterprises/<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="enterprise_edit"),
    path("enterprises/import/", imports.EnterpriseImportView.as_view(), name="enterprise_import"),
    path(
        "enterprises/import/template/",
        imports.EnterpriseImportTemplateView.as_view(),
        name="enterprise_import_template",
    ),
    path(
        "enterprises/import/<uuid:token>/errors/",
        imports.EnterpriseImportErrorsView.as_view(),
        name="enterprise_import_errors",
    ),
    path(
        "enterprises/import/<uuid:token>/",
        imports.EnterpriseImportStatusView.as_view(),
        name="enterprise_import_status",
    ),
    path("regions/", views.RegionListView.as_view(), name="region_list"),
    path("regions/<int:pk>/", views.RegionDetailView.as_view(), name="region_detail"),
    path("industries/", views.IndustryListView.as_view(), name="industry_list"),
    path("industries/<int:pk>/", views.IndustryDetailView.as_view(), name="industry_detail"),
    path("departments/", views.DepartmentListView.as_view(), name="department_list"),
    path("departments/<int:pk>/", views.DepartmentDetailView.as_view(), name="department_detail"),
    path("responsibilities/", views.ResponsibilityListView.as_view(), name="responsibility_list"),
    path(
        "responsibilities/<int:pk>/", views.ResponsibilityDetailView.as_view(), name="responsibility_detail"
    ),
]
