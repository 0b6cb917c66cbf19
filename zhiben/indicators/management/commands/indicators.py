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
        sub.add_parser("markdown", help="指标定义表（Markdown，docs/indicators.md 的表格）")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for ind in registry.all():
                state = "" if ind.available else "（未接入）"
                self.stdout.write(f"{ind.id}\t{ind.name}{state}\t{ind.unit}")
            return
        if action == "markdown":
            self.stdout.write(definitions_table())
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


def definitions_table() -> str:
    """The registry as the Markdown table of docs/indicators.md."""
    lines = [
        "| 编号 | 指标 | 口径 | 单位 | 目标 | 方向 | 范围 | 来源 | 状态 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for ind in registry.all():
        target = "—" if ind.target is None else f"{ind.target}{ind.unit}"
        scopes = "、".join(str(registry.SCOPE_LABELS[k]) for k in registry.SCOPE_KINDS if k in ind.scopes)
        state = "已接入" if ind.available else "未接入"
        if not ind.verified:
            state += "（待核实）"
        definition = ind.definition + (f" {ind.note}" if ind.note else "")
        cells = [
            f"`{ind.id}`",
            ind.name,
            definition,
            ind.unit,
            target,
            str(registry.DIRECTION_LABELS[ind.direction]),
            scopes,
            ind.source,
            state,
        ]
        lines.append("| " + " | ".join(c.replace("|", "／") for c in cells) + " |")
    return "\n".join(lines) + "\n"
