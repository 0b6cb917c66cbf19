"""`zhiben send-duty-reminders [--date YYYY-MM-DD]`: mark 应查未查 and send the self-inspection reminders."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhiben.inspections.services.duties import mark_missed
from zhiben.inspections.services.duty_reminders import send_duty_reminders

from .generate_duties import parse_date


class Command(BaseCommand):
    help = "自查提醒：将已过周期仍未自查的任务标记为应查未查，并提醒到期前和应查未查的单位（可重复运行，不重复发送）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=str, default="", help="按该日期运行（YYYY-MM-DD），默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_date(options["date"]) if options["date"] else timezone.localdate()
        missed = mark_missed(today)
        counts = send_duty_reminders(today)
        self.stdout.write(
            "新增应查未查 {missed} 项；到期提醒 {reminded} 项，应查未查通知 {missed_notified} 项，失败 {failed} 项。".format(
                missed=missed, **counts
            )
        )
        if counts["failed"]:
            raise CommandError("部分提醒未能发送，详见日志。")
