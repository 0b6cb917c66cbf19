"""`zhiben escalate_hazards [--date YYYY-MM-DD]`: apply the escalation ladder now (as of a date)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhiben.hazards.escalation import apply_escalations


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}")


class Command(BaseCommand):
    help = "逾期督办：对逾期未整改的隐患按规则函告、通报、约谈、曝光、挂牌督办（可重复运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=str, default="", help="按该日期运行（YYYY-MM-DD），默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_date(options["date"]) if options["date"] else None
        counts = apply_escalations(today=today)
        self.stdout.write(
            "检查 {checked} 项，升级 {escalated} 项（{steps} 步）；失败 {failed} 项；"
            "缺少工作日历 {calendar_unavailable} 项。".format(**counts)
        )
        if counts["failed"] or counts["calendar_unavailable"]:
            raise CommandError("部分隐患未能处理，详见日志。")
