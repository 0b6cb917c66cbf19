"""Assessment API under /api/v1/:

    GET  /api/v1/assessments/?year=2026&quarter=2&kind=township   the quarter's assessments, each with its ranking:
         every unit's rank and totals, and each unit's points per rule (indicator, value, numerator, denominator,
         points) with `records` links (absolute API URLs of the records behind the numerator and denominator)
    GET  /api/v1/assessment-appeals/          申诉 in scope;  POST …/{id}/accept/ 采纳, …/{id}/reject/ 不予采纳
    GET  /api/v1/assessment-interviews/?year=&quarter=   约谈;  POST …/{id}/hold/, …/check/, …/close/

Scope: the office and leaders see everything (drafts: the office only). A township or department sees the
published rankings whole — rank and totals of every unit, as published to the assessed — but `points` only
for its own unit (null for the others)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers

from zhiben.core.api import ScopedViewSet
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.core.loop.api import install_steps
from zhiben.core.scoping import can

from .choices import AssessmentStatus
from .models import Appeal, Assessment, Interview, Result
from .steps import APPEAL_FLOW, INTERVIEW_FLOW
from .views import records_api_links


class AssessmentRecordsSerializer(BoundedSerializer):
    numerator = serializers.CharField(help_text="分子记录（绝对地址）")
    denominator = serializers.CharField(required=False, help_text="分母记录（绝对地址）")


class AssessmentPointSerializer(BoundedSerializer):
    code = serializers.CharField()
    name = serializers.CharField()
    indicator = serializers.CharField()
    rule_type = serializers.CharField()
    available = serializers.BooleanField(help_text="false：指标未接入，不计分")
    value = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    numerator = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    denominator = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    max_points = serializers.DecimalField(max_digits=8, decimal_places=2)
    points = serializers.DecimalField(max_digits=8, decimal_places=2)
    adjusted_points = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    vetoed = serializers.BooleanField()
    explanation = serializers.CharField()
    records = AssessmentRecordsSerializer(allow_null=True)


class AssessmentRankingSerializer(BoundedSerializer):
    result = serializers.IntegerField(help_text="考核结果编号")
    unit = serializers.CharField(help_text="单位名称")
    unit_kind = serializers.CharField()
    unit_code = serializers.CharField(help_text="乡镇（街道）区划代码或部门代码")
    rank = serializers.IntegerField(help_text="计算排名")
    final_rank = serializers.IntegerField(help_text="申诉调整后的排名")
    score = serializers.DecimalField(max_digits=8, decimal_places=2)
    final_score = serializers.DecimalField(max_digits=8, decimal_places=2)
    vetoed = serializers.BooleanField()
    points = AssessmentPointSerializer(many=True, allow_null=True, help_text="本单位各项得分；他单位为 null")


class AssessmentSerializer(BoundedModelSerializer):
    scheme = serializers.CharField(source="scheme.name", read_only=True)
    scheme_version = serializers.IntegerField(source="scheme.number", read_only=True)
    ranking = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "year",
            "quarter",
            "kind",
            "status",
            "scheme",
            "scheme_version",
            "computed_at",
            "published_at",
            "ranking",
            "version",
        ]

    @extend_schema_field(AssessmentRankingSerializer(many=True))
    def get_ranking(self, obj: Assessment) -> list[dict[str, Any]]:
        request = self.context["request"]
        mine = set(Result.objects.restrict(request.user).filter(assessment=obj).values_list("pk", flat=True))
        results = (
            Result.objects.unrestricted(
                "the ranking is published to every assessed unit; points only for one's own"
            )
            .filter(assessment=obj)
            .select_related("township", "department", "assessment")
            .prefetch_related("points")
            .order_by("final_rank", "pk")
        )
        rows = []
        for r in results:
            points = None
            if r.pk in mine:
                points = []
                for p in r.points.all():
                    links = records_api_links(p, r)
                    points.append(
                        {
                            "code": p.code,
                            "name": p.name,
                            "indicator": p.indicator,
                            "rule_type": p.rule_type,
                            "available": p.available,
                            "value": p.value,
                            "numerator": p.numerator,
                            "denominator": p.denominator,
                            "max_points": p.max_points,
                            "points": p.points,
                            "adjusted_points": p.adjusted_points,
                            "vetoed": p.vetoed,
                            "explanation": p.explanation,
                            "records": {k: request.build_absolute_uri(v) for k, v in links.items()} or None,
                        }
                    )
            rows.append(
                {
                    "result": r.pk,
                    "unit": r.unit_name,
                    "unit_kind": obj.kind,
                    "unit_code": r.township.code
                    if r.township
                    else (r.department.code if r.department else ""),
                    "rank": r.rank,
                    "final_rank": r.final_rank,
                    "score": r.score,
                    "final_score": r.final_score,
                    "vetoed": r.vetoed,
                    "points": points,
                }
            )
        return AssessmentRankingSerializer(rows, many=True).data  # type: ignore[return-value]


YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="年度")
QUARTER = OpenApiParameter("quarter", OpenApiTypes.INT, description="季度（1–4）")
KIND = OpenApiParameter("kind", OpenApiTypes.STR, enum=["township", "department"], description="考核对象")


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) <= 4 else None


@extend_schema_view(list=extend_schema(parameters=[YEAR, QUARTER, KIND]))
class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """季度考核与排名."""

    queryset = Assessment.objects.select_related("scheme")
    serializer_class = AssessmentSerializer

    def get_queryset(self) -> Any:
        qs = super().get_queryset().order_by("-year", "-quarter", "kind")
        if not can(self.request.user, "add", Assessment):
            qs = qs.filter(status=AssessmentStatus.PUBLISHED)
        params = self.request.query_params
        if _int(params.get("year")):
            qs = qs.filter(year=_int(params.get("year")))
        if _int(params.get("quarter")):
            qs = qs.filter(quarter=_int(params.get("quarter")))
        if params.get("kind") in ("township", "department"):
            qs = qs.filter(kind=params["kind"])
        return qs


class AssessmentAppealSerializer(BoundedModelSerializer):
    unit = serializers.CharField(source="result.unit_name", read_only=True)
    point_name = serializers.CharField(source="point.name", read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "result",
            "unit",
            "point",
            "point_name",
            "reason",
            "evidence",
            "requested_points",
            "status",
            "submitted_at",
            "decided_at",
            "decision_reason",
            "points_before",
            "points_after",
            "version",
        ]


class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """考核申诉."""

    queryset = Appeal.objects.select_related("result__township", "result__department", "point")
    serializer_class = AssessmentAppealSerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-submitted_at", "-pk")


install_steps(AppealViewSet, APPEAL_FLOW, prefix="AssessmentAppeal", output=AssessmentAppealSerializer)


class AssessmentInterviewSerializer(BoundedModelSerializer):
    unit = serializers.CharField(source="unit_name", read_only=True)

    class Meta:
        model = Interview
        fields = [
            "id",
            "year",
            "quarter",
            "unit",
            "township",
            "department",
            "reasons",
            "status",
            "held_at",
            "place",
            "leaders",
            "attendees",
            "issues",
            "minutes",
            "version",
        ]


@extend_schema_view(list=extend_schema(parameters=[YEAR, QUARTER]))
class InterviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """季度约谈."""

    queryset = Interview.objects.select_related("township", "department")
    serializer_class = AssessmentInterviewSerializer

    def get_queryset(self) -> Any:
        qs = super().get_queryset().order_by("-year", "-quarter", "pk")
        params = self.request.query_params
        if _int(params.get("year")):
            qs = qs.filter(year=_int(params.get("year")))
        if _int(params.get("quarter")):
            qs = qs.filter(quarter=_int(params.get("quarter")))
        return qs


install_steps(
    InterviewViewSet, INTERVIEW_FLOW, prefix="AssessmentInterview", output=AssessmentInterviewSerializer
)


def register(router: Any) -> None:
    router.register("assessments", AssessmentViewSet, basename="assessment")
    router.register("assessment-appeals", AppealViewSet, basename="assessment-appeal")
    router.register("assessment-interviews", InterviewViewSet, basename="assessment-interview")
