"""API base: scoped viewsets, pagination and one exception handler that maps domain errors to statuses."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, permissions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
from .scoping import can

ACTION_MAP = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


class ScopedPermission(permissions.BasePermission):
    """403 when the user may not perform the viewset action on the model at all; scope is left to 404."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        action = getattr(view, "scope_action", None) or ACTION_MAP.get(view.action or "", "view")
        return can(request.user, action, view.queryset.model)


class ScopedViewSet(viewsets.GenericViewSet):
    """Every API read goes through `restrict(user, action)`; objects outside it are 404."""

    permission_classes = [permissions.IsAuthenticated, ScopedPermission]

    def get_queryset(self) -> Any:
        action = getattr(self, "scope_action", None) or ACTION_MAP.get(self.action or "", "view")
        return super().get_queryset().restrict(self.request.user, action)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Domain errors → their status with a translated message; Django ValidationError → field-level 400."""
    if isinstance(exc, DomainError):
        body = {"detail": exc.message}
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
