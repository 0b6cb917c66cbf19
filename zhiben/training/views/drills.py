"""Pages of drills (演练) with their photos, and emergency plans (应急预案)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core import audit
from zhiben.core.loop.web import StepView, run_form
from zhiben.core.views import (
    Column,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
    object_history,
)

from .. import events
from ..choices import DrillStatus
from ..filtersets import (
    DrillFilterSet,
    PlanFilterSet,
)
from ..forms import (
    DrillForm,
    DrillHeldForm,
    PhotoForm,
    PlanForm,
)
from ..models import (
    Drill,
    DrillPhoto,
    EmergencyPlan,
)
from ..services import drills
from ..steps import DRILL_FLOW

# --- drills and plans -----------------------------------------------------------------------------------------


class DrillListView(ObjectListView):
    model = Drill
    filterset_class = DrillFilterSet
    title = _("应急演练")
    default_sort = "-planned_on"
    create_url_name = "training:drill_create"
    template_name = "training/drill_list.html"
    columns = [
        Column("scenario", _("演练科目"), sort="scenario", link=True),
        Column("enterprise.name", _("单位"), sort="enterprise__name"),
        Column("get_kind_display", _("演练类型"), sort="kind"),
        Column("planned_on", _("计划日期"), sort="planned_on"),
        Column("held_on", _("实施日期"), sort="held_on"),
        Column("participants", _("参演人数")),
        Column(
            "get_status_display",
            _("状态"),
            sort="status",
            badge=lambda o: "success" if o.status == DrillStatus.DONE else "secondary",
        ),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Drill.objects.select_related("enterprise")


class DrillEditView(ObjectEditView):
    """登记演练计划 (pk None) or 修改 a planned drill."""

    model = Drill
    form_class = DrillForm

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        if obj is None:
            return drills.plan_drill(actor=actor, **data)
        return drills.update_drill(obj, actor=actor, **data)

    def cancel_url(self, obj: Any) -> str:
        return obj.get_absolute_url() if obj is not None else reverse("training:drill_list")


class DrillHeldView(ObjectEditView):
    """登记已实施演练."""

    model = Drill
    form_class = DrillHeldForm

    def _obj(self, request: HttpRequest, pk: Any) -> Any:
        self.check_action(request, "add")
        return None

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        return drills.record_held_drill(actor=actor, **data)

    def cancel_url(self, obj: Any) -> str:
        return reverse("training:drill_list")


class DrillDetailView(ScopedViewMixin, View):
    model = Drill

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        drill = self.get_object(request, pk)
        can_change = Drill.objects.restrict(request.user, "change").filter(pk=drill.pk).exists()
        context = {
            "object": drill,
            "title": str(drill.scenario),
            "steps": DRILL_FLOW.available(request.user, drill),
            "photos": drill.photos.order_by("pk"),
            "can_change": can_change,
            "photo_form": PhotoForm() if can_change else None,
            "history": object_history(drill),
        }
        return render(request, "training/drill_detail.html", context)


class DrillStepView(StepView):
    model = Drill
    flow = DRILL_FLOW
    list_url_name = "training:drill_list"
    list_label = _("应急演练")


class DrillPhotoUploadView(ScopedViewMixin, View):
    model = Drill

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        return HttpResponseNotAllowed(["POST"])

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request, "change")
        drill = self.get_object(request, pk, "change")
        form = PhotoForm(request.POST, request.FILES)
        _p, status = run_form(
            request,
            form,
            lambda: drills.add_photo(drill, actor=request.user, photo=form.cleaned_data["photo"]),
        )
        if status == 200:
            messages.success(request, _("已上传照片。"))
        else:
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(drill.get_absolute_url() + "#photos")


class DrillPhotoView(ScopedViewMixin, View):
    """A drill photo, read only through here: scoped like its drill, audited, never executed by the browser."""

    model = DrillPhoto

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        photo = get_object_or_404(DrillPhoto.objects.restrict(request.user), pk=pk)
        audit.record(photo.drill, events.DRILL_PHOTO_VIEWED, actor=request.user, data={"photo": photo.pk})
        response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
        return response


class PlanListView(ObjectListView):
    model = EmergencyPlan
    filterset_class = PlanFilterSet
    title = _("应急预案")
    default_sort = "review_due"
    create_url_name = "training:plan_create"
    columns = [
        Column("name", _("预案名称"), sort="name", link=True),
        Column("enterprise.name", _("单位"), sort="enterprise__name"),
        Column("get_level_display", _("预案类别"), sort="level"),
        Column("filed_on", _("备案日期"), sort="filed_on", display=lambda o: o.filed_on or _("未备案")),
        Column("filing_number", _("备案编号")),
        Column(
            "review_due",
            _("下次评估"),
            sort="review_due",
            badge=lambda o: "warning" if (o.review_due - timezone.localdate()).days <= 60 else None,
        ),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return EmergencyPlan.objects.select_related("enterprise")


class PlanEditView(ObjectEditView):
    model = EmergencyPlan
    form_class = PlanForm

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        return drills.save_plan(obj, actor=actor, **data)

    def cancel_url(self, obj: Any) -> str:
        return obj.get_absolute_url() if obj is not None else reverse("training:plan_list")


class PlanDetailView(ObjectDetailView):
    model = EmergencyPlan

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {"edit_url": reverse("training:plan_edit", args=[obj.pk])}
