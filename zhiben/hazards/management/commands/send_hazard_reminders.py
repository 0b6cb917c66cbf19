"""`zhiben send_hazard_reminders [--date YYYY-MM-DD]`: send the deadline reminders now (as of a date)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhiben.hazards.reminders import send_deadline_reminders

from .escalate_hazards import parse_date


class Command(BaseCommand):
    help = "到期提醒：整改期限临近的隐患通知单位和监管部门（每个期限只提醒一次）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=str, default="", help="按该日期运行（YYYY-MM-DD），默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_date(options["date"]) if options["date"] else None
        counts = send_deadline_reminders(today=today)
        self.stdout.write(
            "检查 {checked} 项，提醒 {reminded} 项；失败 {failed} 项；缺少工作日历 {calendar_unavailable} 项。".format(
                **counts
            )
        )
        if counts["failed"] or counts["calendar_unavailable"]:
            raise CommandError("部分隐患未能处理，详见日志。")
