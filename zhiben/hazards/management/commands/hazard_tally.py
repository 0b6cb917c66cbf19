"""`zhiben hazard_tally [--check | --rebuild]`: verify or rebuild the statistics read model (HazardTally).

--check    compare the stored tally with a recount from the register; print the differences, exit 1 if any
--rebuild  replace the tally with a recount (after a bulk load, a restore or a repair)

On PostgreSQL the rebuild is one INSERT … SELECT … GROUP BY inside the database (the 5-million-hazard
province would otherwise stream every row through Python); it writes the same rows and keys as
`tally.recount_rows()`, which the test suite checks on both databases.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from zhiben.hazards import tally
from zhiben.hazards.choices import OPEN_STATUSES, Status
from zhiben.hazards.models import HazardTally

MAX_LINES = 50

_OPEN = sorted(str(s) for s in OPEN_STATUSES)
# The key is tally.TallyKey.key: the values joined by "|", None as "", booleans as 0/1, dates ISO.
_PG_REBUILD = """
INSERT INTO hazards_hazardtally
    (key, region_id, industry_id, department_id, level, source, is_stock, status, quarter,
     discovered_on, deadline, on_time, count)
SELECT concat_ws('|', region_id::text, industry_id::text, department_id::text, level, source,
                 (is_stock::int)::text, status, quarter, coalesce(to_char(d, 'YYYY-MM-DD'), ''),
                 coalesce(to_char(dl, 'YYYY-MM-DD'), ''), coalesce((ot::int)::text, '')),
       region_id, industry_id, department_id, level, source, is_stock, status, quarter, d, dl, ot, count(*)
FROM (
    SELECT CASE WHEN r.level = 5 AND r.parent_id IS NOT NULL THEN r.parent_id ELSE r.id END AS region_id,
           hz.industry_id, hz.department_id, hz.level, hz.source, hz.is_stock, hz.status,
           extract(year FROM hz.discovered_on)::int::text || 'Q'
               || extract(quarter FROM hz.discovered_on)::int::text AS quarter,
           CASE WHEN hz.status = ANY(%(open)s) THEN hz.discovered_on END AS d,
           CASE WHEN hz.status = ANY(%(open)s) THEN hz.deadline
                WHEN hz.status = %(reported)s THEN hz.judge_deadline END AS dl,
           CASE WHEN hz.status = %(closed)s THEN hz.closed_on_time END AS ot
    FROM hazards_hazard hz JOIN registry_region r ON r.id = hz.region_id
) AS h
GROUP BY region_id, industry_id, department_id, level, source, is_stock, status, quarter, d, dl, ot
"""


@transaction.atomic
def rebuild_in_database() -> int:
    """PostgreSQL: the recount as one statement. The table lock makes concurrent services wait for it (their
    tally update lands on the rebuilt rows), so no change is lost or counted twice."""
    with connection.cursor() as cur:
        cur.execute("LOCK TABLE hazards_hazardtally IN EXCLUSIVE MODE")
        cur.execute("DELETE FROM hazards_hazardtally")
        tally.forget_snapshots()
        cur.execute(
            _PG_REBUILD, {"open": _OPEN, "closed": str(Status.CLOSED), "reported": str(Status.REPORTED)}
        )
    return HazardTally.objects.count()


class Command(BaseCommand):
    help = "隐患统计台账：--check 与重新计数比对（不一致时退出码为 1），--rebuild 按登记簿重建。"

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--check", action="store_true", help="与重新计数比对，打印差异")
        group.add_argument("--rebuild", action="store_true", help="按隐患登记簿重建统计台账")
        parser.add_argument(
            "--python", action="store_true", help="重建时不用 PostgreSQL 的库内快速路径（用于核对）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            if connection.vendor == "postgresql" and not options["python"]:
                rows = rebuild_in_database()
            else:
                rows = tally.rebuild()
            self.stdout.write(f"统计台账已重建：{rows} 行。")
            return
        if options["check"]:
            differences = tally.diff()
            if not differences:
                self.stdout.write("统计台账与重新计数一致。")
                return
            for key, (stored, counted) in sorted(differences.items())[:MAX_LINES]:
                self.stdout.write(f"{key}\t台账 {stored}\t重新计数 {counted}")
            if len(differences) > MAX_LINES:
                self.stdout.write(f"……另有 {len(differences) - MAX_LINES} 处差异")
            raise CommandError(
                f"统计台账有 {len(differences)} 处与重新计数不一致；运行 hazard_tally --rebuild 重建。",
                returncode=1,
            )
        rows = HazardTally.objects.count()
        self.stdout.write(f"统计台账 {rows} 行。用 --check 核对，--rebuild 重建。")
