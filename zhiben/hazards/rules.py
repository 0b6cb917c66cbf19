"""Editable rules of the loop: the 判定 deadline and default 整改 deadline per level, and the two escalation
ladders (逾期未判定, 逾期未整改) (区安委办 only).

No national text fixes these numbers, so they ship as data marked 待核实 (verified=False) and the office
adjusts them; every change is compare-and-swap on the row's version and audited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View

from zhiben.core import audit
from zhiben.core.bounds import BoundedForm
from zhiben.core.errors import Conflict
from zhiben.core.models import DocumentTemplate
from zhiben.core.scoping import can
from zhiben.core.workflow import compare_and_swap

from . import events
from .models import DeadlinePolicy, EscalationRule


class DeadlinePolicyForm(BoundedForm):
    workdays = forms.IntegerField(label=_lazy("期限（工作日）"), min_value=1, max_value=500)
    reminder_workdays = forms.IntegerField(label=_lazy("到期前提醒（工作日）"), min_value=0, max_value=60)
    source = forms.CharField(label=_lazy("依据"), max_length=200, required=False)
    verified = forms.BooleanField(label=_lazy("已核实"), required=False)


class EscalationRuleForm(BoundedForm):
    overdue_workdays = forms.IntegerField(label=_lazy("逾期工作日"), min_value=1, max_value=500)
    interval_workdays = forms.IntegerField(
        label=_lazy("距上一措施间隔（工作日）"), min_value=0, max_value=250
    )
    template_code = forms.ChoiceField(label=_lazy("公文模板"))
    active = forms.BooleanField(label=_lazy("启用"), required=False)
    source = forms.CharField(label=_lazy("依据"), max_length=200, required=False)
    notes = forms.CharField(label=_lazy("说明"), max_length=1000, required=False, widget=forms.Textarea)
    verified = forms.BooleanField(label=_lazy("已核实"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template_code"].choices = [
            (t.code, f"{t.name}（{t.number_prefix}）") for t in DocumentTemplate.objects.order_by("code")
        ]


@transaction.atomic
def update_rule(rule: DeadlinePolicy | EscalationRule, *, actor: Any, version: int, **changes: Any) -> None:
    """Change one rule row by compare-and-swap (a stale form is a 409), with an audit row of what changed."""
    if version != rule.version:
        raise Conflict()
    before = {k: getattr(rule, k) for k in changes}
    diff = {k: v for k, v in changes.items() if before[k] != v}
    if not diff:
        return
    compare_and_swap(rule, expected={}, changes=diff)
    audit.record(
        rule,
        events.HAZARD_RULES_CHANGED,
        actor=actor,
        data={"changes": {k: {"from": before[k], "to": v} for k, v in diff.items()}},
    )


KINDS = {"deadline": (DeadlinePolicy, DeadlinePolicyForm), "escalation": (EscalationRule, EscalationRuleForm)}


class RulesView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, "view", EscalationRule):
            raise PermissionDenied
        return render(
            request,
            "hazards/rules.html",
            {
                "policies": DeadlinePolicy.objects.order_by("stage", "level"),
                "rules": EscalationRule.objects.order_by("stage", "level", "overdue_workdays"),
                "can_change": can(request.user, "change", EscalationRule),
                "title": _("隐患规则设置"),
            },
        )


class RuleEditView(LoginRequiredMixin, View):
    def _setup(self, request: HttpRequest, kind: str, pk: int) -> tuple[Any, type[forms.Form]]:
        if kind not in KINDS:
            raise Http404
        model, form_class = KINDS[kind]
        if not can(request.user, "change", model):
            raise PermissionDenied
        return get_object_or_404(model.objects.all(), pk=pk), form_class

    def get(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        rule, form_class = self._setup(request, kind, pk)
        initial = {f: getattr(rule, f) for f in form_class.base_fields}
        return self.render(request, rule, form_class(initial=initial))

    def post(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        rule, form_class = self._setup(request, kind, pk)
        form = form_class(request.POST)
        status = 400
        if form.is_valid():
            try:
                version = int(request.POST.get("version") or rule.version)
                update_rule(rule, actor=request.user, version=version, **form.cleaned_data)
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, _("已保存。"))
                return redirect("hazards:rules")
        return self.render(request, rule, form, status)

    def render(self, request: HttpRequest, rule: Any, form: forms.Form, status: int = 200) -> HttpResponse:
        return render(
            request,
            "core/object_form.html",
            {
                "form": form,
                "object": rule,
                "title": _("修改规则：%(r)s") % {"r": rule},
                "verbose_name": rule._meta.verbose_name,
                "cancel_url": "/hazards/rules/",
                "conflict": status == 409,
            },
            status=status,
        )
