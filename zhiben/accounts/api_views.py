"""POST /api/v1/auth/token/ {"username", "password", "name"?} → {"token", "name", "expires_at"}.

The same lockout as the login page. A token lives `settings.API_TOKEN_LIFETIME` (30 days); asking again with the
same client name (default "api") rotates it: the previous key of that name stops working."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.bounds import BoundedSerializer
from zhiben.core.errors import NotPermitted

from .services import AccountError, AddressThrottled, create_token, login_user


class TokenRequestSerializer(BoundedSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
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
    try:
        token, key = create_token(user, actor=user, name=data.validated_data["name"])
    except NotPermitted as exc:
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    return Response({"token": key, "name": token.name, "expires_at": token.expires_at})
