"""`zhiben disable-stale-accounts`: disable accounts unused for 90 days (R06); run daily by the worker or cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhiben.accounts.services import disable_stale_accounts, stale_users


class Command(BaseCommand):
    help = "停用 90 天未使用的账号（登录和 API 调用均无），每个停用都记入审计日志。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只列出将被停用的账号，不做修改")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            users = stale_users()
            for user in users:
                self.stdout.write(f"将停用：{user.username}（最近登录 {user.last_login or '从未'}）")
            self.stdout.write(f"共 {len(users)} 个账号将被停用（未执行）。")
            return
        result = disable_stale_accounts(actor=None)
        for user in result.disabled:
            self.stdout.write(f"已停用：{user.username}")
        for user, reason in result.kept:
            self.stdout.write(self.style.WARNING(f"保留：{user.username}（{reason}）"))
        self.stdout.write(self.style.SUCCESS(f"共停用 {len(result.disabled)} 个长期未使用的账号。"))
