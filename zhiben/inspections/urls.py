"""Pages of inspections: records and inspectors, self-inspection duties, plans, caps and 双随机 draws.

The `public/` routes are open to anonymous visitors (一公开).
"""

from django.urls import URLPattern, path

from .views import draws, duties, photos, plans, public, records, roster

app_name = "inspections"

urlpatterns: list[URLPattern] = [
    # Inspection records and the roster of inspectors.
    path("", records.InspectionListView.as_view(), name="inspection_list"),
    path("mine/", records.MyInspectionsView.as_view(), name="my_inspections"),
    path("new/", records.InspectionCreateView.as_view(), name="inspection_create"),
    path("<int:pk>/", records.InspectionDetailView.as_view(), name="inspection_detail"),
    path("<int:pk>/start/", records.InspectionStartView.as_view(), name="inspection_start"),
    path("<int:pk>/items/<int:item_pk>/answer/", records.AnswerView.as_view(), name="inspection_answer"),
    path("<int:pk>/findings/new/", records.FindingCreateView.as_view(), name="finding_create"),
    path(
        "<int:pk>/complete/", records.InspectionStepView.as_view(step="complete"), name="inspection_complete"
    ),
    path("<int:pk>/cancel/", records.InspectionStepView.as_view(step="cancel"), name="inspection_cancel"),
    path("<int:pk>/photos/", records.PhotoUploadView.as_view(), name="inspection_photo_upload"),
    path("inspectors/", roster.InspectorListView.as_view(), name="inspector_list"),
    path("inspectors/new/", roster.InspectorEditView.as_view(), name="inspector_create"),
    path("inspectors/<int:pk>/", roster.InspectorDetailView.as_view(), name="inspector_detail"),
    path("inspectors/<int:pk>/edit/", roster.InspectorEditView.as_view(), name="inspector_edit"),
    path("inspectors/<int:pk>/conflicts/new/", roster.ConflictCreateView.as_view(), name="conflict_create"),
    path("conflicts/<int:pk>/withdraw/", roster.ConflictWithdrawView.as_view(), name="conflict_withdraw"),
    # Self-inspection duties.
    path("duties/", duties.DutyMineView.as_view(), name="duty_mine"),
    path("duties/missed/", duties.MissedListView.as_view(), name="duty_missed"),
    path("duties/occurrences/", duties.DutyOccurrenceListView.as_view(), name="duty_occurrence_list"),
    path(
        "duties/occurrences/<int:pk>/",
        duties.DutyOccurrenceDetailView.as_view(),
        name="duty_occurrence_detail",
    ),
    path("duties/rules/", duties.DutyRulesView.as_view(), name="duty_rules"),
    path("duties/rules/<int:pk>/edit/", duties.DutyRuleEditView.as_view(), name="duty_rule_edit"),
    path("duties/high-risk-industries/", duties.HighRiskIndustriesView.as_view(), name="duty_high_risk"),
    path(
        "duties/high-risk-industries/<int:pk>/",
        duties.HighRiskIndustryToggleView.as_view(),
        name="duty_high_risk_toggle",
    ),
    path("self-checks/", duties.SelfCheckListView.as_view(), name="selfcheck_list"),
    path("self-checks/new/", duties.SelfCheckCreateView.as_view(), name="selfcheck_create"),
    path("self-checks/<int:pk>/", duties.SelfCheckDetailView.as_view(), name="selfcheck_detail"),
    path("photos/<int:pk>/", photos.PhotoView.as_view(), name="photo"),
    # Plans, caps, cap exceptions and 双随机 draws.
    path("plans/", plans.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", plans.PlanEditView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", plans.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.PlanEditView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/submit/", plans.PlanSubmitView.as_view(), name="plan_submit"),
    path("plans/<int:pk>/review/", plans.PlanReviewView.as_view(), name="plan_review"),
    path("plans/<int:pk>/public/", plans.PlanPublicView.as_view(), name="plan_public"),
    path("plans/<int:pk>/units/new/", plans.PlanUnitAddView.as_view(), name="plan_unit_add"),
    path("plans/units/<int:pk>/remove/", plans.PlanUnitRemoveView.as_view(), name="plan_unit_remove"),
    path("caps/", plans.CapListView.as_view(), name="cap_list"),
    path("caps/new/", plans.CapEditView.as_view(), name="cap_create"),
    path("caps/<int:pk>/", plans.CapEditView.as_view(), name="cap_edit"),
    path("caps/<int:pk>/delete/", plans.CapDeleteView.as_view(), name="cap_delete"),
    path("cap-exceptions/", plans.CapExceptionListView.as_view(), name="cap_exception_list"),
    path("cap-exceptions/new/", plans.CapExceptionCreateView.as_view(), name="cap_exception_create"),
    path("cap-exceptions/<int:pk>/", plans.CapExceptionDetailView.as_view(), name="cap_exception_detail"),
    path("draws/", draws.DrawListView.as_view(), name="draw_list"),
    path("draws/new/", draws.DrawCreateView.as_view(), name="draw_create"),
    path("draws/pool/", draws.DrawPoolPreviewView.as_view(), name="draw_pool"),
    path("draws/<int:pk>/", draws.DrawDetailView.as_view(), name="draw_detail"),
    path("draws/<int:pk>/edit/", draws.DrawCreateView.as_view(), name="draw_edit"),
    path("draws/<int:pk>/inputs.json", draws.DrawInputsView.as_view(), name="draw_inputs"),
    path("draws/<int:pk>/commit/", draws.DrawStepView.as_view(step="commit"), name="draw_commit"),
    path("draws/<int:pk>/perform/", draws.DrawStepView.as_view(step="perform"), name="draw_perform"),
    path("draws/<int:pk>/publish/", draws.DrawStepView.as_view(step="publish"), name="draw_publish"),
    path("draws/<int:pk>/redraw/", draws.DrawRedrawView.as_view(), name="draw_redraw"),
    # 一公开: anonymous, no login.
    path("public/", public.PublicIndexView.as_view(), name="public_index"),
    path("public/plans/<int:pk>/", public.PublicPlanView.as_view(), name="public_plan"),
    path("public/draws/<int:pk>/", public.PublicDrawView.as_view(), name="public_draw"),
    path(
        "public/draws/<int:pk>/inputs.json",
        public.PublicDrawInputsView.as_view(),
        name="public_draw_inputs",
    ),
    path("public/draw-algorithm/", public.PublicAlgorithmView.as_view(), name="public_algorithm"),
]
