"""API of plans and 双随机 draws under /api/v1/, scoped like the pages.

    GET/POST   /api/v1/inspection-plans/                      年度监督检查计划 (a department creates its own)
    PATCH      /api/v1/inspection-plans/{id}/                 修改 (draft or returned; `version` required)
    POST       /api/v1/inspection-plans/{id}/submit|approve|return|publicity/
    GET        /api/v1/inspection-plans/{id}/progress/
    GET/POST   /api/v1/draws/                                 双随机抽查 (criteria as JSON)
    POST       /api/v1/draws/{id}/commit|draw|publish|redraw/ each step with the `version` read
    GET        /api/v1/draws/{id}/verify/                     the replay report; /inputs/ the frozen inputs

The seed is null until the result is published (or the draw is superseded). Every write calls one service of
plans.py or draws.py; a stale `version` is a 409.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import ScopedViewSet, error_responses, etag, expected_version
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.core.errors import NotPermitted

from ..draw_algorithm import canonical_json
from ..draw_pools import DrawCriteria
from ..filtersets.plans import DrawFilterSet, PlanFilterSet
from ..models import Draw, DrawAssignment, InspectionPlan
from ..services import draws, plans

# --- plans ---------------------------------------------------------------------------------------------------


class PlanSerializer(BoundedModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="draft 编制中 / submitted 待审批 / approved 已批准 / returned 已退回"
    )

    class Meta:
        model = InspectionPlan
        fields = [
            "id",
            "department",
            "department_name",
            "year",
            "title",
            "random_ratio",
            "notes",
            "status",
            "submitted_at",
            "approved_at",
            "review_note",
            "is_public",
            "version",
        ]


class PlanWriteSerializer(BoundedSerializer):
    year = serializers.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = serializers.CharField(label=_("计划名称"), max_length=200)
    random_ratio = serializers.DecimalField(
        label=_("一般单位抽查比例（%）"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
    )
    notes = serializers.CharField(label=_("说明"), required=False, allow_blank=True)


class PlanUpdateSerializer(BoundedSerializer):
    title = serializers.CharField(label=_("计划名称"), max_length=200, required=False)
    random_ratio = serializers.DecimalField(
        label=_("一般单位抽查比例（%）"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
    )
    notes = serializers.CharField(label=_("说明"), required=False, allow_blank=True)
    version = serializers.IntegerField(label=_("版本"), min_value=1, required=False)


class PlanDrawVersionSerializer(BoundedSerializer):
    version = serializers.IntegerField(
        label=_("版本"),
        min_value=1,
        required=False,
        help_text=_("读取时的版本号（或 If-Match 请求头）；过期返回 409"),
    )


class PlanReviewSerializer(PlanDrawVersionSerializer):
    note = serializers.CharField(label=_("审批意见"), required=False, allow_blank=True, max_length=500)


class PlanPublicitySerializer(PlanDrawVersionSerializer):
    public = serializers.BooleanField(label=_("向社会公开"))


class PlanProgressSerializer(BoundedSerializer):
    key_planned = serializers.IntegerField()
    key_inspected = serializers.IntegerField()
    general_units = serializers.IntegerField()
    random_target = serializers.IntegerField()
    draws_published = serializers.IntegerField()
    draws_open = serializers.IntegerField()
    random_drawn = serializers.IntegerField()
    random_completed = serializers.IntegerField()
    planned = serializers.IntegerField()
    completed = serializers.IntegerField()
    percent = serializers.IntegerField()


def _plan_step(summary: str, request_serializer: Any) -> Any:
    return extend_schema(
        summary=summary,
        request=request_serializer,
        responses={200: PlanSerializer, **error_responses(400, 401, 403, 404, 409)},
    )


@extend_schema_view(
    list=extend_schema(
        summary="年度监督检查计划列表",
        responses={200: PlanSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="年度监督检查计划", responses={200: PlanSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="编制年度监督检查计划",
        request=PlanWriteSerializer,
        responses={201: PlanSerializer, **error_responses(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="修改年度监督检查计划",
        request=PlanUpdateSerializer,
        responses={200: PlanSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class InspectionPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """年度监督检查计划: a department's own; the committee office sees and approves all."""

    queryset = InspectionPlan.objects.select_related("department")
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-year", "department__sort_order", "pk")

    def scope_action_name(self) -> str:
        # Steps read through "view" scope: out of scope is a 404, in scope without the right a 403 (services).
        return (
            "view"
            if self.action not in ("list", "retrieve", "create", "partial_update")
            else super().scope_action_name()
        )

    def _reply(self, plan: InspectionPlan, status: int = 200) -> Response:
        plan = (
            InspectionPlan.objects.unrestricted("re-read after the write")
            .select_related("department")
            .get(pk=plan.pk)
        )
        return Response(PlanSerializer(plan).data, status=status, headers={"ETag": etag(plan)})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = PlanWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        department = plans.default_department(request.user, "add", InspectionPlan)
        if department is None:
            raise NotPermitted(_("只有监管部门可以编制年度监督检查计划。"))
        with transaction.atomic():
            plan = plans.create_plan(actor=request.user, department=department, **incoming.validated_data)
        return self._reply(plan, 201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        version = expected_version(request)
        incoming = PlanUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = {k: v for k, v in incoming.validated_data.items() if k != "version"}
        with transaction.atomic():
            plans.update_plan(plan, actor=request.user, version=version, **data)
        return self._reply(plan)

    @_plan_step("提交审批", PlanDrawVersionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        plan = self.get_object()
        with transaction.atomic():
            plans.submit_plan(plan, actor=request.user, version=expected_version(request))
        return self._reply(plan)

    @_plan_step("批准（区安委办）", PlanReviewSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        plan = self.get_object()
        note = PlanReviewSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        with transaction.atomic():
            plans.approve_plan(
                plan,
                actor=request.user,
                note=note.validated_data.get("note", ""),
                version=expected_version(request),
            )
        return self._reply(plan)

    @_plan_step("退回修改（区安委办）", PlanReviewSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_plan(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        plan = self.get_object()
        note = PlanReviewSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        with transaction.atomic():
            plans.return_plan(
                plan,
                actor=request.user,
                note=note.validated_data.get("note", ""),
                version=expected_version(request),
            )
        return self._reply(plan)

    @_plan_step("向社会公开或撤回", PlanPublicitySerializer)
    @action(detail=True, methods=["post"])
    def publicity(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        plan = self.get_object()
        incoming = PlanPublicitySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with transaction.atomic():
            plans.set_plan_public(
                plan,
                actor=request.user,
                public=incoming.validated_data["public"],
                version=expected_version(request),
            )
        return self._reply(plan)

    @extend_schema(
        summary="计划执行进度", responses={200: PlanProgressSerializer, **error_responses(401, 403, 404)}
    )
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        p = plans.plan_progress(self.get_object())
        data = {f: getattr(p, f) for f in PlanProgressSerializer().fields}
        return Response(data)


# --- draws ---------------------------------------------------------------------------------------------------


class DrawAssignmentSerializer(BoundedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    officers = serializers.ListField(child=serializers.IntegerField(), source="officer_ids", read_only=True)
    inspection = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = DrawAssignment
        fields = ["position", "enterprise", "enterprise_name", "officers", "inspection"]


class DrawSerializer(BoundedModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status = serializers.CharField(
        read_only=True,
        help_text="draft 待公布承诺 / committed 已公布承诺 / drawn 已抽取 / published 已公开 / superseded 已重新抽取",
    )
    seed = serializers.SerializerMethodField(help_text=_("随机种子：结果公开（或作废）前为 null"))
    redraw_of = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Draw
        fields = [
            "id",
            "code",
            "department",
            "plan",
            "title",
            "subject",
            "status",
            "algorithm",
            "criteria",
            "entity_count",
            "officer_count",
            "parameters",
            "pool_digest",
            "seed_digest",
            "seed",
            "result_digest",
            "committed_at",
            "drawn_at",
            "published_at",
            "redraw_of",
            "redraw_reason",
            "version",
        ]

    def get_seed(self, obj: Draw) -> str | None:
        return obj.seed if obj.status in draws.REVEALED else None


class DrawDetailSerializer(DrawSerializer):
    assignments = DrawAssignmentSerializer(many=True, read_only=True)

    class Meta(DrawSerializer.Meta):
        fields = [*DrawSerializer.Meta.fields, "assignments"]


class DrawCreateSerializer(BoundedSerializer):
    title = serializers.CharField(label=_("抽查任务名称"), max_length=200)
    subject = serializers.CharField(label=_("抽查事项"), max_length=200, required=False, allow_blank=True)
    plan = serializers.PrimaryKeyRelatedField(
        label=_("年度计划"),
        queryset=InspectionPlan.objects.unrestricted("validate_plan checks scope"),
        required=False,
        allow_null=True,
    )
    criteria = serializers.JSONField(
        label=_("抽取条件"),
        help_text=_(
            "{region, industry, high_risk, grades, recent_days, count | proportion, officers_per_check (≥2), "
            "max_per_officer, pair_days, weighted, planned_on}"
        ),
    )

    def validate_criteria(self, value: Any) -> DrawCriteria:
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("应为 JSON 对象。"))
        try:
            return DrawCriteria.from_json(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict)

    def validate_plan(self, value: InspectionPlan | None) -> InspectionPlan | None:
        user = self.context["request"].user
        if (
            value is not None
            and not InspectionPlan.objects.restrict(user, "view").filter(pk=value.pk).exists()
        ):
            raise serializers.ValidationError(_("年度计划不存在或不在您的职责范围内。"))
        return value


class DrawRedrawSerializer(PlanDrawVersionSerializer):
    reason = serializers.CharField(label=_("重新抽取理由"))


class DrawVerifySerializer(BoundedSerializer):
    pool_digest = serializers.BooleanField(allow_null=True)
    seed_digest = serializers.BooleanField(allow_null=True)
    assignments = serializers.BooleanField(allow_null=True)
    result_digest = serializers.BooleanField(allow_null=True)
    ok = serializers.BooleanField()
    error = serializers.CharField()


def _draw_step(
    summary: str, description: str, request_serializer: Any = PlanDrawVersionSerializer, status: int = 200
) -> Any:
    return extend_schema(
        summary=summary,
        description=description,
        request=request_serializer,
        responses={status: DrawDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )


@extend_schema_view(
    list=extend_schema(
        summary="双随机抽查列表", responses={200: DrawSerializer(many=True), **error_responses(400, 401, 403)}
    ),
    retrieve=extend_schema(
        summary="双随机抽查", responses={200: DrawDetailSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="创建双随机抽查",
        request=DrawCreateSerializer,
        responses={201: DrawDetailSerializer, **error_responses(400, 401, 403)},
    ),
)
class DrawViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """双随机抽查 of the user's department (the committee office reads all)."""

    queryset = Draw.objects.select_related("department").defer(
        "entity_pool", "officer_pool", "excluded_pairs", "weights"
    )
    serializer_class = DrawSerializer
    filterset_class = DrawFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-created_at", "-pk")

    def get_serializer_class(self) -> Any:
        return DrawSerializer if self.action == "list" else DrawDetailSerializer

    def scope_action_name(self) -> str:
        # Steps read through "view" scope: out of scope is a 404, in scope without the right a 403 (services).
        return "view" if self.action not in ("list", "retrieve", "create") else super().scope_action_name()

    def _reply(self, obj: Draw, status: int = 200) -> Response:
        fresh = (
            Draw.objects.unrestricted("re-read after the write").select_related("department").get(pk=obj.pk)
        )
        return Response(DrawDetailSerializer(fresh).data, status=status, headers={"ETag": etag(fresh)})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = DrawCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        department = plans.default_department(request.user, "add", Draw)
        if department is None:
            raise NotPermitted(_("只有监管部门可以组织双随机抽查。"))
        d = incoming.validated_data
        with transaction.atomic():
            obj = draws.create_draw(
                actor=request.user,
                department=department,
                title=d["title"],
                subject=d.get("subject", ""),
                plan=d.get("plan"),
                criteria=d["criteria"],
            )
        return self._reply(obj, 201)

    def _step(self, request: Request, service: Any) -> Response:
        obj = self.get_object()
        incoming = PlanDrawVersionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with transaction.atomic():
            service(obj, actor=request.user, version=expected_version(request))
        return self._reply(obj)

    @_draw_step(
        "公布承诺值", "冻结检查对象名录、执法人员名录、回避对和参数，秘密生成种子，公布两者的 SM3 摘要。"
    )
    @action(detail=True, methods=["post"])
    def commit(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        return self._step(request, draws.commit_draw)

    @_draw_step(
        "执行抽取", "按冻结名录和已承诺的种子运行抽取算法；不满足回避时抽取失败（400），不会违反回避。"
    )
    @action(detail=True, methods=["post"], url_path="draw", url_name="draw")
    def perform(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        return self._step(request, draws.perform_draw)

    @_draw_step("公开结果", "公开种子和结果，并为每个抽中单位创建检查任务（双随机抽查）。")
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        return self._step(request, draws.publish_draw)

    @_draw_step(
        "重新抽取",
        "须说明理由：原抽查作废（保留并公开种子），按原条件重新冻结名录并公布新的承诺值；返回新抽查。",
        DrawRedrawSerializer,
        status=201,
    )
    @action(detail=True, methods=["post"])
    def redraw(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        obj = self.get_object()
        incoming = DrawRedrawSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with transaction.atomic():
            new = draws.redraw(
                obj,
                actor=request.user,
                reason=incoming.validated_data["reason"],
                version=expected_version(request),
            )
        return self._reply(new, 201)

    @extend_schema(
        summary="复核（重新计算并比对）",
        responses={200: DrawVerifySerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def verify(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        obj = self.get_object()
        if obj.status not in draws.REVEALED:
            none = dict.fromkeys(("pool_digest", "seed_digest", "assignments", "result_digest"))
            return Response({**none, "ok": False, "error": str(_("结果公开后方可复核。"))})
        return Response(draws.verification(obj))

    @extend_schema(
        summary="冻结的名录（规范 JSON）",
        description="名录摘要 pool_digest 即此 JSON（键按码点排序、无空白、UTF-8）的 SM3。",
        responses={200: OpenApiTypes.OBJECT, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def inputs(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        obj = Draw.objects.unrestricted("re-read with its pools").get(pk=self.get_object().pk)
        return Response(json.loads(canonical_json(draws.frozen_document(obj))))


def register(router: Any) -> None:
    """Register this area's viewsets on the /api/v1/ router."""
    router.register("inspection-plans", InspectionPlanViewSet, basename="inspection-plan")
    router.register("draws", DrawViewSet, basename="draw")
