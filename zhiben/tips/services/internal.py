"""Enterprise internal reporting (内部举报): a unit's own workers report hazards to it; the unit records the
report, verifies it, registers a founded one in its hazard ledger (source 企业自查, linked to the report) and
records the reward it paid. 安全生产法 第四十一条 and the seed (三（四）9) ask units to reward their workers who
report; the counts per unit are an assessment indicator (`tips.indicators.internal_reporting`).

Every write: permission and scope (the unit's own reports only), compare-and-swap on the version (409), one
audit row. The reporter's name is encrypted in the row and never written to an audit row, a hazard or a
notice: the hazard says only that it came from an internal report.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.errors import NotPermitted
from zhiben.core.loop import pin
from zhiben.core.workflow import compare_and_swap
from zhiben.hazards.choices import Level, Source
from zhiben.hazards.services import register_hazard
from zhiben.registry.models import Enterprise
from zhiben.standards.models import Clause

from .. import events
from ..choices import InternalStatus
from ..models import InternalReport
from ..steps_internal import FOUND, INTERNAL_FLOW, RECORD, REWARD, UNFOUND

__all__ = [
    "record_internal_report",
    "record_reward",
    "update_internal_report",
    "verify_founded",
    "verify_unfounded",
]

FINDER = "本单位职工（内部举报）"  # what the hazard says of who found it: never the reporter's name
MAX_REWARD = Decimal("1000000")
STALE = "该内部举报已被他人处理（当前版本 %(v)s），请刷新后重试。"


def _today() -> dt.date:
    return timezone.localdate()


def _clean_facts(
    reported_on: dt.date | None, content: str, location: str, reporter_name: str
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    content = (content or "").strip()
    if not content:
        errors["content"] = _("请填写报告内容。")
    if reported_on is None:
        errors["reported_on"] = _("请填写报告日期。")
    elif reported_on > _today():
        errors["reported_on"] = _("报告日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    return {
        "reported_on": reported_on,
        "content": content,
        "location": (location or "").strip(),
        "reporter_name": (reporter_name or "").strip(),
    }


@transaction.atomic
def record_internal_report(
    *,
    actor: Any,
    enterprise: Enterprise,
    reported_on: dt.date,
    content: str,
    reporter_name: str = "",
    location: str = "",
) -> InternalReport:
    """登记内部举报: the unit records one of its workers' reports (the name may be left blank)."""
    INTERNAL_FLOW.require(actor, RECORD)
    if actor is not None and not Enterprise.objects.restrict(actor, "view").filter(pk=enterprise.pk).exists():
        raise NotPermitted(_("只能登记本单位的内部举报。"))
    facts = _clean_facts(reported_on, content, location, reporter_name)
    report = InternalReport.objects.create(
        enterprise=enterprise, status=InternalStatus.RECEIVED, recorded_by=actor, **facts
    )
    if actor is not None and not InternalReport.objects.restrict(actor, "add").filter(pk=report.pk).exists():
        raise NotPermitted(_("只能登记本单位的内部举报。"))
    INTERNAL_FLOW.record_created(
        report,
        RECORD,
        actor=actor,
        data={
            "enterprise": enterprise.pk,
            "reported_on": str(facts["reported_on"]),
            "anonymous": not facts["reporter_name"],
        },
    )
    return report


@transaction.atomic
def update_internal_report(
    report: InternalReport,
    *,
    actor: Any,
    version: int | str | None = None,
    reported_on: dt.date,
    content: str,
    reporter_name: str = "",
    location: str = "",
) -> InternalReport:
    """修改: the facts of a report still 待核实 (a verified one stays as it was verified)."""
    INTERNAL_FLOW.require(actor, "change", report)
    pin(report, version, STALE)
    if report.status != InternalStatus.RECEIVED:
        raise ValidationError(_("已核实的内部举报不能再修改。"))
    facts = _clean_facts(reported_on, content, location, reporter_name)
    changed = {k: v for k, v in facts.items() if getattr(report, k) != v}
    if not changed:
        return report
    compare_and_swap(report, expected={"status": InternalStatus.RECEIVED}, changes=changed)
    audit.record(
        report,
        events.INTERNAL_REPORT_CHANGED,
        actor=actor,
        # Which fields changed; the reporter's name is never written to the log.
        data={k: ("（已修改）" if k == "reporter_name" else str(v)) for k, v in changed.items()},
    )
    return report


@FOUND.implements
@transaction.atomic
def verify_founded(
    report: InternalReport,
    *,
    actor: Any,
    version: int | str | None = None,
    level: str = Level.GENERAL,
    title: str = "",
    clause: Clause | None = None,
    note: str = "",
) -> InternalReport:
    """核实属实: the hazard the report shows is registered in the unit's ledger (企业自查) and linked to it."""
    INTERNAL_FLOW.require(actor, FOUND, report)
    pin(report, version, STALE)
    INTERNAL_FLOW.check(report, FOUND)
    if not (title or "").strip():
        raise ValidationError({"title": _("请填写隐患名称。")})
    hazard = register_hazard(
        actor=actor,
        enterprise=report.enterprise,
        level=level,
        title=title,
        clause=clause,
        discovered_on=report.reported_on,
        source=Source.SELF_CHECK,
        description=report.content,
        location=report.location,
        finder=FINDER,
    )
    INTERNAL_FLOW.advance(
        report,
        FOUND,
        actor=actor,
        note=note,
        changes={"hazard": hazard},
        data={"hazard_code": hazard.code, "level": level},
    )
    return report


@UNFOUND.implements
@transaction.atomic
def verify_unfounded(
    report: InternalReport, *, actor: Any, version: int | str | None = None, note: str = ""
) -> InternalReport:
    """核实不属实 (with what the check found)."""
    INTERNAL_FLOW.require(actor, UNFOUND, report)
    pin(report, version, STALE)
    if not (note or "").strip():
        raise ValidationError({"note": _("请写明核实情况。")})
    INTERNAL_FLOW.advance(report, UNFOUND, actor=actor, note=note.strip())
    return report


@REWARD.implements
@transaction.atomic
def record_reward(
    report: InternalReport,
    *,
    actor: Any,
    version: int | str | None = None,
    amount: Decimal,
    rewarded_on: dt.date,
) -> InternalReport:
    """登记奖励: the unit paid the worker for a founded report (once)."""
    INTERNAL_FLOW.require(actor, REWARD, report)
    pin(report, version, STALE)
    INTERNAL_FLOW.check(report, REWARD)
    if report.status != InternalStatus.FOUNDED:
        raise ValidationError(_("只有核实属实的内部举报才能登记奖励。"))
    if report.rewarded_on is not None:
        raise ValidationError(_("该内部举报已登记奖励。"))
    errors: dict[str, str] = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("奖励金额应大于 0。")
    elif amount > MAX_REWARD:
        errors["amount"] = _("奖励金额不能超过 100 万元。")
    if rewarded_on is None:
        errors["rewarded_on"] = _("请填写奖励日期。")
    elif rewarded_on > _today():
        errors["rewarded_on"] = _("奖励日期不能晚于今天。")
    elif rewarded_on < report.reported_on:
        errors["rewarded_on"] = _("奖励日期不能早于报告日期。")
    if errors:
        raise ValidationError(errors)
    INTERNAL_FLOW.advance(
        report, REWARD, actor=actor, changes={"reward_amount": amount, "rewarded_on": rewarded_on}
    )
    return report
