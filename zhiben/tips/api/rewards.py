"""API of rewards:

    POST /api/v1/tips/rewards/calculate/     the calculator: {"basis": "fine", "fine": "10000"} or
                                             {"basis": "concealed_deaths", "grade": "一般", "deaths": 2}
                                             → {"amount": "3000.00", "rule": "…"}
    GET  /api/v1/tip-rewards/                rewards (scoped); /{id}/ one; POST /{id}/approve/, /decline/,
                                             /notify/, /claim/, /pay/ — the steps of reward_steps.py

The calculator answers bad input field by field (400) in Chinese; it needs view on the reward rules (the
handlers, the office, the custodian, leaders), never an enterprise.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhiben.core.api import ScopedViewSet, error_responses
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.core.loop.api import install_steps
from zhiben.core.scoping import can

from ..models import Reward, RewardRule
from ..reward_calc import calculate
from ..reward_steps import FLOW


class CalculateInput(BoundedSerializer):
    basis = serializers.ChoiceField(
        label=_("计奖方式"),
        choices=[("fine", "按罚款比例"), ("concealed_deaths", "按瞒报死亡人数"), ("fixed", "定额")],
        error_messages={"invalid_choice": _("计奖方式应为 fine、concealed_deaths 或 fixed。")},
    )
    fine = serializers.CharField(label=_("罚款金额（元）"), required=False, allow_null=True, max_length=30)
    grade = serializers.CharField(
        label=_("事故等级"),
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=10,
        help_text=_("一般、较大、重大、特别重大"),
    )
    deaths = serializers.IntegerField(
        label=_("查实瞒报死亡人数"),
        required=False,
        allow_null=True,
        min_value=1,
        max_value=10000,
        error_messages={
            "invalid": _("死亡人数应为整数。"),
            "min_value": _("查实瞒报的死亡人数应至少为 1 人。"),
            "max_value": _("死亡人数过大，请核对。"),
        },
    )
    category = serializers.CharField(
        label=_("举报类别"), required=False, allow_blank=True, allow_null=True, max_length=20
    )


class CalculateOutput(BoundedSerializer):
    amount = serializers.CharField(label=_("奖励金额（元，精确到分）"))
    rule = serializers.CharField(label=_("计算依据"))
    rule_code = serializers.CharField(label=_("适用标准编号"))
    verified = serializers.BooleanField(label=_("标准已核实"))


class MayReadRules(permissions.BasePermission):
    message = _("您无权使用奖励计算。")

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and can(request.user, "view", RewardRule))


class CalculateView(APIView):
    permission_classes = [permissions.IsAuthenticated, MayReadRules]

    @extend_schema(
        summary="举报奖励计算",
        description="按奖励标准（数据，附依据）计算奖励金额；金额四舍五入到分。",
        request=CalculateInput,
        responses={200: CalculateOutput, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = CalculateInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        result = calculate(  # a ValidationError becomes a field-level 400 (core.api.exception_handler)
            data["basis"],
            fine=data.get("fine"),
            grade=data.get("grade"),
            deaths=data.get("deaths"),
            category=data.get("category") or None,
        )
        return Response(
            {
                "amount": f"{result.amount:.2f}",
                "rule": result.rule_text,
                "rule_code": result.rule.code,
                "verified": bool(result.rule.verified),
            }
        )


class RewardSerializer(BoundedModelSerializer):
    tip_code = serializers.CharField(source="tip.code", read_only=True)
    rule = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Reward
        fields = [
            "id",
            "tip",
            "tip_code",
            "rule",
            "rule_text",
            "basis",
            "fine",
            "grade",
            "deaths",
            "amount",
            "status",
            "decision_deadline",
            "approved_at",
            "claim_deadline",
            "claimed_at",
            "paid_on",
            "payment_method",
            "payment_reference",
            "note",
            "version",
        ]


class RewardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """举报奖励 (scoped like their tips; the office and the custodian district-wide)."""

    queryset = Reward.objects.select_related("tip", "rule").order_by("-created_at", "-pk")
    serializer_class = RewardSerializer


install_steps(RewardViewSet, FLOW, prefix="Reward", output=RewardSerializer)

urlpatterns = [path("tips/rewards/calculate/", CalculateView.as_view(), name="tip-reward-calculate")]


def register(router: Any) -> None:
    router.register("tip-rewards", RewardViewSet, basename="tip-reward")
