"""`zhiben generate-duties` and `zhiben send-duty-reminders`: the same services, from the command line."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from zhiben.core.models.outbox import OutboxMessage
from zhiben.inspections.choices import OccurrenceStatus
from zhiben.inspections.models import DutyOccurrence

from .support import *  # noqa: F403


def run(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_it_generates_a_year_from_the_command_line_once(world: Any) -> None:
    first = run("generate_duties", "--year", "2025")
    rows = DutyOccurrence.objects.count()

    second = run("generate_duties", "--year", "2025")

    assert f"新生成 {rows} 项" in first and rows > 0
    assert "新生成 0 项" in second and DutyOccurrence.objects.count() == rows
    with pytest.raises(CommandError):
        run("generate_duties", "--year", "25")


def test_it_marks_missed_and_reminds_as_of_a_date_without_repeating(world: Any, duties_2025: Any) -> None:
    first = run("send_duty_reminders", "--date", "2025-02-03")
    messages = OutboxMessage.objects.count()
    second = run("send_duty_reminders", "--date", "2025-02-03")

    missed = DutyOccurrence.objects.filter(status=OccurrenceStatus.MISSED).count()
    assert missed > 0 and f"新增应查未查 {missed} 项" in first
    assert "新增应查未查 0 项；到期提醒 0 项，应查未查通知 0 项" in second
    assert OutboxMessage.objects.count() == messages > 0
    with pytest.raises(CommandError):
        run("send_duty_reminders", "--date", "2025/02/03")
