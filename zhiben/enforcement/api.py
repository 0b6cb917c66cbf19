"""Enforcement API under /api/v1/: cases, their steps, and (api_operations.py) 打非治违, the discretion
benchmark and the 提请关闭 proposals.

    POST /api/v1/cases/                      立案
    POST /api/v1/cases/{id}/investigate/     调查取证 … /add-measure/, /notify/, /decide/, /execute/, /close/,
                                             /withdraw/, /remove-measure/, /typical/
    GET  /api/v1/cases/{id}/history/         办理记录;  /documents/ 执法文书;  /steps/ 可执行的操作

The step endpoints are generated from the same table as the page buttons (actions.CASE_STEPS), with input
serializers derived from the page forms. Each carries the version the client read (`version` or If-Match); a
stale one — someone acted first — is a 409.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import CodeRelatedField, ScopedViewSet, error_responses, etag, expected_version
from zhiben.core.documents import download_url
from zhiben.core.errors import NotPermitted
from zhiben.core.models import OfficialDocument
from zhiben.hazards.models import Hazard
from zhiben.inspections.models import Finding
from zhiben.registry.models import Department, Enterprise

from . import actions, services
from .documents import documents_of, measure_text
from .filtersets import CaseFilterSet
from .models import Case, CaseMeasure, CaseTransition, DiscretionRule, IllegalOperation

# --- serializers generated from the page forms ---------------------------------------------------------------


def field_for(f: forms.Field) -> serializers.Field:
    """The serializer field matching a form field (so the page and the API validate alike)."""
    common: dict[str, Any] = {"label": f.label, "required": f.required}
    if f.help_text:
        common["help_text"] = f.help_text
    if isinstance(f, forms.ModelChoiceField):
        if f.to_field_name:
            return CodeRelatedField(
                slug_field=f.to_field_name, queryset=f.queryset, allow_null=not f.required, **common
            )
        return serializers.PrimaryKeyRelatedField(queryset=f.queryset, allow_null=not f.required, **common)
    if isinstance(f, forms.TypedChoiceField) and f.coerce is int:
        return serializers.IntegerField(min_value=1, **common)
    if isinstance(f, forms.ChoiceField):
        return serializers.ChoiceField(choices=list(f.choices), allow_blank=not f.required, **common)  # type: ignore[arg-type]
    if isinstance(f, forms.DateTimeField):
        return serializers.DateTimeField(allow_null=not f.required, **common)
    if isinstance(f, forms.DateField):
        return serializers.DateField(allow_null=not f.required, **common)
    if isinstance(f, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=f.max_digits,
            decimal_places=f.decimal_places,
            min_value=0,
            allow_null=not f.required,
            **common,
        )
    if isinstance(f, forms.IntegerField):
        return serializers.IntegerField(
            min_value=f.min_value, max_value=f.max_value, allow_null=not f.required, **common
        )
    if isinstance(f, forms.BooleanField):
        return serializers.BooleanField(**{**common, "required": False})
    return serializers.CharField(
        max_length=getattr(f, "max_length", None), allow_blank=not f.required, **common
    )


def serializer_for(
    prefix: str, step: actions.Step, *, versioned: bool = True
) -> type[serializers.Serializer]:
    fields: dict[str, Any] = {name: field_for(f) for name, f in step.form.base_fields.items()}
    if versioned:
        fields["version"] = serializers.IntegerField(
            label=_("版本"),
            min_value=1,
            required=False,
            help_text=_("读取时的版本号（或 If-Match 请求头）；过期返回 409"),
        )
    name = "".join(part.title() for part in step.name.split("_"))
    return type(f"{prefix}{name}Serializer", (serializers.Serializer,), fields)


def make_step_action(
    step: actions.Step, *, prefix: str, output: type[serializers.Serializer], versioned: bool = True
) -> Any:
    """A POST action running `step` on the viewset's object and answering with the fresh object."""
    input_serializer = serializer_for(prefix, step, versioned=versioned)

    def run_step(self: Any, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        obj = self.get_object()
        model = type(obj)
        if not actions.may_attempt(request.user, step, model):
            raise NotPermitted(_("您无权执行“%(s)s”。") % {"s": step.label})
        self.check_step(request, step)
        data = input_serializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if versioned:
            values["version"] = expected_version(request)
        with transaction.atomic():
            step.run(obj, values, request.user)
        fresh = (
            self.get_queryset().model._default_manager.unrestricted("re-read after the step").get(pk=obj.pk)
        )
        headers = {"ETag": etag(fresh)} if versioned else {}
        return Response(output(fresh, context=self.get_serializer_context()).data, headers=headers)

    run_step.__name__ = step.name
    run_step.__doc__ = str(step.help or step.label)
    decorated = extend_schema(
        summary=str(step.label),
        description=str(step.help or ""),
        request=input_serializer,
        responses={200: output, **error_responses(400, 401, 403, 404, 409)},
    )(run_step)
    return action(
        detail=True,
        methods=["post"],
        url_path=step.name.replace("_", "-"),
        url_name=step.name.replace("_", "-"),
        parser_classes=[JSONParser, FormParser, MultiPartParser],
    )(decorated)


class DocumentSerializer(serializers.ModelSerializer):
    docx = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = OfficialDocument
        fields = ["id", "number", "title", "issued_at", "docx", "pdf"]

    def get_docx(self, obj: OfficialDocument) -> str:
        return download_url(obj, "docx")

    def get_pdf(self, obj: OfficialDocument) -> str:
        return download_url(obj, "pdf")


# --- cases ---------------------------------------------------------------------------------------------------


class MeasureSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()
    document_number = serializers.CharField(source="document.number", read_only=True, default="")
    daily_total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = CaseMeasure
        fields = [
            "id",
            "kind",
            "text",
            "amount",
            "daily_amount",
            "daily_total",
            "start_on",
            "end_on",
            "details",
            "decided_on",
            "executed_on",
            "outside_range_reason",
            "document_number",
        ]

    def get_text(self, obj: CaseMeasure) -> str:
        return measure_text(obj)


class CaseSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    discretion_rule = serializers.SlugRelatedField(slug_field="code", read_only=True)
    decision_number = serializers.CharField(source="decision_document.number", read_only=True, default="")
    measures = MeasureSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "code",
            "enterprise",
            "operation",
            "subject_name",
            "region",
            "industry",
            "department",
            "inspection",
            "finding",
            "hazard",
            "involves_major_hazard",
            "violation",
            "discretion_rule",
            "status",
            "filed_on",
            "notified_on",
            "statement",
            "decided_on",
            "decision_number",
            "closed_on",
            "is_typical",
            "typical_summary",
            "measures",
            "version",
        ]


class CaseFileSerializer(serializers.Serializer):
    """立案: the subject is a unit (`enterprise`) or comes from `finding`, `hazard` or `operation`."""

    department = CodeRelatedField(
        label=_("办案部门"),
        queryset=Department.objects.all(),
        required=False,
        help_text=_("默认为您所在的部门"),
    )
    violation = serializers.CharField(label=_("违法事实"))
    filed_on = serializers.DateField(label=_("立案日期"), required=False)
    enterprise = serializers.PrimaryKeyRelatedField(
        label=_("当事单位"),
        queryset=Enterprise.objects.unrestricted("validate() checks scope"),
        required=False,
        allow_null=True,
    )
    finding = serializers.PrimaryKeyRelatedField(
        label=_("来源问题（检查发现）"),
        queryset=Finding.objects.unrestricted("validate() checks scope"),
        required=False,
        allow_null=True,
    )
    hazard = serializers.PrimaryKeyRelatedField(
        label=_("涉及隐患"),
        queryset=Hazard.objects.unrestricted("validate() checks scope"),
        required=False,
        allow_null=True,
    )
    operation = serializers.PrimaryKeyRelatedField(
        label=_("打非治违记录"),
        queryset=IllegalOperation.objects.unrestricted("validate() checks scope"),
        required=False,
        allow_null=True,
    )
    discretion_rule = CodeRelatedField(
        label=_("适用裁量基准（编号）"),
        queryset=DiscretionRule.objects.filter(active=True),
        required=False,
        allow_null=True,
    )
    involves_major_hazard = serializers.BooleanField(
        label=_("涉及重大事故隐患"), required=False, default=False
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["request"].user
        errors: dict[str, Any] = {}
        for name in ("enterprise", "finding", "hazard", "operation"):
            obj = attrs.get(name)
            if (
                obj is not None
                and not type(obj)._default_manager.restrict(user, "view").filter(pk=obj.pk).exists()
            ):
                # Same answer as a missing id: no hint that the record exists (R08).
                errors[name] = [_("对象不存在或不在您的职责范围内。")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CaseTransitionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, default="")

    class Meta:
        model = CaseTransition
        fields = ["action", "from_status", "to_status", "actor", "note", "at"]


@extend_schema_view(
    list=extend_schema(
        summary="执法案件列表", responses={200: CaseSerializer(many=True), **error_responses(400, 401, 403)}
    ),
    retrieve=extend_schema(
        summary="执法案件详情", responses={200: CaseSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="立案",
        description="当事单位（enterprise）或来源（finding 检查发现、hazard 隐患、operation 打非治违记录）至少其一。",
        request=CaseFileSerializer,
        responses={201: CaseSerializer, **error_responses(400, 401, 403)},
    ),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """执法案件 (scoped like the pages: a department sees its industries and its own cases)."""

    queryset = Case.objects.select_related(
        "department", "region", "industry", "discretion_rule", "decision_document"
    ).prefetch_related(
        Prefetch("measures", queryset=CaseMeasure.objects.select_related("document").order_by("pk"))
    )
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-filed_on", "-id")

    def check_step(self, request: Request, step: actions.Step) -> None:
        """Hook for steps needing a further permission (none for cases)."""

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from django.utils import timezone

        incoming = CaseFileSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        department = data.pop("department", None)
        if department is None:
            mine = services.departments_of(request.user)
            department = Department.objects.filter(pk=mine[0]).first() if mine else None
        if department is None:
            raise serializers.ValidationError({"department": [_("请指定办案部门。")]})
        data.setdefault("filed_on", timezone.localdate())
        with transaction.atomic():
            case = services.file_case(actor=request.user, department=department, **data)
        case = self.get_queryset().model._default_manager.unrestricted("re-read, just filed").get(pk=case.pk)
        return Response(CaseSerializer(case).data, status=201, headers={"ETag": etag(case)})

    @extend_schema(summary="办理记录", responses={200: CaseTransitionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        case = self.get_object()
        rows = case.history.select_related("actor").order_by("at", "id")
        return Response(CaseTransitionSerializer(rows, many=True).data)

    @extend_schema(summary="执法文书", responses={200: DocumentSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def documents(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        case = self.get_object()
        return Response(DocumentSerializer(documents_of(case), many=True).data)

    @extend_schema(
        summary="可执行的操作",
        responses={
            200: inline_serializer(
                "CaseSteps", {"steps": serializers.ListField(child=serializers.CharField())}
            )
        },
    )
    @action(detail=True, methods=["get"])
    def steps(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        case = self.get_object()
        return Response(
            {"steps": [s.name for s in actions.available(request.user, case, actions.CASE_STEPS)]}
        )


for _step in actions.CASE_STEPS:
    setattr(CaseViewSet, _step.name, make_step_action(_step, prefix="Case", output=CaseSerializer))


def register(router: Any) -> None:
    """Register the enforcement viewsets on the /api/v1/ router."""
    from .api_operations import ClosureProposalViewSet, DiscretionRuleViewSet, IllegalOperationViewSet

    router.register("cases", CaseViewSet, basename="case")
    router.register("illegal-operations", IllegalOperationViewSet, basename="illegal-operation")
    router.register("discretion-rules", DiscretionRuleViewSet, basename="discretion-rule")
    router.register("closure-proposals", ClosureProposalViewSet, basename="closure-proposal")
