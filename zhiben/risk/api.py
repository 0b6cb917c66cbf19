"""双重预防 API:

POST /api/v1/risk/assess/        the calculator: {"method": "LEC", "L": 6, "E": 6, "C": 15} (or LS with L, S;
                                 optional "enterprise": id, whose region's table is used) → {"score", "level",
                                 "colour", "table"}; a value off the scale is a Chinese 400
GET  /api/v1/risk-points/        risk points in the reader's scope (?level=&status=&kind=&enterprise=)
POST /api/v1/risk-points/{id}/assess/   风险评估 (core.loop.api.install_steps; a stale version is a 409)
GET  /api/v1/work-permits/       动工卡 in scope; POST /{id}/confirm/ 确认动工, /{id}/finish/ 完工
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhiben.core.api import ScopedViewSet, error_responses
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.core.loop.api import install_steps
from zhiben.core.scoping import can
from zhiben.registry.models import Enterprise

from . import grading, services
from .choices import Method
from .filtersets import PermitFilterSet, PointFilterSet
from .models import RiskPoint, WorkPermit
from .steps import PERMIT_FLOW, POINT_FLOW


class AssessInputSerializer(BoundedSerializer):
    method = serializers.ChoiceField(
        choices=Method.choices, error_messages={"invalid_choice": "评价方法应为 LEC 或 LS。"}
    )
    L = serializers.CharField(max_length=12)
    E = serializers.CharField(max_length=12, required=False)
    C = serializers.CharField(max_length=12, required=False)
    S = serializers.CharField(max_length=12, required=False)
    enterprise = serializers.IntegerField(required=False, min_value=1)

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "items"):  # numbers as JSON numbers or text alike
            data = {
                k: (
                    str(v)
                    if isinstance(v, int | float) and not isinstance(v, bool) and k != "enterprise"
                    else v
                )
                for k, v in data.items()
            }
        return super().to_internal_value(data)


class AssessOutputSerializer(BoundedSerializer):
    score = serializers.CharField()
    level = serializers.CharField()
    colour = serializers.CharField()
    table = serializers.CharField()


class AssessView(APIView):
    """LEC or LS: the score, level and colour by the band table of the unit's region (or the default)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="风险评估计算（LEC / LS）",
        request=AssessInputSerializer,
        responses={200: AssessOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        if not can(request.user, "view", RiskPoint):
            return Response({"detail": "您无权使用风险评估。"}, status=403)
        body = AssessInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        region = None
        if data.get("enterprise"):
            unit = Enterprise.objects.restrict(request.user, "view").filter(pk=data["enterprise"]).first()
            if unit is None:
                return Response({"detail": "该单位不存在或不在您的职责范围内。"}, status=404)
            region = unit.region
        try:
            result = services.calculate(data["method"], dict(data), region)
        except ValidationError as exc:
            return Response(exc.message_dict, status=400)
        return Response(
            {
                "score": grading.plain(result["score"]),
                "level": result["level"],
                "colour": result["colour"],
                "table": result["table"],
            }
        )


class RiskPointSerializer(BoundedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    colour = serializers.CharField(read_only=True)

    class Meta:
        model = RiskPoint
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "kind",
            "name",
            "location",
            "factors",
            "controls",
            "responsible_level",
            "responsible_person",
            "status",
            "level",
            "colour",
            "score",
            "assessed_on",
            "version",
        ]
        read_only_fields = fields


class RiskPointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """风险点 in the reader's scope."""

    queryset = RiskPoint.objects.select_related("enterprise")
    serializer_class = RiskPointSerializer
    filterset_class = PointFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("enterprise_id", "name", "pk")


class WorkPermitSerializer(BoundedModelSerializer):
    class Meta:
        model = WorkPermit
        fields = [
            "id",
            "enterprise",
            "number",
            "kind",
            "location",
            "description",
            "work_on",
            "measures",
            "status",
            "confirmed_at",
            "finished_at",
            "version",
        ]
        read_only_fields = fields


class WorkPermitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """动工卡 in the reader's scope, with their steps."""

    queryset = WorkPermit.objects.all()
    serializer_class = WorkPermitSerializer
    filterset_class = PermitFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-work_on", "-pk")


install_steps(RiskPointViewSet, POINT_FLOW, prefix="RiskPoint", output=RiskPointSerializer)
install_steps(WorkPermitViewSet, PERMIT_FLOW, prefix="WorkPermit", output=WorkPermitSerializer)


def register(router: Any) -> None:
    router.register("risk-points", RiskPointViewSet, basename="risk-point")
    router.register("work-permits", WorkPermitViewSet, basename="work-permit")
