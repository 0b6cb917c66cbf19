"""源头管控 API:

POST /api/v1/safety-fees/calculate/   {"sector": "<code or name>", "basis": "30000000"} → {"annual", "monthly",
                                      "brackets": [...]} (元, Decimal strings; 400 in Chinese for a negative basis
                                      or an unknown sector)
GET  /api/v1/safety-fees/sectors/     the sectors of the current rate table: code, name, basis, verified
GET  /api/v1/safety-fees/accounts/?year=2026   the units' fee accounts in scope (a unit its own, a department or
                                      township its units, the office all): unit, year, basis, provision,
                                      spending by category, balance, paused and why; cursor pagination
GET  /api/v1/safety-fees/accounts/{id}/  one account with its spending rows (404 out of scope)
GET  /api/v1/standardisation-certificates/ · /api/v1/construction-projects/ · /api/v1/phase-out-items/
GET  /api/v1/source-projects/         建设项目 in scope; POST /{id}/approve/ 审查通过, /refuse/ 不予通过,
                                      /pre-assess/, /design-review/, /trial-run/, /accept/, /diagnose/
                                      (core.loop.api.install_steps; a stale version is a 409)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import ScopedViewSet, error_responses
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.core.loop.api import install_steps

from . import reference, services
from .filtersets import (
    CertificateFilterSet,
    ConstructionFilterSet,
    FeeAccountFilterSet,
    PhaseOutFilterSet,
    ProjectFilterSet,
)
from .models import (
    ConstructionProject,
    FeeAccount,
    FeeSpending,
    PhaseOutItem,
    SourceProject,
    StandardisationCertificate,
)
from .steps import PHASEOUT_FLOW, PROJECT_FLOW


class SafetyFeeCalculateSerializer(BoundedSerializer):
    sector = serializers.CharField(label="行业（代码或名称）", max_length=100)
    basis = serializers.DecimalField(
        label="计提依据（营业收入或工程造价，元；按产量的行业为吨）",
        max_digits=18,
        decimal_places=2,
        error_messages={
            "invalid": "请填写数字。",
            "max_digits": "计提依据过大。",
            "max_decimal_places": "最多两位小数。",
        },
    )

    def validate_basis(self, value: Decimal) -> Decimal:
        if value < 0:
            raise serializers.ValidationError("计提依据不能为负数。")
        return value

    def validate_sector(self, value: str) -> str:
        if reference.fee_table().find(value) is None:
            raise serializers.ValidationError(f"未知的行业“{value[:40]}”，请从行业列表中选择（代码或名称）。")
        return value


BracketListSerializer = inline_serializer(
    "SafetyFeeBracket",
    many=True,
    fields={
        "from": serializers.CharField(),
        "to": serializers.CharField(allow_null=True),
        "rate": serializers.CharField(),
        "base": serializers.CharField(),
        "amount": serializers.CharField(),
    },
)
ResultSerializer = inline_serializer(
    "SafetyFeeResult",
    {
        "sector": serializers.CharField(),
        "sector_name": serializers.CharField(),
        "table": serializers.CharField(),
        "verified": serializers.BooleanField(),
        "annual": serializers.CharField(),
        "monthly": serializers.CharField(),
        "brackets": BracketListSerializer,
    },
)
SectorListSerializer = inline_serializer(
    "SafetyFeeSector",
    many=True,
    fields={
        "code": serializers.CharField(),
        "name": serializers.CharField(),
        "basis": serializers.CharField(),
        "rate": serializers.CharField(),
        "verified": serializers.BooleanField(),
    },
)


class SafetyFeeViewSet(viewsets.ViewSet):
    """安全生产费用：提取标准和提取额计算（财资〔2022〕136号）。"""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="计算安全生产费用提取额",
        request=SafetyFeeCalculateSerializer,
        responses={200: ResultSerializer, **error_responses(400, 401)},
    )
    @action(detail=False, methods=["post"])
    def calculate(self, request: Request, format: str | None = None) -> Response:
        form = SafetyFeeCalculateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        sector, result = services.calculate(form.validated_data["sector"], form.validated_data["basis"])
        return Response(
            {
                "sector": sector.code,
                "sector_name": sector.name,
                "table": reference.fee_table().version,
                "verified": sector.verified,
                "annual": str(result.annual),
                "monthly": str(result.monthly),
                "brackets": result.brackets,
            }
        )

    @extend_schema(
        summary="安全生产费用提取标准行业",
        responses={200: SectorListSerializer, **error_responses(401)},
    )
    @action(detail=False, methods=["get"])
    def sectors(self, request: Request, format: str | None = None) -> Response:
        return Response(
            [
                {
                    "code": s.code,
                    "name": s.name,
                    "basis": s.basis,
                    "rate": s.rate_text,
                    "verified": s.verified,
                }
                for s in reference.fee_table().sectors
            ]
        )


class StandardisationCertificateSerializer(BoundedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    # The grade as its code (1/2/3/small), without a second name for the registry's grade enum.
    grade = serializers.CharField(read_only=True)
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)

    class Meta:
        model = StandardisationCertificate
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "grade",
            "grade_display",
            "number",
            "issuer",
            "valid_from",
            "valid_to",
            "next_review",
            "is_benchmark",
            "status",
            "version",
        ]


class ConstructionProjectSerializer(BoundedModelSerializer):
    provision = serializers.SerializerMethodField()
    payment_overdue = serializers.SerializerMethodField()

    class Meta:
        model = ConstructionProject
        fields = [
            "id",
            "name",
            "builder",
            "contractor",
            "township",
            "location",
            "cost",
            "engineering_kind",
            "start_date",
            "fee_paid",
            "fee_paid_on",
            "provision",
            "payment_overdue",
            "version",
        ]

    def get_provision(self, obj: ConstructionProject) -> str:
        return str(services.construction_provision(obj))

    def get_payment_overdue(self, obj: ConstructionProject) -> bool:
        return services.payment_overdue(obj)


class SourceProjectSerializer(BoundedModelSerializer):
    class Meta:
        model = SourceProject
        fields = [
            "id",
            "name",
            "enterprise",
            "industry",
            "township",
            "kind",
            "activity",
            "description",
            "investment",
            "status",
            "registered_on",
            "refusal_reason",
            "version",
        ]


class PhaseOutItemSerializer(BoundedModelSerializer):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = PhaseOutItem
        fields = [
            "id",
            "kind",
            "name",
            "identifier",
            "owner",
            "enterprise",
            "township",
            "due_on",
            "status",
            "done_on",
            "method",
            "overdue",
            "version",
        ]

    def get_overdue(self, obj: PhaseOutItem) -> bool:
        return services.phase_out_overdue(obj)


class FeeSpendingSerializer(BoundedModelSerializer):
    category_name = serializers.SerializerMethodField()
    amount = serializers.CharField(read_only=True)

    class Meta:
        model = FeeSpending
        fields = ["id", "category", "category_name", "amount", "spent_on", "description"]

    def get_category_name(self, obj: FeeSpending) -> str:
        return reference.category_name(obj.category)


CategoryTotalSerializer = inline_serializer(
    "SafetyFeeCategoryTotal",
    many=True,
    fields={
        "category": serializers.CharField(),
        "name": serializers.CharField(),
        "amount": serializers.CharField(),
    },
)


class FeeAccountSerializer(BoundedModelSerializer):
    """An account with the figures of its page (services.summary, as of today): amounts in 元 as Decimal
    strings."""

    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    sector_name = serializers.SerializerMethodField()
    basis = serializers.CharField(read_only=True)
    provision = serializers.SerializerMethodField(help_text="年度应提取（元）")
    monthly = serializers.SerializerMethodField(help_text="每月提取（元）")
    accrued = serializers.SerializerMethodField(help_text="已提取（元，至本月）")
    spent = serializers.SerializerMethodField(help_text="已使用（元）")
    spent_by_category = serializers.SerializerMethodField()
    balance = serializers.SerializerMethodField(help_text="结余（元）")
    paused = serializers.SerializerMethodField()
    pause_reason = serializers.SerializerMethodField()

    class Meta:
        model = FeeAccount
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "year",
            "sector",
            "sector_name",
            "basis",
            "provision",
            "monthly",
            "accrued",
            "spent",
            "spent_by_category",
            "balance",
            "paused",
            "pause_reason",
            "version",
        ]

    def _summary(self, obj: FeeAccount) -> services.AccountSummary:
        cache = self.context.setdefault("_summaries", {})
        if obj.pk not in cache:
            cache[obj.pk] = services.summary(obj)
        return cache[obj.pk]  # type: ignore[no-any-return]

    def get_sector_name(self, obj: FeeAccount) -> str:
        return getattr(reference.fee_table().find(obj.sector), "name", obj.sector)

    def get_provision(self, obj: FeeAccount) -> str:
        return str(self._summary(obj).annual)

    def get_monthly(self, obj: FeeAccount) -> str:
        return str(self._summary(obj).monthly)

    def get_accrued(self, obj: FeeAccount) -> str:
        return str(self._summary(obj).accrued)

    def get_spent(self, obj: FeeAccount) -> str:
        return str(self._summary(obj).spent)

    @extend_schema_field(CategoryTotalSerializer)
    def get_spent_by_category(self, obj: FeeAccount) -> list[dict[str, str]]:
        return [
            {"category": code, "name": name, "amount": str(total)}
            for code, name, total in self._summary(obj).categories
        ]

    def get_balance(self, obj: FeeAccount) -> str:
        return str(self._summary(obj).balance)

    def get_paused(self, obj: FeeAccount) -> bool:
        return self._summary(obj).paused

    def get_pause_reason(self, obj: FeeAccount) -> str:
        return self._summary(obj).pause_reason


class FeeAccountDetailSerializer(FeeAccountSerializer):
    spendings = FeeSpendingSerializer(many=True, read_only=True)

    class Meta(FeeAccountSerializer.Meta):
        fields = [*FeeAccountSerializer.Meta.fields, "spendings"]


class FeeAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """安全生产费用台账 in the reader's scope (`?year=`), with the figures of the account page; one account with
    its spending rows."""

    queryset = FeeAccount.objects.all()
    serializer_class = FeeAccountSerializer
    filterset_class = FeeAccountFilterSet

    def get_serializer_class(self) -> Any:
        return FeeAccountDetailSerializer if self.action == "retrieve" else FeeAccountSerializer

    def get_queryset(self) -> Any:
        qs = super().get_queryset().select_related("enterprise").order_by("-year", "enterprise__name", "pk")
        return qs.prefetch_related("spendings") if self.action == "retrieve" else qs


class StandardisationCertificateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """安全生产标准化证书 in the reader's scope."""

    queryset = StandardisationCertificate.objects.all()
    serializer_class = StandardisationCertificateSerializer
    filterset_class = CertificateFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("enterprise").order_by("valid_to", "pk")


class ConstructionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """建设工程项目 with the safety-fee provision and the 50 % payment."""

    queryset = ConstructionProject.objects.all()
    serializer_class = ConstructionProjectSerializer
    filterset_class = ConstructionFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-start_date", "-pk")


class SourceProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """建设项目 (安全审查, 三同时, 安全设计诊断) in the reader's scope, with their steps."""

    queryset = SourceProject.objects.all()
    serializer_class = SourceProjectSerializer
    filterset_class = ProjectFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-registered_on", "-pk")


class PhaseOutViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """淘汰对象 (落后设备、变型拖拉机 …) in the reader's scope."""

    queryset = PhaseOutItem.objects.all()
    serializer_class = PhaseOutItemSerializer
    filterset_class = PhaseOutFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("due_on", "pk")


install_steps(SourceProjectViewSet, PROJECT_FLOW, prefix="SourceProject", output=SourceProjectSerializer)
install_steps(PhaseOutViewSet, PHASEOUT_FLOW, prefix="PhaseOutItem", output=PhaseOutItemSerializer)


def register(router: Any) -> None:
    router.register("safety-fees/accounts", FeeAccountViewSet, basename="safety-fee-account")
    router.register("safety-fees", SafetyFeeViewSet, basename="safety-fee")
    router.register(
        "standardisation-certificates",
        StandardisationCertificateViewSet,
        basename="standardisation-certificate",
    )
    router.register("construction-projects", ConstructionViewSet, basename="construction-project")
    router.register("source-projects", SourceProjectViewSet, basename="source-project")
    router.register("phase-out-items", PhaseOutViewSet, basename="phase-out-item")
