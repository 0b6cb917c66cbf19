"""Pages of 培训演练: sessions with their QR sign-in, attendance and exam results; the 应训未训 and 应练未练 lists;
certificates and the inspector's check on a phone; drills and emergency plans; rescue teams, supplies and
their search; 宣传 activities; the rules as data."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.accounts.roles import GOVERNMENT_ROLES
from zhiben.core import audit
from zhiben.core import events as core_events
from zhiben.core.excel import export_response
from zhiben.core.loop.web import StepView, run_form, run_service
from zhiben.core.scoping import can, grants_for
from zhiben.core.views import (
    Badge,
    Column,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
    detail_fields,
    object_history,
)
from zhiben.inspections.models import Inspector
from zhiben.registry.models import Enterprise
from zhiben.sourcecontrol.models import ConstructionProject

from . import duties, events
from .choices import (
    CERT_STATUS_COLORS,
    CERT_STATUS_LABELS,
    DrillStatus,
    SessionKind,
    SessionStatus,
    SignIn,
    TeamLevel,
)
from .filtersets import (
    CertificateFilterSet,
    DrillFilterSet,
    PlanFilterSet,
    PublicityFilterSet,
    SessionFilterSet,
    SupplyFilterSet,
    TeamFilterSet,
)
from .forms import (
    CertificateFindingForm,
    CertificateForm,
    DrillForm,
    DrillHeldForm,
    ExamForm,
    ManualSignInForm,
    MemberForm,
    PhotoForm,
    PlanForm,
    PublicityForm,
    SessionForm,
    SignInForm,
    SupplyForm,
    TeamForm,
    VerifyForm,
    townships,
)
from .models import (
    Attendance,
    Certificate,
    CertificateType,
    Drill,
    DrillPhoto,
    DrillRule,
    EmergencyPlan,
    EmergencySupply,
    PublicityActivity,
    RescueTeam,
    TrainingRule,
    TrainingSession,
    TrainingTheme,
)
from .services import certificates, drills, resources, sessions
from .steps import DRILL_FLOW, SESSION_FLOW

SESSION_COLORS = {
    SessionStatus.PLANNED: "secondary",
    SessionStatus.OPEN: "primary",
    SessionStatus.CLOSED: "success",
}
REF = "reference data"


def _is_government(user: Any) -> bool:
    return any(g.role in GOVERNMENT_ROLES for g in grants_for(user))


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


# --- sessions ---------------------------------------------------------------------------------------------------


class SessionListView(ObjectListView):
    model = TrainingSession
    filterset_class = SessionFilterSet
    title = _("培训考核")
    default_sort = "-held_on"
    create_url_name = "training:session_create"
    template_name = "training/session_list.html"
    columns = [
        Column("title", _("培训名称"), sort="title", link=True),
        Column("get_kind_display", _("培训类别"), sort="kind"),
        Column("theme.name", _("年度主题")),
        Column("organiser_name", _("组织方")),
        Column("held_on", _("培训日期"), sort="held_on"),
        Column("hours", _("学时")),
        Column(
            "get_status_display",
            _("状态"),
            sort="status",
            badge=lambda o: SESSION_COLORS.get(o.status, "secondary"),
        ),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return TrainingSession.objects.select_related("theme", "department", "township", "enterprise")


class SessionEditView(ObjectEditView):
    model = TrainingSession
    form_class = SessionForm

    def get(self, request: HttpRequest, pk: Any = None) -> HttpResponse:
        if pk is None:
            self.check_action(request, "add")
            theme = TrainingTheme.objects.unrestricted(REF).filter(year=timezone.localdate().year).first()
            form = SessionForm(
                initial={"held_on": timezone.localdate(), "hours": 4, "theme": theme.pk if theme else None},
                user=request.user,
            )
            return self.render_form(request, None, form)
        return super().get(request, pk)

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        if obj is None:
            return sessions.create_session(actor=actor, **data)
        return sessions.update_session(obj, actor=actor, **data)

    def cancel_url(self, obj: Any) -> str:
        return obj.get_absolute_url() if obj is not None else reverse("training:session_list")


def qr_svg(url: str) -> str:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False, svgclass="zb-qr")
    return out.getvalue().decode()


class SessionDetailView(ScopedViewMixin, View):
    model = TrainingSession

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        session = self.get_object(request, pk)
        return self.render(request, session)

    def render(self, request: HttpRequest, session: TrainingSession, **extra: Any) -> HttpResponse:
        can_change = TrainingSession.objects.restrict(request.user, "change").filter(pk=session.pk).exists()
        # Whoever may see the session sees its attendance (the organiser's sign-in sheet).
        rows = (
            Attendance.objects.unrestricted("the attendance of a session the reader may see")
            .filter(session=session)
            .select_related("enterprise", "inspector__department", "certificate")
            .order_by("signed_at", "pk")
        )
        signin_url = request.build_absolute_uri(reverse("training:signin", args=[session.signin_token]))
        showing = can_change and session.status == SessionStatus.OPEN
        qr = mark_safe(qr_svg(signin_url)) if showing else ""  # noqa: S308 - segno's own SVG of our own URL
        context = {
            "object": session,
            "title": session.title,
            "status_color": SESSION_COLORS.get(session.status, "secondary"),
            "steps": SESSION_FLOW.available(request.user, session),
            "rows": rows,
            "can_change": can_change,
            "signin_url": signin_url if showing else "",
            "qr": qr,
            "manual_form": extra.get("manual_form")
            or (ManualSignInForm(session=session, user=request.user) if can_change else None),
            "history": object_history(session),
            "fields": detail_fields(
                session,
                exclude=("id", "version", "signin_token", "status", "title", "created_at", "updated_at"),
            ),
        }
        return render(request, "training/session_detail.html", context, status=extra.get("status", 200))


class SessionStepView(StepView):
    model = TrainingSession
    flow = SESSION_FLOW
    list_url_name = "training:session_list"
    list_label = _("培训考核")


class _SessionPost(ScopedViewMixin, View):
    model = TrainingSession

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        return HttpResponseNotAllowed(["POST"])


class ExamView(_SessionPost):
    """登记考核成绩 (a small form on each attendance row; POST only)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request, "change")
        session = self.get_object(request, pk, "change")
        form = ExamForm(request.POST)
        _done, status = run_form(
            request, form, lambda: sessions.record_exam(session, actor=request.user, **form.cleaned_data)
        )
        if status == 200:
            messages.success(request, _("已登记考核成绩。"))
        else:
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(session.get_absolute_url() + "#attendance")


class ManualSignInView(_SessionPost):
    """补录签到 by the organiser (POST only; the form is on the session's page)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request, "change")
        session = self.get_object(request, pk, "change")
        form = ManualSignInForm(request.POST, session=session, user=request.user)

        def call() -> Any:
            d = form.cleaned_data
            return sessions.sign_in(
                session,
                actor=request.user,
                name=d.get("name") or "",
                phone=d.get("phone") or "",
                enterprise=d.get("enterprise"),
                inspector=d.get("inspector"),
                role=d["role"],
                via=SignIn.MANUAL,
            )

        _row, status = run_form(request, form, call)
        if status == 200:
            messages.success(request, _("已补录签到。"))
            return redirect(session.get_absolute_url() + "#attendance")
        return SessionDetailView().render(request, session, manual_form=form, status=status)


class SignInView(View):
    """扫码签到 (no login: the QR's secret code names the session). One sign-in per person and session."""

    def _session(self, token: str) -> TrainingSession:
        session = (
            TrainingSession.objects.unrestricted("the QR code's secret names the session")
            .filter(signin_token=token)
            .first()
        )
        if session is None:
            raise Http404
        return session

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        session = self._session(token)
        return self._page(request, session, SignInForm(session=session))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        session = self._session(token)
        form = SignInForm(request.POST, session=session)
        row, status = run_form(
            request,
            form,
            lambda: sessions.sign_in(
                session,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                enterprise=form.cleaned_data.get("enterprise"),
                role=form.cleaned_data["role"],
                via=SignIn.QR,
            ),
        )
        if status == 200:
            return self._page(request, session, None, done=row)
        return self._page(request, session, form, status=status)

    def _page(
        self,
        request: HttpRequest,
        session: TrainingSession,
        form: Any,
        *,
        done: Any = None,
        status: int = 200,
    ) -> HttpResponse:
        response = render(
            request,
            "training/signin.html",
            {
                "session": session,
                "form": form,
                "done": done,
                "title": _("培训签到"),
                "open": session.status == SessionStatus.OPEN,
            },
            status=status,
        )
        response["Cache-Control"] = "no-store"
        return response


# --- duties and gaps -------------------------------------------------------------------------------------------

GAP_KINDS = (
    ("theme", _("年度主题培训")),
    ("refresher", _("主要负责人年度再培训")),
    ("first_lesson", _("开工第一课")),
    ("inspectors", _("执法人员三年轮训")),
)


class GapsView(ScopedViewMixin, View):
    """应训未训: the year's gaps of one duty in the reader's scope, with the counts by township and department."""

    model = TrainingSession

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        year = _year(request)
        kind = request.GET.get("kind", "theme")
        if kind not in dict(GAP_KINDS):
            kind = "theme"
        units = Enterprise.objects.restrict(request.user, "view")
        theme = TrainingTheme.objects.unrestricted(REF).filter(year=year).first()
        rows: list[dict[str, Any]] = []
        enterprises: list[Enterprise] = []
        if kind == "theme" and theme is not None:
            for g in duties.theme_gaps(theme, units):
                enterprises.append(g.enterprise)
                rows.append({"unit": g.enterprise, "who": g.role_label, "name": g.detail, "what": g.label})
        elif kind == "refresher":
            for g in duties.refresher_gaps(year, units):
                enterprises.append(g.enterprise)
                rows.append(
                    {
                        "unit": g.enterprise,
                        "who": g.role_label,
                        "name": g.enterprise.principal_name,
                        "what": g.detail,
                    }
                )
        elif kind == "first_lesson":
            projects = (
                ConstructionProject.objects.restrict(request.user, "view")
                if can(request.user, "view", ConstructionProject)
                else ConstructionProject.objects.none()
            )
            for p in duties.first_lesson_gaps(year, projects):
                enterprises.append(p.builder)
                rows.append(
                    {
                        "unit": p.builder,
                        "who": _("建设工程项目"),
                        "name": p.name,
                        "what": _("未开展开工第一课"),
                    }
                )
        elif kind == "inspectors":
            roster = (
                Inspector.objects.restrict(request.user, "view")
                if can(request.user, "view", Inspector)
                else Inspector.objects.none()
            )
            first, last = duties.round_of(year)
            for i in duties.inspector_gaps(year, roster):
                rows.append(
                    {
                        "unit": None,
                        "dept": i.department.name,
                        "who": _("执法人员"),
                        "name": i.name,
                        "what": _("%(a)s—%(b)s年未参加集中轮训") % {"a": first, "b": last},
                    }
                )
        if request.GET.get("export") == "xlsx":
            if not can(request.user, "export", TrainingSession):
                raise PermissionDenied(_("您无权导出此数据。"))
            audit.record(
                None,
                core_events.EXPORT_DOWNLOADED,
                actor=request.user,
                object_type="training.trainingsession",
                data={"filters": request.GET.dict(), "rows": len(rows)},
            )
            return export_response(
                f"应训未训-{year}",
                ["单位", "对象", "姓名/项目", "情况"],
                (
                    [
                        r["unit"].name if r["unit"] else r.get("dept", ""),
                        str(r["who"]),
                        r["name"] or "",
                        str(r["what"]),
                    ]
                    for r in rows
                ),
            )
        context = {
            "title": _("应训未训"),
            "year": year,
            "kind": kind,
            "kinds": GAP_KINDS,
            "theme": theme,
            "rows": rows,
            "by_township": duties.counts_by_township(enterprises),
            "by_department": duties.counts_by_department(enterprises) if _is_government(request.user) else [],
            "rules": TrainingRule.objects.unrestricted(REF),
        }
        return render(request, "training/gaps.html", context)


class DrillsDueView(ScopedViewMixin, View):
    """应练未练: each unit and period of the year with no counted drill (高危 by half-year, others by year)."""

    model = Drill

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        year = _year(request)
        today = timezone.localdate()
        state = request.GET.get("state", "")
        dues = duties.drill_dues(year, Enterprise.objects.restrict(request.user, "view"), today)
        if state == "overdue":
            dues = [d for d in dues if d.overdue]
        elif state == "due":
            dues = [d for d in dues if not d.overdue]
        if request.GET.get("export") == "xlsx":
            if not can(request.user, "export", Drill):
                raise PermissionDenied(_("您无权导出此数据。"))
            audit.record(
                None,
                core_events.EXPORT_DOWNLOADED,
                actor=request.user,
                object_type="training.drill",
                data={"filters": request.GET.dict(), "rows": len(dues)},
            )
            return export_response(
                f"应练未练-{year}",
                ["单位", "期间", "状态", "适用规则"],
                ([d.enterprise.name, d.period, str(d.status_label), d.rule] for d in dues),
            )
        context = {
            "title": _("应练未练"),
            "year": year,
            "state": state,
            "rows": dues,
            "by_township": duties.counts_by_township(d.enterprise for d in dues),
            "rules": DrillRule.objects.unrestricted(REF),
        }
        return render(request, "training/drills_due.html", context)


# --- certificates ------------------------------------------------------------------------------------------------


def _cert_state(o: Certificate) -> Badge:
    state = o.state(timezone.localdate())
    return Badge(CERT_STATUS_LABELS[state], CERT_STATUS_COLORS[state])


class CertificateListView(ObjectListView):
    model = Certificate
    filterset_class = CertificateFilterSet
    title = _("持证上岗")
    default_sort = "valid_to"
    create_url_name = "training:certificate_create"
    template_name = "training/certificate_list.html"
    columns = [
        Column("holder_name", _("持证人"), sort="holder_name", link=True),
        Column("enterprise.name", _("所在单位"), sort="enterprise__name"),
        Column("kind.name", _("证书类型"), sort="kind__sort_order"),
        Column("operation", _("作业类别")),
        Column("number", _("证书编号"), sort="number"),
        Column("valid_to", _("有效期至"), sort="valid_to"),
        Column("state", _("状态"), display=_cert_state),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Certificate.objects.select_related("enterprise", "kind")

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"can_verify": _is_government(request.user)}


class CertificateEditView(ObjectEditView):
    model = Certificate
    form_class = CertificateForm

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        return certificates.save_certificate(obj, actor=actor, **data)

    def cancel_url(self, obj: Any) -> str:
        return obj.get_absolute_url() if obj is not None else reverse("training:certificate_list")


class CertificateDetailView(ObjectDetailView):
    model = Certificate
    hidden_fields = ("person",)

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        state = obj.state(timezone.localdate())
        return {
            "edit_url": reverse("training:certificate_edit", args=[obj.pk]),
            "verbose_name": _("持证上岗"),
            "title": f"{obj.holder_name} · {obj.kind.name}（{CERT_STATUS_LABELS[state]}）",
        }


class VerifyView(ScopedViewMixin, View):
    """核验证书 on a phone: an inspector types (or scans) a number and sees 有效/即将到期/已过期/无此证; an expired or
    missing one may be recorded as a finding on the inspector's open inspection of the unit."""

    model = Certificate

    def _check(self, request: HttpRequest) -> None:
        self.check_action(request)
        if not _is_government(request.user):
            raise PermissionDenied(_("证书核验由监管部门和乡镇（街道）人员在检查时使用。"))

    def get(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        number = request.GET.get("number", "").strip()
        form = VerifyForm(request.GET if number else None)
        result = None
        if number and form.is_valid():
            result, _status = run_service(
                request,
                form,
                lambda: certificates.check_number(form.cleaned_data["number"], actor=request.user),
            )
        return self._page(request, form, result)

    def post(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        finding_form = CertificateFindingForm(request.POST)
        finding, status = run_form(
            request,
            finding_form,
            lambda: certificates.record_certificate_finding(actor=request.user, **finding_form.cleaned_data),
        )
        number = request.POST.get("number", "")
        form = VerifyForm({"number": number})
        result = certificates.check_number(number, actor=None) if number.strip() else None
        if status == 200:
            messages.success(request, _("已记为检查问题：%(t)s") % {"t": finding.title})
            return redirect(reverse("inspections:inspection_detail", args=[finding.inspection_id]))
        return self._page(request, form, result, finding_form=finding_form, status=status)

    def _page(
        self, request: HttpRequest, form: Any, result: Any, *, finding_form: Any = None, status: int = 200
    ) -> HttpResponse:
        inspections: list[Any] = []
        if result is not None and result.refused:
            inspections = certificates.open_inspections(
                request.user, result.certificate.enterprise if result.certificate else None
            )
            if finding_form is None:
                finding_form = CertificateFindingForm(
                    initial={
                        "number": result.number,
                        "holder_name": result.certificate.holder_name if result.certificate else "",
                        "case": bool(result.certificate is None or result.certificate.kind.case_measure),
                        "inspection": inspections[0].pk if inspections else None,
                    }
                )
        context = {
            "title": _("证书核验"),
            "form": form,
            "result": result,
            "inspections": inspections,
            "finding_form": finding_form,
            "state_color": CERT_STATUS_COLORS.get(result.state, "danger") if result else "",
        }
        return render(request, "training/verify.html", context, status=status)


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


class RulesView(ScopedViewMixin, View):
    """The rules as data: the year's themes, training duties, certificate types and drill duties (待核实 shown)."""

    model = TrainingRule

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        context = {
            "title": _("培训演练规则"),
            "themes": TrainingTheme.objects.unrestricted(REF),
            "rules": TrainingRule.objects.unrestricted(REF),
            "types": CertificateType.objects.unrestricted(REF),
            "drill_rules": DrillRule.objects.unrestricted(REF),
            "kinds": dict(SessionKind.choices),
        }
        return render(request, "training/rules.html", context)
