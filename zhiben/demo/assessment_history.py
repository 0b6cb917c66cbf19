"""The demo district's 2026 quarterly assessments (季度考核), acted out through the assessment services at the
dates they would have happened (time-machine), after every other demo module has written its records:

* 2026 Q1 and Q2: the office freezes the quarter's indicators a week after it ends, computes the townships'
  and the member departments' assessments with the 2026 schemes, publishes them two days later and issues the
  ranking 通报.
* One 申诉 per quarter from a township: Q1's refused (不予采纳), Q2's accepted with adjusted points (the
  ranking re-ranks; the computed score stays visible).
* Q2's 约谈 round: the list the rules give (bottom of each ranking, 零处罚 departments, overdue 重大 hazards,
  repeated 函告); the first two units are interviewed, with commitments — some checked done, some still open.

Skipped when any assessment exists (a rerun adds nothing); a step whose date is still to come is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.assessment import services
from zhiben.assessment.models import Assessment, Interview, Result
from zhiben.core.documents import load_document_templates

TZ = ZoneInfo("Asia/Shanghai")
TOWNSHIP_PERSONA = {"天问街道": "tianwen", "营田镇": "yingtian", "河市镇": "heshi", "凤凰乡": "fenghuang"}
# quarter → (freeze and compute, publish, 申诉, decision)
CALENDAR = {
    1: (dt.date(2026, 4, 8), dt.date(2026, 4, 10), dt.date(2026, 4, 13), dt.date(2026, 4, 15)),
    2: (dt.date(2026, 7, 8), dt.date(2026, 7, 10), dt.date(2026, 7, 13), dt.date(2026, 7, 15)),
}
INTERVIEW_LISTED = dt.date(2026, 7, 16)
INTERVIEW_HELD = dt.date(2026, 7, 22)
CHECKED = dt.date(2026, 9, 3)


@dataclass
class AssessmentReport:
    assessments: int = 0
    appeals: int = 0
    interviews: int = 0
    held: int = 0

    def summary(self) -> str:
        return (
            f"季度考核：{self.assessments} 次考核已发布，{self.appeals} 件申诉已决定，"
            f"约谈 {self.interviews} 个单位（已约谈 {self.held} 个）"
        )


@contextmanager
def _at(day: dt.date, hour: int = 10) -> Iterator[None]:
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ), tick=False):
        yield


def seed_assessment_history(
    *, seed: int, actor: Any = None, progress: Callable[[str], None] | None = None
) -> AssessmentReport | None:
    """生成季度考核演示数据: None when an assessment exists already."""
    if Assessment.objects.unrestricted("demo: idempotence").exists():
        return None
    office = User.objects.filter(username="anweiban").first()
    if office is None:
        return None
    report = AssessmentReport()
    today = timezone.localdate()
    with transaction.atomic():
        load_document_templates(actor=actor)
        for quarter, (computed, published, appealed, decided) in CALENDAR.items():
            if published >= today:
                continue
            _quarter(quarter, computed, published, office, report)
            if decided < today:
                _appeal(quarter, appealed, decided, office, report, accept=quarter == 2)
        if today > INTERVIEW_HELD and CALENDAR[2][1] < today:
            _interviews(office, report, today)
    if progress is not None:
        progress(report.summary())
    return report


def _quarter(
    quarter: int, computed: dt.date, published: dt.date, office: Any, report: AssessmentReport
) -> None:
    with _at(computed):
        services.freeze_quarter(2026, quarter, actor=office)
        made = [services.compute(2026, quarter, kind, actor=office) for kind in ("township", "department")]
    with _at(published, 9):
        for assessment in made:
            assessment.refresh_from_db()
            services.publish(assessment, actor=office, note="经区安委办主任办公会审定")
            services.issue_ranking_bulletin(assessment, actor=office, on=published)
            report.assessments += 1


def _appeal(
    quarter: int, appealed: dt.date, decided: dt.date, office: Any, report: AssessmentReport, *, accept: bool
) -> None:
    """A township second from the bottom objects to its weakest scored rule."""
    results = list(
        Result.objects.unrestricted("demo")
        .filter(assessment__year=2026, assessment__quarter=quarter, assessment__kind="township")
        .select_related("township")
        .order_by("-final_rank", "pk")
    )
    if len(results) < 2:
        return
    result = results[1]
    persona = User.objects.filter(username=TOWNSHIP_PERSONA.get(result.unit_name, "")).first()
    point = (
        result.points.filter(available=True, rule_type__in=["linear", "threshold"])
        .order_by("points", "sort_order")
        .first()
    )
    if persona is None or point is None:
        return
    with _at(appealed, 15):
        appeal = services.submit_appeal(
            result,
            actor=persona,
            point=point,
            reason=f"{point.name}得分偏低：季度末前已完成整改的{int(point.denominator or 0) // 3 or 1}项记录因销号手续延后，"
            "未计入季度末的统计。",
            evidence="销号验收材料已于季度末前报送，见平台隐患记录及验收意见书。",
            requested_points=point.max_points,
        )
    with _at(decided, 11):
        if accept:
            services.accept_appeal(
                appeal,
                actor=office,
                points=min(point.max_points, point.points + Decimal(5)),
                reason="经核查，部分整改于季度末前完成验收，销号录入延后，酌情调整得分。",
            )
        else:
            services.reject_appeal(
                appeal, actor=office, reason="经核查，相关隐患季度末仍未销号，按冻结数据计分，不予调整。"
            )
    report.appeals += 1


def _interviews(office: Any, report: AssessmentReport, today: dt.date) -> None:
    with _at(INTERVIEW_LISTED):
        listed = services.list_interviews(2026, 2, actor=office)
    report.interviews = len(listed)
    for n, interview in enumerate(listed[:2]):
        interview = Interview.objects.unrestricted("demo").get(pk=interview.pk)
        held_at = dt.datetime(2026, 7, 22 + n, 9, 30, tzinfo=TZ)
        with _at(INTERVIEW_HELD + dt.timedelta(days=n), 16):
            services.hold_interview(
                interview,
                actor=office,
                held_at=held_at,
                place="区应急管理局三楼会议室",
                leaders="区管委副主任、区安委办主任",
                attendees=f"{interview.unit_name}主要负责人、分管安全生产负责人",
                issues=f"{interview.reasons_text}。安全生产责任落实不到位，问题整改推进缓慢。",
                minutes="约谈人通报了存在的问题，被约谈单位主要负责人作表态发言，承认工作差距，表示将立即整改。",
                commitments="2026-08-31 完成逾期问题整改并书面报告\n2026-10-31 建立问题清单、责任清单、整改清单并逐月调度",
            )
        report.held += 1
        if today > CHECKED:
            interview.refresh_from_db()
            first = interview.commitments.order_by("due_on").first()
            if first is not None:
                with _at(CHECKED, 15):
                    services.check_commitment(
                        interview,
                        actor=office,
                        commitment=first.pk,
                        done=True,
                        note="现场核查：逾期问题已整改，书面报告已收到",
                    )
