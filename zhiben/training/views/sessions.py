"""Pages of 培训考核: sessions with their QR sign-in, attendance (补录) and exam results."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.loop.web import StepView, run_form
from zhiben.core.views import (
    Column,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
    detail_fields,
    object_history,
)

from ..choices import (
    SessionStatus,
    SignIn,
)
from ..filtersets import SessionFilterSet
from ..forms import (
    ExamForm,
    ManualSignInForm,
    SessionForm,
    SignInForm,
)
from ..models import (
    Attendance,
    TrainingSession,
    TrainingTheme,
)
from ..services import sessions
from ..steps import SESSION_FLOW
from .common import REF, SESSION_COLORS

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
