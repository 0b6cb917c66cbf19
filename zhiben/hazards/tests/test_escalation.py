"""The escalation ladder and deadline reminders as the clock moves: qiye1's 重大 hazard left past its deadline
climbs 函告 → 通报 → 约谈 → 曝光 → 挂牌督办 exactly on the working-day thresholds, each step with its document,
one rung per run and each after its interval since the previous one; the 约谈's notice is issued by the office
with its date, time and place; running the job again changes nothing."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from zhiben.core.calendar import add_workdays, workdays_between
from zhiben.core.documents import chinese_date
from zhiben.core.models import AuditEntry, JobRun, OfficialDocument, OutboxMessage, Sequence
from zhiben.core.models.outbox import Channel
from zhiben.hazards.choices import EscalationKind, Level, Source, Stage, Status
from zhiben.hazards.escalation import apply_escalations
from zhiben.hazards.events import HAZARD_ESCALATED
from zhiben.hazards.models import DeadlinePolicy, Escalation, EscalationRule, Hazard, HazardReminder
from zhiben.hazards.reference import load_hazard_rules
from zhiben.hazards.reminders import send_deadline_reminders
from zhiben.hazards.services import schedule_interview
from zhiben.hazards.tasks import escalate_overdue_hazards, remind_hazard_deadlines

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Friday; thirty working days later crosses 清明 (4–6 April) and 劳动节 (1–5 May, with 27 April worked).
DEADLINE = dt.date(2025, 3, 28)
MAJOR_LADDER = [
    (1, EscalationKind.LETTER, "屈安办函"),
    (5, EscalationKind.BULLETIN, "屈安办通"),
    (10, EscalationKind.INTERVIEW, "屈安办约"),
    (20, EscalationKind.EXPOSURE, "屈安办曝"),
    (30, EscalationKind.LISTED, "屈安办督"),
]


@pytest.fixture(autouse=True)
def rules(world: Any, settings: Any, tmp_path: Any) -> dict[str, int]:
    settings.MEDIA_ROOT = tmp_path / "media"
    return load_hazard_rules()


@pytest.fixture
def at() -> Iterator[Any]:
    """Move the clock to 09:00 Asia/Shanghai on a given day: `at(day)`."""
    traveller = time_machine.travel(dt.datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI), tick=False)
    shift = traveller.start()

    def move(day: dt.date) -> None:
        shift.move_to(dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI))

    yield move
    traveller.stop()


def make_hazard(
    world: Any,
    clause: Any = None,
    *,
    code: str = "QY-2025-0001",
    level: str = Level.MAJOR,
    deadline: dt.date = DEADLINE,
    status: str = Status.RECTIFYING,
    enterprise: str = "qiye1",
) -> Hazard:
    """A hazard straight in the register (the lifecycle services are tested elsewhere)."""
    unit = world.enterprises[enterprise]
    return Hazard.objects.create(
        code=code,
        enterprise=unit,
        region=unit.region,
        industry=unit.primary_industry,
        department=world.departments["emergency"],
        level=level,
        clause=clause if level == Level.MAJOR else None,
        source=Source.INSPECTION,
        title="燃气燃烧器未设置压力报警与紧急切断装置",
        location="热处理车间",
        discovered_on=dt.date(2025, 1, 6),
        status=status,
        deadline=deadline,
    )


def schedule(world: Any, hazard: Hazard, day: dt.date) -> Escalation:
    """The office sets the due 约谈 two days ahead at 09:30 in its meeting room and issues the notice."""
    pending = hazard.escalations.get(kind=EscalationKind.INTERVIEW, document__isnull=True)
    when = dt.datetime(day.year, day.month, day.day, 9, 30, tzinfo=SHANGHAI) + dt.timedelta(days=2)
    return schedule_interview(pending, actor=world.anweiban, interview_at=when, place="区安委办会议室")


def run_daily(world: Any, hazard: Hazard, at: Any, first: dt.date, last: dt.date) -> None:
    """The daily job from `first` to `last`; the office issues each 约谈 notice the day it falls due."""
    day = first
    while day <= last:
        at(day)
        apply_escalations()
        if hazard.escalations.filter(kind=EscalationKind.INTERVIEW, document__isnull=True).exists():
            schedule(world, hazard, day)
        day += dt.timedelta(days=1)


def snapshot() -> dict[str, Any]:
    return {
        "escalations": Escalation.objects.count(),
        "documents": OfficialDocument.objects.count(),
        "audit": AuditEntry.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "sequences": dict(Sequence.objects.values_list("key", "last")),
    }


def test_it_loads_the_rules_once_as_unverified_data(world: Any) -> None:
    assert DeadlinePolicy.objects.count() == 4 and EscalationRule.objects.count() == 11
    rectify = EscalationRule.objects.filter(stage=Stage.RECTIFY)
    major = list(rectify.filter(level=Level.MAJOR).values_list("kind", "overdue_workdays"))
    assert major == [(kind.value, n) for n, kind, _prefix in MAJOR_LADDER]
    assert list(rectify.filter(level=Level.GENERAL).values_list("kind", "overdue_workdays")) == [
        ("letter", 5),
        ("bulletin", 10),
        ("interview", 20),
    ]
    assert DeadlinePolicy.objects.get(stage=Stage.RECTIFY, level=Level.MAJOR).workdays == 60
    # 判定: 5 working days from registration, then 函告 and 通报 to the department — the office's, 待核实.
    judge = DeadlinePolicy.objects.get(stage=Stage.JUDGE, level=Level.MAJOR)
    assert (judge.workdays, judge.verified) == (5, False) and "待核实" in judge.source
    assert list(
        EscalationRule.objects.filter(stage=Stage.JUDGE, level=Level.MAJOR).values_list(
            "kind", "overdue_workdays", "template_code"
        )
    ) == [("letter", 1, "judge_letter"), ("bulletin", 5, "judge_bulletin")]
    assert all("待核实" in r.notes for r in EscalationRule.objects.filter(stage=Stage.JUDGE))
    assert not EscalationRule.objects.filter(verified=True).exists()
    assert set(EscalationRule.objects.values_list("source", flat=True)) == {"区安委办设定（待核实）"}
    rectify.filter(level=Level.MAJOR, kind="letter").update(overdue_workdays=2)

    again = load_hazard_rules()

    assert again == {"deadline_policies": 0, "escalation_rules": 0, "document_templates": 0}
    assert rectify.get(level=Level.MAJOR, kind="letter").overdue_workdays == 2


def test_it_climbs_the_major_ladder_on_the_working_day_thresholds(world: Any, clause: Any, at: Any) -> None:
    hazard = make_hazard(world, clause)

    for step, (n, kind, prefix) in enumerate(MAJOR_LADDER, start=1):
        due = add_workdays(DEADLINE, n)
        at(due - dt.timedelta(days=1))
        apply_escalations()
        assert hazard.escalations.count() == step - 1, f"{kind} applied before {due}"

        at(due)
        counts = apply_escalations()

        assert counts["steps"] == 1, (kind, counts)
        if kind == EscalationKind.INTERVIEW:
            assert hazard.escalations.get(kind=kind).document is None  # the office sets its time first
            schedule(world, hazard, due)
        latest = hazard.escalations.order_by("-applied_on", "-id").first()
        assert (latest.kind, latest.applied_on, latest.deadline) == (kind, due, DEADLINE)
        assert latest.overdue_workdays == n == workdays_between(DEADLINE, due)
        document = latest.document
        assert document.number == f"{prefix}〔2025〕1号"
        assert (document.object_type, document.object_id) == ("hazards.hazard", str(hazard.pk))
        assert document.docx.name.endswith(".docx") and document.pdf.name.endswith(".pdf")
        assert document.context["overdue_workdays"] == n
        assert "屈原营田机械制造有限公司" in document.title
        hazard.refresh_from_db()
        assert hazard.escalation == kind
    # The 通报 on 4 April would fall in 清明: thresholds count working days only.
    assert add_workdays(DEADLINE, 5) == dt.date(2025, 4, 7)
    listed = hazard.escalations.get(kind=EscalationKind.LISTED).document
    assert "屈安办函〔2025〕1号" in listed.context["previous_steps"]
    assert "《工贸企业重大事故隐患判定标准》（应急管理部令第10号）" in listed.body
    assert AuditEntry.objects.filter(event=HAZARD_ESCALATED, object_id=str(hazard.pk)).count() == 5


def test_it_tells_the_unit_the_department_the_township_the_office_and_for_the_heaviest_steps_the_leaders(
    world: Any, clause: Any, at: Any
) -> None:
    hazard = make_hazard(world, clause)
    run_daily(world, hazard, at, add_workdays(DEADLINE, 1), add_workdays(DEADLINE, 30))

    def told(user: Any) -> list[str]:
        return list(
            OutboxMessage.objects.filter(topic="hazard_escalated", recipient=user, channel=Channel.INAPP)
            .order_by("created_at")
            .values_list("subject", flat=True)
        )

    # 营田镇's official is told as well: the unit is in its territory (属地; issue 10 #13).
    for user in (world.qiye1, world.yingji, world.yingtian):
        assert len(told(user)) == 5, user
    assert len(told(world.anweiban)) == 5 + 1  # and once asked to set the 约谈's date, time and place
    assert sum("待安排约谈" in s for s in told(world.anweiban)) == 1
    assert [s.split("：")[1].split("（")[0] for s in told(world.lingdao)] == ["曝光", "挂牌督办"]
    for outsider in (world.qiye2, world.zhujian, world.heshi):
        assert told(outsider) == [], outsider


def test_it_applies_one_rung_per_run_each_after_its_interval_on_distinct_days(
    world: Any, clause: Any, at: Any
) -> None:
    """Issue 10, finding 6: a hazard found long overdue got 函告, 通报 and 约谈 on one day."""
    hazard = make_hazard(world, clause)
    late = add_workdays(DEADLINE, 30)
    at(late)

    counts = apply_escalations()

    assert counts == {"checked": 1, "escalated": 1, "steps": 1, "failed": 0, "calendar_unavailable": 0}
    assert [e.kind for e in hazard.escalations.all()] == [EscalationKind.LETTER]
    run_daily(world, hazard, at, late, late + dt.timedelta(days=60))

    steps = list(hazard.escalations.order_by("applied_on", "id"))
    assert [e.kind for e in steps] == [kind for _n, kind, _p in MAJOR_LADDER]
    assert len({e.applied_on for e in steps}) == 5
    intervals = {r.kind: r.interval_workdays for r in EscalationRule.objects.filter(level=Level.MAJOR)}
    for before, after in itertools.pairwise(steps):
        assert workdays_between(before.applied_on, after.applied_on) >= intervals[after.kind] > 0, after.kind
    assert len({e.document_id for e in steps}) == 5 and all(e.document_id for e in steps)
    assert (
        steps[-1]
        .document.context["previous_steps"]
        .startswith(
            f"{chinese_date(late)}函告（屈安办函〔2025〕1号）、{chinese_date(steps[1].applied_on)}通报"
        )
    )
    hazard.refresh_from_db()
    assert hazard.escalation == EscalationKind.LISTED


def test_a_rung_waits_its_interval_even_when_its_threshold_is_met(world: Any, clause: Any, at: Any) -> None:
    hazard = make_hazard(world, clause)
    late = add_workdays(DEADLINE, 12)  # past the 通报 (5) and 约谈 (10) thresholds
    at(late)
    apply_escalations()
    for n in (1, 2):
        at(add_workdays(late, n))
        assert apply_escalations()["steps"] == 0  # 通报 waits 3 working days after the 函告
    at(add_workdays(late, 3))
    assert apply_escalations()["steps"] == 1
    assert hazard.escalations.get(kind=EscalationKind.BULLETIN).applied_on == add_workdays(late, 3)


def test_it_changes_nothing_when_run_twice(world: Any, clause: Any, at: Any) -> None:
    make_hazard(world, clause)
    make_hazard(world, code="QY-2025-0002", level=Level.GENERAL, enterprise="qiye2")
    at(add_workdays(DEADLINE, 12))
    first = apply_escalations()
    before = snapshot()

    second = apply_escalations()

    assert first["steps"] == 1 + 1  # one rung per hazard and run: 重大 函告, 一般 函告
    assert second["steps"] == 0 and second["checked"] == 2
    assert snapshot() == before


def test_it_never_escalates_a_closed_or_rejected_hazard(world: Any, clause: Any, at: Any) -> None:
    make_hazard(world, clause, status=Status.CLOSED)
    make_hazard(world, code="QY-2025-0002", level=Level.GENERAL, status=Status.REJECTED)
    waiting = make_hazard(world, code="QY-2025-0003", level=Level.GENERAL, status=Status.REPORTED)
    at(add_workdays(DEADLINE, 40))

    counts = apply_escalations()

    # Only the report still waiting is late — for its 判定, not its rectification (its department is told).
    assert counts["checked"] == 1
    step = Escalation.objects.select_related("rule").get()
    assert (step.hazard, step.rule.stage, step.deadline) == (waiting, Stage.JUDGE, dt.date(2025, 3, 10))
    assert OfficialDocument.objects.get().template.code == "judge_letter"


def test_it_starts_a_new_cycle_when_the_deadline_is_extended(world: Any, clause: Any, at: Any) -> None:
    hazard = make_hazard(world, clause)
    at(add_workdays(DEADLINE, 1))
    apply_escalations()
    at(add_workdays(DEADLINE, 5))
    apply_escalations()
    extended = dt.date(2025, 5, 30)
    Hazard.objects.filter(pk=hazard.pk).update(deadline=extended)  # an approved 延期

    quiet = apply_escalations()
    at(add_workdays(extended, 1))
    renewed = apply_escalations()

    assert quiet["checked"] == 0 and renewed["steps"] == 1
    cycle = hazard.escalations.filter(deadline=extended).get()
    assert cycle.kind == EscalationKind.LETTER
    assert cycle.document.number == "屈安办函〔2025〕2号"
    assert cycle.document.context["deadline"] == "2025年5月30日"
    assert cycle.document.context["previous_steps"] == ""  # the old cycle's steps are not this cycle's
    assert hazard.escalations.filter(deadline=DEADLINE).count() == 2
    hazard.refresh_from_db()
    assert hazard.escalation == EscalationKind.BULLETIN  # never lowered by the job; 销号 clears it


def test_it_counts_a_hazard_without_a_working_day_calendar_and_goes_on(
    world: Any, clause: Any, at: Any
) -> None:
    make_hazard(world, clause, code="QY-2026-0001", deadline=dt.date(2026, 12, 30))
    make_hazard(
        world, code="QY-2026-0002", level=Level.GENERAL, deadline=dt.date(2025, 12, 1), enterprise="qiye2"
    )
    at(dt.date(2027, 1, 6))  # no holiday arrangement for 2027 yet

    counts = apply_escalations()

    assert counts["calendar_unavailable"] == 2 and counts["failed"] == 0
    assert not Escalation.objects.exists()


def test_it_keeps_going_when_one_hazard_fails(world: Any, clause: Any, at: Any) -> None:
    make_hazard(world, clause)
    make_hazard(world, code="QY-2025-0002", level=Level.GENERAL, enterprise="qiye2")
    EscalationRule.objects.filter(level=Level.GENERAL, kind="letter").update(template_code="no_such_template")
    at(add_workdays(DEADLINE, 6))

    counts = apply_escalations()

    assert counts["failed"] == 1 and counts["steps"] == 1
    assert set(Escalation.objects.values_list("hazard__code", flat=True)) == {"QY-2025-0001"}
    assert Sequence.objects.get(key="屈安办函/2025").last == 1  # the failed hazard drew no number


def test_it_runs_as_a_recorded_daily_job_and_a_command(world: Any, clause: Any, at: Any) -> None:
    make_hazard(world, clause)
    at(add_workdays(DEADLINE, 1))

    escalate_overdue_hazards()
    out = StringIO()
    call_command("escalate_hazards", "--date", add_workdays(DEADLINE, 5).isoformat(), stdout=out)

    run = JobRun.objects.get(name__endswith="escalate_overdue_hazards")
    assert run.status == JobRun.Status.SUCCEEDED and run.result["steps"] == 1
    assert "升级 1 项（1 步）" in out.getvalue()
    assert list(Escalation.objects.order_by("id").values_list("kind", flat=True)) == ["letter", "bulletin"]
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("escalate_hazards", "--date", "2025/05/01")


def test_it_reminds_once_per_deadline_within_the_window(world: Any, clause: Any, at: Any) -> None:
    hazard = make_hazard(world, clause)
    make_hazard(world, code="QY-2025-0002", level=Level.GENERAL, status=Status.CLOSED)
    window_opens = dt.date(2025, 3, 25)  # 3 working days before Friday 28 March
    assert workdays_between(window_opens, DEADLINE) == 3

    at(window_opens - dt.timedelta(days=1))
    early = send_deadline_reminders()
    at(window_opens)
    sent = send_deadline_reminders()
    again = send_deadline_reminders()
    at(DEADLINE)
    on_the_day = send_deadline_reminders()

    assert early["reminded"] == 0 and sent["reminded"] == 1
    assert again["reminded"] == 0 and on_the_day["reminded"] == 0
    assert HazardReminder.objects.filter(hazard=hazard, deadline=DEADLINE).count() == 1
    reminders = OutboxMessage.objects.filter(topic="hazard_deadline")
    assert set(reminders.filter(channel=Channel.INAPP).values_list("recipient__username", flat=True)) == {
        "qiye1",
        "yingji",
    }
    assert list(reminders.filter(channel=Channel.SMS).values_list("recipient__username", flat=True)) == [
        "qiye1"
    ]
    assert "还剩 3 个工作日" in reminders.first().body

    Hazard.objects.filter(pk=hazard.pk).update(deadline=dt.date(2025, 4, 30))  # extended
    at(dt.date(2025, 4, 29))
    remind_hazard_deadlines()

    assert HazardReminder.objects.filter(hazard=hazard).count() == 2
    assert JobRun.objects.get(name__endswith="remind_hazard_deadlines").result["reminded"] == 1
    at(dt.date(2025, 5, 6))
    assert send_deadline_reminders()["checked"] == 0  # past its deadline: escalation's business now


def test_one_run_escalating_many_hazards_tells_each_person_once_in_a_digest(
    world: Any, clause: Any, at: Any
) -> None:
    """Issue 10 #13: a run that sends 函告 for four hazards of 应急局 tells its officer, the office and the
    township of the place in one message each, listing them, not one message per hazard."""
    from zhiben.core.models import InboxNotification
    from zhiben.core.outbox import deliver_pending

    hazards = [
        make_hazard(world, clause, code=f"QY-2025-000{i}", enterprise=unit)
        for i, unit in enumerate(("qiye1", "yt_gas", "qiye1", "yt_gas"), start=1)
    ]
    at(add_workdays(DEADLINE, 1))
    assert apply_escalations()["escalated"] == 4
    deliver_pending()

    for user in (world.yingji, world.anweiban, world.yingtian):
        notes = InboxNotification.objects.filter(user=user)
        assert list(notes.values_list("subject", flat=True)) == ["隐患逾期督办：4 项隐患"], user
        note = notes.get()
        assert all(h.code in note.body for h in hazards) and note.url == "/hazards/?overdue=true"
    assert not InboxNotification.objects.filter(user=world.heshi).exists()
