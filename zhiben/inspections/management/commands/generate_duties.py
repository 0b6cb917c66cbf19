"""`zhiben generate-duties [--year YYYY] [--date YYYY-MM-DD]`: generate a year's self-inspection duties."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhiben.inspections.services.duties import generate_occurrences


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}")


class Command(BaseCommand):
    help = (
        "生成自查任务：按自查规则为每个在营单位生成该年度各周期的主要负责人带队检查任务（可重复运行；"
        "风险类别或规则变化后，未开始周期的任务按新规则重新生成）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=None, help="年度，默认今年")
        parser.add_argument("--date", type=str, default="", help="按该日期运行（YYYY-MM-DD），默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_date(options["date"]) if options["date"] else timezone.localdate()
        year = options["year"] or today.year
        if not 2000 <= year <= 2100:
            raise CommandError(f"年度无效：{year}")
        counts = generate_occurrences(year=year, today=today)
        self.stdout.write(
            "{year} 年：新生成 {created} 项自查任务（涉及 {enterprises} 个单位），撤销 {withdrawn} 项不再适用的未开始任务。".format(
                year=year, **counts
            )
        )
