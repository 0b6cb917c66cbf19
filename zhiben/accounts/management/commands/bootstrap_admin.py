"""`zhiben bootstrap-admin --username NAME`: the first system administrator of a new installation (R06)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhiben.accounts.services import AccountError, bootstrap_system_admin


class Command(BaseCommand):
    help = "初始化首个系统管理员：生成一次性随机密码，首次登录必须修改；已有系统管理员时拒绝执行。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", required=True, help="系统管理员账号")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user, password = bootstrap_system_admin(username=options["username"])
        except AccountError as exc:
            raise CommandError(exc.message)
        self.stdout.write(self.style.SUCCESS(f"已创建系统管理员 {user.username}。"))
        self.stdout.write(f"一次性密码（仅显示这一次，首次登录后须修改，72 小时内有效）：{password}")
