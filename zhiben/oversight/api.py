"""考核督办 API under /api/v1/oversight/: the list items with their steps, and the 通报 and reports (read).

    GET  /api/v1/oversight/items/?year=&kind=&township=&department=&status=   清单事项 in the reader's scope
    POST /api/v1/oversight/items/{id}/progress/   报告进展 … /complete/ 报告完成, /confirm/ 确认完成, /return/ 退回
    GET  /api/v1/oversight/items/{id}/history/    办理记录
    GET  /api/v1/oversight/bulletins/?kind=&year=   通报与报告 (the issued 公文's number)

The step endpoints come from steps.py (core.loop.api.install_steps) with serializers from the page forms; each
carries the version read (`version` or If-Match): a stale one is a 409."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import ScopedViewSet, error_responses
from zhiben.core.bounds import BoundedModelSerializer
from zhiben.core.loop.api import install_steps
from zhiben.core.loop.steps import action_label

from .models import Bulletin, DutyItem, DutyItemTransition
from .steps import FLOW


class OversightItemSerializer(BoundedModelSerializer):
    township = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = serializers.CharField(source="owner_name", read_only=True)

    class Meta:
        model = DutyItem
        fields = [
            "id",
            "code",
            "owner_kind",
            "owner",
            "township",
            "department",
            "post",
            "kind",
            "year",
            "text",
            "evidence_required",
            "due_on",
            "status",
            "evidence",
            "completed_on",
            "source",
            "verified",
            "version",
        ]


class OversightTransitionSerializer(BoundedModelSerializer):
    label = serializers.SerializerMethodField()

    class Meta:
        model = DutyItemTransition
        fields = ["action", "label", "from_status", "to_status", "note", "at"]

    def get_label(self, obj: DutyItemTransition) -> str:
        return action_label(obj)


class OversightBulletinSerializer(BoundedModelSerializer):
    number = serializers.CharField(source="document.number", read_only=True, default="")

    class Meta:
        model = Bulletin
        fields = ["id", "kind", "year", "period", "title", "status", "number", "figures"]


class ItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """清单事项 in the reader's scope (its township's, its department's; the district posts' for district roles)."""

    queryset = DutyItem.objects.select_related("township", "department")
    serializer_class = OversightItemSerializer

    def get_queryset(self) -> Any:
        qs = super().get_queryset().order_by("owner_kind", "sort_order", "code")
        params = self.request.query_params
        if params.get("year", "").isdigit() and len(params["year"]) == 4:
            qs = qs.filter(year=int(params["year"]))
        for name in ("kind", "status"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        if params.get("township"):
            qs = qs.filter(township__code=params["township"])
        if params.get("department"):
            qs = qs.filter(department__code=params["department"])
        return qs

    @extend_schema(responses={200: OversightTransitionSerializer(many=True), **error_responses(403, 404)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        item = self.get_object()
        rows = item.history.order_by("at", "pk")
        return Response(OversightTransitionSerializer(rows, many=True).data)


install_steps(ItemViewSet, FLOW, prefix="OversightItem", output=OversightItemSerializer)


class BulletinViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """通报与报告 (the office's and the leaders')."""

    queryset = Bulletin.objects.select_related("document")
    serializer_class = OversightBulletinSerializer

    def get_queryset(self) -> Any:
        qs = super().get_queryset().order_by("-year", "-pk")
        params = self.request.query_params
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        if params.get("year", "").isdigit() and len(params["year"]) == 4:
            qs = qs.filter(year=int(params["year"]))
        return qs


def register(router: Any) -> None:
    router.register("oversight/items", ItemViewSet, basename="oversight-item")
    router.register("oversight/bulletins", BulletinViewSet, basename="oversight-bulletin")
