"""发出约谈通知 page: the committee office sets the date, time and place of a due 约谈 and issues its notice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View

from zhiben.core.bounds import BoundedForm
from zhiben.core.loop.web import run_form
from zhiben.core.views import ScopedViewMixin

from . import services
from .choices import EscalationKind
from .models import Escalation, Hazard

DEFAULT_PLACE = "区安委办会议室"


class InterviewForm(BoundedForm):
    # Not required here: the service says why a notice cannot go out without a time (one message).
    interview_at = forms.DateTimeField(
        label=_lazy("约谈日期和时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": _lazy("请按“年-月-日 时:分”填写约谈时间。")},
    )
    interview_place = forms.CharField(label=_lazy("约谈地点"), max_length=100, required=False)


class InterviewScheduleView(ScopedViewMixin, View):
    model = Hazard
    action = "supervise"

    def _objects(self, request: HttpRequest, pk: int, step_pk: int) -> tuple[Hazard, Escalation]:
        self.check_action(request)
        hazard = self.get_object(request, pk, "view")
        step = get_object_or_404(
            hazard.escalations.filter(kind=EscalationKind.INTERVIEW, document__isnull=True), pk=step_pk
        )
        return hazard, step

    def get(self, request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
        hazard, step = self._objects(request, pk, step_pk)
        return self.render(request, hazard, step, InterviewForm(initial={"interview_place": DEFAULT_PLACE}))

    def post(self, request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
        hazard, step = self._objects(request, pk, step_pk)
        form = InterviewForm(request.POST)

        def call() -> Escalation:
            d = form.cleaned_data
            return services.schedule_interview(
                step,
                actor=request.user,
                interview_at=d.get("interview_at"),
                place=d.get("interview_place", ""),
            )

        done, status = run_form(request, form, call)
        if status == 200:
            messages.success(request, _("已发出约谈通知 %(n)s。") % {"n": done.document.number})
            return redirect(hazard.get_absolute_url() + "#escalations")
        return self.render(request, hazard, step, form, status=status)

    def render(
        self, request: HttpRequest, hazard: Hazard, step: Escalation, form: forms.Form, status: int = 200
    ) -> HttpResponse:
        context: dict[str, Any] = {
            "object": hazard,
            "step": step,
            "form": form,
            "title": _("发出约谈通知"),
        }
        return render(request, "hazards/interview_schedule.html", context, status=status)
