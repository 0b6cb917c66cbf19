"""Recording a self-inspection (记录企业自查) and what follows from it: hazards, photos, fulfilled duties.

A check answers every item of the checklist used. 不符合 on a clause item proposes a 重大 hazard citing that
clause (registered through the hazard services as 企业自查, waiting for the department's 判定); 不符合 on a
custom item registers a 一般 hazard, which the unit manages itself. Further findings become hazards the same
way.

Fulfilment (documented choice): the check fulfils every open occurrence of the unit whose period contains the
check's date — 已自查 (DONE) when it is recorded by the period's last day, 逾期补查 (LATE) when it is recorded
after the period has ended (a back-dated record cannot count as on time, and the regulators may already have
seen the period as 应查未查). A check may also name one earlier open occurrence it makes up for (补查); that
occurrence becomes LATE. A fulfilled occurrence keeps the first check that fulfilled it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.errors import NotPermitted
from zhiben.core.scoping import can
from zhiben.hazards.choices import Level, Source
from zhiben.hazards.models import Hazard
from zhiben.hazards.services import register_hazard
from zhiben.registry.models import Enterprise, Person
from zhiben.standards.models import Checklist, ChecklistItem, Clause

from .. import events
from ..choices import Answer, OccurrenceStatus
from ..models import DutyOccurrence, SelfCheck, SelfCheckAnswer
from .duties import OPEN_STATUSES
from .photos import save_photo

MAX_BACKDATE_DAYS = 366  # a check is recorded within a year of the day it was made


@dataclass(frozen=True)
class AnswerInput:
    item: ChecklistItem
    result: str
    note: str = ""


@dataclass(frozen=True)
class FindingInput:
    """A problem found outside the checklist's items; it becomes a hazard."""

    title: str
    level: str = Level.GENERAL
    clause: Clause | None = None
    location: str = ""
    description: str = ""


@dataclass(frozen=True)
class PhotoInput:
    upload: UploadedFile
    latitude: Any = None
    longitude: Any = None
    captured_at: dt.datetime | None = None


def checklists_for(enterprise: Enterprise) -> QuerySet[Checklist]:
    """Checklists a unit may use: its own, and shared ones (district or department) for its industries."""
    industries = [*enterprise.industries.values_list("pk", flat=True), enterprise.primary_industry_id]
    shared = Q(enterprise__isnull=True) & (Q(industry__isnull=True) | Q(industry__in=industries))
    return Checklist.objects.filter(Q(enterprise=enterprise) | shared, active=True).order_by("name", "pk")


def makeup_candidates(enterprise: Enterprise, checked_on: dt.date) -> QuerySet[DutyOccurrence]:
    """Open occurrences that ended before `checked_on`: the periods a check on that day may make up for."""
    return (
        enterprise.duties.filter(status__in=OPEN_STATUSES, period_end__lt=checked_on)
        .select_related("rule")
        .order_by("-period_end")
    )


def _validate(
    *,
    enterprise: Enterprise,
    checked_on: dt.date,
    led_by_name: str,
    led_by_person: Person | None,
    checklist: Checklist | None,
    answers: Sequence[AnswerInput],
    findings: Sequence[FindingInput],
    summary: str,
    occurrence: DutyOccurrence | None,
    today: dt.date,
) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if checked_on > today:
        add("checked_on", _("检查日期不能晚于今天。"))
    elif (today - checked_on).days > MAX_BACKDATE_DAYS:
        add("checked_on", _("只能补录一年以内的检查。"))
    if not led_by_name.strip():
        add("led_by_name", _("请填写带队负责人。"))
    if led_by_person is not None and led_by_person.enterprise_id != enterprise.pk:
        add("led_by_person", _("带队负责人须为本单位人员。"))
    if checklist is not None:
        if not checklists_for(enterprise).filter(pk=checklist.pk).exists():
            add("checklist", _("该检查表不适用于本单位或已停用。"))
        else:
            item_ids = set(checklist.items.values_list("pk", flat=True))
            seen: set[int] = set()
            for answer in answers:
                if answer.item.pk not in item_ids:
                    add("answers", _("检查项“%(i)s”不属于所选检查表。") % {"i": str(answer.item)})
                elif answer.item.pk in seen:
                    add("answers", _("检查项“%(i)s”重复填写。") % {"i": str(answer.item)})
                seen.add(answer.item.pk)
                if answer.result not in Answer.values:
                    add("answers", _("检查项“%(i)s”的结果无效。") % {"i": str(answer.item)})
            if item_ids - seen:
                add("answers", _("还有 %(n)s 个检查项未填写结果。") % {"n": len(item_ids - seen)})
    elif answers:
        add("checklist", _("填写检查项须先选择检查表。"))
    elif not summary.strip() and not findings:
        add("summary", _("未使用检查表时，请填写检查情况。"))
    for number, finding in enumerate(findings, start=1):
        if not finding.title.strip():
            add("findings", _("第 %(n)s 个问题：请填写问题名称。") % {"n": number})
        if finding.level not in Level.values:
            add("findings", _("第 %(n)s 个问题：隐患等级无效。") % {"n": number})
        elif finding.level == Level.MAJOR and finding.clause is None:
            add("findings", _("第 %(n)s 个问题：重大事故隐患必须引用判定标准条款。") % {"n": number})
    if occurrence is not None and (
        occurrence.enterprise_id != enterprise.pk
        or occurrence.status not in OPEN_STATUSES
        or occurrence.period_start > checked_on
    ):
        add("occurrence", _("所选补查任务不属于本单位、已完成或尚未开始。"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_self_check(
    *,
    actor: Any,
    enterprise: Enterprise,
    checked_on: dt.date,
    led_by_name: str,
    led_by_title: str = "",
    led_by_person: Person | None = None,
    participants: str = "",
    checklist: Checklist | None = None,
    answers: Sequence[AnswerInput] = (),
    findings: Sequence[FindingInput] = (),
    summary: str = "",
    photos: Sequence[PhotoInput] = (),
    occurrence: DutyOccurrence | None = None,
) -> SelfCheck:
    """记录企业自查: the check, its answers, hazards for what failed, photos, and the duties it fulfils."""
    if actor is not None:
        if not can(actor, "add", SelfCheck):
            raise NotPermitted(_("您无权记录企业自查。"))
        if not Enterprise.objects.restrict(actor, "view").filter(pk=enterprise.pk).exists():
            raise NotPermitted(_("该单位不在您的职责范围内。"))
    today = timezone.localdate()
    if led_by_person is not None and not led_by_name.strip():
        led_by_name = led_by_person.name
    _validate(
        enterprise=enterprise,
        checked_on=checked_on,
        led_by_name=led_by_name,
        led_by_person=led_by_person,
        checklist=checklist,
        answers=answers,
        findings=findings,
        summary=summary,
        occurrence=occurrence,
        today=today,
    )
    check = SelfCheck.objects.create(
        enterprise=enterprise,
        checked_on=checked_on,
        led_by_name=led_by_name.strip()[:50],
        led_by_title=led_by_title.strip()[:50],
        led_by_person=led_by_person,
        participants=participants.strip()[:300],
        checklist=checklist,
        summary=summary.strip(),
        recorded_by=actor,
    )
    hazards: list[Hazard] = []
    for answer in sorted(answers, key=lambda a: (a.item.sort_order, a.item.pk)):
        hazard = _hazard_for_answer(actor, check, answer) if answer.result == Answer.FAIL else None
        if hazard is not None:
            hazards.append(hazard)
        SelfCheckAnswer.objects.create(
            self_check=check,
            item=answer.item,
            result=answer.result,
            note=answer.note.strip()[:500],
            hazard=hazard,
        )
    for finding in findings:
        hazards.append(
            register_hazard(
                actor=actor,
                enterprise=enterprise,
                level=finding.level,
                clause=finding.clause if finding.level == Level.MAJOR else None,
                title=finding.title.strip()[:200],
                description=finding.description,
                location=finding.location[:200],
                discovered_on=checked_on,
                source=Source.SELF_CHECK,
                finder=check.led_by_name,
            )
        )
    for photo in photos:
        save_photo(
            actor=actor,
            enterprise=enterprise,
            upload=photo.upload,
            self_check=check,
            captured_at=photo.captured_at,
            latitude=photo.latitude,
            longitude=photo.longitude,
        )
    fulfilled = _fulfil(check, today=today, makeup=occurrence)
    audit.record(
        check,
        events.SELF_CHECK_RECORDED,
        actor=actor,
        data={
            "enterprise": enterprise.pk,
            "checked_on": checked_on.isoformat(),
            "led_by_name": check.led_by_name,
            "checklist": checklist.pk if checklist else None,
            "answers": len(answers),
            "failed": sum(1 for a in answers if a.result == Answer.FAIL),
            "hazards": [h.code for h in hazards],
            "photos": len(photos),
            "fulfilled": fulfilled,
        },
    )
    return check


def _hazard_for_answer(actor: Any, check: SelfCheck, answer: AnswerInput) -> Hazard:
    """不符合: a clause item proposes a 重大 hazard citing the clause; a custom item a 一般 hazard."""
    item = answer.item
    note = answer.note.strip()
    clause = item.clause if item.clause_id else None
    text = (note or item.text).strip()
    title = text.splitlines()[0][:200] if text else _("自查发现问题")
    description = _("自查检查项：%(t)s") % {"t": item.text}
    if note:
        description += "\n" + _("检查发现：%(n)s") % {"n": note}
    return register_hazard(
        actor=actor,
        enterprise=check.enterprise,
        level=Level.MAJOR if clause is not None else Level.GENERAL,
        clause=clause,
        title=title,
        description=description,
        discovered_on=check.checked_on,
        source=Source.SELF_CHECK,
        finder=check.led_by_name,
    )


def _fulfil(check: SelfCheck, *, today: dt.date, makeup: DutyOccurrence | None) -> dict[str, list[int]]:
    """Mark the occurrences this check fulfils (see the module docstring); returns their ids by status."""
    # Conditional updates on the open statuses: a concurrent check that fulfilled a period first keeps it.
    base = DutyOccurrence.objects.unrestricted("service: the unit's periods").filter(
        enterprise_id=check.enterprise_id,
        status__in=OPEN_STATUSES,
        period_start__lte=check.checked_on,
        period_end__gte=check.checked_on,
    )
    now = timezone.now()
    done = list(base.filter(period_end__gte=today).values_list("pk", flat=True))
    late = list(base.filter(period_end__lt=today).values_list("pk", flat=True))
    if makeup is not None and makeup.pk not in done:
        late.append(makeup.pk)
    for status, ids in ((OccurrenceStatus.DONE, done), (OccurrenceStatus.LATE, late)):
        if ids:
            DutyOccurrence.objects.unrestricted("service: just read").filter(
                pk__in=ids, status__in=OPEN_STATUSES
            ).update(status=status, self_check=check, updated_at=now)
    return {"done": sorted(done), "late": sorted(set(late))}
