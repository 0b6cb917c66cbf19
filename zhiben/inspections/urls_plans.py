"""URL routes of plans, caps, cap exceptions, 双随机 draws and the public pages (included by urls.py under the
inspections namespace). The `public/` routes are open to anonymous visitors (一公开)."""

from django.urls import URLPattern, path

from . import views_draws, views_plans, views_public

urlpatterns: list[URLPattern] = [
    path("plans/", views_plans.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views_plans.PlanEditView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views_plans.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", views_plans.PlanEditView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/submit/", views_plans.PlanSubmitView.as_view(), name="plan_submit"),
    path("plans/<int:pk>/review/", views_plans.PlanReviewView.as_view(), name="plan_review"),
    path("plans/<int:pk>/public/", views_plans.PlanPublicView.as_view(), name="plan_public"),
    path("plans/<int:pk>/units/new/", views_plans.PlanUnitAddView.as_view(), name="plan_unit_add"),
    path("plans/units/<int:pk>/remove/", views_plans.PlanUnitRemoveView.as_view(), name="plan_unit_remove"),
    path("caps/", views_plans.CapListView.as_view(), name="cap_list"),
    path("caps/new/", views_plans.CapEditView.as_view(), name="cap_create"),
    path("caps/<int:pk>/", views_plans.CapEditView.as_view(), name="cap_edit"),
    path("caps/<int:pk>/delete/", views_plans.CapDeleteView.as_view(), name="cap_delete"),
    path("cap-exceptions/", views_plans.CapExceptionListView.as_view(), name="cap_exception_list"),
    path("cap-exceptions/new/", views_plans.CapExceptionCreateView.as_view(), name="cap_exception_create"),
    path(
        "cap-exceptions/<int:pk>/", views_plans.CapExceptionDetailView.as_view(), name="cap_exception_detail"
    ),
    path("draws/", views_draws.DrawListView.as_view(), name="draw_list"),
    path("draws/new/", views_draws.DrawCreateView.as_view(), name="draw_create"),
    path("draws/pool/", views_draws.DrawPoolPreviewView.as_view(), name="draw_pool"),
    path("draws/<int:pk>/", views_draws.DrawDetailView.as_view(), name="draw_detail"),
    path("draws/<int:pk>/edit/", views_draws.DrawCreateView.as_view(), name="draw_edit"),
    path("draws/<int:pk>/inputs.json", views_draws.DrawInputsView.as_view(), name="draw_inputs"),
    path("draws/<int:pk>/commit/", views_draws.DrawStepView.as_view(step="commit"), name="draw_commit"),
    path("draws/<int:pk>/perform/", views_draws.DrawStepView.as_view(step="perform"), name="draw_perform"),
    path("draws/<int:pk>/publish/", views_draws.DrawStepView.as_view(step="publish"), name="draw_publish"),
    path("draws/<int:pk>/redraw/", views_draws.DrawRedrawView.as_view(), name="draw_redraw"),
    # 一公开: anonymous, no login.
    path("public/", views_public.PublicIndexView.as_view(), name="public_index"),
    path("public/plans/<int:pk>/", views_public.PublicPlanView.as_view(), name="public_plan"),
    path("public/draws/<int:pk>/", views_public.PublicDrawView.as_view(), name="public_draw"),
    path(
        "public/draws/<int:pk>/inputs.json",
        views_public.PublicDrawInputsView.as_view(),
        name="public_draw_inputs",
    ),
    path("public/draw-algorithm/", views_public.PublicAlgorithmView.as_view(), name="public_algorithm"),
]
