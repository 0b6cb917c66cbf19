"""监测预警 API:

POST /api/v1/monitoring/readings/        a gateway's batch (≤ 1000): {"readings": [{"uscc", "device", "ts", "seq",
                                         "values", "mac"}, …]}; each item is checked as an MQTT message is
                                         (signature, seq, range) and answered accepted or with its reason;
                                         refused items are counted per device, never stored
GET  /api/v1/monitoring/devices/          devices in the reader's scope
GET  /api/v1/monitoring/alarms/?tab=&status=&level=&kind=&township=&enterprise=   alarms in scope
POST /api/v1/monitoring/alarms/{id}/ack/  确认 … /handle/ 处置, /danger/ 确认险情, /clear/ 消警 (install_steps)
GET  /api/v1/monitoring/check-tasks/      on-site check tasks;  POST …/{id}/check/ 核查
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import ScopedViewSet, error_responses
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.core.loop.api import install_steps

from .choices import ClearReason, RejectReason
from .filtersets import AlarmFilterSet, DeviceFilterSet
from .ingest import Ingestor, topic_of
from .models import Alarm, CheckTask, Device
from .steps import FLOW, TASK_FLOW

MAX_BATCH = 1000


class DeviceSerializer(BoundedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    sensor_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.CharField(source="sensor_type.unit", read_only=True)

    class Meta:
        model = Device
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "code",
            "name",
            "sensor_type",
            "unit",
            "location",
            "risk_point",
            "interval_seconds",
            "yellow",
            "orange",
            "red",
            "status",
            "last_value",
            "last_reading_at",
            "last_seen_at",
            "version",
        ]
        read_only_fields = fields


class AlarmSerializer(BoundedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    # Empty until 消警: declared so that the schema allows "" (a read-only model field drops allow_blank).
    clear_reason = serializers.ChoiceField(choices=ClearReason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Alarm
        fields = [
            "id",
            "number",
            "device",
            "enterprise",
            "enterprise_name",
            "kind",
            "level",
            "status",
            "started_at",
            "value",
            "peak",
            "threshold",
            "readings",
            "normal_since",
            "ack_due",
            "acknowledged_at",
            "escalated_at",
            "cleared_at",
            "clear_reason",
            "clear_note",
            "hazard",
            "version",
        ]
        read_only_fields = fields


class CheckTaskSerializer(BoundedModelSerializer):
    class Meta:
        model = CheckTask
        fields = ["id", "alarm", "enterprise", "status", "due_at", "result", "done_at", "version"]
        read_only_fields = fields


class ReadingBatchSerializer(BoundedSerializer):
    readings = serializers.ListField(
        label="读数", child=serializers.DictField(), min_length=1, max_length=MAX_BATCH
    )


class ReadingResultSerializer(BoundedSerializer):
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = serializers.ListField(child=serializers.CharField(allow_null=True))


class DeviceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """监测设备 in the reader's scope."""

    queryset = Device.objects.select_related("enterprise", "sensor_type")
    serializer_class = DeviceSerializer
    filterset_class = DeviceFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("enterprise_id", "code")


class AlarmViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """报警 in the reader's scope, with their steps."""

    queryset = Alarm.objects.select_related("enterprise")
    serializer_class = AlarmSerializer
    filterset_class = AlarmFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-started_at", "-pk")


class CheckTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = CheckTask.objects.all()
    serializer_class = CheckTaskSerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-created_at", "-pk")


class ReadingViewSet(ScopedViewSet):
    """Gateways that cannot speak MQTT post readings here with an API token of the enterprise (or of a
    department or the office for units in their scope): the devices known are those the token may add to."""

    queryset = Device.objects.all()
    serializer_class = ReadingBatchSerializer
    scope_action = "add"

    @extend_schema(
        summary="网关批量上报读数",
        request=ReadingBatchSerializer,
        responses={200: ReadingResultSerializer, **error_responses(400, 401, 403)},
    )
    def create(self, request: Request) -> Response:
        form = ReadingBatchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ingestor = Ingestor(Device.objects.restrict(request.user, "add"))
        results: list[str | None] = []
        for item in form.validated_data["readings"]:
            uscc, code = item.get("uscc"), item.get("device")
            if not isinstance(uscc, str) or not isinstance(code, str) or "/" in uscc + code:
                results.append(str(RejectReason.MALFORMED))
                continue
            body = {k: item[k] for k in ("ts", "seq", "values", "mac") if k in item}
            reason = ingestor.handle(topic_of(uscc, code), json.dumps(body).encode())
            results.append(None if reason is None else str(reason))
        ingestor.flush()
        accepted = sum(1 for r in results if r is None)
        return Response(
            {"accepted": accepted, "rejected": len(results) - accepted, "results": results},
            status=status.HTTP_200_OK,
        )


install_steps(AlarmViewSet, FLOW, prefix="MonitoringAlarm", output=AlarmSerializer)
install_steps(CheckTaskViewSet, TASK_FLOW, prefix="MonitoringCheckTask", output=CheckTaskSerializer)


def register(router: Any) -> None:
    router.register("monitoring/readings", ReadingViewSet, basename="monitoring-reading")
    router.register("monitoring/devices", DeviceViewSet, basename="monitoring-device")
    router.register("monitoring/alarms", AlarmViewSet, basename="monitoring-alarm")
    router.register("monitoring/check-tasks", CheckTaskViewSet, basename="monitoring-check-task")
