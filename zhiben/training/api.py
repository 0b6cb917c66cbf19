"""培训演练 API:
GET  /api/v1/training-sessions/             sessions in the reader's scope; POST …/{id}/open|close|certify/ (steps)
GET  /api/v1/certificates/?expiring_within=30&state=&kind=&enterprise=   certificates in scope
GET  /api/v1/drills/?year=&status=          drills in scope; POST /api/v1/drills/{id}/record/ 记录实施
GET  /api/v1/drills/due/?year=2026          应练未练 in scope: each unit and period without a counted drill
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import ScopedViewSet, error_responses
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.core.loop.api import install_steps
from zhiben.registry.models import Enterprise

from .duties import drill_dues
from .filtersets import CertificateFilterSet, DrillFilterSet, SessionFilterSet
from .models import Certificate, Drill, TrainingSession
from .steps import DRILL_FLOW, SESSION_FLOW


class TrainingSessionSerializer(BoundedModelSerializer):
    theme = serializers.SlugRelatedField(slug_field="year", read_only=True)
    organiser_name = serializers.CharField(read_only=True)
    attendance_count = serializers.SerializerMethodField()

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "title",
            "kind",
            "theme",
            "organiser_kind",
            "organiser_name",
            "held_on",
            "hours",
            "place",
            "content",
            "covers_major_hazard",
            "exam",
            "status",
            "attendance_count",
            "version",
        ]

    def get_attendance_count(self, obj: TrainingSession) -> int:
        return obj.attendance.count()


class CertificateSerializer(BoundedModelSerializer):
    enterprise = serializers.PrimaryKeyRelatedField(read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "holder_name",
            "kind",
            "kind_name",
            "operation",
            "number",
            "issuer",
            "valid_from",
            "valid_to",
            "review_due",
            "state",
            "version",
        ]

    def get_state(self, obj: Certificate) -> str:
        return obj.state(timezone.localdate())


class DrillSerializer(BoundedModelSerializer):
    enterprise = serializers.PrimaryKeyRelatedField(read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = Drill
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "kind",
            "scenario",
            "planned_on",
            "held_on",
            "participants",
            "evaluation",
            "improvements",
            "status",
            "version",
        ]


class DrillDueSerializer(BoundedSerializer):
    enterprise = serializers.IntegerField(source="enterprise.pk")
    enterprise_name = serializers.CharField(source="enterprise.name")
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    overdue = serializers.BooleanField()
    status = serializers.CharField(source="status_label")
    rule = serializers.CharField()


class TrainingSessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """培训 in the reader's scope, with their steps."""

    queryset = TrainingSession.objects.select_related("theme", "department", "township", "enterprise")
    serializer_class = TrainingSessionSerializer
    filterset_class = SessionFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-held_on", "-pk")


class CertificateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """证书 in the reader's scope; `expiring_within=N`: those ending within N days from today."""

    queryset = Certificate.objects.select_related("enterprise", "kind")
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("valid_to", "pk")


class DrillViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """演练 in the reader's scope, with their steps; `due/`: 应练未练."""

    queryset = Drill.objects.select_related("enterprise")
    serializer_class = DrillSerializer
    filterset_class = DrillFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-planned_on", "-pk")

    @extend_schema(
        summary="应练未练",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="年度（默认今年）")],
        responses={200: DrillDueSerializer(many=True), **error_responses(400, 401, 403)},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def due(self, request: Request, **kwargs: Any) -> Response:
        raw = request.query_params.get("year", "")
        today = timezone.localdate()
        if raw == "":
            year = today.year
        elif raw.isdigit() and 2000 <= int(raw) <= today.year + 1:
            year = int(raw)
        else:
            raise ValidationError({"year": ["年度应为 2000 至明年之间的整数。"]})
        rows = drill_dues(year, Enterprise.objects.restrict(request.user, "view"), today)
        return Response(DrillDueSerializer(rows, many=True).data)


install_steps(
    TrainingSessionViewSet, SESSION_FLOW, prefix="TrainingSession", output=TrainingSessionSerializer
)
install_steps(DrillViewSet, DRILL_FLOW, prefix="Drill", output=DrillSerializer)


def register(router: Any) -> None:
    router.register("training-sessions", TrainingSessionViewSet, basename="training-session")
    router.register("certificates", CertificateViewSet, basename="certificate")
    router.register("drills", DrillViewSet, basename="drill")
