"""The 安全生产法 Art 113 (一) watch: 存在重大事故隐患，一百八十日内三次或者一年内四次受到本法规定的行政处罚
→ the supervising department must 提请地方人民政府予以关闭.

A *penalised major case* is a case against the unit, decided, involving a 重大事故隐患 (flagged on the case or
through its hazard's level) and with at least one administrative penalty (PENALTY_KINDS) among its decided
measures; each such case counts once, on its decision date. On a decision date D the unit is caught when

    three such cases were decided in the 180 days ending on D (D − 179 … D), or
    four in the year ending on D (the day after D's date one year earlier … D).

Each trigger is one `ClosureProposal` (unique per unit and trigger date). While a proposal for the unit is
still open (待处理) a further penalty does not open another one. `recheck()` (daily job and
`manage.py enforcement_art113`) evaluates every unit on its latest decision date and is idempotent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import users_of_department, users_of_office, users_of_township
from zhiben.core import audit
from zhiben.core.errors import Conflict, NotPermitted
from zhiben.core.outbox import notify_users
from zhiben.core.scoping import can
from zhiben.registry.models import Enterprise

from . import documents, events, steps
from .choices import PENALTY_KINDS, CaseStatus, ProposalStatus
from .models import Case, ClosureProposal

SHORT_WINDOW_DAYS = 180
SHORT_WINDOW_COUNT = 3
YEAR_WINDOW_COUNT = 4
RULE_SHORT = "一百八十日内三次"
RULE_YEAR = "一年内四次"


@dataclass(frozen=True)
class Trigger:
    enterprise_id: int
    on: dt.date
    rule: str
    case_ids: tuple[int, ...]


def penalised_major_cases() -> QuerySet[Case]:
    """Every penalised major case in the district (the watch is district-wide by law, not per viewer)."""
    return (
        Case.objects.unrestricted("the Art 113 watch is district-wide")  # type: ignore[attr-defined]
        .filter(
            enterprise__isnull=False,
            decided_on__isnull=False,
            status__in=(CaseStatus.DECIDED, CaseStatus.EXECUTING, CaseStatus.CLOSED),
        )
        .filter(Q(involves_major_hazard=True) | Q(hazard__level="major"))
        .filter(
            pk__in=Case.objects.filter(
                measures__kind__in=PENALTY_KINDS, measures__decided_on__isnull=False
            ).values("pk")
        )
    )


def year_before(day: dt.date) -> dt.date:
    """The same date one year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def evaluate(enterprise_id: int, on: dt.date) -> Trigger | None:
    """Whether the unit is caught by Art 113 (一) on `on`, counting the cases decided up to that day."""
    decided = [
        (pk, d)
        for pk, d in penalised_major_cases()
        .filter(enterprise_id=enterprise_id, decided_on__lte=on, decided_on__gt=year_before(on))
        .order_by("decided_on", "pk")
        .values_list("pk", "decided_on")
        if d is not None
    ]
    short_start = on - dt.timedelta(days=SHORT_WINDOW_DAYS - 1)
    short = [pk for pk, d in decided if d >= short_start]
    if len(short) >= SHORT_WINDOW_COUNT:
        return Trigger(enterprise_id, on, RULE_SHORT, tuple(short))
    if len(decided) >= YEAR_WINDOW_COUNT:
        return Trigger(enterprise_id, on, RULE_YEAR, tuple(pk for pk, _d in decided))
    return None


def _propose(trigger: Trigger, *, actor: Any, department_id: int | None) -> ClosureProposal | None:
    """One proposal per trigger; none while the unit already has an open one."""
    if ClosureProposal.objects.filter(
        Q(enterprise_id=trigger.enterprise_id, status=ProposalStatus.OPEN)
        | Q(enterprise_id=trigger.enterprise_id, triggered_on=trigger.on)
    ).exists():
        return None
    try:
        with transaction.atomic():
            proposal = ClosureProposal.objects.create(
                enterprise_id=trigger.enterprise_id,
                department_id=department_id,
                triggered_on=trigger.on,
                rule=trigger.rule,
                case_ids=list(trigger.case_ids),
            )
    except IntegrityError:  # a concurrent decision proposed the same trigger first
        return None
    audit.record(
        proposal,
        events.CLOSURE_PROPOSED,
        actor=actor,
        data={"enterprise": trigger.enterprise_id, "rule": trigger.rule, "cases": list(trigger.case_ids)},
    )
    _notify(proposal, trigger)
    return proposal


def _notify(proposal: ClosureProposal, trigger: Trigger) -> None:
    department_ids = set(Case.objects.filter(pk__in=trigger.case_ids).values_list("department_id", flat=True))
    users = users_of_office()
    for dep in sorted(department_ids):
        users += users_of_department(dep)
    name, region = (
        Enterprise.objects.unrestricted("the closure proposal names its unit")
        .filter(pk=trigger.enterprise_id)
        .values_list("name", "region__code")
        .first()
    ) or ("", "")
    users += users_of_township(region)  # 属地: the township of the unit's place
    notify_users(
        users,
        subject=_("提请关闭预警：%(e)s") % {"e": name},
        body=_(
            "%(e)s 存在重大事故隐患，%(r)s受到行政处罚，符合安全生产法第一百一十三条第（一）项，请研究提请关闭。"
        )
        % {"e": name, "r": trigger.rule},
        url=proposal.get_absolute_url(),
        topic="art113",
        obj=proposal,
    )


def watch_case(case: Case, *, actor: Any) -> ClosureProposal | None:
    """Called by decide_case inside its transaction when the decision contains a penalty."""
    if case.enterprise_id is None or case.decided_on is None:
        return None
    if not penalised_major_cases().filter(pk=case.pk).exists():
        return None
    trigger = evaluate(case.enterprise_id, case.decided_on)
    if trigger is None:
        return None
    return _propose(trigger, actor=actor, department_id=case.department_id)


def recheck(today: dt.date | None = None, actor: Any = None) -> dict[str, int]:
    """Evaluate every unit with penalised major cases on its latest decision date; idempotent."""
    today = today or timezone.localdate()
    latest: dict[int, dt.date] = {}
    rows = penalised_major_cases().filter(decided_on__lte=today).values_list("enterprise_id", "decided_on")
    for enterprise_id, decided_on in rows:
        if enterprise_id is None or decided_on is None:
            continue
        if enterprise_id not in latest or decided_on > latest[enterprise_id]:
            latest[enterprise_id] = decided_on
    created = 0
    for enterprise_id, on in sorted(latest.items()):
        trigger = evaluate(enterprise_id, on)
        if trigger is None:
            continue
        department_id = (
            Case.objects.filter(pk=trigger.case_ids[-1]).values_list("department_id", flat=True).first()
        )
        with transaction.atomic():
            if _propose(trigger, actor=actor, department_id=department_id) is not None:
                created += 1
    return {"units": len(latest), "created": created}


# --- the office's decision -----------------------------------------------------------------------------------


def _require_decide(actor: Any, proposal: ClosureProposal) -> None:
    if not can(actor, "decide", ClosureProposal):
        raise NotPermitted(_("只有区安委办可以处理提请关闭建议。"))
    if not ClosureProposal.objects.restrict(actor, "decide").filter(pk=proposal.pk).exists():
        raise NotPermitted(_("该建议不在您的职责范围内。"))


def _settle(proposal: ClosureProposal, *, actor: Any, status: str, note: str, document: Any = None) -> None:
    """OPEN → SUBMITTED/DISMISSED by compare-and-swap on the status (a second click loses with a 409)."""
    now = timezone.now()
    updated = (
        ClosureProposal.objects.unrestricted("service: compare-and-swap")
        .filter(pk=proposal.pk, status=ProposalStatus.OPEN)
        .update(status=status, decided_by=actor, decided_at=now, note=note, document=document, updated_at=now)
    )
    if updated != 1:
        raise Conflict(_("该建议已被他人处理，请刷新后查看。"))
    proposal.status, proposal.decided_by, proposal.decided_at = status, actor, now
    proposal.note, proposal.document = note, document


@steps.SUBMIT.implements
@transaction.atomic
def submit_proposal(proposal: ClosureProposal, *, actor: Any, note: str = "") -> ClosureProposal:
    """提请关闭: the office submits the proposal to the district government (issues the 建议)."""
    _require_decide(actor, proposal)
    if proposal.status != ProposalStatus.OPEN:
        raise Conflict(_("该建议已被处理。"))
    proposal.note = note.strip()
    cases = list(
        Case.objects.unrestricted("service: the proposal's cases")
        .filter(pk__in=proposal.case_ids)
        .select_related("department", "decision_document")
        .prefetch_related("measures")
        .order_by("decided_on", "pk")
    )
    document = documents.issue_closure(proposal, cases, actor, timezone.localdate())
    _settle(proposal, actor=actor, status=ProposalStatus.SUBMITTED, note=proposal.note, document=document)
    audit.record(
        proposal,
        steps.SUBMIT.event,  # type: ignore[arg-type]
        actor=actor,
        data={"note": proposal.note, "number": document.number},
    )
    return proposal


@steps.DISMISS.implements
@transaction.atomic
def dismiss_proposal(proposal: ClosureProposal, *, actor: Any, note: str) -> ClosureProposal:
    """不予提请: the office decides not to submit, with its reasons."""
    _require_decide(actor, proposal)
    if not note.strip():
        raise ValidationError({"note": _("请填写不予提请的理由。")})
    if proposal.status != ProposalStatus.OPEN:
        raise Conflict(_("该建议已被处理。"))
    _settle(proposal, actor=actor, status=ProposalStatus.DISMISSED, note=note.strip())
    audit.record(proposal, steps.DISMISS.event, actor=actor, data={"note": note.strip()})  # type: ignore[arg-type]
    return proposal
