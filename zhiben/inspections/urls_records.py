"""URL routes of the records pages (included by urls.py under the inspections namespace)."""

from django.urls import URLPattern, path

from . import views_records as v
from . import views_roster as r

urlpatterns: list[URLPattern] = [
    path("", v.InspectionListView.as_view(), name="inspection_list"),
    path("mine/", v.MyInspectionsView.as_view(), name="my_inspections"),
    path("new/", v.InspectionCreateView.as_view(), name="inspection_create"),
    path("<int:pk>/", v.InspectionDetailView.as_view(), name="inspection_detail"),
    path("<int:pk>/start/", v.InspectionStartView.as_view(), name="inspection_start"),
    path("<int:pk>/items/<int:item_pk>/answer/", v.AnswerView.as_view(), name="inspection_answer"),
    path("<int:pk>/findings/new/", v.FindingCreateView.as_view(), name="finding_create"),
    path("<int:pk>/complete/", v.InspectionStepView.as_view(step="complete"), name="inspection_complete"),
    path("<int:pk>/cancel/", v.InspectionStepView.as_view(step="cancel"), name="inspection_cancel"),
    path("<int:pk>/photos/", v.PhotoUploadView.as_view(), name="inspection_photo_upload"),
    path("inspectors/", r.InspectorListView.as_view(), name="inspector_list"),
    path("inspectors/new/", r.InspectorEditView.as_view(), name="inspector_create"),
    path("inspectors/<int:pk>/", r.InspectorDetailView.as_view(), name="inspector_detail"),
    path("inspectors/<int:pk>/edit/", r.InspectorEditView.as_view(), name="inspector_edit"),
    path("inspectors/<int:pk>/conflicts/new/", r.ConflictCreateView.as_view(), name="conflict_create"),
    path("conflicts/<int:pk>/withdraw/", r.ConflictWithdrawView.as_view(), name="conflict_withdraw"),
]
