"""Checklist API: /api/v1/checklists/ (检查表) — read by all who may view checklists, written by their owners.

POST  /api/v1/checklists/              新建（判定条款 + 自定义检查项）
PATCH /api/v1/checklists/{id}/         修改名称、说明、行业、启用 (version or If-Match)
POST  /api/v1/checklists/{id}/copy/    复制为本部门/本单位的检查表
POST  /api/v1/checklists/{id}/items/   添加检查项 (version or If-Match)
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import (
    CodeRelatedField,
    ScopedViewSet,
    ServiceWriteMixin,
    error_responses,
    etag,
    expected_version,
)
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.registry.models import Industry

from . import checklists
from .filtersets_checklists import ChecklistFilterSet
from .models import Checklist, ChecklistItem, Clause


class ChecklistItemSerializer(BoundedModelSerializer):
    clause_citation = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistItem
        fields = ["id", "clause", "clause_citation", "text", "guidance", "sort_order"]

    def get_clause_citation(self, obj: ChecklistItem) -> str:
        return obj.clause.citation if obj.clause_id else ""


class ChecklistSerializer(BoundedModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = Checklist
        fields = [
            "id",
            "name",
            "department",
            "enterprise",
            "industry",
            "description",
            "active",
            "items",
            "version",
        ]


class ChecklistWriteSerializer(BoundedSerializer):
    name = serializers.CharField(label=_("检查表名称"), max_length=100)
    clauses = serializers.PrimaryKeyRelatedField(
        label=_("判定条款"), queryset=Clause.objects.all(), many=True, required=False, default=list
    )
    custom_items = serializers.ListField(
        label=_("自定义检查项"),
        child=serializers.CharField(max_length=2000),
        required=False,
        default=list,
    )
    industry = CodeRelatedField(
        label=_("适用行业"), queryset=Industry.objects.all(), required=False, allow_null=True, default=None
    )
    description = serializers.CharField(label=_("说明"), required=False, allow_blank=True, default="")


class ChecklistUpdateSerializer(BoundedSerializer):
    name = serializers.CharField(label=_("检查表名称"), max_length=100, required=False)
    industry = CodeRelatedField(
        label=_("适用行业"), queryset=Industry.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField(label=_("说明"), required=False, allow_blank=True)
    active = serializers.BooleanField(label=_("启用"), required=False)


class CopySerializer(BoundedSerializer):
    name = serializers.CharField(
        label=_("新检查表名称"), max_length=100, required=False, allow_blank=True, default=""
    )


class ItemsSerializer(BoundedSerializer):
    clauses = serializers.PrimaryKeyRelatedField(
        label=_("判定条款"), queryset=Clause.objects.all(), many=True, required=False, default=list
    )
    custom_items = serializers.ListField(
        label=_("自定义检查项"), child=serializers.CharField(max_length=2000), required=False, default=list
    )
    version = serializers.IntegerField(label=_("版本"), min_value=1, required=False)


@extend_schema_view(
    list=extend_schema(
        summary="检查表列表",
        responses={200: ChecklistSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="检查表详情", responses={200: ChecklistSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="新建检查表",
        description="由判定标准条款（clauses）和自定义检查项（custom_items）组成；归属本部门、本单位，区安委办建的为通用模板。",
        request=ChecklistWriteSerializer,
        responses={201: ChecklistSerializer, **error_responses(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="修改检查表",
        request=ChecklistUpdateSerializer,
        responses={200: ChecklistSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class ChecklistViewSet(ServiceWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """检查表 (filters: owner=mine|template, department, industry, active, q)."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Checklist.objects.select_related("department", "industry").prefetch_related(
        "items__clause__version"
    )
    serializer_class = ChecklistSerializer
    write_serializer_class = ChecklistWriteSerializer
    filterset_class = ChecklistFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("name", "pk")

    def get_write_serializer(self, *args: Any, **kwargs: Any) -> serializers.Serializer:
        cls = ChecklistUpdateSerializer if self.action == "partial_update" else ChecklistWriteSerializer
        if self.action == "partial_update" and args:
            args = args[1:]  # the instance: the update serializer is a plain one
        return cls(*args, context=self.get_serializer_context(), **kwargs)

    def create_object(self, data: dict[str, Any]) -> Checklist:
        return checklists.create_checklist(actor=self.request.user, **data)

    def update_object(self, obj: Checklist, data: dict[str, Any]) -> Checklist:
        return checklists.update_checklist(obj, actor=self.request.user, version=obj.version, **data)

    def ensure_in_scope(self, obj: Any, action: str) -> None:
        """Checklists are unscoped reference data; ownership was checked by the service."""

    @extend_schema(
        summary="复制检查表",
        request=CopySerializer,
        responses={201: ChecklistSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        source = self.get_object()
        data = CopySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            checklist = checklists.copy_checklist(
                source, actor=request.user, name=data.validated_data["name"]
            )
        fresh = self.get_queryset().get(pk=checklist.pk)
        return Response(ChecklistSerializer(fresh).data, status=201, headers={"ETag": etag(fresh)})

    @extend_schema(
        summary="添加检查项",
        request=ItemsSerializer,
        responses={200: ChecklistSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def items(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        checklist = self.get_object()
        version = expected_version(request)
        data = ItemsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k != "version"}
        with transaction.atomic():
            checklists.add_items(checklist, actor=request.user, version=version, **values)
        fresh = self.get_queryset().get(pk=checklist.pk)
        return Response(ChecklistSerializer(fresh).data, headers={"ETag": etag(fresh)})


def register(router: Any) -> None:
    router.register("checklists", ChecklistViewSet, basename="checklist")
