"""The steps of a tip, declared once (core.loop): the services enforce them, the pages offer them as buttons
and step pages, the API as POST actions; each step's label is its history entry and its audit event's label.

收到 (receive) is the internal first step: the public portal, the API, Open311 and the hotline desk all create
a tip through `services.intake.submit_tip`, which records it with this step (no actor: the public)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhiben.core.loop import Flow, Step

from .choices import TipStatus
from .models import Tip, TipTransition

RECEIVE = Step("receive", _("收到举报"), "add", target=TipStatus.RECEIVED, event="TIP_RECEIVED")

FLOW = Flow(
    model=Tip,
    history=TipTransition,
    steps=(RECEIVE,),
    denied=_("您没有办理举报的权限。"),
    out_of_scope=_("该举报未转交您办理。"),
    stale=_("该举报已被他人处理，请刷新后重试。"),
)
