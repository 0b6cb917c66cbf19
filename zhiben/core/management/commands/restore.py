"""`zhiben restore FILE`: check a backup archive, restore it, and prove the result (see zhiben/core/backup.py).

A tampered or incomplete archive is refused before anything is written. After the restore every table's hash
is compared with the manifest, the audit chain is verified and must reach the head recorded in the backup;
any difference is printed and the command exits 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from zhiben.core import backup


class Command(BaseCommand):
    help = "从备份归档恢复数据库与附件；先校验 SM3 清单，恢复后逐表比对并校验审计链。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", help="备份文件（zhiben-backup-*.tar）")
        parser.add_argument("--replace", action="store_true", help="目标数据库已有数据时覆盖它")
        parser.add_argument("--media-root", default=None, help="附件恢复到的目录（默认 MEDIA_ROOT）")
        parser.add_argument("--database", default="default", help="Django 数据库别名")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        alias = options["database"]
        if not archive.is_file():
            self.stderr.write(self.style.ERROR(f"找不到备份文件 {archive}"))
            sys.exit(1)
        try:
            report = backup.restore_backup(
                archive,
                alias=alias,
                replace=options["replace"],
                media_root=Path(options["media_root"]) if options["media_root"] else None,
            )
        except backup.BackupError as exc:
            self.stderr.write(self.style.ERROR(f"拒绝恢复：{exc}"))
            backup.record_refusal(archive, str(exc), alias=alias)
            sys.exit(1)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(self.style.ERROR(problem))
            self.stderr.write(self.style.ERROR("恢复后的数据与备份不一致，请勿投入使用"))
            sys.exit(1)
        self.stdout.write(
            self.style.SUCCESS(
                f"已从 {archive.name} 恢复：{report.tables} 张数据表逐表一致，{report.media_files} 个附件，"
                f"审计链完整（{report.chain_checked} 条，达到备份时链头第 {report.head_seq} 条）"
            )
        )
