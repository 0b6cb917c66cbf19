"""API authentication: `Authorization: Token <key>`, keys stored hashed."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken
from .passwords import change_required_reason


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("令牌格式无效。")
        key = header[1].decode(errors="replace")
        token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(key)).first()
        if token is None or token.expired or not token.user.is_active:
            raise exceptions.AuthenticationFailed("令牌无效或已过期。")
        if not token.user.may_hold_api_tokens:
            # The role that allowed the token was withdrawn (roles.API_TOKEN_ROLES).
            raise exceptions.AuthenticationFailed("您的角色不使用 API 令牌。")
        reason = change_required_reason(token.user)
        if reason:
            # R02: the middleware cannot see token users; the same rule answers 403 here.
            raise exceptions.PermissionDenied(reason)
        if token.last_used_at is None or (timezone.now() - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword
