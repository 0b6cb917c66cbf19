"""督办交办 API:

GET  /api/v1/supervision-items/?tab=&level=&department=&township=&year=   items in the reader's scope, each
                                       with the reader's own assignee rows (a unit sees only its own)
GET  /api/v1/supervision-assignees/     assignee rows in scope;  /{id}/history/ 办理记录
POST /api/v1/supervision-assignees/{id}/accept/   签收 … /progress/ 办理, /report/ 反馈, /finish/ 办结,
                                       /return/ 退回 (core.loop.api.install_steps; a stale version is a 409)
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import ScopedViewSet, error_responses
from zhiben.core.bounds import BoundedModelSerializer
from zhiben.core.loop.api import install_steps
from zhiben.core.loop.steps import action_label

from .filtersets import ItemFilterSet
from .models import Assignee, AssigneeTransition, SupervisionItem
from .steps import FLOW


class SupervisionAssigneeSerializer(BoundedModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    township = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(read_only=True)
    item = serializers.PrimaryKeyRelatedField(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Assignee
        fields = [
            "id",
            "item",
            "department",
            "township",
            "unit_name",
            "deadline",
            "status",
            "accepted_at",
            "result",
            "reported_on",
            "done_on",
            "returns",
            "overdue",
            "version",
        ]

    def get_overdue(self, obj: Assignee) -> bool:
        return obj.is_overdue()


class SupervisionItemSerializer(BoundedModelSerializer):
    assignees = serializers.SerializerMethodField()

    class Meta:
        model = SupervisionItem
        fields = [
            "id",
            "number",
            "subject",
            "requirement",
            "basis",
            "deadline",
            "level",
            "status",
            "issuer_kind",
            "issued_on",
            "done_on",
            "assignees",
            "version",
        ]

    @extend_schema_field(SupervisionAssigneeSerializer(many=True))
    def get_assignees(self, obj: SupervisionItem) -> list[dict[str, Any]]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        rows = Assignee.objects.restrict(user, "view").filter(item=obj).order_by("pk")
        return SupervisionAssigneeSerializer(rows, many=True).data  # type: ignore[return-value]


class SupervisionTransitionSerializer(BoundedModelSerializer):
    label = serializers.SerializerMethodField()

    class Meta:
        model = AssigneeTransition
        fields = ["id", "action", "label", "from_status", "to_status", "note", "at"]

    def get_label(self, obj: AssigneeTransition) -> str:
        return action_label(obj)


class SupervisionItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """督办事项 in the reader's scope."""

    queryset = SupervisionItem.objects.all()
    serializer_class = SupervisionItemSerializer
    filterset_class = ItemFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-issued_on", "-pk")


class SupervisionAssigneeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """承办单位 rows in the reader's scope (a unit's own; the issuer side all), with their steps."""

    queryset = Assignee.objects.select_related("department", "township")
    serializer_class = SupervisionAssigneeSerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("deadline", "pk")

    @extend_schema(
        summary="办理记录",
        responses={200: SupervisionTransitionSerializer(many=True), **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        row = self.get_object()
        return Response(SupervisionTransitionSerializer(row.history.order_by("at", "pk"), many=True).data)


install_steps(
    SupervisionAssigneeViewSet, FLOW, prefix="SupervisionAssignee", output=SupervisionAssigneeSerializer
)


def register(router: Any) -> None:
    router.register("supervision-items", SupervisionItemViewSet, basename="supervision-item")
    router.register("supervision-assignees", SupervisionAssigneeViewSet, basename="supervision-assignee")
