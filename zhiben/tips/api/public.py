"""The anonymous public API of the whistleblower channel (apps, the 12350 desk's tools):

* `POST /api/v1/public/tips/` (JSON or multipart with `files`) → 201 {"receipt", "code"}; a repeated
  `submission_key` → 200 with the first tip's code and no receipt (it is shown once only);
* `GET /api/v1/public/tips/status/?receipt=…` → the public status and feedback only; 404 for an unknown or
  forged receipt.

The same rules and limits as the portal (services/intake.py, ratelimit.py): 429 with a Chinese message when
a client submits or looks up too often; `Cache-Control: no-store`, `Referrer-Policy: no-referrer`; nothing
about the client is stored (R15). No authentication is read: a logged-in caller files as the public does.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.bounds import BoundedSerializer
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Region

from .. import ratelimit
from ..choices import Category, Channel, PublicStatus
from ..forms.public import reportable_units
from ..services import receipts
from ..services.intake import MAX_SHORT, MAX_TEXT, submit_tip
from ..views.public import PRIVACY_HEADERS

NOT_FOUND = "查询码不正确或不存在。"


class PublicTipSerializer(BoundedSerializer):
    category = serializers.ChoiceField(choices=Category.choices, help_text="举报类别")
    text = serializers.CharField(
        max_length=MAX_TEXT, help_text="举报内容：在哪里、看到了什么（至少 10 个字）"
    )
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=reportable_units(),
        required=False,
        allow_null=True,
        help_text="被举报的已登记单位（/tips/units/?q= 查得的 id）",
    )
    unit_name = serializers.CharField(
        max_length=MAX_SHORT, required=False, allow_blank=True, default="", help_text="未登记单位的名称"
    )
    place = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.unrestricted("the district's places are public reference data").filter(
            level__in=(RegionLevel.TOWNSHIP, RegionLevel.VILLAGE)
        ),
        required=False,
        allow_null=True,
        help_text="地点所在乡镇（街道）或村（社区）的区划 id",
    )
    address = serializers.CharField(max_length=MAX_SHORT, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    employer = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    works_there = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="举报人是否在被举报单位工作"
    )
    files = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=6, help_text="照片或 PDF（multipart）"
    )
    submission_key = serializers.CharField(
        max_length=60, required=False, allow_blank=True, help_text="客户端生成的一次性标识：重试不会重复登记"
    )


RECEIPT_RESPONSE = inline_serializer(
    "PublicTipReceipt",
    {
        "receipt": serializers.CharField(
            allow_null=True, help_text="查询码（25 位数字，分 5 组；只返回这一次）"
        ),
        "code": serializers.CharField(help_text="举报编号"),
    },
)
STATUS_RESPONSE = inline_serializer(
    "PublicTipStatus",
    {
        "code": serializers.CharField(),
        "category": serializers.CharField(),
        "status": serializers.ChoiceField(choices=PublicStatus.choices),
        "status_label": serializers.CharField(),
        "received_on": serializers.DateField(),
        "accepted_on": serializers.DateField(allow_null=True),
        "verify_deadline": serializers.DateField(allow_null=True),
        "feedback_on": serializers.DateField(allow_null=True),
        "public_feedback": serializers.CharField(allow_blank=True),
        "rejection_reason": serializers.CharField(allow_blank=True),
        "extension_reason": serializers.CharField(allow_blank=True),
        "merged": serializers.BooleanField(),
    },
)
DETAIL = inline_serializer("PublicTipError", {"detail": serializers.CharField()})


def _private(response: Response) -> Response:
    for header, value in PRIVACY_HEADERS.items():
        response[header] = value
    return response


def _limited(limit: ratelimit.Limit) -> Response:
    return _private(
        Response(
            {"detail": limit.message},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={ratelimit.RETRY_AFTER: str(limit.seconds)},
        )
    )


@extend_schema(
    request={
        "application/json": PublicTipSerializer,
        "multipart/form-data": PublicTipSerializer,
    },
    responses={
        201: RECEIPT_RESPONSE,
        200: OpenApiResponse(
            RECEIPT_RESPONSE, description="同一 submission_key 已提交过：返回原举报编号，不再返回查询码"
        ),
        429: OpenApiResponse(DETAIL, description="提交过于频繁"),
    },
    summary="匿名提交举报",
    tags=["举报（公开）"],
)
@api_view(["POST"])
@parser_classes([JSONParser, MultiPartParser, FormParser])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
def submit(request: Request) -> Response:
    if not ratelimit.hit(request._request, ratelimit.SUBMIT):
        return _limited(ratelimit.SUBMIT)
    data = PublicTipSerializer(data=request.data)
    if not data.is_valid():
        return _private(Response(data.errors, status=status.HTTP_400_BAD_REQUEST))
    values: dict[str, Any] = data.validated_data
    key = values.get("submission_key") or None
    files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
    try:
        tip, receipt = submit_tip(
            category=values["category"],
            text=values["text"],
            channel=Channel.APP,
            enterprise=values.get("enterprise"),
            unit_name=values.get("unit_name", ""),
            place=values.get("place"),
            address=values.get("address", ""),
            latitude=values.get("latitude"),
            longitude=values.get("longitude"),
            identity={k: values.get(k) for k in ("name", "phone", "id_number", "employer", "works_there")},
            files=files,
            submission_key=f"api:{key}" if key else None,
        )
    except ValidationError as exc:
        return _private(Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST))
    code = status.HTTP_201_CREATED if receipt is not None else status.HTTP_200_OK
    return _private(Response({"receipt": receipt, "code": tip.code}, status=code))


class ReceiptSerializer(BoundedSerializer):
    receipt = serializers.CharField(max_length=80, help_text="查询码（25 位数字，可带空格或短横线）")


_LOOKUP_RESPONSES = {
    200: STATUS_RESPONSE,
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="未提供查询码"),
    404: OpenApiResponse(DETAIL, description="查询码不正确或不存在"),
    429: OpenApiResponse(DETAIL, description="查询过于频繁"),
}


@extend_schema(
    methods=["GET"],
    parameters=[
        OpenApiParameter(
            "receipt",
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            required=True,
            description="查询码（25 位数字）",
        )
    ],
    responses=_LOOKUP_RESPONSES,
    summary="凭查询码查询举报办理进度",
    tags=["举报（公开）"],
)
@extend_schema(
    methods=["POST"],
    request=ReceiptSerializer,
    responses=_LOOKUP_RESPONSES,
    summary="凭查询码查询举报办理进度（查询码放在请求体中，不进入网址和访问日志）",
    tags=["举报（公开）"],
)
@api_view(["GET", "POST"])
@parser_classes([JSONParser, FormParser])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
def lookup(request: Request) -> Response:
    raw = request.query_params.get("receipt") if request.method == "GET" else _posted_receipt(request)
    code = (raw or "").strip()
    if not code:
        return _private(Response({"receipt": ["请提供查询码。"]}, status=status.HTTP_400_BAD_REQUEST))
    if not ratelimit.hit(request._request, ratelimit.LOOKUP):
        return _limited(ratelimit.LOOKUP)
    tip = receipts.find_by_receipt(code)
    if tip is None:
        return _private(Response({"detail": NOT_FOUND}, status=status.HTTP_404_NOT_FOUND))
    view = receipts.public_view(tip)
    body = {
        "code": view.code,
        "category": view.category,
        "status": view.status,
        "status_label": view.status_label,
        "received_on": view.received_on.isoformat(),
        "accepted_on": view.accepted_on.isoformat() if view.accepted_on else None,
        "verify_deadline": view.verify_deadline.isoformat() if view.verify_deadline else None,
        "feedback_on": view.feedback_on.isoformat() if view.feedback_on else None,
        "public_feedback": view.public_feedback,
        "rejection_reason": view.rejection_reason,
        "extension_reason": view.extension_reason,
        "merged": view.merged,
    }
    return _private(Response(body))


def _posted_receipt(request: Request) -> str | None:
    data = request.data
    value = data.get("receipt") if hasattr(data, "get") else None
    return value if isinstance(value, str) and len(value) <= 80 else None


urlpatterns: list[Any] = [
    path("public/tips/", submit, name="public-tip-submit"),
    path("public/tips/status/", lookup, name="public-tip-status"),
]
