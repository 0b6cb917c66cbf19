"""Registry API: /api/v1/enterprises/ and the reference lists."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, serializers

from zhiben.core.api import ScopedViewSet

from .filtersets import EnterpriseFilterSet
from .models import Enterprise


class EnterpriseSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    primary_industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    principal_phone = serializers.CharField(source="masked_principal_phone", read_only=True)
    controller_phone = serializers.CharField(source="masked_controller_phone", read_only=True)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "uscc",
            "name",
            "kind",
            "region",
            "region_name",
            "primary_industry",
            "industries",
            "address",
            "longitude",
            "latitude",
            "is_above_scale",
            "is_high_risk",
            "has_major_hazard_source",
            "standardisation_grade",
            "employees",
            "principal_name",
            "principal_phone",
            "controller_name",
            "controller_phone",
            "status",
            "version",
        ]


class EnterpriseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """生产经营单位 (scoped: townships see their territory, departments their industries, enterprises themselves)."""

    queryset = Enterprise.objects.select_related("region", "primary_industry").prefetch_related("industries")
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("pk")


def register(router: Any) -> None:
    router.register("enterprises", EnterpriseViewSet, basename="enterprise")
