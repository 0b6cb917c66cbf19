"""The API half of the kit: each step with a form becomes `POST /api/v1/<records>/{id}/<step>/` with its
OpenAPI entry; its input serializer is generated from the same form, so the page and the API validate alike."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import CodeRelatedField, error_responses, etag, expected_version
from zhiben.core.errors import NotPermitted
from zhiben.core.scoping import rows_of

from ..bounds import BoundedSerializer
from .steps import Flow, Step, form_takes_target, make_form


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
    if isinstance(f, forms.TypedChoiceField):
        if f.coerce is int:
            return serializers.IntegerField(min_value=1, **common)
        return serializers.BooleanField(**common)  # a yes/no choice (通过/不通过, 批准/不批准)
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
            min_value=f.min_value,  # type: ignore[arg-type]
            max_value=f.max_value,  # type: ignore[arg-type]
            allow_null=not f.required,
            **common,
        )
    if isinstance(f, forms.BooleanField):
        return serializers.BooleanField(**{**common, "required": False})
    if isinstance(f, forms.FileField):
        return serializers.ListField(child=serializers.FileField(), **{**common, "required": False})
    return serializers.CharField(
        max_length=getattr(f, "max_length", None),  # type: ignore[arg-type]
        allow_blank=not f.required,
        **common,
    )


def serializer_for(
    prefix: str, step: Step, form_fields: dict[str, forms.Field] | None = None
) -> type[serializers.Serializer]:
    """The input serializer of `step`: its form's fields, plus `version` for a versioned record.

    `form_fields` are those of the form built for one record (steps.make_form) when its required marks depend
    on the record; without them, the form class's fields (what the OpenAPI schema shows)."""
    assert step.form is not None
    source = form_fields if form_fields is not None else step.form.base_fields
    fields: dict[str, Any] = {name: field_for(f) for name, f in source.items()}
    if step.versioned:
        fields["version"] = serializers.IntegerField(
            label=gettext_lazy("版本"),
            min_value=1,
            required=False,
            help_text=gettext_lazy("读取时的版本号（或 If-Match 请求头）；过期返回 409"),
        )
    name = "".join(part.title() for part in step.name.split("_"))
    return type(f"{prefix}{name}Serializer", (BoundedSerializer,), fields)


def step_action(flow: Flow, step: Step, *, prefix: str, output: type[serializers.Serializer]) -> Any:
    """A POST action running `step` on the viewset's object and answering with the fresh object."""
    input_serializer = serializer_for(prefix, step)
    assert step.form is not None
    form_fields = step.form.base_fields
    per_record = form_takes_target(step)

    def run_step(self: Any, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        obj = self.get_object()
        refusal = flow.refusal(request.user, step, obj)
        if refusal is not None:
            raise NotPermitted(_("您无权执行“%(s)s”。") % {"s": step.label})
        version = expected_version(request) if step.versioned else None
        serializer = input_serializer
        if per_record:  # the form's required marks depend on the record (e.g. what a 重大 plan needs)
            serializer = serializer_for(prefix, step, dict(make_form(step, obj).fields))
        data = serializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        for name, f in form_fields.items():  # what the page's form gives for a field left out
            if name not in values and not isinstance(f, forms.FileField):
                values[name] = f.to_python(None)
        if step.versioned:
            values["version"] = version
        if step.multipart:
            values["files"] = values.get("files") or request.FILES.getlist("files")
        with transaction.atomic():
            step.run(obj, values, request.user)
        fresh = rows_of(flow.model, "re-read after the step").get(pk=obj.pk)
        headers = {"ETag": etag(fresh)} if step.versioned else {}
        return Response(output(fresh, context=self.get_serializer_context()).data, headers=headers)

    run_step.__name__ = step.name
    run_step.__doc__ = str(step.help or step.label)
    routed = action(
        detail=True,
        methods=["post"],
        url_path=step.name.replace("_", "-"),
        url_name=step.name.replace("_", "-"),
        parser_classes=[JSONParser, FormParser, MultiPartParser],
    )(run_step)
    # extend_schema goes on the action, not under it: @action replaces the function's `kwargs`, where
    # drf-spectacular keeps the annotation (applied first, every step was documented as 200 + the object).
    return extend_schema(
        summary=str(step.label),
        description=str(step.help or ""),
        request=input_serializer,
        responses={200: output, **error_responses(400, 401, 403, 404, 409)},
    )(routed)


def install_steps(viewset: type, flow: Flow, *, prefix: str, output: type[serializers.Serializer]) -> None:
    """Add one POST action per step of `flow` that has a form to `viewset`."""
    for step in flow.actions:
        setattr(viewset, step.name, step_action(flow, step, prefix=prefix, output=output))
