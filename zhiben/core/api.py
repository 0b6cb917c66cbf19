"""API base: scoped viewsets, writes through services with optimistic concurrency, one exception handler.

Reads go through `restrict(user, action)` (no permission → 403, out of scope → 404). Writes validate with a
separate input serializer, call a service, then re-check that the saved object is still inside the user's
scope (NetBox's PermissionsViolation: the transaction rolls back). Edits carry the version the client read,
in the body (`version`) or as `If-Match`; a stale one is a 409 (R30).
"""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .bounds import BoundedSerializer
from .errors import Conflict, DomainError
from .scoping import can, grants_for, region_in_scope

ACTION_MAP = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


def _writes_anything(user: Any) -> bool:
    return any(
        can(user, action, model)
        for model in apps.get_models()
        if model.__module__.startswith("zhiben.")
        for action in ("add", "change")
    )


def _acts_on(user: Any, model: Any) -> bool:
    """The user holds an action on `model` beyond reading it (a leader, read-only elsewhere, reviews 督办)."""
    label = model._meta.label_lower
    held: set[str] = set()
    for grant in grants_for(user):
        for key in (label, f"{model._meta.app_label}.*", "*"):
            held |= set(grant.permissions.get(key, frozenset()))
    return bool(held - {"view", "export"})


class ScopedPermission(permissions.BasePermission):
    """403 when the user may not perform the viewset action on the model at all; scope is left to 404."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        model = view.queryset.model
        explicit = getattr(view, "scope_action", None)
        action = explicit or ACTION_MAP.get(view.action or "", "view")
        if (
            explicit is None
            and view.action not in ACTION_MAP
            and request.method not in permissions.SAFE_METHODS
        ):
            # A custom action that writes (开始检查, 提交, 审批, 抽取 …): a read-only persona — one who may add
            # or change nothing at all, like the 分管领导 or the 审计管理员 — is refused here, before the body
            # is read (403, never a 400 about fields). Who may take which step on which record is the
            # service's decision (an office approves plans it may not edit), so nothing finer is decided here.
            return _writes_anything(request.user) or _acts_on(request.user, model)
        return can(request.user, action, model)


class ScopedViewSet(viewsets.GenericViewSet):
    """Every API read goes through `restrict(user, action)`; objects outside it are 404."""

    permission_classes = [permissions.IsAuthenticated, ScopedPermission]

    def get_queryset(self) -> Any:
        return super().get_queryset().restrict(self.request.user, self.scope_action_name())  # type: ignore[attr-defined]

    def scope_action_name(self) -> str:
        return getattr(self, "scope_action", None) or ACTION_MAP.get(self.action or "", "view")


class OutOfScope(DomainError):
    """The saved object would fall outside the actor's scope; the write is rolled back (R09)."""

    default_message = _("保存后该记录将超出您的管辖范围，未保存。")


class ErrorSerializer(BoundedSerializer):
    """Error body of 401/403/404/409: {"detail": "…"} (400 answers field by field instead)."""

    detail = serializers.CharField()


_ERROR_DESCRIPTIONS = {
    400: _('输入有误：按字段给出中文错误信息，如 {"region": ["…"]}'),
    401: _("未登录或令牌无效"),
    403: _("无权执行此操作"),
    404: _("对象不存在或不在您的管辖范围内"),
    409: _("该记录已被他人修改（版本冲突），请刷新后重试"),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for the error statuses an operation can answer."""
    return {
        code: OpenApiResponse(
            response=OpenApiTypes.OBJECT if code == 400 else ErrorSerializer,
            description=str(_ERROR_DESCRIPTIONS[code]),
        )
        for code in codes
    }


_IF_MATCH = re.compile(r'^(?:W/)?"?(\d+)"?$')


def etag(obj: Any) -> str:
    """The ETag of a versioned record is its version, quoted."""
    return f'"{obj.version}"'


def expected_version(request: Request) -> int:
    """The version the client edited: `version` in the body, else the If-Match header; 400 when missing."""
    raw = request.data.get("version") if hasattr(request.data, "get") else None
    header = request.headers.get("If-Match", "").strip()
    if raw in (None, "") and header:
        match = _IF_MATCH.match(header)
        if match is None:
            raise exceptions.ValidationError({"version": [_('If-Match 请求头应为记录的版本号，如 "3"。')]})
        raw = match.group(1)
    if raw in (None, ""):
        raise exceptions.ValidationError(
            {"version": [_("请提供版本号 version（或 If-Match 请求头），以免覆盖他人的修改。")]}
        )
    text = str(raw)
    if isinstance(raw, bool) or not text.isdigit() or int(text) < 1:
        raise exceptions.ValidationError({"version": [_("版本号应为正整数。")]})
    return int(text)


class ServiceWriteMixin:
    """POST and PATCH through services: set `write_serializer_class`, implement create_object/update_object."""

    # create_object(data) and update_object(obj, data) each call one service with actor=request.user.

    write_serializer_class: type[serializers.Serializer]

    def get_write_serializer(self, *args: Any, **kwargs: Any) -> serializers.Serializer:
        return self.write_serializer_class(*args, context=self.get_serializer_context(), **kwargs)  # type: ignore[attr-defined]

    def create_object(self, data: dict[str, Any]) -> models.Model:  # pragma: no cover - abstract
        raise NotImplementedError

    def update_object(self, obj: Any, data: dict[str, Any]) -> models.Model:  # pragma: no cover - abstract
        raise NotImplementedError

    def ensure_in_scope(self, obj: models.Model, action: str) -> None:
        """Re-read the saved object through restrict(): a write must not move it out of the actor's scope."""
        visible = type(obj)._default_manager.filter(pk=obj.pk).restrict(self.request.user, action)  # type: ignore[attr-defined]
        if not visible.exists():
            raise OutOfScope()

    def fresh(self, obj: models.Model) -> models.Model:
        # Reload through the viewset's queryset: relations prefetched before the write are stale.
        return self.get_queryset().get(pk=obj.pk)  # type: ignore[attr-defined]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = self.get_write_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with transaction.atomic():
            obj = self.create_object(dict(incoming.validated_data))
            self.ensure_in_scope(obj, "add")
        obj = self.fresh(obj)
        data = self.get_serializer(obj).data  # type: ignore[attr-defined]
        return Response(data, status=status.HTTP_201_CREATED, headers={"ETag": etag(obj)})

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()  # type: ignore[attr-defined]
        version = expected_version(request)
        if version != obj.version:
            raise Conflict()
        incoming = self.get_write_serializer(obj, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        # The service's compare-and-swap then compares against the version the client read, so an edit
        # committed between this check and the UPDATE still loses with a 409.
        obj.version = version
        with transaction.atomic():
            obj = self.update_object(obj, dict(incoming.validated_data))
            self.ensure_in_scope(obj, "change")
        obj = self.fresh(obj)
        return Response(self.get_serializer(obj).data, headers={"ETag": etag(obj)})  # type: ignore[attr-defined]


class CodeRelatedField(serializers.SlugRelatedField):
    """A related object named by its code (region, industry …); slug_field defaults to "code"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        # Only plain text reaches the lookup: PostgreSQL rejects NUL bytes and psycopg cannot adapt
        # lists or dicts, and either would surface as a 500 instead of a field error.
        if isinstance(data, bool) or not isinstance(data, str | int) or "\x00" in str(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class ScopedRegionField(CodeRelatedField):
    """A region given by its code; one outside the user's territory for the action is refused (R09)."""

    default_error_messages = {
        "does_not_exist": _("行政区划代码 {value} 不存在。"),
        "invalid": _("行政区划代码无效。"),
        "out_of_scope": _("行政区划 {name}（{code}）不在您的管辖范围内。"),
    }

    def __init__(self, *, scoped_model: type[models.Model], **kwargs: Any) -> None:
        self.scoped_model = scoped_model
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        region = super().to_internal_value(data)
        request = self.context.get("request")
        action = "change" if getattr(self.parent, "instance", None) is not None else "add"
        user = getattr(request, "user", None)
        if not region_in_scope(user, action, self.scoped_model, region.code):
            self.fail("out_of_scope", name=region.name, code=region.code)
        return region


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents `Authorization: Token <key>` (keys from POST /api/v1/auth/token/)."""

    target_class = "zhiben.accounts.api.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <key>：由 POST /api/v1/auth/token/ 获取",
        }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Domain errors → their status with a translated message; Django ValidationError → field-level 400."""
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message}
        if exc.field:
            body = {exc.field: [exc.message]}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response(
                {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}, status=400
            )
        return Response({"detail": exc.messages}, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("未找到。")
    return drf_exception_handler(exc, context)
