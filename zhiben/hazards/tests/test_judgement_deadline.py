"""判定 has a deadline (issue 10, finding 1): a 重大 report waits at most the 判定 period (working days, editable
data 待核实) for its department; before the deadline the department is reminded once, after it the 逾期未判定
ladder (函告, then 通报) is applied to the department, one rung at a time and each once; the 清单's 待判定 tab,
the statistics page and the workbench show the waiting reports and those past their 判定 deadline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from zhiben.core.calendar import add_workdays
from zhiben.core.models import OfficialDocument, OutboxMessage
from zhiben.core.models.outbox import Channel
from zhiben.core.testing import login
from zhiben.hazards import services, stats, tally
from zhiben.hazards.choices import EscalationKind, Level, Source, Stage, Status
from zhiben.hazards.escalation import apply_escalations
from zhiben.hazards.models import DeadlinePolicy, Escalation, Hazard, HazardReminder
from zhiben.hazards.reference import load_hazard_rules
from zhiben.hazards.reminders import send_deadline_reminders

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Thursday: the next day opens 清明 (4–6 April 2025), so five working days end on Friday 11 April.
REGISTERED = dt.date(2025, 4, 3)
JUDGE_BY = dt.date(2025, 4, 11)


@pytest.fixture(autouse=True)
def rules(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    load_hazard_rules()


@pytest.fixture
def at() -> Iterator[Any]:
    """Move the clock to 09:00 Asia/Shanghai on a given day: `at(day)`."""
    traveller = time_machine.travel(dt.datetime(2025, 4, 3, 9, 0, tzinfo=SHANGHAI), tick=False)
    shift = traveller.start()

    def move(day: dt.date) -> None:
        shift.move_to(dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI))

    yield move
    traveller.stop()


def report(world: Any, clause: Any, at: Any, *, title: str = "喷漆房未设置可燃气体报警装置") -> Hazard:
    """应急管理局's inspector registers a 重大 hazard at qiye1 on REGISTERED: it waits for 判定."""
    at(REGISTERED)
    return services.register_hazard(
        actor=world.yingji,
        enterprise=world.enterprises["qiye1"],
        level=Level.MAJOR,
        clause=clause,
        source=Source.INSPECTION,
        title=title,
        discovered_on=REGISTERED,
    )


def told(user: Any, topic: str) -> list[str]:
    return list(
        OutboxMessage.objects.filter(topic=topic, recipient=user, channel=Channel.INAPP)
        .order_by("created_at")
        .values_list("subject", flat=True)
    )


def test_the_judgement_deadline_counts_working_days_across_a_holiday(
    world: Any, clause: Any, at: Any
) -> None:
    hazard = report(world, clause, at)

    assert hazard.status == Status.REPORTED and hazard.judge_deadline == JUDGE_BY
    assert add_workdays(REGISTERED, 5) == JUDGE_BY  # not 10 April: 清明 and the weekend are skipped
    assert tally.diff() == {}  # the tally keeps the 判定 deadline of a waiting report
    # The period is the office's data: changed, it applies to the next report.
    DeadlinePolicy.objects.filter(stage=Stage.JUDGE, level=Level.MAJOR).update(workdays=3)
    later = report(world, clause, at, title="配电室未设置挡鼠板")
    assert later.judge_deadline == dt.date(2025, 4, 9)
    # A 一般 hazard the unit reports itself is its own to manage: no 判定 deadline.
    own = services.register_hazard(
        actor=world.qiye1,
        enterprise=world.enterprises["qiye1"],
        level=Level.GENERAL,
        title="灭火器压力不足",
        discovered_on=REGISTERED,
    )
    assert own.status == Status.CONFIRMED and own.judge_deadline is None


def test_the_department_is_reminded_then_escalated_once_per_rung(world: Any, clause: Any, at: Any) -> None:
    hazard = report(world, clause, at)
    letter_day, bulletin_day = add_workdays(JUDGE_BY, 1), add_workdays(JUDGE_BY, 5)

    day = REGISTERED
    while day <= add_workdays(JUDGE_BY, 12):
        at(day)
        for _run in range(2):  # a rerun the same day changes nothing
            send_deadline_reminders()
            apply_escalations()
        kinds = list(hazard.escalations.order_by("applied_on").values_list("kind", "applied_on"))
        expected = [(EscalationKind.LETTER, letter_day)] if day >= letter_day else []
        expected += [(EscalationKind.BULLETIN, bulletin_day)] if day >= bulletin_day else []
        assert kinds == expected, day
        day += dt.timedelta(days=1)

    # One reminder, two working days before the 判定 deadline, to the department that must judge.
    reminder = HazardReminder.objects.get(hazard=hazard)
    assert (reminder.stage, reminder.deadline) == (Stage.JUDGE, JUDGE_BY)
    assert told(world.yingji, "hazard_judge_deadline") == [f"隐患报告即将到判定期限：{hazard.code}"]
    # Each rung once, with its document addressed to the department, to the department and the office.
    steps = Escalation.objects.filter(hazard=hazard).select_related("rule", "document")
    assert {(s.rule.stage, s.deadline) for s in steps} == {(Stage.JUDGE, JUDGE_BY)}
    letter = steps.get(kind=EscalationKind.LETTER).document
    assert letter.template.code == "judge_letter" and letter.body.startswith("屈原管理区应急管理局：")
    assert "判定期限为2025年4月11日" in letter.body
    assert "屈安办函" in letter.number
    for user in (world.yingji, world.anweiban):
        assert [s.split("（")[0] for s in told(user, "hazard_escalated")] == [
            "隐患逾期未判定：函告",
            "隐患逾期未判定：通报",
        ], user
    # The unit is not at fault and is not told; its 当前督办措施 stays the rectification's.
    assert (
        told(world.qiye1, "hazard_escalated") == []
        and told(world.qiye1, "hazard_deadline") == told(world.qiye1, "hazard_judge_deadline") == []
    )
    hazard.refresh_from_db()
    assert hazard.escalation == ""

    # Judged at last: the 判定 ladder stops; the rectification deadline has its own.
    services.confirm(hazard, actor=world.yingji)
    at(add_workdays(JUDGE_BY, 20))
    assert apply_escalations()["steps"] == 0
    assert (
        hazard.escalations.count() == 2
        and OfficialDocument.objects.filter(template__code__startswith="judge_").count() == 2
    )


def test_the_list_has_a_pending_tab_in_scope(world: Any, clause: Any, at: Any) -> None:
    waiting = report(world, clause, at)
    judged = report(world, clause, at, title="配电室未设置挡鼠板")
    services.confirm(judged, actor=world.yingji)
    at(add_workdays(JUDGE_BY, 2))
    apply_escalations()  # 函告 the day after the deadline
    url = reverse("hazards:major_pending")

    page = login(Client(), world.yingji).get(url)
    html = page.content.decode()
    assert page.status_code == 200
    codes = [row[0].code for row in page.context["rows"]]
    assert codes == [waiting.code]
    assert "2025-04-11（已超期）" in html and "2 个工作日" not in html  # registered 3 April: 7 working days
    assert "7 个工作日" in html and "函告" in html
    assert 'data-testid="tab-late">超期 1<' in html
    # The 清单 itself keeps judged hazards only, and links to the tab.
    listed = login(Client(), world.yingji).get(reverse("hazards:major_list") + "?open=true")
    assert [row[0].code for row in listed.context["rows"]] == [judged.code]
    assert url in listed.content.decode()
    # The township sees its reports; another department and another township do not.
    assert [r[0].code for r in login(Client(), world.yingtian).get(url).context["rows"]] == [waiting.code]
    for outsider in (world.zhujian, world.heshi):
        assert login(Client(), outsider).get(url).context["rows"] == [], outsider


def test_statistics_and_the_workbench_count_waiting_and_late_reports(
    world: Any, clause: Any, at: Any
) -> None:
    late = report(world, clause, at)
    at(dt.date(2025, 4, 10))
    fresh = services.register_hazard(
        actor=world.yingji,
        enterprise=world.enterprises["qiye1"],
        level=Level.MAJOR,
        clause=clause,
        title="配电室未设置挡鼠板",
        discovered_on=REGISTERED,
    )
    at(add_workdays(JUDGE_BY, 1))
    assert late.judge_deadline < dt.date(2025, 4, 14) <= fresh.judge_deadline

    totals = stats.figures(world.anweiban).totals
    assert (totals.reported, totals.judge_overdue) == (2, 1)
    assert stats.recount_figures(world.anweiban).totals.judge_overdue == 1
    page = login(Client(), world.anweiban).get(reverse("hazards:hazard_stats"))
    assert page.status_code == 200
    assert 'data-kpi="judge_overdue">1<' in page.content.decode()

    # The department's 工作台: one report late for 判定, one still within its term (core/workbench.py).
    home = login(Client(), world.yingji).get(reverse("dashboard:home"))
    (todo,) = [c for c in home.context["cards"] if c.key == "hazards"]
    assert {i.key: i.count for i in todo.items if i.key in ("judge_overdue", "waiting")} == {
        "judge_overdue": 1,
        "waiting": 1,
    }
    html = home.content.decode()
    assert 'data-count="hazards.judge_overdue">1<' in html and "判定超期" in html
    outside = login(Client(), world.zhujian).get(reverse("dashboard:home")).context["cards"]
    assert not [c for c in outside if c.key == "hazards"]  # nothing of 住建's waits
