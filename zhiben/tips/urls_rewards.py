"""Pages: rewards (see urls.py); /tips/claim/ is public (no login)."""

from django.urls import path

from .views import rewards as views

urlpatterns = [
    path("rewards/", views.RewardListView.as_view(), name="reward_list"),
    path("rewards/new/", views.RewardProposeView.as_view(), name="reward_propose"),
    path("rewards/calculator/", views.CalculatorView.as_view(), name="reward_calculator"),
    path("rewards/rules/", views.RuleListView.as_view(), name="reward_rules"),
    path("rewards/rules/<int:pk>/edit/", views.RuleEditView.as_view(), name="reward_rule_edit"),
    path("rewards/<int:pk>/", views.RewardDetailView.as_view(), name="reward_detail"),
    path("rewards/<int:pk>/step/<slug:name>/", views.RewardStepView.as_view(), name="reward_step"),
    path("claim/", views.PublicClaimView.as_view(), name="claim"),
]
