"""一会三卡: coverage, a unit's posts and cards, 班前会 and 体检卡 on the phone, the printable 应急处置卡."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.loop.calls import run_form
from zhiben.core.scoping import can
from zhiben.core.views import ScopedViewMixin
from zhiben.registry.models import Enterprise

from .. import reference, services
from ..coverage import coverage_of
from ..forms import (
    CheckForm,
    MeetingForm,
    PostForm,
)
from ..models import (
    Post,
    PreShiftCheck,
    ShiftMeeting,
    WorkPermit,
)
from .common import qr_svg, units_in_scope


class CardIndexView(ScopedViewMixin, View):
    """一会三卡 coverage of the units in scope (high-risk units first): posts with both cards, 班前会 days."""

    model = Post

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        today = timezone.localdate()
        start = today - dt.timedelta(days=29)
        units = list(
            units_in_scope(request.user)
            .filter(Q(is_high_risk=True) | Q(primary_industry__high_risk=True))
            .select_related("region")[:300]
        )
        cov = coverage_of([u.pk for u in units], start, today)
        rows = [{"u": u, "c": cov[u.pk]} for u in units]
        rows.sort(key=lambda r: (r["c"].complete, r["u"].name))
        return render(
            request,
            "risk/card_index.html",
            {
                "title": _("一会三卡"),
                "rows": rows,
                "start": start,
                "today": today,
                "complete": sum(1 for r in rows if r["c"].complete),
            },
        )


class CardUnitView(ScopedViewMixin, View):
    """One unit's 一会三卡: posts and their cards, recent 班前会 and 体检卡 records, 动工卡; add a post."""

    model = Enterprise

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "view", Post):
            raise PermissionDenied(_("您无权访问此页面。"))
        enterprise = self.get_object(request, pk)
        return self.render(request, enterprise, self.post_form(enterprise))

    def post_form(self, enterprise: Enterprise, data: Any = None) -> PostForm:
        codes = set(enterprise.industries.values_list("code", flat=True))
        return PostForm(data, templates=reference.templates_for(codes))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "add", Post):
            raise PermissionDenied(_("您无权新增岗位。"))
        enterprise = self.get_object(request, pk)
        form = self.post_form(enterprise, request.POST)
        post, status = run_form(
            request,
            form,
            lambda: services.add_post(actor=request.user, enterprise=enterprise, **form.cleaned_data),
        )
        if status == 200:
            messages.success(request, _("已新增岗位“%(n)s”并制发体检卡和应急处置卡。") % {"n": post.name})
            return redirect(reverse("risk:card_unit", args=[enterprise.pk]))
        return self.render(request, enterprise, form, status)

    def render(
        self, request: HttpRequest, enterprise: Enterprise, form: PostForm, status: int = 200
    ) -> HttpResponse:
        today = timezone.localdate()
        start = today - dt.timedelta(days=29)
        posts = list(
            Post.objects.restrict(request.user, "view")
            .filter(enterprise=enterprise)
            .prefetch_related("cards")
        )
        meetings = (
            ShiftMeeting.objects.restrict(request.user, "view")
            .filter(enterprise=enterprise)
            .select_related("recorded_by")[:15]
        )
        checks = (
            PreShiftCheck.objects.restrict(request.user, "view")
            .filter(post__enterprise=enterprise)
            .select_related("post")[:15]
        )
        permits = WorkPermit.objects.restrict(request.user, "view").filter(enterprise=enterprise)[:10]
        return render(
            request,
            "risk/card_unit.html",
            {
                "title": _("一会三卡"),
                "object": enterprise,
                "posts": [{"p": p, "kinds": {c.kind for c in p.cards.all()}} for p in posts],
                "cov": coverage_of([enterprise.pk], start, today)[enterprise.pk],
                "start": start,
                "today": today,
                "meetings": meetings,
                "checks": checks,
                "permits": permits,
                "form": form,
                "can_add": can(request.user, "add", Post),
                "can_meet": can(request.user, "add", ShiftMeeting),
                "can_permit": can(request.user, "add", WorkPermit),
            },
            status=status,
        )


class PostDetailView(ScopedViewMixin, View):
    model = Post

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        post = self.get_object(request, pk)
        cards = {c.kind: c for c in post.cards.all()}
        return render(
            request,
            "risk/post_detail.html",
            {
                "title": post.name,
                "object": post,
                "check": cards.get("check"),
                "emergency": cards.get("emergency"),
                "checks": post.checks.select_related("recorded_by")[:15],
                "can_check": can(request.user, "add", PreShiftCheck),
            },
        )


class EmergencyCardView(ScopedViewMixin, View):
    """The post's 应急处置卡, printable, with a QR code that opens it on a phone."""

    model = Post

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        post = self.get_object(request, pk)
        card = post.cards.filter(kind="emergency").first()
        if card is None:
            raise Http404
        return render(
            request,
            "risk/emergency_card.html",
            {
                "title": _("应急处置卡"),
                "object": post,
                "card": card,
                "qr": qr_svg(request.build_absolute_uri(reverse("risk:emergency_card", args=[post.pk]))),
            },
        )


class MeetingCreateView(ScopedViewMixin, View):
    """安全班前会 record on the phone."""

    model = Enterprise

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "add", ShiftMeeting):
            raise PermissionDenied(_("您无权记录班前会。"))
        enterprise = self.get_object(request, pk)
        return self.render(request, enterprise, MeetingForm(initial={"held_on": timezone.localdate()}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "add", ShiftMeeting):
            raise PermissionDenied(_("您无权记录班前会。"))
        enterprise = self.get_object(request, pk)
        form = MeetingForm(request.POST)
        _m, status = run_form(
            request,
            form,
            lambda: services.record_meeting(actor=request.user, enterprise=enterprise, **form.cleaned_data),
        )
        if status == 200:
            messages.success(request, _("已记录班前会。"))
            return redirect(reverse("risk:card_unit", args=[enterprise.pk]))
        return self.render(request, enterprise, form, status)

    def render(
        self, request: HttpRequest, enterprise: Enterprise, form: Any, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "risk/phone_form.html",
            {
                "title": _("安全班前会"),
                "object": enterprise,
                "form": form,
                "prompts": reference.card_templates()["meeting"]["prompts"],
                "back": reverse("risk:card_unit", args=[enterprise.pk]),
            },
            status=status,
        )


class CheckCreateView(ScopedViewMixin, View):
    """A day's 体检卡 record of a post on the phone."""

    model = Post

    def _form(self, post: Post, data: Any = None) -> CheckForm:
        card = post.cards.filter(kind="check").first()
        return CheckForm(data, items=list(card.items) if card else [])

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "add", PreShiftCheck):
            raise PermissionDenied(_("您无权记录体检卡。"))
        post = self.get_object(request, pk)
        return self.render(request, post, self._form(post))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "add", PreShiftCheck):
            raise PermissionDenied(_("您无权记录体检卡。"))
        post = self.get_object(request, pk)
        form = self._form(post, request.POST)
        _c, status = run_form(
            request,
            form,
            lambda: services.record_check(actor=request.user, post=post, results=form.results()),
        )
        if status == 200:
            messages.success(request, _("已记录体检卡。"))
            return redirect(post.get_absolute_url())
        return self.render(request, post, form, status)

    def render(self, request: HttpRequest, post: Post, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "risk/phone_form.html",
            {
                "title": _("体检卡"),
                "object": post,
                "form": form,
                "prompts": [],
                "back": post.get_absolute_url(),
            },
            status=status,
        )
