"""`zhiben unlock USER` / `zhiben unlock --address IP`: lift a login lockout from the server's console.

The recovery path when nobody can use the lockout page, e.g. the security admin's own account is locked
(docs/security.md). Audited like the page's 解锁, with no actor (the server console)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhiben.accounts.services import address_blocked_until, locked_until, unblock_address, unlock_user


class Command(BaseCommand):
    help = "解除账号的登录锁定（zhiben unlock 账号），或解除来源地址的登录限制（--address 地址）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="被锁定的账号")
        parser.add_argument("--address", help="被限制的来源地址（IP）")

    def handle(self, *args: Any, **options: Any) -> None:
        username, address = options["username"], options["address"]
        if not username and not address:
            raise CommandError("请指定账号，或用 --address 指定来源地址。")
        if username:
            was_locked = locked_until(username) is not None
            n = unlock_user(username, actor=None)
            state = "已解除锁定" if was_locked else "未处于锁定状态，已清除失败计数"
            self.stdout.write(f"账号 {username}：{state}（{n} 次失败记录）。")
        if address:
            was_blocked = address_blocked_until(address) is not None
            n = unblock_address(address, actor=None)
            state = "已解除限制" if was_blocked else "未处于限制状态，已清除失败计数"
            self.stdout.write(f"来源地址 {address}：{state}（{n} 次失败记录）。")
