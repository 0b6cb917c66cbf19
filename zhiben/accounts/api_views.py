"""POST /api/v1/auth/token/ {"username", "password"} → {"token"}; the same lockout as the login page."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.errors import NotPermitted

from .services import AccountError, create_token, login_user


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


@extend_schema(
    request=TokenRequestSerializer,
    responses={
        200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
        400: inline_serializer("TokenError", {"detail": serializers.CharField()}),
        403: inline_serializer("TokenRefused", {"detail": serializers.CharField()}),
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
    except AccountError as exc:
        return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
    try:
        _, key = create_token(user, actor=user, name="api")
    except NotPermitted as exc:
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    return Response({"token": key})
