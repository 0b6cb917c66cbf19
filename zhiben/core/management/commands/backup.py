"""`zhiben backup`: one archive of the database, the media files and an SM3 manifest (see zhiben/core/backup.py).

Meant for a nightly timer (docs/operations.md); exits 1 with the reason when the backup cannot be made.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from zhiben.core import backup


class Command(BaseCommand):
    help = "备份数据库与附件到一个归档文件（含 SM3 清单和审计链头），并记入审计日志。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dir", default=str(Path(settings.VAR_DIR) / "backups"), help="备份目录（默认 var/backups）"
        )
        parser.add_argument("--keep", type=int, default=0, help="只保留最新的 N 个备份（0 为全部保留）")
        parser.add_argument("--database", default="default", help="Django 数据库别名")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"])
        try:
            archive = backup.create_backup(directory, alias=options["database"])
        except backup.BackupError as exc:
            self.stderr.write(self.style.ERROR(f"备份失败：{exc}"))
            sys.exit(1)
        manifest = backup.read_manifest(archive)
        head = manifest["audit_head"]
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {archive}：{len(manifest['tables'])} 张数据表，"
                f"{len(manifest['files']) - 1} 个附件，审计链头第 {head['seq']} 条"
            )
        )
        for gone in backup.prune(directory, options["keep"]):
            self.stdout.write(f"已删除旧备份 {gone.name}")
