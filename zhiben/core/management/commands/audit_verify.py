"""`zhiben audit verify`: walk the HMAC-SM3 audit chain; exit 1 naming the first broken row (R23).

Meant for the daily verifier job and for operators; it only reads, so it is safe to run at any time.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from zhiben.core.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计日志链（HMAC-SM3），发现篡改时指出第一条被破坏的记录并以状态码 1 退出。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="每批读取的记录数")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain(batch=options["batch"])
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
