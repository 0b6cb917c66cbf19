"""Forms of the registry: input shape only; the services enforce the business rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from zhiben.accounts.roles import Role
from zhiben.core.bounds import BoundedForm
from zhiben.core.codes import USCC_INPUT_MAX_LENGTH, validate_uscc
from zhiben.core.scoping import grants_for

from .choices import RegionLevel
from .models import Department, Enterprise, Industry, Region
from .services import ENTERPRISE_FIELDS

# Encrypted contact numbers are never sent back to the browser in clear (R16): the form shows the masked
# value as a placeholder and an empty input means "unchanged".
PHONE_FIELDS = ("principal_phone", "controller_phone")


# Above this many regions a filter offers townships only (a province has thousands of villages).
MAX_REGION_OPTIONS = 300


def statistics_region_choices(prefixes: set[str | None]) -> list[tuple[str, str]]:
    """The region filter of a statistics page: counties and townships under the given region prefixes (None
    among them: the whole district), townships indented; more than MAX_REGION_OPTIONS offers cities and
    counties instead."""
    regions = Region.objects.filter(level__gte=RegionLevel.CITY, level__lte=RegionLevel.TOWNSHIP)
    if None not in prefixes:
        q = Q(pk__in=[])
        for p in prefixes:
            q |= Q(code__startswith=p)
        regions = regions.filter(q)
    rows = list(regions.order_by("code").values_list("code", "name", "level"))
    if len(rows) > MAX_REGION_OPTIONS:
        rows = [r for r in rows if r[2] < RegionLevel.TOWNSHIP]
    else:
        rows = [r for r in rows if r[2] > RegionLevel.CITY]
    return [
        (code, ("\u3000" + name) if level == RegionLevel.TOWNSHIP else name) for code, name, level in rows
    ]


def regions_in_scope(user: Any, action: str = "view", instance: Enterprise | None = None) -> Any:
    """Townships and villages where the user may `action` an enterprise (view, add or change).

    A township official: its own territory. District-wide roles and departments: the whole district. An
    enterprise's own manager cannot move the enterprise: only its current region (relocation is a township
    matter).
    """
    regions = Region.objects.filter(level__gte=RegionLevel.TOWNSHIP)
    q = Q(pk__in=[])
    for grant in grants_for(user):
        if not grant.allows(action, Enterprise):
            continue
        if grant.enterprise_ids is not None:
            if instance is not None:
                q |= Q(pk=instance.region_id)
            elif action == "view":
                q |= Q(enterprises__pk__in=sorted(grant.enterprise_ids))
        elif grant.region_prefix:
            q |= Q(code__startswith=grant.region_prefix)
        else:
            return regions.order_by("code")
    return regions.filter(q).distinct().order_by("code")


class RegionChoiceField(forms.ModelChoiceField):
    """Villages indented under their township, so the list reads as the district's tree."""

    def label_from_instance(self, obj: Region) -> str:
        if obj.level == RegionLevel.VILLAGE:
            return f"\u3000{obj.name}"
        return obj.name


class IndustryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Industry) -> str:
        return ("\u3000" + obj.name) if obj.parent_id else obj.name


_MODEL_FIELDS = tuple(f for f in ENTERPRISE_FIELDS if f not in ("region",))


class EnterpriseForm(BoundedForm):
    """生产经营单位 registration and edit (fields of registry.services.ENTERPRISE_FIELDS plus industries)."""

    # (section title, ((field, Bootstrap column class), ...)): the page layout, one row per line here.
    SECTIONS = (
        (
            _("基本信息"),
            (
                ("name", "col-md-8"),
                ("uscc", "col-md-4"),
                ("kind", "col-md-4"),
                ("status", "col-md-4"),
                ("region", "col-md-4"),
                ("address", "col-md-6"),
                ("longitude", "col-6 col-md-3"),
                ("latitude", "col-6 col-md-3"),
            ),
        ),
        (
            _("行业与分类"),
            (
                ("primary_industry", "col-md-4"),
                ("industries", "col-md-8"),
                ("standardisation_grade", "col-md-4"),
                ("employees", "col-md-2"),
                ("is_high_risk", "col-4 col-md-2"),
                ("is_above_scale", "col-4 col-md-2"),
                ("has_major_hazard_source", "col-4 col-md-2"),
            ),
        ),
        (
            _("负责人"),
            (
                ("principal_name", "col-md-3"),
                ("principal_phone", "col-md-3"),
                ("controller_name", "col-md-3"),
                ("controller_phone", "col-md-3"),
            ),
        ),
    )

    def __init__(self, data: Any = None, *, instance: Enterprise | None = None, user: Any = None) -> None:
        self.instance = instance
        self.user = user
        initial = None
        if instance is not None:
            initial = model_to_dict(instance, fields=[*ENTERPRISE_FIELDS, "industries"])
            for name in PHONE_FIELDS:
                initial[name] = ""
        super().__init__(data, initial=initial)
        self.fields.update(fields_for_model(Enterprise, fields=_MODEL_FIELDS))
        self.fields["region"] = RegionChoiceField(
            queryset=regions_in_scope(user, "change" if instance else "add", instance),
            label=_("所在区划"),
            empty_label=_("请选择乡镇（街道）或村（社区）"),
        )
        self.fields["primary_industry"].queryset = Industry.objects.order_by("sort_order", "code")
        self.fields["primary_industry"].empty_label = _("请选择主行业")
        self.fields["industries"] = IndustryChoiceField(
            queryset=Industry.objects.order_by("sort_order", "code"),
            label=_("行业领域"),
            required=False,
            help_text=_("可多选；主行业自动计入。按住 Ctrl 选择多个。"),
            widget=forms.SelectMultiple(attrs={"size": 6}),
        )
        # Spaces and full-width characters are folded before the 18-character check, as the API does
        # (registry.services → core.codes.validate_uscc): the input may be longer than the code.
        self.fields["uscc"].max_length = USCC_INPUT_MAX_LENGTH
        self.fields["uscc"].widget.attrs["maxlength"] = str(USCC_INPUT_MAX_LENGTH)
        self.fields["uscc"].validators = [
            v for v in self.fields["uscc"].validators if not isinstance(v, MaxLengthValidator)
        ] + [MaxLengthValidator(USCC_INPUT_MAX_LENGTH)]
        self.fields["uscc"].help_text = _("18 位，系统校验校验码；个体工商户、在建项目等可暂缺")
        self.fields["longitude"].help_text = _("WGS-84，如 112.9")
        self.fields["latitude"].help_text = _("WGS-84，如 28.8")
        for name in PHONE_FIELDS:
            field = self.fields[name]
            field.widget = forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})
            masked = getattr(instance, f"masked_{name}", "") if instance is not None else ""
            if masked:
                field.widget.attrs["placeholder"] = masked
                field.help_text = _("已登记 %(m)s；留空表示不修改") % {"m": masked}
        self.order_fields([name for _title, fields in self.SECTIONS for name, _col in fields])

    def sections(self) -> list[tuple[str, list[tuple[forms.BoundField, str]]]]:
        return [(title, [(self[name], col) for name, col in fields]) for title, fields in self.SECTIONS]

    def clean_principal_phone(self) -> str:
        return self._clean_phone("principal_phone")

    def clean_controller_phone(self) -> str:
        return self._clean_phone("controller_phone")

    def _clean_phone(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip().replace(" ", "").replace("-", "")
        if value and not (value.isdigit() and 7 <= len(value) <= 12):
            raise forms.ValidationError(_("请输入有效的电话号码（7–12 位数字）。"))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance is not None:
            for name in PHONE_FIELDS:
                if not cleaned.get(name):
                    cleaned.pop(name, None)  # left empty: keep the registered number
        return cleaned


class RoleAssignForm(BoundedForm):
    """Role plus its scope; which scope field is required depends on the role (checked by assign_role)."""

    role = forms.ChoiceField(
        label=_("角色"), choices=Role.choices, error_messages={"required": _("请选择角色。")}
    )
    region_code = forms.ChoiceField(label=_("辖区（乡镇/街道）"), required=False)
    department = forms.ModelChoiceField(
        label=_("部门"),
        queryset=Department.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("请选择有效的部门。")},
    )
    # Typed, not a select: a province holds hundreds of thousands of units.
    enterprise = forms.CharField(
        label=_("生产经营单位（统一社会信用代码）"),
        max_length=30,
        required=False,
        help_text=_("企业角色必填：填写该单位的统一社会信用代码"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Unrestricted: the system admin holds no business grants (三员 R11) but must name a role's scope;
        # the view admits only users who may add role assignments.
        townships = (
            Region.objects.unrestricted("role scope choices")
            .filter(level=RegionLevel.TOWNSHIP)
            .order_by("code")
        )
        self.fields["region_code"].choices = [("", "—")] + [(r.scope_prefix, r.name) for r in townships]
        self.fields["department"].queryset = Department.objects.unrestricted("role scope choices").order_by(
            "sort_order", "code"
        )

    def clean_enterprise(self) -> Enterprise | None:
        raw = self.cleaned_data.get("enterprise", "")
        if not raw.strip():
            return None
        try:
            uscc = validate_uscc(raw)
        except ValidationError as exc:
            raise ValidationError(exc.messages)
        # Unrestricted for the same reason as above; only an exact code matches, nothing is listed.
        enterprise = Enterprise.objects.unrestricted("an exact USCC match").filter(uscc=uscc).first()
        if enterprise is None:
            raise ValidationError(_("未找到统一社会信用代码为 %(c)s 的生产经营单位。") % {"c": uscc})
        return enterprise
