"""Pages of rewards: the list (with Excel), a reward's page with its steps as buttons, 拟定, the calculator for
handlers, the reward rules (待核实 badges; the office edits them), and the public claim by receipt code."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core.loop.web import StepView, posted_version, run_form
from zhiben.core.scoping import can
from zhiben.core.views import Column, ObjectListView, ScopedViewMixin
from zhiben.registry.models import Industry

from .. import ratelimit
from ..choices import Outcome, RewardStatus, TipStatus
from ..forms.rewards import CalculatorForm, ProposeForm, PublicClaimForm, RewardRuleForm
from ..models import Reward, RewardRule, Tip
from ..reward_calc import calculate
from ..reward_steps import FLOW
from ..services import rewards as services

STATUS_COLORS = {
    RewardStatus.PROPOSED: "warning",
    RewardStatus.APPROVED: "info",
    RewardStatus.CLAIMED: "primary",
    RewardStatus.PAID: "success",
    RewardStatus.LAPSED: "secondary",
    RewardStatus.DECLINED: "secondary",
}


def _money(value: Any) -> str:
    return f"{value:,.2f} 元" if value is not None else "—"


class RewardListView(ObjectListView):
    model = Reward
    title = _("举报奖励")
    default_sort = "-created_at"
    template_name = "tips/rewards/reward_list.html"
    create_url_name = "tips:reward_propose"
    columns = [
        Column("tip.code", _("举报编号"), sort="tip__code", link=True),
        Column("tip.get_category_display", _("举报类别")),
        Column("get_basis_display", _("计奖方式"), sort="basis"),
        Column("amount", _("奖励金额"), sort="amount", display=lambda r: _money(r.amount)),
        Column(
            "get_status_display",
            _("状态"),
            sort="status",
            badge=lambda r: STATUS_COLORS.get(r.status, "secondary"),
        ),
        Column("decision_deadline", _("决定期限"), sort="decision_deadline"),
        Column("claim_deadline", _("领取期限"), sort="claim_deadline"),
        Column("paid_on", _("发放日期"), sort="paid_on"),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Reward.objects.select_related("tip")


def _tip_url(user: Any, tip: Tip) -> str:
    """The tip's page, when the user may see the tip (and the handling pages are installed)."""
    if not Tip.objects.restrict(user, "view").filter(pk=tip.pk).exists():
        return ""
    try:
        return tip.get_absolute_url()
    except NoReverseMatch:
        return ""


class RewardDetailView(ScopedViewMixin, View):
    model = Reward

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        reward = self.get_object(request, pk)
        context = {
            "object": reward,
            "title": f"{reward.tip.code} 举报奖励",
            "steps": FLOW.available(request.user, reward),
            "status_color": STATUS_COLORS.get(reward.status, "secondary"),
            "amount": _money(reward.amount),
            "fine": _money(reward.fine) if reward.fine else "",
            "history": [
                (FLOW.label(h.action), h)
                for h in reward.transitions.select_related("actor").order_by("at", "pk")
            ],
            "tip_url": _tip_url(request.user, reward.tip),
        }
        return render(request, "tips/rewards/reward_detail.html", context)


class RewardStepView(StepView):
    model = Reward
    flow = FLOW
    list_url_name = "tips:reward_list"
    list_label = _("举报奖励")

    def object_label(self, obj: Any) -> str:
        return f"{obj.tip.code} 举报奖励"


def rewardable_tips(user: Any) -> Any:
    """Closed, founded tips without a reward yet, as far as the user sees them."""
    return (
        Tip.objects.restrict(user, "view")
        .filter(status=TipStatus.CLOSED, outcome__in=[Outcome.FOUNDED, Outcome.PARTLY], real_name=True)
        .exclude(reward__isnull=False)
        .order_by("-received_at")
    )


class RewardProposeView(ScopedViewMixin, View):
    """拟定奖励: pick the tip and the basis; the amount is the calculator's (shown after saving)."""

    model = Reward
    action = "add"

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        initial = {"tip": request.GET.get("tip")} if request.GET.get("tip", "").isdigit() else {}
        return self._render(request, ProposeForm(initial=initial, tips=rewardable_tips(request.user)))

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = ProposeForm(request.POST, tips=rewardable_tips(request.user))
        reward, status = run_form(
            request,
            form,
            lambda: services.propose_reward(
                form.cleaned_data["tip"],
                actor=request.user,
                basis=form.cleaned_data["basis"],
                grade=form.cleaned_data["grade"] or None,
                deaths=form.cleaned_data["deaths"],
                note=form.cleaned_data["note"],
            ),
        )
        if status == 200:
            messages.success(request, _("已拟定奖励，待他人审批。"))
            return redirect(reward.get_absolute_url())
        return self._render(request, form, status=status)

    def _render(self, request: HttpRequest, form: ProposeForm, status: int = 200) -> HttpResponse:
        return render(
            request, "tips/rewards/propose.html", {"form": form, "title": _("拟定奖励")}, status=status
        )


class CalculatorView(ScopedViewMixin, View):
    """试算: the same calculator as the API, for handlers (view on reward rules)."""

    model = RewardRule

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        result = None
        form = CalculatorForm(request.GET or None)
        status = 200
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                result = calculate(
                    data["basis"],
                    fine=data["fine"] or None,
                    grade=data["grade"] or None,
                    deaths=data["deaths"] or None,
                    category=data["category"] or None,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                status = 400
        elif form.is_bound:
            status = 400
        return render(
            request,
            "tips/rewards/calculator.html",
            {
                "form": form,
                "result": result,
                "amount": _money(result.amount) if result else "",
                "title": _("奖励试算"),
            },
            status=status,
        )


class RuleListView(ScopedViewMixin, View):
    model = RewardRule

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)

        rules = list(RewardRule.objects.restrict(request.user, "view").order_by("priority", "code"))
        names = dict(Industry.objects.values_list("code", "name"))
        for rule in rules:
            rule.excluded_names = "、".join(names.get(c, "其他") for c in rule.excluded_industries or [])  # type: ignore[attr-defined]
        return render(
            request,
            "tips/rewards/rule_list.html",
            {
                "rules": rules,
                "title": _("举报奖励标准"),
                "can_change": can(request.user, "change", RewardRule),
            },
        )


class RuleEditView(ScopedViewMixin, View):
    model = RewardRule
    action = "change"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        rule = self.get_object(request, pk)
        return self._render(request, rule, RewardRuleForm(initial=RewardRuleForm.initial_of(rule)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        rule = self.get_object(request, pk)
        form = RewardRuleForm(request.POST)
        _result, status = run_form(
            request,
            form,
            lambda: services.update_rule(
                rule, actor=request.user, version=posted_version(request), **form.cleaned_data
            ),
        )
        if status == 200:
            messages.success(request, _("奖励标准已保存。"))
            return redirect("tips:reward_rules")
        return self._render(request, rule, form, status=status)

    def _render(self, request: HttpRequest, rule: RewardRule, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "tips/rewards/rule_form.html",
            {"form": form, "object": rule, "title": _("修改奖励标准")},
            status=status,
        )


# --- the public claim -------------------------------------------------------------------------------------------


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


class PublicClaimView(View):
    """申领奖励 (no login): the reporter enters the receipt code; the answer says what to bring and how it is paid,
    never who the reporter is."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, PublicClaimForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if not ratelimit.hit(request, ratelimit.CLAIM):  # per address, hashed with a daily salt (R15)
            return self._render(request, PublicClaimForm(), status=429, throttled=True)
        form = PublicClaimForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        answer = services.claim_by_receipt(form.cleaned_data["receipt"])
        return self._render(request, PublicClaimForm(), answer=answer, status=200 if answer.ok else 400)

    def _render(
        self,
        request: HttpRequest,
        form: PublicClaimForm,
        *,
        answer: Any = None,
        status: int = 200,
        throttled: bool = False,
    ) -> HttpResponse:
        context = {
            "form": form,
            "answer": answer,
            "amount": _money(answer.amount) if answer is not None and answer.amount else "",
            "throttled": throttled,
            "how": services.HOW_TO_CLAIM,
            "action": reverse("tips:claim"),
        }
        return _public(render(request, "tips/rewards/claim.html", context, status=status))
