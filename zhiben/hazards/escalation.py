"""The escalation ladder (逾期督办): 函告 → 通报 → 约谈 → 曝光 → 挂牌督办 for hazards left past their deadline.

`apply_escalations()` runs daily (hazards/tasks.py) and is idempotent: a step is one `Escalation` row per
(hazard, rule, deadline). One run applies at most the next rung of a hazard, and a rung is due only when its
own threshold (working days overdue) is met AND its interval (`EscalationRule.interval_workdays`) has passed
since the previous rung was applied: a long-overdue hazard climbs one rung at a time, on distinct days, never
函告, 通报 and 约谈 on one day. A 约谈 is found due by the job and announced to the office, which sets its date,
time and place when it issues the notice (`schedule_interview`); the next rung waits for that notice. An
extended deadline starts a new cycle (the rows are keyed on the deadline they were applied for).

Seed §三(三)5: "对进展缓慢的及时采取函告、通报、约谈、曝光等措施"; thresholds are data (EscalationRule).

Two ladders run on this machinery, each its own `Ladder`: 整改 (a confirmed hazard past its rectification
deadline; the unit, its department and the office are told) and 判定 (a report still waiting for 判定 past its
判定 deadline, `Hazard.judge_deadline`; addressed to the supervising department, which must judge, and the
office). The rules of each are the `EscalationRule` rows of its `stage`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import TownshipOfficials
from zhiben.accounts.models import User
from zhiben.accounts.roles import Role
from zhiben.core import audit, ladder
from zhiben.core.calendar import CalendarUnavailable, add_workdays, workdays_between
from zhiben.core.documents import (
    chinese_date,
    clause_text,
    download_url,
    issue_document,
    register_document_access,
)
from zhiben.core.errors import Conflict
from zhiben.core.outbox import DigestKind, collect_digests, notify_users
from zhiben.core.workflow import compare_and_swap
from zhiben.registry.choices import RegionLevel

from .choices import OPEN_STATUSES, EscalationKind, Stage, Status
from .events import HAZARD_ESCALATED
from .models import Escalation, EscalationRule, Hazard, HazardQuerySet

log = logging.getLogger(__name__)

# Ladder order: a later kind is a heavier measure.
LADDER = [kind.value for kind in EscalationKind]
# The heaviest steps are reported to the district leaders as well.
LEADER_KINDS = frozenset({EscalationKind.EXPOSURE, EscalationKind.LISTED})
# Working days the unit has to report back in writing after a letter/bulletin/exposure/listing.
REPLY_WORKDAYS = 5
CHUNK = 500


def _can_view_hazard(user: Any, object_id: str) -> bool:
    return object_id.isdigit() and Hazard.objects.restrict(user, "view").filter(pk=int(object_id)).exists()


# A document about a hazard (督办文书, 交办单, 销号通知) is visible to whoever can see the hazard.
register_document_access("hazards.hazard", _can_view_hazard)


@dataclass(frozen=True)
class Ladder:
    """What one ladder watches: hazards in `statuses` whose `deadline_field` has passed."""

    stage: str
    statuses: frozenset[str]
    deadline_field: str

    def deadline(self, hazard: Hazard) -> dt.date | None:
        return getattr(hazard, self.deadline_field)

    def is_late(self, hazard: Hazard, today: dt.date) -> bool:
        deadline = self.deadline(hazard)
        return hazard.status in self.statuses and deadline is not None and deadline < today

    def late(self, qs: HazardQuerySet, today: dt.date) -> HazardQuerySet:
        return qs.filter(status__in=self.statuses, **{f"{self.deadline_field}__lt": today})


LADDERS = {
    Stage.RECTIFY: Ladder(Stage.RECTIFY, frozenset(str(s) for s in OPEN_STATUSES), "deadline"),
    Stage.JUDGE: Ladder(Stage.JUDGE, frozenset({str(Status.REPORTED)}), "judge_deadline"),
}


def apply_escalations(today: dt.date | None = None, actor: Any = None) -> dict[str, int]:
    """Apply the next ladder step each late hazard has reached and not yet received (整改 and 判定); returns
    counts."""
    from .deadlines import assign_judge_deadlines  # deadlines → tally → models; kept out of import time

    today = today or timezone.localdate()
    counts = {
        "checked": 0,
        "escalated": 0,
        "steps": 0,
        "failed": 0,
        "calendar_unavailable": 0,
    }
    assign_judge_deadlines()
    recipients = Recipients()
    with collect_digests(escalation_digests()):  # one message per person and run, listing the hazards
        for stage in LADDERS:
            rules = active_rules(stage)
            _climb(stage, rules, today=today, actor=actor, recipients=recipients, counts=counts)
    log.info("escalations on %s: %s", today, counts)
    return counts


def _climb(
    stage: str,
    rules: dict[str, list[EscalationRule]],
    *,
    today: dt.date,
    actor: Any,
    recipients: Recipients,
    counts: dict[str, int],
) -> None:
    for pk in _overdue_ids(today, levels=list(rules), stage=stage):
        counts["checked"] += 1
        try:
            steps = escalate_hazard(
                pk, today=today, rules=rules, actor=actor, recipients=recipients, stage=stage
            )
        except CalendarUnavailable as exc:
            counts["calendar_unavailable"] += 1
            log.warning("escalation of hazard %s skipped: %s", pk, exc.message)
            continue
        except Exception:
            # One broken hazard must not stop the district's run; its transaction was rolled back.
            counts["failed"] += 1
            log.exception("escalation of hazard %s failed", pk)
            continue
        if steps:
            counts["escalated"] += 1
            counts["steps"] += steps


def escalation_digests() -> dict[str, DigestKind]:
    """How a run's many escalation messages to one person read as one (core.outbox.collect_digests)."""
    try:
        overdue = reverse("hazards:hazard_list") + "?overdue=true"
    except NoReverseMatch:  # the hazard pages are not installed
        overdue = ""
    return {"hazard_escalated": DigestKind(subject=_("隐患逾期督办：%(n)s 项隐患"), url=overdue)}


def active_rules(stage: str = Stage.RECTIFY) -> dict[str, list[EscalationRule]]:
    """Active rules of one ladder by level, lightest first."""
    by_level: dict[str, list[EscalationRule]] = {}
    # Rules are district-wide reference data; the job reads them all.
    for rule in (
        EscalationRule.objects.unrestricted("reference data")
        .filter(active=True, stage=stage)
        .order_by("overdue_workdays", "pk")
    ):
        by_level.setdefault(rule.level, []).append(rule)
    for level_rules in by_level.values():
        level_rules.sort(key=lambda r: (r.overdue_workdays, LADDER.index(r.kind)))
    return by_level


def _overdue_ids(today: dt.date, levels: list[str], stage: str = Stage.RECTIFY) -> Iterator[int]:
    """Ids of hazards past the ladder's deadline, in chunks by primary key.

    The job acts for the whole district, so it reads through unrestricted(). Keyset chunks rather than one
    open cursor: each hazard commits its own transaction, and SQLite shares one connection between the
    cursor and those commits.
    """
    last = 0
    while True:
        chunk = list(
            LADDERS[Stage(stage)]
            .late(Hazard.objects.all(), today)
            .unrestricted("job: the whole district")
            .filter(level__in=levels, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:CHUNK]
        )
        yield from chunk
        if len(chunk) < CHUNK:
            return
        last = chunk[-1]


def escalate_hazard(
    pk: int,
    *,
    today: dt.date,
    rules: dict[str, list[EscalationRule]],
    actor: Any = None,
    recipients: Recipients | None = None,
    stage: str = Stage.RECTIFY,
) -> int:
    """Apply the step one hazard has reached on one ladder, in one transaction; returns how many (0 or 1)."""
    recipients = recipients or Recipients()
    ladder = LADDERS[Stage(stage)]
    judging = ladder.stage == Stage.JUDGE
    with transaction.atomic():
        hazard = (
            Hazard.objects.unrestricted("job: re-read under lock")
            .select_for_update(of=("self",))
            .select_related("enterprise", "department", "region__parent", "clause__version")
            .filter(pk=pk)
            .first()
        )
        if hazard is None or not ladder.is_late(hazard, today):
            return 0  # judged, closed or extended since the id was read
        deadline = ladder.deadline(hazard)
        assert deadline is not None  # is_late() implies a deadline
        overdue = workdays_between(deadline, today)
        done = sorted(
            Escalation.objects.filter(
                hazard=hazard, deadline=deadline, rule__stage=ladder.stage
            ).select_related("document"),
            key=lambda e: (e.applied_on, LADDER.index(e.kind)),
        )
        rule = next_due_rule(rules.get(hazard.level, []), done, overdue=overdue, today=today)
        if rule is None:
            return 0
        interview = rule.kind == EscalationKind.INTERVIEW
        document = None
        if not interview:  # a 约谈 notice waits for the office to set its date, time and place
            context = {
                **hazard_context(hazard),
                "kind": rule.get_kind_display(),
                "overdue_workdays": overdue,
                "reply_deadline": chinese_date(add_workdays(today, REPLY_WORKDAYS)),
                "previous_steps": _previous_steps(done),
            }
            if judging:
                context.update(judge_context(hazard))
            document = issue_document(
                rule.template_code, context=context, actor=actor, obj=hazard, year=today.year, on=today
            )
        step = Escalation.objects.create(
            hazard=hazard,
            rule=rule,
            kind=rule.kind,
            deadline=deadline,
            overdue_workdays=overdue,
            applied_on=today,
            document=document,
        )
        audit.record(
            hazard,
            HAZARD_ESCALATED,
            actor=actor,
            data={
                "kind": rule.kind,
                "stage": rule.stage,
                "rule": rule.pk,
                "deadline": deadline.isoformat(),
                "overdue_workdays": overdue,
                "applied_on": today.isoformat(),
                "document": document.number if document is not None else "",
            },
        )
        if judging:
            _notify_judge(hazard, step, recipients)
            return 1  # 当前督办措施 is the rectification's: a late 判定 is the department's, not the unit's
        if interview:
            _ask_office_to_schedule(hazard, step, recipients)
        else:
            _notify(hazard, step, recipients)
        if not hazard.escalation or LADDER.index(rule.kind) > LADDER.index(hazard.escalation):
            _set_escalation(hazard, rule.kind)
        return 1


def next_due_rule(
    rules: list[EscalationRule], done: list[Escalation], *, overdue: int, today: dt.date
) -> EscalationRule | None:
    """The one rung a run may apply: the lightest not yet applied in this cycle, when its own threshold is
    met AND its interval has passed since the previous rung was applied. A 约谈 whose notice the office has
    not yet issued holds the ladder (its date is the notice's). Rungs missed while the job did not run are
    therefore applied one per run, each after its interval, never together."""
    return ladder.next_rung(
        rules,
        done,
        overdue=overdue,
        today=today,
        threshold=lambda r: r.overdue_workdays,
        interval=lambda r: r.interval_workdays,
        elapsed=workdays_between,
        hold=lambda last: last.kind == EscalationKind.INTERVIEW and last.document_id is None,
    )


def _set_escalation(hazard: Hazard, kind: str) -> None:
    """当前督办措施 by compare-and-swap; a concurrent change of the hazard is retried once after reloading."""
    for attempt in (1, 2):
        try:
            compare_and_swap(hazard, expected={"status": hazard.status}, changes={"escalation": kind})
            return
        except Conflict:
            if attempt == 2:
                raise
            hazard.refresh_from_db()
            if hazard.status not in OPEN_STATUSES:
                raise


def hazard_context(hazard: Hazard) -> dict[str, Any]:
    """The data a hazard document (督办文书, 交办单, 销号通知) is rendered with: plain values only."""
    enterprise = hazard.enterprise
    return {
        "hazard": {
            "code": hazard.code,
            "title": clause_text(
                hazard.title
            ),  # a part the template closes ("隐患名称：{{ hazard.title }}。")
            "level": hazard.get_level_display(),
            "source": hazard.get_source_display(),
            "location": clause_text(hazard.location),
            "description": hazard.description,
            "discovered_on": chinese_date(hazard.discovered_on),
        },
        "enterprise": {
            "name": enterprise.name,
            "uscc": enterprise.uscc or "",
            "address": enterprise.address,
            "principal_name": enterprise.principal_name,
            "controller_name": enterprise.controller_name,
        },
        "department": {"name": hazard.department.official_name},  # full name in a 公文
        "township": _township_name(hazard),
        "deadline": chinese_date(hazard.deadline),
        "clause_citation": citation(hazard.clause) if hazard.clause is not None else "",
    }


def judge_context(hazard: Hazard) -> dict[str, Any]:
    """What a 判定 督办 document adds: when the report was registered and the 判定 deadline it missed."""
    from .deadlines import registered_on  # deadlines → tally → models; kept out of import time

    return {
        "reported_on": chinese_date(registered_on(hazard)),
        "judge_deadline": chinese_date(hazard.judge_deadline),
    }


def citation(clause: Any) -> str:
    """《标准》（文号）第X条（Y）: one definition, on the clause (standards.models.Clause.citation)."""
    return str(clause.citation)


def _township_name(hazard: Hazard) -> str:
    region: Any = hazard.region
    while region is not None and region.level > RegionLevel.TOWNSHIP:
        region = region.parent
    return region.name if region is not None and region.level == RegionLevel.TOWNSHIP else ""


def _previous_steps(steps: Iterable[Escalation]) -> str:
    """ "2025年3月5日函告（屈安办函〔2025〕3号）、2025年3月12日通报（…）、约谈（…）" for the cycle so far
    (a date is written once for the steps applied together)."""
    parts = []
    last_day = None
    for e in steps:
        number = f"（{e.document.number}）" if e.document is not None else ""
        day = chinese_date(e.applied_on) if e.applied_on != last_day else ""
        parts.append(f"{day}{e.get_kind_display()}{number}")
        last_day = e.applied_on
    return "、".join(parts)


class Recipients:
    """The users told about an escalation, looked up once per run for the district-wide roles."""

    def __init__(self) -> None:
        self._cache: dict[str, list[Any]] = {}
        self._townships: TownshipOfficials | None = None

    def township(self, hazard: Hazard) -> list[Any]:
        """The township officials of the hazard's place (属地)."""
        if self._townships is None:
            self._townships = TownshipOfficials()
        return self._townships.of(hazard.region.code if hazard.region_id else "")

    def role(self, role: str, **scope: Any) -> list[Any]:
        key = f"{role}:{sorted(scope.items())}"
        if key not in self._cache:
            # One filter() call: role and scope must hold on the same assignment.
            lookups = {
                "role_assignments__role": role,
                **{f"role_assignments__{k}": v for k, v in scope.items()},
            }
            self._cache[key] = list(User.objects.filter(is_active=True, **lookups).distinct().order_by("pk"))
        return self._cache[key]

    def for_step(self, hazard: Hazard, kind: str) -> list[Any]:
        users = [
            *self.role(Role.ENTERPRISE, enterprise=hazard.enterprise_id),
            *self.role(Role.DEPARTMENT, department=hazard.department_id),
            *self.role(Role.DISTRICT_OFFICE),
            *self.township(hazard),
        ]
        if kind in LEADER_KINDS:
            users += self.role(Role.LEADER)
        return users


def _notify(hazard: Hazard, step: Escalation, recipients: Recipients) -> None:
    kind = step.get_kind_display()
    number = step.document.number if step.document is not None else ""
    notify_users(
        recipients.for_step(hazard, step.kind),
        subject=_("隐患逾期督办：%(kind)s（%(code)s）") % {"kind": kind, "code": hazard.code},
        body=_(
            "%(enterprise)s的%(level)s事故隐患“%(title)s”整改期限为%(deadline)s，已逾期%(days)s个工作日，"
            "区安委办已予%(kind)s（%(number)s）。"
        )
        % {
            "enterprise": hazard.enterprise.name,
            "level": hazard.get_level_display(),
            "title": hazard.title,
            "deadline": chinese_date(step.deadline),
            "days": step.overdue_workdays,
            "kind": kind,
            "number": number,
        },
        url=hazard_url(hazard) or (download_url(step.document) if step.document is not None else ""),
        topic="hazard_escalated",
        obj=hazard,
        line=_("%(enterprise)s“%(title)s”（%(code)s）逾期%(days)s个工作日，%(kind)s")
        % {
            "enterprise": hazard.enterprise.name,
            "title": hazard.title,
            "code": hazard.code,
            "days": step.overdue_workdays,
            "kind": kind,
        },
    )


def _notify_judge(hazard: Hazard, step: Escalation, recipients: Recipients) -> None:
    """A report left unjudged: the department that must judge it, the office, and for the heaviest steps
    the leaders (the unit is not at fault and is not told)."""
    kind = step.get_kind_display()
    users = [
        *recipients.role(Role.DEPARTMENT, department=hazard.department_id),
        *recipients.role(Role.DISTRICT_OFFICE),
    ]
    if step.kind in LEADER_KINDS:
        users += recipients.role(Role.LEADER)
    notify_users(
        users,
        subject=_("隐患逾期未判定：%(kind)s（%(code)s）") % {"kind": kind, "code": hazard.code},
        body=_(
            "%(enterprise)s报告的%(level)s事故隐患“%(title)s”判定期限为%(deadline)s，已逾期%(days)s个工作日"
            "仍未判定，区安委办已予%(kind)s（%(number)s）。请%(department)s立即判定交办或作出不予认定。"
        )
        % {
            "enterprise": hazard.enterprise.name,
            "level": hazard.get_level_display(),
            "title": hazard.title,
            "deadline": chinese_date(step.deadline),
            "days": step.overdue_workdays,
            "kind": kind,
            "number": step.document.number if step.document is not None else "",
            "department": hazard.department.name,
        },
        url=hazard_url(hazard) or (download_url(step.document) if step.document is not None else ""),
        topic="hazard_escalated",
        obj=hazard,
    )


def _ask_office_to_schedule(hazard: Hazard, step: Escalation, recipients: Recipients) -> None:
    """A 约谈 is due: the office sets its date, time and place and issues the notice from the hazard's page."""
    notify_users(
        recipients.role(Role.DISTRICT_OFFICE),
        subject=_("隐患逾期督办：待安排约谈（%(code)s）") % {"code": hazard.code},
        body=_(
            "%(enterprise)s的%(level)s事故隐患“%(title)s”整改期限为%(deadline)s，已逾期%(days)s个工作日，"
            "应予约谈。请在隐患页面确定约谈日期、时间和地点后发出约谈通知。"
        )
        % {
            "enterprise": hazard.enterprise.name,
            "level": hazard.get_level_display(),
            "title": hazard.title,
            "deadline": chinese_date(step.deadline),
            "days": step.overdue_workdays,
        },
        url=hazard_url(hazard),
        topic="hazard_escalated",
        obj=hazard,
        line=_("%(enterprise)s“%(title)s”（%(code)s）逾期%(days)s个工作日，待安排约谈")
        % {
            "enterprise": hazard.enterprise.name,
            "title": hazard.title,
            "code": hazard.code,
            "days": step.overdue_workdays,
        },
    )


def hazard_url(hazard: Hazard) -> str:
    try:
        return reverse("hazards:hazard_detail", args=[hazard.pk])
    except NoReverseMatch:  # the hazard pages are not installed yet
        return ""
