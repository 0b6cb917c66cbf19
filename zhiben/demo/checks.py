"""Production refuses to start while a demo persona can log in (issue 11 #5, R06): their password is public."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security)
def check_no_demo_accounts_in_production(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if not settings.PRODUCTION:
        return []
    # Checks are registered before the models load; the models are read when the check runs.
    from zhiben.accounts.models import User

    from .personas import PERSONAS  # (same reason: read when the check runs)

    names = [p.username for p in PERSONAS]
    try:
        # Unrestricted: a start-up check over every account, not a user's view.
        found = list(
            User.objects.unrestricted("start-up check: demo accounts")
            .filter(username__in=names, is_active=True)
            .order_by("username")
            .values_list("username", flat=True)
        )
    except DatabaseError:  # not migrated yet: there are no accounts at all
        return []
    if not found:
        return []
    return [
        Error(
            "生产环境（ZHIBEN_ENV=production）存在可登录的演示账号：" + "、".join(found) + "。",
            hint="演示账号的密码是公开的。运行 `zhiben disable-demo-accounts` 停用它们后再启动。",
            id="zhiben.E101",
        )
    ]
