"""约谈通知 (issue 10, finding 6): the office sets a real date, time and place; the notice never says 另行通知,
and without a time it cannot be issued."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from zhiben.core.calendar import add_workdays
from zhiben.core.errors import DomainError
from zhiben.hazards.choices import EscalationKind
from zhiben.hazards.escalation import apply_escalations
from zhiben.hazards.services import schedule_interview

from .test_escalation import DEADLINE, SHANGHAI, at, make_hazard, rules  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(world: Any, clause: Any, at: Any) -> Any:  # noqa: F811 - the `at` fixture imported above
    """qiye1's 重大 hazard, climbed daily until its 约谈 is due (函告, 通报 done)."""
    hazard = make_hazard(world, clause)
    day = add_workdays(DEADLINE, 1)
    while not hazard.escalations.filter(kind=EscalationKind.INTERVIEW).exists():
        at(day)
        apply_escalations()
        day += dt.timedelta(days=1)
    return hazard.escalations.get(kind=EscalationKind.INTERVIEW)


def text_of(document: Any) -> list[str]:
    texts = [re.sub(r"\s+", "", document.body)]
    if shutil.which("pdftotext") and document.pdf.name:
        pdf = subprocess.run(
            ["pdftotext", document.pdf.path, "-"], capture_output=True, text=True, check=True
        )
        texts.append(re.sub(r"\s+", "", pdf.stdout))
    return texts


def test_the_job_finds_the_interview_due_without_issuing_a_notice(world: Any, due: Any) -> None:
    assert due.document is None and due.interview_at is None


def test_the_notice_shows_its_date_time_and_place_and_never_another_notice(world: Any, due: Any) -> None:
    when = dt.datetime(2025, 4, 16, 9, 30, tzinfo=SHANGHAI)
    step = schedule_interview(
        due, actor=world.anweiban, interview_at=when, place="区安委办会议室（管委大楼三楼）"
    )
    assert step.interview_at == when and step.document is not None
    for text in text_of(step.document):
        assert "约谈时间：2025年4月16日（星期三）上午9:30" in text
        assert "约谈地点：区安委办会议室（管委大楼三楼）" in text
        assert "另行通知" not in text
    with pytest.raises(ValidationError, match="已经发出"):
        schedule_interview(step, actor=world.anweiban, interview_at=when, place="区安委办会议室")


def test_without_a_time_the_notice_cannot_be_issued(world: Any, due: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        schedule_interview(due, actor=world.anweiban, interview_at=None, place="")
    assert set(refused.value.message_dict) == {"interview_at", "interview_place"}
    assert "未确定约谈时间，不能发出约谈通知" in refused.value.message_dict["interview_at"][0]
    past = dt.datetime(2025, 1, 6, 9, 30, tzinfo=SHANGHAI)
    with pytest.raises(ValidationError, match="晚于现在"):
        schedule_interview(due, actor=world.anweiban, interview_at=past, place="区安委办会议室")
    due.refresh_from_db()
    assert due.document is None


def test_only_the_office_issues_the_notice(world: Any, due: Any) -> None:
    when = dt.datetime(2025, 4, 16, 9, 30, tzinfo=SHANGHAI)
    with pytest.raises(DomainError):
        schedule_interview(due, actor=world.yingji, interview_at=when, place="区安委办会议室")


def test_the_next_rung_waits_for_the_interview_notice(world: Any, due: Any, at: Any) -> None:  # noqa: F811
    hazard = due.hazard
    late = add_workdays(DEADLINE, 25)  # past the 曝光 threshold (20)
    at(late)
    assert apply_escalations()["steps"] == 0  # the 约谈 has no notice yet
    schedule_interview(
        due,
        actor=world.anweiban,
        interview_at=dt.datetime(2025, 5, 20, 15, 0, tzinfo=SHANGHAI),
        place="区安委办会议室",
    )
    for n in range(1, 5):
        at(add_workdays(late, n))
        assert apply_escalations()["steps"] == 0  # 5 working days after the notice
    at(add_workdays(late, 5))
    assert apply_escalations()["steps"] == 1
    assert hazard.escalations.get(kind=EscalationKind.EXPOSURE).applied_on == add_workdays(late, 5)


def test_the_office_issues_the_notice_from_the_hazard_page(client: Any, world: Any, due: Any) -> None:
    from django.urls import reverse

    from zhiben.core.testing import login

    hazard = due.hazard
    url = reverse("hazards:interview_schedule", args=[hazard.pk, due.pk])
    login(client, world.yingji)
    assert client.get(url).status_code == 403
    login(client, world.anweiban)
    page = client.get(hazard.get_absolute_url()).content.decode()
    assert "待安排约谈" in page and url in page
    refused = client.post(url, {"interview_at": "", "interview_place": "区安委办会议室"})
    assert refused.status_code == 400
    assert "未确定约谈时间，不能发出约谈通知" in refused.content.decode()
    done = client.post(url, {"interview_at": "2025-04-16T09:30", "interview_place": "区安委办会议室"})
    assert done.status_code == 302
    due.refresh_from_db()
    assert due.document is not None and "2025年4月16日（星期三）上午9:30" in due.document.body
    page = client.get(hazard.get_absolute_url()).content.decode()
    assert "约谈：2025-04-16 09:30，区安委办会议室" in page and "待安排约谈" not in page
