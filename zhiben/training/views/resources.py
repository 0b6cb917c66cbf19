"""Pages of rescue teams, members and supplies with their search (救援力量查询), and 宣传 activities."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.loop.web import run_form
from zhiben.core.scoping import can
from zhiben.core.views import (
    Column,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
)

from ..choices import TeamLevel
from ..filtersets import (
    PublicityFilterSet,
    SupplyFilterSet,
    TeamFilterSet,
)
from ..forms import (
    MemberForm,
    PublicityForm,
    SupplyForm,
    TeamForm,
    townships,
)
from ..models import (
    EmergencySupply,
    PublicityActivity,
    RescueTeam,
)
from ..services import resources
from .common import _is_government

# --- rescue forces, supplies and 宣传 ----------------------------------------------------------------------------


class TeamListView(ObjectListView):
    model = RescueTeam
    filterset_class = TeamFilterSet
    title = _("救援队伍")
    default_sort = "level"
    create_url_name = "training:team_create"
    columns = [
        Column("name", _("队伍名称"), sort="name", link=True),
        Column("get_level_display", _("队伍类别"), sort="level"),
        Column("speciality", _("专业方向")),
        Column("township.name", _("所在乡镇（街道）")),
        Column("leader", _("队长")),
        Column("masked_phone", _("值守电话")),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return RescueTeam.objects.select_related("township", "enterprise", "department")


class TeamEditView(ObjectEditView):
    model = RescueTeam
    form_class = TeamForm

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        return resources.save_team(obj, actor=actor, **data)

    def cancel_url(self, obj: Any) -> str:
        return obj.get_absolute_url() if obj is not None else reverse("training:team_list")


class TeamDetailView(ObjectDetailView):
    model = RescueTeam
    template_name = "training/team_detail.html"
    hidden_fields = ("phone",)

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        can_change = RescueTeam.objects.restrict(request.user, "change").filter(pk=obj.pk).exists()
        return {
            "edit_url": reverse("training:team_edit", args=[obj.pk]),
            "members": obj.members.order_by("pk"),
            "supplies": obj.supplies.order_by("category", "name"),
            "member_form": MemberForm() if can_change else None,
        }


class MemberAddView(ScopedViewMixin, View):
    model = RescueTeam

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        return HttpResponseNotAllowed(["POST"])

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request, "change")
        team = self.get_object(request, pk, "change")
        form = MemberForm(request.POST)
        _m, status = run_form(
            request, form, lambda: resources.add_member(team, actor=request.user, **form.cleaned_data)
        )
        if status == 200:
            messages.success(request, _("已添加队员。"))
        else:
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(team.get_absolute_url() + "#members")


class SupplyListView(ObjectListView):
    model = EmergencySupply
    filterset_class = SupplyFilterSet
    title = _("应急物资")
    default_sort = "category"
    create_url_name = "training:supply_create"
    columns = [
        Column("name", _("物资名称"), sort="name", link=True),
        Column("get_category_display", _("物资类别"), sort="category"),
        Column("quantity", _("数量"), sort="quantity"),
        Column("unit", _("单位")),
        Column("township.name", _("乡镇（街道）"), sort="township__code"),
        Column("location", _("存放地点")),
        Column("team.name", _("所属队伍")),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return EmergencySupply.objects.select_related("township", "team")


class SupplyEditView(ObjectEditView):
    model = EmergencySupply
    form_class = SupplyForm

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        return resources.save_supply(obj, actor=actor, **data)

    def cancel_url(self, obj: Any) -> str:
        return obj.get_absolute_url() if obj is not None else reverse("training:supply_list")


class SupplyDetailView(ObjectDetailView):
    model = EmergencySupply

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {"edit_url": reverse("training:supply_edit", args=[obj.pk])}


class ResourcesView(ScopedViewMixin, View):
    """救援力量查询: teams and supplies by township and type. Government readers see the whole district's (a
    township calls on the district's professional team); a unit sees its own."""

    model = RescueTeam

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        if _is_government(request.user):
            teams = RescueTeam.objects.unrestricted("救援力量 are shared across the district for dispatch")
            supplies = EmergencySupply.objects.unrestricted(
                "救援力量 are shared across the district for dispatch"
            )
        else:
            teams = RescueTeam.objects.restrict(request.user, "view")
            supplies = (
                EmergencySupply.objects.restrict(request.user, "view")
                if can(request.user, "view", EmergencySupply)
                else EmergencySupply.objects.none()
            )
        towns = list(townships())
        code = request.GET.get("township", "")
        town = next((t for t in towns if t.code == code), None)
        kind = request.GET.get("type", "")
        if town is not None:
            teams = teams.filter(
                Q(township__code__startswith=town.scope_prefix) | Q(level=TeamLevel.DISTRICT)
            )
            supplies = supplies.filter(township__code__startswith=town.scope_prefix)
        if kind:
            teams = teams.filter(
                Q(speciality__contains=kind) | Q(equipment__contains=kind) | Q(name__contains=kind)
            )
            supplies = supplies.filter(Q(name__contains=kind) | Q(category=kind))
        context = {
            "title": _("救援力量查询"),
            "townships": towns,
            "township": code,
            "type": kind,
            "teams": teams.select_related("township", "department", "enterprise").order_by("level", "name")[
                :100
            ],
            "supplies": supplies.select_related("township", "team").order_by("category", "name")[:200],
        }
        return render(request, "training/resources.html", context)


class PublicityListView(ObjectListView):
    model = PublicityActivity
    filterset_class = PublicityFilterSet
    title = _("宣传活动")
    default_sort = "-held_on"
    create_url_name = "training:publicity_create"
    columns = [
        Column("title", _("活动名称"), sort="title", link=True),
        Column("get_kind_display", _("活动类型"), sort="kind"),
        Column("held_on", _("活动日期"), sort="held_on"),
        Column("township.name", _("乡镇（街道）")),
        Column("reach", _("覆盖人次"), sort="reach"),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return PublicityActivity.objects.select_related("township", "department", "enterprise")


class PublicityEditView(ObjectEditView):
    model = PublicityActivity
    form_class = PublicityForm

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        return resources.save_publicity(obj, actor=actor, **data)

    def cancel_url(self, obj: Any) -> str:
        return obj.get_absolute_url() if obj is not None else reverse("training:publicity_list")


class PublicityDetailView(ObjectDetailView):
    model = PublicityActivity

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {"edit_url": reverse("training:publicity_edit", args=[obj.pk])}
