"""`zhiben audit verify`: walk the HMAC-SM3 audit chain; exit 1 naming the first broken row (R23).

Meant for the daily verifier job and for operators; it only reads, so it is safe to run at any time.
`--head FILE` (a backup archive, or a JSON {"seq", "mac"} kept off the machine) also checks that the chain still
reaches that head: a chain cut short and its head row rewritten to match is otherwise self-consistent.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from zhiben.core.audit import verify_chain
from zhiben.core.backup import BackupError, check_head, head_from_file


class Command(BaseCommand):
    help = "校验审计日志链（HMAC-SM3），发现篡改时指出第一条被破坏的记录并以状态码 1 退出。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="每批读取的记录数")
        parser.add_argument("--head", default=None, help="备份文件或链头 JSON：核对审计链仍到达该链头")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain(batch=options["batch"])
        if report.intact and options["head"]:
            try:
                head = head_from_file(Path(options["head"]))
            except BackupError as exc:
                self.stderr.write(self.style.ERROR(str(exc)))
                sys.exit(1)
            problems = check_head(head)
            if problems:
                self.stderr.write(self.style.ERROR("；".join(problems)))
                sys.exit(1)
            self.stdout.write(
                self.style.SUCCESS(f"审计链完整：共 {report.checked} 条，包含记录的链头第 {head['seq']} 条")
            )
            return
        if report.intact:
            self.stdout.write(self.style.SUCCESS(f"审计链完整：共 {report.checked} 条"))
            return
        self.stderr.write(
            self.style.ERROR(
                f"第 {report.first_broken_seq} 条记录被篡改：{report.reason}"
                f"（此前 {report.checked} 条校验通过）"
            )
        )
        sys.exit(1)
