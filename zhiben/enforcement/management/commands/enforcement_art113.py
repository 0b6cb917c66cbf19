"""`zhiben enforcement_art113 [--date YYYY-MM-DD]`: re-check the 安全生产法 Art 113 (一) triggers now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhiben.enforcement.art113 import recheck


class Command(BaseCommand):
    help = "提请关闭预警：存在重大事故隐患、一百八十日内三次或一年内四次受到行政处罚的单位（可重复运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=str, default="", help="按该日期检查（YYYY-MM-DD），默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}")
        counts = recheck(today=today)
        self.stdout.write("检查 {units} 个单位，新增提请关闭建议 {created} 条。".format(**counts))
