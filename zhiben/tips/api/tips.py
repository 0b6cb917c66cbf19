"""The handlers' tips under /api/v1/tips/ (scoped like the pages: a department or township sees a tip once it was
transferred to it; enterprises never):

    GET  /api/v1/tips/                     list (filters: tab, status, category, township, department, dates, q)
    GET  /api/v1/tips/{id}/                one tip: the working fields only
    GET  /api/v1/tips/{id}/history/        办理记录;  /steps/ 可执行的操作
    POST /api/v1/tips/{id}/accept/ … /reject/, /merge/, /transfer/, /open-inspection/, /add-hazard/,
         /link-case/, /request-extension/, /decide-extension/, /conclude/, /feedback/

The serializer never carries `original_text`, the identity, or the receipt fields (R13, R14). Each step takes the
version the client read (`version` or If-Match); a stale one is a 409.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import ScopedViewSet, error_responses
from zhiben.core.bounds import BoundedModelSerializer
from zhiben.core.loop.api import install_steps
from zhiben.core.loop.steps import action_label

from .. import deadlines
from ..filtersets import TipFilterSet
from ..models import Tip, TipTransition
from ..steps import FLOW

# What a handler may read of a tip: never original_text, identity, receipt_index/receipt_hash, submission_key.
WORKING_FIELDS = [
    "id",
    "code",
    "channel",
    "category",
    "enterprise",
    "unit_name",
    "place",
    "address",
    "working_text",
    "real_name",
    "received_at",
    "status",
    "industry",
    "department",
    "township",
    "accept_deadline",
    "accepted_on",
    "rejection_reason",
    "verify_deadline",
    "extended",
    "concluded_on",
    "outcome",
    "conclusion",
    "feedback_deadline",
    "public_feedback",
    "feedback_on",
    "public_summary",
    "merged_into",
    "escalation",
    "inspection",
    "hazards",
    "cases",
    "overdue",
    "version",
]


class TipSerializer(BoundedModelSerializer):
    """A tip as its handlers read it: the 另行编辑 working copy and the handling, nothing of the reporter."""

    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    township = serializers.SlugRelatedField(slug_field="code", read_only=True)
    place = serializers.SlugRelatedField(slug_field="code", read_only=True)
    merged_into = serializers.SlugRelatedField(slug_field="code", read_only=True)
    inspection = serializers.SlugRelatedField(slug_field="code", read_only=True)
    hazards = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    cases = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    overdue = serializers.SerializerMethodField(help_text="当前环节已超过期限")

    class Meta:
        model = Tip
        fields = WORKING_FIELDS
        read_only_fields = WORKING_FIELDS

    def get_overdue(self, obj: Tip) -> bool:
        return deadlines.is_overdue(obj)


class TipTransitionSerializer(BoundedModelSerializer):
    label = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()

    class Meta:
        model = TipTransition
        fields = ["action", "label", "from_status", "to_status", "actor", "note", "at"]

    def get_label(self, obj: TipTransition) -> str:
        return action_label(obj)

    def get_actor(self, obj: TipTransition) -> str:
        return obj.actor.name_and_unit if obj.actor else "系统"  # type: ignore[union-attr]


@extend_schema_view(
    list=extend_schema(
        summary="举报办理列表", responses={200: TipSerializer(many=True), **error_responses(400, 401, 403)}
    ),
    retrieve=extend_schema(
        summary="举报详情（另行编辑件）", responses={200: TipSerializer, **error_responses(401, 403, 404)}
    ),
)
class TipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """举报办理 (scoped: the custodian and the office district-wide; a department and a township once transferred)."""

    queryset = Tip.objects.select_related(
        "industry", "department", "township", "place", "merged_into", "inspection"
    ).prefetch_related("hazards", "cases")
    serializer_class = TipSerializer
    filterset_class = TipFilterSet
    lookup_value_regex = r"\d+"  # /api/v1/tips/rewards/… and other explicit paths stay the other areas'

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-received_at", "-id")

    @extend_schema(
        summary="办理记录",
        responses={200: TipTransitionSerializer(many=True), **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        tip = self.get_object()
        rows = tip.transitions.select_related("actor").order_by("at", "id")
        return Response(TipTransitionSerializer(rows, many=True).data)

    @extend_schema(
        summary="可执行的操作",
        responses={
            200: inline_serializer(
                "TipSteps", {"steps": serializers.ListField(child=serializers.CharField())}
            ),
            **error_responses(401, 403, 404),
        },
    )
    @action(detail=True, methods=["get"])
    def steps(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        tip = self.get_object()
        return Response({"steps": [s.name for s in FLOW.available(request.user, tip)]})


install_steps(TipViewSet, FLOW, prefix="Tip", output=TipSerializer)


def register(router: Any) -> None:
    router.register("tips", TipViewSet, basename="tip")
