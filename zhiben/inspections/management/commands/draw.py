"""`zhiben draw replay <id>`: recompute a 双随机 draw from its stored frozen inputs and seed, and say whether it
matches what was committed and published (exit status 1 if anything differs).

    zhiben draw replay 5             # by id
    zhiben draw replay SJ2025-0003   # or by code
    zhiben draw replay 5 --json      # the report as JSON
    zhiben draw inputs 5             # print the canonical frozen inputs (the bytes pool_digest covers)

The algorithm is docs/draw-algorithm.md; it is a pure function of the frozen inputs and the seed, so the same
answer comes out on any machine. A draw whose seed is not yet public can be replayed here by an operator with
database access; the public page offers the same check once the result is published.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhiben.inspections.draw_algorithm import canonical_json
from zhiben.inspections.models import Draw
from zhiben.inspections.services.draws import frozen_document, replay

SHOW = 10


def _find(ref: str) -> Draw:
    # An operator's command (or an auditor's with a copy of the data): the whole district's draws, no user scope.
    draws = Draw.objects.unrestricted("command: the whole district")
    draw = draws.filter(pk=int(ref)).first() if ref.isdigit() else None
    draw = draw or draws.filter(code=ref).first()
    if draw is None:
        raise CommandError(f"没有编号或 id 为 {ref} 的双随机抽查。")
    return draw


def _mark(value: bool | None) -> str:
    return {True: "一致", False: "不一致", None: "不适用"}[value]


class Command(BaseCommand):
    help = "双随机抽查复核：zhiben draw replay <id|编号>；zhiben draw inputs <id|编号>"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("replay", help="按冻结的名录和种子重新计算抽取结果并比对")
        p.add_argument("draw", help="抽查 id 或编号")
        p.add_argument("--json", action="store_true", help="以 JSON 输出复核报告")
        q = sub.add_parser("inputs", help="输出冻结的名录（规范 JSON，即名录摘要所覆盖的字节）")
        q.add_argument("draw", help="抽查 id 或编号")

    def handle(self, *args: Any, **options: Any) -> None:
        draw = _find(str(options["draw"]))
        if options["action"] == "inputs":
            self.stdout.write(canonical_json(frozen_document(draw)).decode("utf-8"))
            return
        report = replay(draw)
        if options.get("json"):
            self.stdout.write(
                json.dumps(
                    {
                        "draw": draw.code,
                        "status": draw.status,
                        "algorithm": draw.algorithm,
                        "pool_digest": report.pool_digest,
                        "seed_digest": report.seed_digest,
                        "assignments": report.assignments,
                        "result_digest": report.result_digest,
                        "ok": report.ok,
                        "error": report.error,
                        "recomputed": [[e, list(t)] for e, t in report.recomputed],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            self._print(draw, report)
        if not report.ok:
            sys.exit(1)

    def _print(self, draw: Draw, report: Any) -> None:
        w = self.stdout.write
        w(f"双随机抽查 {draw.code}（id {draw.pk}）{draw.title}")
        w(f"状态：{draw.get_status_display()}  算法：{draw.algorithm}")
        w(
            f"名录：{draw.entity_count} 家单位，{draw.officer_count} 名执法人员，{len(draw.excluded_pairs)} 个回避对"
        )
        w(f"名录摘要 pool_digest   {draw.pool_digest or '—'}  {_mark(report.pool_digest)}")
        w(f"种子承诺 seed_digest   {draw.seed_digest or '—'}  {_mark(report.seed_digest)}")
        w(f"抽取结果（{len(report.stored)} 组）                {_mark(report.assignments)}")
        w(f"结果摘要 result_digest {draw.result_digest or '—'}  {_mark(report.result_digest)}")
        for i, (unit, team) in enumerate(report.recomputed[:SHOW], start=1):
            stored = report.stored[i - 1] if i - 1 < len(report.stored) else None
            flag = "" if stored == (unit, team) else "  ← 与存储不一致"
            w(f"  {i:>4}. 单位 {unit}  执法人员 {', '.join(str(o) for o in team)}{flag}")
        if len(report.recomputed) > SHOW:
            w(f"  …… 共 {len(report.recomputed)} 组")
        if report.error:
            w(self.style.ERROR(report.error))
        if report.ok:
            w(self.style.SUCCESS("复核通过：重新计算的结果与公布的承诺和结果一致。"))
        else:
            w(self.style.ERROR("复核未通过。"))
