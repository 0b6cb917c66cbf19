"""`zhiben disable-demo-accounts`: disable every demo persona (their password is public), e.g. before production."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhiben.accounts.models import User
from zhiben.accounts.services import disable_user
from zhiben.demo.personas import PERSONAS


class Command(BaseCommand):
    help = "停用全部演示账号（生产环境存在演示账号时拒绝启动）"
    # The start-up check refuses while demo accounts exist; this command is how to clear it.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        users = User.objects.unrestricted("command: demo accounts").filter(
            username__in=[p.username for p in PERSONAS], is_active=True
        )
        n = 0
        for user in users:
            disable_user(user, actor=None, reason="demo account")
            n += 1
        self.stdout.write(f"已停用 {n} 个演示账号。")
