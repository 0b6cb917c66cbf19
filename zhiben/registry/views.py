"""Registry pages: declarative lists, details and edits over scoped querysets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.scoping import can
from zhiben.core.views import Column, ObjectDetailView, ObjectEditView, ObjectListView

from . import enterprise_file, services
from .choices import KIND_COLORS, RegionLevel
from .excel import export_enterprises
from .filter_options import code_select, industry_options, region_options
from .filtersets import EnterpriseFilterSet, RegionFilterSet
from .forms import EnterpriseForm
from .models import Department, Enterprise, Industry, Person, Region, Responsibility


def _verified_column(sort: str = "verified") -> Column:
    """Reference facts not yet checked against an official source are flagged "待核实" (research/domain.md)."""
    return Column(
        "verified",
        _("核实状态"),
        sort=sort,
        display=lambda o: _("已核实") if o.verified else _("待核实"),
        badge=lambda o: None if o.verified else "warning",
    )


class EnterpriseListView(ObjectListView):
    model = Enterprise
    filterset_class = EnterpriseFilterSet
    title = _("生产经营单位")
    default_sort = "name"
    create_url_name = "registry:enterprise_create"
    import_url_name = "registry:enterprise_import"
    exporter = staticmethod(export_enterprises)  # the import layout, phones masked (R16)
    list_only = (
        "name",
        "uscc",
        "kind",
        "status",
        "principal_name",
        "principal_phone",
        "version",
        "region__name",
        "region__code",
        "primary_industry__name",
        "primary_industry__code",
    )
    columns = [
        Column("name", _("名称"), sort="name", link=True),
        Column("uscc", _("统一社会信用代码"), sort="uscc"),
        Column("region.name", _("所在区划"), sort="region__code"),
        Column("primary_industry.name", _("主行业"), sort="primary_industry__code"),
        Column("get_kind_display", _("类型"), sort="kind"),
        Column("principal_name", _("主要负责人")),
        Column("masked_principal_phone", _("联系电话")),
        Column(
            "get_status_display",
            _("状态"),
            sort="status",
            badge=lambda e: KIND_COLORS.get(e.status, "secondary"),
        ),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Enterprise.objects.select_related("region", "primary_industry")

    def prepare_filter_form(self, request: HttpRequest, form: forms.Form) -> None:
        """Region and industry filter by code; show them as selects limited to what the user can see."""
        super().prepare_filter_form(request, form)
        form.fields["region"].label = _("行政区划")
        form.fields["region"].widget = code_select(region_options(request.user))
        form.fields["industry"].widget = code_select(industry_options())


class EnterpriseDetailView(ObjectDetailView):
    model = Enterprise
    template_name = "registry/enterprise_detail.html"

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Enterprise.objects.select_related("region__parent", "primary_industry")

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        people = Person.objects.restrict(request.user).filter(enterprise=obj).order_by("role", "name")
        sections = enterprise_file.sections_for(obj, request.user)
        return {
            "file_sections": sections,
            "timeline": enterprise_file.timeline(sections),
            "location_map": enterprise_file.location_map(obj),
            "industries": obj.industries.order_by("sort_order", "code"),
            "people": people,
            "can_view_people": can(request.user, "view", Person),
            "edit_url": reverse("registry:enterprise_edit", args=[obj.pk]),
        }


class EnterpriseEditView(ObjectEditView):
    """Register (新建) or edit a 生产经营单位 through registry.services."""

    model = Enterprise
    form_class = EnterpriseForm
    template_name = "registry/enterprise_form.html"

    def service(self, obj: Enterprise | None, data: dict[str, Any], actor: Any) -> Enterprise:
        data = dict(data)
        industries = list(data.pop("industries", None) or [])
        fields = {k: v for k, v in data.items() if k in services.ENTERPRISE_FIELDS}
        if obj is None:
            return services.create_enterprise(actor=actor, industries=industries, **fields)
        return services.update_enterprise(obj, actor=actor, industries=industries, **fields)

    def cancel_url(self, obj: Any) -> str:
        return obj.get_absolute_url() if obj is not None else reverse("registry:enterprise_list")


class RegionListView(ObjectListView):
    model = Region
    filterset_class = RegionFilterSet
    title = _("行政区划")
    default_sort = "code"
    paginate_by = 100
    columns = [
        Column("code", _("统计用区划代码"), sort="code", link=True),
        Column("name", _("名称"), sort="name"),
        Column("get_level_display", _("级别"), sort="level"),
        Column("parent.name", _("上级"), sort="parent__code"),
        Column("legal_code", _("法定区划代码")),
        _verified_column(),
        Column("source", _("来源")),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Region.objects.select_related("parent")

    def prepare_filter_form(self, request: HttpRequest, form: forms.Form) -> None:
        super().prepare_filter_form(request, form)
        parents = Region.objects.filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP]).order_by("code")
        form.fields["parent"].widget = code_select([(r.code, r.name) for r in parents])


class RegionDetailView(ObjectDetailView):
    model = Region


class IndustryListView(ObjectListView):
    model = Industry
    title = _("行业领域")
    default_sort = "code"
    columns = [
        Column("name", _("名称"), sort="name", link=True),
        Column("parent.name", _("上级")),
        Column("gbt4754", _("GB/T 4754-2017")),
        Column("high_risk", _("高危"), sort="high_risk"),
    ]


class IndustryDetailView(ObjectDetailView):
    model = Industry
    hidden_fields = ("code",)


class DepartmentListView(ObjectListView):
    model = Department
    title = _("监管部门")
    default_sort = "sort_order"
    columns = [
        Column("name", _("名称"), sort="name", link=True),
        Column("short_name", _("简称")),
        Column("full_name", _("全称")),
        Column("document_code", _("机关代字")),
        Column("get_kind_display", _("类别"), sort="kind"),
    ]


class DepartmentDetailView(ObjectDetailView):
    model = Department
    hidden_fields = ("code",)


class ResponsibilityListView(ObjectListView):
    model = Responsibility
    title = _("三管三必须职责")
    default_sort = "industry__sort_order"
    paginate_by = 100
    columns = [
        Column("industry.name", _("行业领域"), sort="industry__sort_order", link=True),
        Column("lead.name", _("牵头部门"), sort="lead__sort_order"),
        Column(
            "co_departments",
            _("配合部门"),
            display=lambda r: "、".join(d.short_name or d.name for d in r.co_departments.all()),
        ),
        Column("basis", _("依据")),
        _verified_column(),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        # co_departments is prefetched: one query for the whole page, not one per row.
        return Responsibility.objects.select_related("industry", "lead").prefetch_related("co_departments")


class ResponsibilityDetailView(ObjectDetailView):
    model = Responsibility
