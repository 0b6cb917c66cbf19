"""`zhiben indicators snapshot --period 2026Q2` freezes an ended quarter; `zhiben indicators recount --period
2026Q2` compares the frozen values with a count made now and prints the differences (exit status 1 if any);
`zhiben indicators list` prints the registry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhiben.core.calendar import QUARTER_RE

from ... import registry, snapshots


class Command(BaseCommand):
    help = "指标库：季度快照（snapshot）、重新核算（recount）、指标清单（list）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("snapshot", "冻结一个已结束季度的指标值"), ("recount", "比较快照与现算值")):
            p = sub.add_parser(name, help=text)
            p.add_argument("--period", required=True, help="季度，如 2026Q2")
        sub.add_parser("list", help="列出全部指标")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for ind in registry.all():
                state = "" if ind.available else "（未接入）"
                self.stdout.write(f"{ind.id}\t{ind.name}{state}\t{ind.unit}")
            return
        period = options["period"]
        if not QUARTER_RE.match(period or ""):
            raise CommandError(f"季度格式应为 2026Q2，收到 {period!r}")
        if action == "snapshot":
            if not snapshots.quarter_closed(period):
                raise CommandError(f"{period} 尚未结束，不能冻结。")
            added = snapshots.freeze(period)
            self.stdout.write(f"{period}：新增快照 {added} 条（已冻结的保持不变）。")
            return
        if not snapshots.is_frozen(period):
            raise CommandError(f"{period} 没有快照。")
        differences = snapshots.recount(period)
        for d in differences:
            self.stdout.write(d.describe())
        if differences:
            self.stdout.write(f"{period}：{len(differences)} 处与现算值不同。")
            raise SystemExit(1)
        self.stdout.write(f"{period}：快照与现算值一致。")
