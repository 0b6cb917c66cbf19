"""The OpenAPI description of every endpoint, made true at one place (settings: DEFAULT_SCHEMA_CLASS).

Per-endpoint annotations say what an operation takes and gives; this class adds what holds for all of them,
so no app has to repeat it (and none can forget it):

- the error statuses the framework answers: 401/403 wherever a login is needed, 400 for a body or filters,
  404 for an id in the path or a page past the end, 409 for a write on an existing record (version or state);
  a 400 is always an object (field errors, or `detail`), whatever an annotation said;
- only a viewset's `list` is paginated and filtered: a detail sub-resource (a hazard's history, a case's
  documents …) answers a plain array and ignores the list's filters;
- a field read from a nullable model column or relation (Region.parent, Draw.redraw_of …) is nullable,
  whatever serializer field declared it.

`core/tests/test_api_contract.py` runs schemathesis against the schema so it stays true.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.fields import empty

from .api import ErrorSerializer

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

ERROR_DESCRIPTIONS = {
    400: '输入有误：按字段给出中文错误信息，如 {"region": ["…"]}；不属于某个字段的错误在 detail 中',
    401: "未登录或令牌无效",
    403: "无权执行此操作",
    404: "对象不存在或不在您的管辖范围内",
    409: "该记录已被他人修改（版本冲突）或其状态已不允许此操作，请刷新后重试",
}
LIST_404 = "页码超出范围（page 从 1 开始，不超过总页数）"


class AutoSchema(SpectacularAutoSchema):
    def _is_list_action(self) -> bool:
        """Whether the operation is a collection's list (the only one DRF paginates and filters here)."""
        action = getattr(self.view, "action", None)
        if action is None:  # a plain APIView: drf-spectacular's own heuristics
            return self._is_list_view()
        return bool(action == "list")

    def _get_paginator(self) -> Any:
        if not self._is_list_action():
            return None
        return super()._get_paginator()

    def get_filter_backends(self) -> list[Any]:
        if not self._is_list_action():
            return []
        return super().get_filter_backends()

    def error_codes(self) -> dict[int, str]:
        """The error statuses this operation can answer besides its own annotations, with descriptions."""
        codes: dict[int, str] = {}
        if self.view.get_permissions():
            codes[401] = ERROR_DESCRIPTIONS[401]
            codes[403] = ERROR_DESCRIPTIONS[403]
        has_id = "{" in self.path
        if self.method in WRITE_METHODS:
            codes[400] = ERROR_DESCRIPTIONS[400]
        if has_id:
            codes[404] = ERROR_DESCRIPTIONS[404]
        if has_id and self.method in WRITE_METHODS:
            codes[409] = ERROR_DESCRIPTIONS[409]
        if self.method == "GET" and self._is_list_action():
            if self.get_filter_backends() or self._get_paginator():
                codes[400] = ERROR_DESCRIPTIONS[400]
            if self._get_paginator():
                codes[404] = LIST_404 if not has_id else f"{ERROR_DESCRIPTIONS[404]}；{LIST_404}"
        return dict(sorted(codes.items()))

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        codes = self.error_codes()
        if "400" in responses:
            # Every 400 passes through core.api.exception_handler: field by field, or {"detail": …} for what
            # belongs to no field; a "detail"-only annotation (the token endpoint's) would be untrue.
            described = responses.pop("400").get("description")
            codes[400] = described or ERROR_DESCRIPTIONS[400]
        for code, description in sorted(codes.items()):
            if str(code) in responses:
                continue
            body = OpenApiTypes.OBJECT if code == 400 else ErrorSerializer
            responses[str(code)] = self._get_response_for_code(
                OpenApiResponse(response=body, description=description), str(code), direction=direction
            )
        return responses

    def _get_serializer_field_meta(self, field: Any, direction: Any) -> dict[str, Any]:
        meta = super()._get_serializer_field_meta(field, direction)
        if direction == "response" and not getattr(field, "allow_null", False) and null_in_model(field):
            meta["nullable"] = True
        return meta


def null_in_model(field: Any) -> bool:
    """Whether the serializer field reads a nullable column or relation of its serializer's model, so DRF
    answers null for it (`parent`, `redraw_of`; a dotted source with a default answers the default)."""
    if not isinstance(field, serializers.Field) or isinstance(field, serializers.ManyRelatedField):
        return False
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    attrs = getattr(field, "source_attrs", None)
    if model is None or not attrs:
        return False
    try:
        model_field = model._meta.get_field(attrs[0])
    except FieldDoesNotExist:
        return False
    if not getattr(model_field, "null", False):
        return False
    return len(attrs) == 1 or field.default is empty
