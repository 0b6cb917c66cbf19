"""API of self-inspection duties, scoped like the pages:

GET  /api/v1/duty-occurrences/               自查任务 (filters as on the 应查未查 page: status=missed …)
GET  /api/v1/duty-occurrences/{id}/
GET  /api/v1/self-checks/                    企业自查记录
POST /api/v1/self-checks/                    记录自查 (a unit's user; answers and findings as JSON)
GET  /api/v1/self-checks/{id}/
POST /api/v1/self-checks/{id}/photos/        add a photo (multipart: file, latitude, longitude)
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import ScopedViewSet, error_responses
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.hazards.choices import Level
from zhiben.registry.models import Enterprise, Person
from zhiben.standards.models import Checklist, ChecklistItem, Clause

from ..choices import Answer
from ..filtersets.duties import DutyOccurrenceFilterSet, SelfCheckFilterSet
from ..models import DutyOccurrence, InspectionPhoto, SelfCheck, SelfCheckAnswer
from ..services import duties, selfchecks
from ..services.photos import save_photo


class DutyOccurrenceSerializer(BoundedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    region = serializers.CharField(source="enterprise.region.code", read_only=True)
    rule = serializers.SlugRelatedField(slug_field="code", read_only=True)
    frequency = serializers.CharField(source="rule.frequency", read_only=True)
    period = serializers.SerializerMethodField()

    class Meta:
        model = DutyOccurrence
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "region",
            "rule",
            "frequency",
            "period",
            "period_start",
            "period_end",
            "status",
            "self_check",
            "reminded_at",
            "overdue_notified_at",
        ]

    def get_period(self, obj: DutyOccurrence) -> str:
        return duties.period_label(obj.rule.frequency, obj.period_start)


class SelfCheckAnswerSerializer(BoundedModelSerializer):
    item_text = serializers.CharField(source="item.text", read_only=True)
    clause = serializers.IntegerField(source="item.clause_id", read_only=True, allow_null=True)
    hazard_code = serializers.CharField(source="hazard.code", read_only=True, default="")

    class Meta:
        model = SelfCheckAnswer
        fields = ["item", "item_text", "clause", "result", "note", "hazard", "hazard_code"]


class SelfCheckPhotoSerializer(BoundedModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = InspectionPhoto
        fields = ["id", "url", "content_type", "size", "sha256", "captured_at", "latitude", "longitude"]

    def get_url(self, obj: InspectionPhoto) -> str:
        return reverse("inspections:photo", args=[obj.pk])


class SelfCheckSerializer(BoundedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    answers = SelfCheckAnswerSerializer(many=True, read_only=True)
    photos = SelfCheckPhotoSerializer(many=True, read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True, default="")

    class Meta:
        model = SelfCheck
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "checked_on",
            "led_by_name",
            "led_by_title",
            "led_by_person",
            "participants",
            "checklist",
            "summary",
            "answers",
            "photos",
            "recorded_by",
            "created_at",
        ]


class SelfCheckAnswerInputSerializer(BoundedSerializer):
    item = serializers.PrimaryKeyRelatedField(label=_("检查项"), queryset=ChecklistItem.objects.all())
    result = serializers.ChoiceField(label=_("检查结果"), choices=Answer.choices)
    note = serializers.CharField(label=_("说明"), max_length=500, required=False, allow_blank=True)


class SelfCheckFindingInputSerializer(BoundedSerializer):
    title = serializers.CharField(label=_("问题（隐患名称）"), max_length=200)
    level = serializers.ChoiceField(label=_("隐患等级"), choices=Level.choices, default=Level.GENERAL)
    clause = serializers.PrimaryKeyRelatedField(
        label=_("判定依据条款"), queryset=Clause.objects.all(), required=False, allow_null=True
    )
    location = serializers.CharField(label=_("部位"), max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(label=_("描述"), required=False, allow_blank=True)


class SelfCheckCreateSerializer(BoundedSerializer):
    enterprise = serializers.PrimaryKeyRelatedField(
        label=_("生产经营单位"), queryset=Enterprise.objects.unrestricted("validate_enterprise checks scope")
    )
    checked_on = serializers.DateField(label=_("检查日期"))
    led_by_name = serializers.CharField(
        label=_("带队负责人"), max_length=50, required=False, allow_blank=True
    )
    led_by_title = serializers.CharField(label=_("职务"), max_length=50, required=False, allow_blank=True)
    led_by_person = serializers.PrimaryKeyRelatedField(
        label=_("带队负责人（人员库）"),
        queryset=Person.objects.unrestricted("the service checks it is the unit's"),
        required=False,
        allow_null=True,
    )
    participants = serializers.CharField(
        label=_("参加人员"), max_length=300, required=False, allow_blank=True
    )
    checklist = serializers.PrimaryKeyRelatedField(
        label=_("检查表"), queryset=Checklist.objects.all(), required=False, allow_null=True
    )
    answers = SelfCheckAnswerInputSerializer(many=True, required=False, help_text=_("所选检查表每一项的结果"))
    findings = SelfCheckFindingInputSerializer(
        many=True, required=False, help_text=_("检查表以外发现的问题，各登记为隐患")
    )
    summary = serializers.CharField(label=_("检查情况"), required=False, allow_blank=True)
    occurrence = serializers.PrimaryKeyRelatedField(
        label=_("补查任务"),
        queryset=DutyOccurrence.objects.unrestricted("the service checks it is the unit's"),
        required=False,
        allow_null=True,
        help_text=_("本次检查补做的、此前逾期未查的自查任务"),
    )

    def validate_enterprise(self, value: Enterprise) -> Enterprise:
        user = self.context["request"].user
        if not Enterprise.objects.restrict(user, "view").filter(pk=value.pk).exists():
            # Same answer as a missing id: no hint that the unit exists (R08).
            raise serializers.ValidationError(_("生产经营单位不存在或不在您的职责范围内。"))
        return value


class SelfCheckPhotoUploadSerializer(BoundedSerializer):
    file = serializers.FileField(label=_("照片"), help_text=_("JPEG 或 PNG，不超过 10 MB"))
    latitude = serializers.DecimalField(
        label=_("纬度"), max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        label=_("经度"), max_digits=10, decimal_places=6, required=False, allow_null=True
    )
    captured_at = serializers.DateTimeField(label=_("拍摄时间"), required=False, allow_null=True)


@extend_schema_view(
    list=extend_schema(
        summary="自查任务列表",
        description="status=missed 即应查未查名单；可按 region、industry、high_risk、due_month（YYYY-MM）、year 筛选。",
        responses={200: DutyOccurrenceSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="自查任务详情", responses={200: DutyOccurrenceSerializer, **error_responses(401, 403, 404)}
    ),
)
class DutyOccurrenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """自查任务: one unit's principal-led check owed for one period (scoped like the 应查未查 page)."""

    queryset = DutyOccurrence.objects.select_related("enterprise__region", "rule")
    serializer_class = DutyOccurrenceSerializer
    filterset_class = DutyOccurrenceFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-period_end", "pk")


@extend_schema_view(
    list=extend_schema(
        summary="企业自查记录",
        responses={200: SelfCheckSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="企业自查详情", responses={200: SelfCheckSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="记录自查",
        description="选用检查表的，须填写每一项结果；判定条款项“不符合”登记为重大事故隐患（待判定），"
        "自定义项“不符合”和 findings 登记为隐患（来源：企业自查）。检查日期所在周期的自查任务随之完成；"
        "在周期结束后补录的记为逾期补查。",
        request=SelfCheckCreateSerializer,
        responses={201: SelfCheckSerializer, **error_responses(400, 401, 403)},
    ),
)
class SelfCheckViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """企业自查 (scoped: a unit sees its own, a township its territory, a department its industries)."""

    queryset = SelfCheck.objects.select_related("enterprise", "recorded_by").prefetch_related(
        "answers__item", "answers__hazard", "photos"
    )
    serializer_class = SelfCheckSerializer
    filterset_class = SelfCheckFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-checked_on", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = SelfCheckCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        d = dict(incoming.validated_data)
        with transaction.atomic():
            check = selfchecks.record_self_check(
                actor=request.user,
                enterprise=d["enterprise"],
                checked_on=d["checked_on"],
                led_by_name=d.get("led_by_name", ""),
                led_by_title=d.get("led_by_title", ""),
                led_by_person=d.get("led_by_person"),
                participants=d.get("participants", ""),
                checklist=d.get("checklist"),
                answers=[
                    selfchecks.AnswerInput(a["item"], a["result"], a.get("note", ""))
                    for a in d.get("answers", [])
                ],
                findings=[selfchecks.FindingInput(**f) for f in d.get("findings", [])],
                summary=d.get("summary", ""),
                occurrence=d.get("occurrence"),
            )
        check = self.get_queryset().get(pk=check.pk)
        return Response(self.get_serializer(check).data, status=201)

    @extend_schema(
        summary="上传自查照片",
        request={"multipart/form-data": SelfCheckPhotoUploadSerializer},
        responses={
            201: inline_serializer(
                "SelfCheckPhotoCreated", {"id": serializers.IntegerField(), "sha256": serializers.CharField()}
            ),
            **error_responses(400, 401, 403, 404),
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        check = self.get_object()
        incoming = SelfCheckPhotoUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        with transaction.atomic():
            photo = save_photo(
                actor=request.user,
                enterprise=check.enterprise,
                upload=d["file"],
                self_check=check,
                captured_at=d.get("captured_at"),
                latitude=d.get("latitude"),
                longitude=d.get("longitude"),
            )
        return Response({"id": photo.pk, "sha256": photo.sha256}, status=201)


def register(router: Any) -> None:
    """Register this area's viewsets on the /api/v1/ router."""
    router.register("duty-occurrences", DutyOccurrenceViewSet, basename="dutyoccurrence")
    router.register("self-checks", SelfCheckViewSet, basename="selfcheck")
