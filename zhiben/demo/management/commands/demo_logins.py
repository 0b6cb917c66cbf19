"""`zhiben demo-logins`: the persona usernames, their role and organisation, and where the password comes from."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from zhiben.accounts.models import User
from zhiben.demo.personas import PERSONAS
from zhiben.demo.seeding import DemoRefused, ensure_demo_allowed
from zhiben.demo.tables import render_table

DEMO_ENV_NAME = "ZHIBEN_DEMO_PASSWORD"


class Command(BaseCommand):
    help = "列出演示账号（账号、角色、单位）及密码来源；仅限演示模式。"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            ensure_demo_allowed()
        except DemoRefused as exc:
            raise CommandError(exc.message) from exc
        try:
            users = {
                u.username: u
                for u in User.objects.filter(username__in=[p.username for p in PERSONAS]).prefetch_related(
                    "role_assignments"
                )
            }
        except DatabaseError as exc:
            raise CommandError("数据库尚未初始化，请先运行 python manage.py migrate。") from exc
        if not users:
            self.stdout.write("尚未创建演示账号：请先运行 zhiben seed-demo --scale district --seed 1。")
            return
        rows = []
        for p in PERSONAS:
            user = users.get(p.username)
            if user is None:
                rows.append([p.username, "（未创建）", p.organisation, ""])
                continue
            assignments = list(user.role_assignments.all())
            roles = "、".join(str(a.get_role_display()) for a in assignments) or "（无角色）"
            rows.append([p.username, roles, user.organisation, user.display_name])
        self.stdout.write("演示账号（仅限演示模式，生产环境不会创建）：")
        self.stdout.write(render_table(["账号", "角色", "单位", "姓名"], rows))
        self.stdout.write("")
        self.stdout.write(self.password_note())

    def password_note(self) -> str:
        if os.environ.get(DEMO_ENV_NAME):
            return f"密码：所有演示账号相同，取自环境变量 {DEMO_ENV_NAME}（此处不显示）。"
        return (
            f"密码：所有演示账号相同，为默认演示密码 {settings.DEMO_PASSWORD}"
            f"（settings.DEMO_PASSWORD；设置环境变量 {DEMO_ENV_NAME} 可更换）。"
        )
