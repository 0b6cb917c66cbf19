"""POST /api/v1/auth/token/ {"username", "password", "otp"?, "name"?} → {"token", "name", "expires_at"}.

The same lockout as the login page, and the same second factor (R04): a user with two-factor login enrolled
sends the current dynamic password (or a recovery code) as `otp`. A token lives `settings.API_TOKEN_LIFETIME` (30 days); asking again with the
same client name (default "api") rotates it: the previous key of that name stops working."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.bounds import BoundedSerializer
from zhiben.core.errors import NotPermitted

from . import two_factor
from .services import AccountError, AddressThrottled, create_token, login_user


class TokenRequestSerializer(BoundedSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="动态口令（6 位）或恢复码；已启用双因素认证的账号必填",
    )
    name = serializers.CharField(
        max_length=50, required=False, default="api", help_text="客户端名称；同名令牌轮换"
    )


@extend_schema(
    request=TokenRequestSerializer,
    responses={
        200: inline_serializer(
            "TokenResponse",
            {
                "token": serializers.CharField(),
                "name": serializers.CharField(),
                "expires_at": serializers.DateTimeField(),
            },
        ),
        400: inline_serializer("TokenError", {"detail": serializers.CharField()}),
        403: inline_serializer("TokenRefused", {"detail": serializers.CharField()}),
        429: inline_serializer("TokenThrottled", {"detail": serializers.CharField()}),
    },
    summary="获取 API 令牌",
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
def obtain_token(request: Request) -> Response:
    data = TokenRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        user = login_user(request._request, data.validated_data["username"], data.validated_data["password"])
    except AddressThrottled as exc:
        return Response(
            {"detail": exc.message},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    except AccountError as exc:
        return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
    refused = _second_factor(user, data.validated_data["otp"])
    if refused is not None:
        return refused
    try:
        token, key = create_token(user, actor=user, name=data.validated_data["name"])
    except NotPermitted as exc:
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    return Response({"token": key, "name": token.name, "expires_at": token.expires_at})


def _second_factor(user: Any, otp: str) -> Response | None:
    """R04: None when the user may have a token; otherwise the refusal (400, 403 or 429)."""
    if two_factor.must_enrol(user):
        return Response(
            {"detail": _("您的角色须先在“我的账号”中启用双因素认证，才能获取 API 令牌。")},
            status=status.HTTP_403_FORBIDDEN,
        )
    if not two_factor.enrolled(user):
        return None
    if not otp.strip():
        return Response(
            {"detail": _("该账号已启用双因素认证，请在 otp 中提供动态口令。")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    try:
        two_factor.complete_login(user, otp, channel="token")
    except two_factor.OtpThrottled as exc:
        return Response(
            {"detail": exc.message},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    except AccountError as exc:
        return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
    return None
