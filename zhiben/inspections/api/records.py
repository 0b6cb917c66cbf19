"""Inspection records API: /api/v1/inspections/ and /api/v1/inspectors/ (执法检查人员名录库).

    POST /api/v1/inspections/                 创建检查任务
    POST /api/v1/inspections/{id}/start/      开始现场检查        (version or If-Match)
    POST /api/v1/inspections/{id}/answer/     填写一项检查表      → the answer and the finding it proposes
    POST /api/v1/inspections/{id}/findings/   记录发现问题（当场整改 / 登记隐患 / 立案）
    POST /api/v1/inspections/{id}/complete/   完成检查，生成现场检查笔录 (version or If-Match)
    POST /api/v1/inspections/{id}/cancel/     取消检查任务 (version or If-Match)

Scoped like the pages; every write calls one service (service errors: 400 by field, 403, 409).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.accounts.models import User
from zhiben.core.api import (
    CodeRelatedField,
    ScopedViewSet,
    ServiceWriteMixin,
    error_responses,
    etag,
    expected_version,
)
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.core.documents import download_url
from zhiben.registry.models import Department, Enterprise
from zhiben.standards.models import Checklist, ChecklistItem, Clause

from ..choices import Answer, FindingHandling, InspectorKind, Mode, Origin
from ..filtersets.records import InspectionFilterSet, InspectorFilterSet
from ..models import (
    CapException,
    Finding,
    Inspection,
    InspectionAnswer,
    InspectionDepartment,
    InspectionOfficer,
    Inspector,
    InspectorConflict,
)
from ..services import records, roster

LEVELS = [("general", _("一般")), ("major", _("重大"))]


class TakingPartSerializer(BoundedModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    checklist_name = serializers.CharField(source="checklist.name", read_only=True, default="")

    class Meta:
        model = InspectionDepartment
        fields = ["department", "is_lead", "checklist", "checklist_name"]


class TeamMemberSerializer(BoundedModelSerializer):
    name = serializers.CharField(source="inspector.name", read_only=True)
    department = serializers.SlugRelatedField(
        source="inspector.department", slug_field="code", read_only=True
    )
    is_legal_subject = serializers.BooleanField(read_only=True, help_text=_("是否为执法主体（持证执法人员）"))

    class Meta:
        model = InspectionOfficer
        fields = ["inspector", "name", "department", "role", "certificate_no", "is_legal_subject"]


class FindingSerializer(BoundedModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    clause_citation = serializers.SerializerMethodField()
    hazard_code = serializers.CharField(source="hazard.code", read_only=True, default="")

    class Meta:
        model = Finding
        fields = [
            "id",
            "department",
            "answer",
            "level",
            "clause",
            "clause_citation",
            "title",
            "description",
            "location",
            "handling",
            "hazard",
            "hazard_code",
        ]

    def get_clause_citation(self, obj: Finding) -> str:
        return obj.clause.citation if obj.clause_id else ""


class InspectionSerializer(BoundedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    host_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    departments = TakingPartSerializer(many=True, read_only=True)
    officers = TeamMemberSerializer(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)
    record_number = serializers.CharField(source="record_document.number", read_only=True, default="")
    record_docx = serializers.SerializerMethodField(
        help_text=_("现场检查笔录（乡镇巡查：巡查记录）Word 下载地址")
    )
    record_pdf = serializers.SerializerMethodField(
        help_text=_("现场检查笔录（乡镇巡查：巡查记录）PDF 下载地址")
    )
    patrol_township = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("乡镇巡查：开展巡查的乡镇（街道）区划代码")
    )
    patrollers = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("乡镇巡查：巡查人员姓名")
    )

    class Meta:
        model = Inspection
        fields = [
            "id",
            "code",
            "enterprise",
            "enterprise_name",
            "region",
            "industry",
            "department",
            "mode",
            "origin",
            "status",
            "planned_on",
            "started_at",
            "finished_at",
            "location",
            "subject",
            "summary",
            "conclusion",
            "unit_representative",
            "refused_to_sign",
            "host_department",
            "cap_exception",
            "patrol_township",
            "patrollers",
            "departments",
            "officers",
            "findings",
            "record_number",
            "record_docx",
            "record_pdf",
            "version",
        ]

    def get_record_docx(self, obj: Inspection) -> str:
        return download_url(obj.record_document, "docx") if obj.record_document_id else ""  # type: ignore[arg-type]

    def get_record_pdf(self, obj: Inspection) -> str:
        return download_url(obj.record_document, "pdf") if obj.record_document_id else ""  # type: ignore[arg-type]


class InspectionCreateSerializer(BoundedSerializer):
    enterprise = serializers.PrimaryKeyRelatedField(
        label=_("被检查单位"), queryset=Enterprise.objects.unrestricted("validate_enterprise checks scope")
    )
    department = CodeRelatedField(
        label=_("牵头部门"),
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("部门代码；乡镇巡查不填（由单位的监管部门判定发现的问题）"),
    )
    mode = serializers.ChoiceField(
        label=_("检查方式"), choices=Mode.choices, help_text=_("乡镇（街道）只能 patrol（乡镇巡查）")
    )
    origin = serializers.ChoiceField(label=_("检查来源"), choices=Origin.choices, default=Origin.OTHER)
    planned_on = serializers.DateField(label=_("计划检查日期"))
    officers = serializers.PrimaryKeyRelatedField(
        label=_("执法人员"),
        queryset=Inspector.objects.unrestricted("joint visits: any department's officers"),
        many=True,
        required=False,
        default=list,
        help_text=_("名录库人员编号，第一位为主办；不少于两名持有效执法证的执法人员（乡镇巡查不填）"),
    )
    assistants = serializers.PrimaryKeyRelatedField(
        label=_("辅助检查人员"),
        queryset=Inspector.objects.unrestricted("joint visits"),
        many=True,
        required=False,
        default=list,
    )
    departments = CodeRelatedField(
        label=_("联合检查部门"), queryset=Department.objects.all(), many=True, required=False, default=list
    )
    checklists = serializers.DictField(
        label=_("检查表"),
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=dict,
        help_text=_('部门代码 → 检查表编号，如 {"housing": 3, "fire": 5}'),
    )
    subject = serializers.CharField(
        label=_("检查事项"), max_length=200, required=False, allow_blank=True, default=""
    )
    cap_exception = serializers.PrimaryKeyRelatedField(
        label=_("超频次检查审批"),
        queryset=CapException.objects.unrestricted("check_cap checks it is the unit's"),
        required=False,
        allow_null=True,
        default=None,
    )
    host_department = CodeRelatedField(
        label=_("属地办案部门"),
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    companions = serializers.CharField(
        label=_("同行巡查人员"),
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("乡镇巡查：除创建人外的巡查人员姓名，顿号分隔"),
    )

    def validate_enterprise(self, value: Enterprise) -> Enterprise:
        user = self.context["request"].user
        if not Enterprise.objects.restrict(user, "view").filter(pk=value.pk).exists():
            raise serializers.ValidationError(_("生产经营单位不存在或不在您的职责范围内。"))
        return value

    def validate_checklists(self, value: dict[str, int]) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for code, checklist_id in value.items():
            department = Department.objects.filter(code=code).first()
            checklist = Checklist.objects.filter(pk=checklist_id).first()
            if department is None:
                raise serializers.ValidationError(_("部门代码 %(c)s 不存在。") % {"c": code})
            if checklist is None:
                raise serializers.ValidationError(_("检查表 %(i)s 不存在。") % {"i": checklist_id})
            out[department.pk] = checklist
        return out


class VersionSerializer(BoundedSerializer):
    version = serializers.IntegerField(
        label=_("版本"),
        min_value=1,
        required=False,
        help_text=_("读取时的版本号（或 If-Match 请求头）；过期返回 409"),
    )


class StartSerializer(VersionSerializer):
    location = serializers.CharField(
        label=_("检查地点"), max_length=200, required=False, allow_blank=True, default=""
    )


class CompleteSerializer(VersionSerializer):
    summary = serializers.CharField(label=_("检查情况"))
    conclusion = serializers.CharField(label=_("处理意见"))
    unit_representative = serializers.CharField(
        label=_("被检查单位现场负责人"), max_length=50, required=False, allow_blank=True, default=""
    )
    refused_to_sign = serializers.BooleanField(label=_("拒绝签字"), required=False, default=False)


class CancelSerializer(VersionSerializer):
    reason = serializers.CharField(label=_("取消原因"))


class AnswerSerializer(BoundedSerializer):
    item = serializers.PrimaryKeyRelatedField(label=_("检查项"), queryset=ChecklistItem.objects.all())
    result = serializers.ChoiceField(label=_("检查结果"), choices=Answer.choices)
    note = serializers.CharField(
        label=_("说明"), max_length=500, required=False, allow_blank=True, default=""
    )


class AnswerOutSerializer(BoundedModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = InspectionAnswer
        fields = ["id", "item", "department", "result", "note"]


class FindingProposalSerializer(BoundedSerializer):
    department = serializers.CharField(help_text=_("承办部门代码"))
    level = serializers.ChoiceField(choices=LEVELS)
    clause = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()


class AnswerResultSerializer(BoundedSerializer):
    answer = AnswerOutSerializer()
    proposal = FindingProposalSerializer(
        allow_null=True, help_text=_("“不符合”时建议记录的问题；其他结果为 null")
    )


class InspectionFindingInputSerializer(BoundedSerializer):
    answer = serializers.PrimaryKeyRelatedField(
        label=_("不符合的检查项（填写记录编号）"),
        queryset=InspectionAnswer.objects.unrestricted("the service checks it is the visit's"),
        required=False,
        allow_null=True,
    )
    department = CodeRelatedField(
        label=_("承办部门"), queryset=Department.objects.all(), required=False, allow_null=True, default=None
    )
    level = serializers.ChoiceField(label=_("隐患等级"), choices=LEVELS, required=False, allow_null=True)
    clause = serializers.PrimaryKeyRelatedField(
        label=_("判定依据条款"), queryset=Clause.objects.all(), required=False, allow_null=True, default=None
    )
    title = serializers.CharField(
        label=_("发现的问题"), max_length=200, required=False, allow_blank=True, default=""
    )
    handling = serializers.ChoiceField(label=_("处理方式"), choices=FindingHandling.choices)
    description = serializers.CharField(label=_("问题描述"), required=False, allow_blank=True, default="")
    location = serializers.CharField(
        label=_("部位"), max_length=200, required=False, allow_blank=True, default=""
    )


@extend_schema_view(
    list=extend_schema(
        summary="检查任务列表",
        responses={200: InspectionSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="检查详情", responses={200: InspectionSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="创建检查任务",
        description=(
            "执法人员不少于两名且须持有效行政执法证（第一位为主办）；专家、技术检查员只能作为 assistants。"
            "有回避关系的人员、超过单位年度检查频次上限（无已批准的超频次审批）均返回 400。"
            "联合检查（mode=joint）须在 departments 中列出其他参检部门。"
            "乡镇（街道）只能创建乡镇巡查（mode=patrol，不填 department 和 officers，可填 companions），"
            "其他检查方式返回 403；巡查按单位的监管部门（三管三必须）选用检查表，完成后生成巡查记录。"
        ),
        request=InspectionCreateSerializer,
        responses={201: InspectionSerializer, **error_responses(400, 401, 403)},
    ),
)
class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """监督检查 (scoped: a department sees its industries and the visits it takes part in)."""

    queryset = Inspection.objects.select_related(
        "enterprise", "region", "industry", "department", "host_department", "record_document"
    ).prefetch_related(
        "departments__department",
        "departments__checklist",
        "officers__inspector__department",
        "findings__department",
        "findings__clause__version",
        "findings__hazard",
    )
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-planned_on", "-id")

    def _out(self, inspection: Inspection, status: int = 200) -> Response:
        fresh = (
            self.get_queryset().model.objects.unrestricted("re-read after the write").get(pk=inspection.pk)
        )
        return Response(InspectionSerializer(fresh).data, status=status, headers={"ETag": etag(fresh)})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = InspectionCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with transaction.atomic():
            inspection = records.create_inspection(actor=request.user, **incoming.validated_data)
        return self._out(inspection, 201)

    @extend_schema(
        summary="开始现场检查",
        request=StartSerializer,
        responses={200: InspectionSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        inspection = self.get_object()
        version = expected_version(request)
        data = StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            records.start_inspection(
                inspection, actor=request.user, version=version, location=data.validated_data["location"]
            )
        return self._out(inspection)

    @extend_schema(
        summary="填写检查表",
        description="同一检查项重复提交相同结果不产生变化；“不符合”返回建议记录的问题（条款项为重大隐患）。",
        request=AnswerSerializer,
        responses={200: AnswerResultSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        inspection = self.get_object()
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            answer, proposal = records.answer_item(inspection, actor=request.user, **data.validated_data)
        body = {
            "answer": AnswerOutSerializer(answer).data,
            "proposal": None
            if proposal is None
            else {
                "department": proposal.department.code,
                "level": proposal.level,
                "clause": proposal.clause.pk if proposal.clause else None,
                "title": proposal.title,
            },
        }
        return Response(body)

    @extend_schema(
        summary="记录发现问题",
        description=(
            "从“不符合”的检查项（answer）记录时，承办部门为该检查表所属部门，条款项为重大事故隐患；"
            "自由记录须指定 department 与 level。handling=hazard 或 hazard_case 时登记隐患，进入承办部门台账。"
        ),
        request=InspectionFindingInputSerializer,
        responses={201: FindingSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def findings(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        inspection = self.get_object()
        data = InspectionFindingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        with transaction.atomic():
            finding = records.record_finding(inspection, actor=request.user, **values)
        return Response(FindingSerializer(finding).data, status=201)

    @extend_schema(
        summary="完成检查并生成现场检查笔录",
        request=CompleteSerializer,
        responses={200: InspectionSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        inspection = self.get_object()
        version = expected_version(request)
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k != "version"}
        with transaction.atomic():
            records.complete_inspection(inspection, actor=request.user, version=version, **values)
        return self._out(inspection)

    @extend_schema(
        summary="取消检查任务",
        request=CancelSerializer,
        responses={200: InspectionSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        inspection = self.get_object()
        version = expected_version(request)
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            records.cancel_inspection(
                inspection, actor=request.user, version=version, reason=data.validated_data["reason"]
            )
        return self._out(inspection)


# --- 执法检查人员名录库 ----------------------------------------------------------------------------------------


class InspectorSerializer(BoundedModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    certified_today = serializers.SerializerMethodField(help_text=_("今天是否可作为执法主体"))

    class Meta:
        model = Inspector
        fields = [
            "id",
            "name",
            "department",
            "kind",
            "certificate_no",
            "certificate_valid_until",
            "specialty",
            "active",
            "user",
            "certified_today",
            "version",
        ]

    def get_certified_today(self, obj: Inspector) -> bool:
        return obj.is_certified(timezone.localdate())


class InspectorWriteSerializer(BoundedSerializer):
    name = serializers.CharField(label=_("姓名"), max_length=50)
    department = CodeRelatedField(label=_("所属部门"), queryset=Department.objects.all())
    kind = serializers.ChoiceField(label=_("人员类别"), choices=InspectorKind.choices)
    certificate_no = serializers.CharField(
        label=_("执法证号"), max_length=40, required=False, allow_blank=True, default=""
    )
    certificate_valid_until = serializers.DateField(
        label=_("执法证有效期至"), required=False, allow_null=True, default=None
    )
    specialty = serializers.CharField(
        label=_("专业领域"), max_length=100, required=False, allow_blank=True, default=""
    )
    active = serializers.BooleanField(label=_("在库"), required=False, default=True)
    user = serializers.SlugRelatedField(
        label=_("平台账号"),
        slug_field="username",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )


class ConflictSerializer(BoundedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = InspectorConflict
        fields = ["id", "enterprise", "enterprise_name", "reason", "declared_on", "active"]
        read_only_fields = ["active"]
        extra_kwargs = {
            "declared_on": {"required": False, "help_text": _("默认今天")},
            "enterprise": {"queryset": Enterprise.objects.unrestricted("validate_enterprise checks scope")},
        }

    def validate_enterprise(self, value: Enterprise) -> Enterprise:
        user = self.context["request"].user
        if not Enterprise.objects.restrict(user, "view").filter(pk=value.pk).exists():
            raise serializers.ValidationError(_("生产经营单位不存在或不在您的职责范围内。"))
        return value


@extend_schema_view(
    list=extend_schema(
        summary="执法检查人员名录库",
        responses={200: InspectorSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="执法检查人员详情", responses={200: InspectorSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="新增执法检查人员",
        request=InspectorWriteSerializer,
        responses={201: InspectorSerializer, **error_responses(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="修改执法检查人员",
        request=InspectorWriteSerializer,
        responses={200: InspectorSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class InspectorViewSet(ServiceWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """执法检查人员名录库 (a department keeps its own; filters: kind, department, active, certified_on, q)."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Inspector.objects.select_related("department", "user").order_by(
        "department__sort_order", "name", "pk"
    )
    serializer_class = InspectorSerializer
    write_serializer_class = InspectorWriteSerializer
    filterset_class = InspectorFilterSet

    def create_object(self, data: dict[str, Any]) -> Inspector:
        return roster.save_inspector(None, actor=self.request.user, **data)

    def update_object(self, obj: Inspector, data: dict[str, Any]) -> Inspector:
        return roster.save_inspector(obj, actor=self.request.user, version=obj.version, **data)

    @extend_schema(
        summary="申报回避关系",
        request=ConflictSerializer,
        responses={201: ConflictSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def conflicts(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        inspector = self.get_object()
        data = ConflictSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            conflict = roster.declare_conflict(actor=request.user, inspector=inspector, **data.validated_data)
        return Response(ConflictSerializer(conflict).data, status=201)


def register(router: Any) -> None:
    """Register this area's viewsets on the /api/v1/ router."""
    router.register("inspections", InspectionViewSet, basename="inspection")
    router.register("inspectors", InspectorViewSet, basename="inspector")
