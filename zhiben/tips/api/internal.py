"""API of enterprise internal reporting (/api/v1/internal-reports/): a unit lists, records and edits its own
workers' reports and takes their steps (`POST …/{id}/found/`, `…/unfound/`, `…/reward/`, from the loop kit);
the office, departments and townships read the reports of the units in their scope. The reporter's name is
returned only to the unit's own users."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers

from zhiben.core.api import ScopedViewSet, ServiceWriteMixin, error_responses
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.core.loop.api import install_steps
from zhiben.registry.models import Enterprise

from ..models import InternalReport
from ..services import internal as services
from ..steps_internal import INTERNAL_FLOW
from ..views.internal import own_unit


class InternalReportSerializer(BoundedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    hazard_code = serializers.CharField(source="hazard.code", read_only=True, default=None)
    anonymous = serializers.SerializerMethodField()
    reporter_name = serializers.SerializerMethodField()

    class Meta:
        model = InternalReport
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "reported_on",
            "anonymous",
            "reporter_name",
            "location",
            "content",
            "status",
            "hazard",
            "hazard_code",
            "reward_amount",
            "rewarded_on",
            "version",
        ]

    def get_anonymous(self, obj: InternalReport) -> bool:
        return not obj.reporter_name

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reporter_name(self, obj: InternalReport) -> str | None:
        """Only for the unit's own users (null for everyone else)."""
        request = self.context.get("request")
        if request is None or not own_unit(request.user, obj):
            return None
        return obj.reporter_name or ""


class InternalReportWriteSerializer(BoundedSerializer):
    enterprise = serializers.PrimaryKeyRelatedField(
        label=_("单位"),
        queryset=Enterprise.objects.unrestricted("record_internal_report checks the unit is the actor's"),
    )
    reported_on = serializers.DateField(label=_("报告日期"))
    reporter_name = serializers.CharField(label=_("报告人"), max_length=50, required=False, allow_blank=True)
    location = serializers.CharField(label=_("部位"), max_length=200, required=False, allow_blank=True)
    content = serializers.CharField(label=_("报告内容"))


class InternalReportUpdateSerializer(InternalReportWriteSerializer):
    enterprise = None  # type: ignore[assignment]  # the unit of a report never changes


@extend_schema_view(
    list=extend_schema(
        summary="内部举报列表",
        responses={200: InternalReportSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="内部举报详情", responses={200: InternalReportSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="登记内部举报",
        description="生产经营单位登记本单位从业人员的举报；报告人姓名可不填，填写的加密保存。",
        request=InternalReportWriteSerializer,
        responses={201: InternalReportSerializer, **error_responses(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="修改内部举报（待核实）",
        request=InternalReportUpdateSerializer,
        responses={200: InternalReportSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class InternalReportViewSet(
    ServiceWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """内部举报 (a unit its own; the office, departments and townships the units in their scope)."""

    queryset = InternalReport.objects.select_related("enterprise", "hazard")
    serializer_class = InternalReportSerializer
    write_serializer_class = InternalReportWriteSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-reported_on", "-id")

    def get_write_serializer(self, *args: Any, **kwargs: Any) -> serializers.Serializer:
        cls = (
            InternalReportUpdateSerializer
            if self.action == "partial_update"
            else InternalReportWriteSerializer
        )
        return cls(*args, context=self.get_serializer_context(), **kwargs)

    def create_object(self, data: dict[str, Any]) -> InternalReport:
        return services.record_internal_report(actor=self.request.user, **data)

    def update_object(self, obj: InternalReport, data: dict[str, Any]) -> InternalReport:
        values = {
            "reported_on": data.get("reported_on", obj.reported_on),
            "content": data.get("content", obj.content),
            "reporter_name": data.get("reporter_name", obj.reporter_name),
            "location": data.get("location", obj.location),
        }
        return services.update_internal_report(obj, actor=self.request.user, version=obj.version, **values)


install_steps(InternalReportViewSet, INTERNAL_FLOW, prefix="InternalReport", output=InternalReportSerializer)


def register(router: Any) -> None:
    router.register("internal-reports", InternalReportViewSet, basename="internal-report")
