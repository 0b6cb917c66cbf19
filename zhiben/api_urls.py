"""Every API route under /api/v1/: one router, each app registers its viewsets in its api.py (enforcement in
two: cases, then 打非治违 and the Art 113 proposals, which build on the case API)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from zhiben.accidents.api import register as register_accidents
from zhiben.accounts.api_views import obtain_token
from zhiben.assessment.api import register as register_assessment
from zhiben.campaign.api import register as register_campaign
from zhiben.enforcement.api import register as register_enforcement
from zhiben.enforcement.api_operations import register as register_enforcement_operations
from zhiben.hazards.api import register as register_hazards
from zhiben.indicators.api import register as register_indicators
from zhiben.inspections.api import register as register_inspections
from zhiben.monitoring.api import register as register_monitoring
from zhiben.oversight.api import register as register_oversight
from zhiben.registry.api import register as register_registry
from zhiben.risk.api import AssessView
from zhiben.risk.api import register as register_risk
from zhiben.sourcecontrol.api import register as register_sourcecontrol
from zhiben.standards.api import register as register_standards
from zhiben.supervision.api import register as register_supervision
from zhiben.tips.api import register as register_tips
from zhiben.tips.api import urlpatterns as tips_paths
from zhiben.training.api import register as register_training

router = DefaultRouter()
register_registry(router)
register_standards(router)
register_hazards(router)
register_inspections(router)
register_enforcement(router)
register_enforcement_operations(router)
register_tips(router)
register_indicators(router)
register_campaign(router)
register_accidents(router)
register_supervision(router)
register_oversight(router)
register_assessment(router)
register_monitoring(router)
register_risk(router)
register_sourcecontrol(router)
register_training(router)

urlpatterns = [
    path("auth/token/", obtain_token, name="api-token"),
    *tips_paths,
    path("risk/assess/", AssessView.as_view(), name="risk-assess"),
    *router.urls,
]
