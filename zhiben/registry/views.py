"""Registry pages: declarative lists, details and edits over scoped querysets."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhiben.core.views import Column, ObjectDetailView, ObjectListView

from .filtersets import EnterpriseFilterSet
from .models import Department, Enterprise, Industry, Region, Responsibility


class EnterpriseListView(ObjectListView):
    model = Enterprise
    filterset_class = EnterpriseFilterSet
    title = _("生产经营单位")
    default_sort = "name"
    columns = [
        Column("name", _("名称"), sort="name", link=True),
        Column("uscc", _("统一社会信用代码"), sort="uscc"),
        Column("region.name", _("所在区划"), sort="region__code"),
        Column("primary_industry.name", _("主行业"), sort="primary_industry__code"),
        Column("get_kind_display", _("类型"), sort="kind"),
        Column("principal_name", _("主要负责人")),
        Column("masked_principal_phone", _("联系电话")),
        Column("get_status_display", _("状态"), sort="status"),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Enterprise.objects.select_related("region", "primary_industry")


class EnterpriseDetailView(ObjectDetailView):
    model = Enterprise
    template_name = "registry/enterprise_detail.html"


class RegionListView(ObjectListView):
    model = Region
    title = _("行政区划")
    default_sort = "code"
    columns = [
        Column("code", _("统计用区划代码"), sort="code", link=True),
        Column("legal_code", _("法定区划代码")),
        Column("name", _("名称"), sort="name"),
        Column("get_level_display", _("级别"), sort="level"),
    ]


class RegionDetailView(ObjectDetailView):
    model = Region


class IndustryListView(ObjectListView):
    model = Industry
    title = _("行业领域")
    default_sort = "code"
    columns = [
        Column("code", _("代码"), sort="code", link=True),
        Column("name", _("名称"), sort="name"),
        Column("parent.name", _("上级")),
        Column("gbt4754", _("GB/T 4754-2017")),
        Column("high_risk", _("高危"), sort="high_risk"),
    ]


class IndustryDetailView(ObjectDetailView):
    model = Industry


class DepartmentListView(ObjectListView):
    model = Department
    title = _("监管部门")
    default_sort = "sort_order"
    columns = [
        Column("code", _("代码"), sort="code", link=True),
        Column("name", _("名称"), sort="name"),
        Column("short_name", _("简称")),
        Column("get_kind_display", _("类别"), sort="kind"),
    ]


class DepartmentDetailView(ObjectDetailView):
    model = Department


class ResponsibilityListView(ObjectListView):
    model = Responsibility
    title = _("三管三必须职责")
    default_sort = "industry__code"
    columns = [
        Column("industry.name", _("行业领域"), sort="industry__code", link=True),
        Column("lead.name", _("牵头部门"), sort="lead__code"),
        Column("basis", _("依据")),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Responsibility.objects.select_related("industry", "lead")


class ResponsibilityDetailView(ObjectDetailView):
    model = Responsibility
