"""What production refuses to start with (issue 11, R06/R23/R26): development keys, DEBUG and demo mode.

`settings.py` calls `refusals()` when ZHIBEN_ENV=production and raises ImproperlyConfigured with every problem,
so `manage.py`, the `zhiben` command, gunicorn and the worker all stop before serving anything. Demo accounts
live in the database and are refused by a system check (zhiben/demo/checks.py) that `wsgi.py` runs at start.

Plain Python, no Django imports: the settings module imports it before Django is configured.
"""

from __future__ import annotations

import re

# The public development values (they are in this repository, so they are no secret anywhere).
DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me-0123456789abcdef"  # noqa: S105
DEV_AUDIT_KEY_PREFIX = "dev-audit-key:"
DEV_FIELD_KEY = "00112233445566778899aabbccddeeff"

MIN_SECRET_KEY = 50  # Django's own deploy check (security.W009) asks for 50 characters
MIN_AUDIT_KEY = 32
_FIELD_KEY = re.compile(r"^\s*\d+\s*:\s*[0-9a-fA-F]{32}\s*$")


def refusals(*, debug: bool, secret_key: str, audit_key: str, field_keys: str, demo_mode: bool) -> list[str]:
    """Every reason production must not start with these settings; each names its environment variable."""
    problems = []
    if debug:
        problems.append("DEBUG：生产环境必须关闭调试模式（DEBUG=0），否则出错页面会泄露配置和数据。")
    if not secret_key:
        problems.append("SECRET_KEY：生产环境必须设置。")
    elif secret_key == DEV_SECRET_KEY or len(secret_key) < MIN_SECRET_KEY or len(set(secret_key)) < 5:
        problems.append(
            f"SECRET_KEY：不得使用公开的开发密钥，须为至少 {MIN_SECRET_KEY} 个字符的随机值"
            "（python -c 'import secrets; print(secrets.token_urlsafe(50))'）。"
        )
    if not audit_key:
        problems.append("ZHIBEN_AUDIT_KEY：生产环境必须设置审计链密钥。")
    elif (
        audit_key.startswith(DEV_AUDIT_KEY_PREFIX)
        or len(audit_key) < MIN_AUDIT_KEY
        or len(set(audit_key)) < 5
    ):
        problems.append(
            f"ZHIBEN_AUDIT_KEY：不得使用开发密钥，须为至少 {MIN_AUDIT_KEY} 个字符的随机值"
            "（python -c 'import secrets; print(secrets.token_hex(32))'）。"
        )
    parts = [p for p in (field_keys or "").split(",") if p.strip()]
    if not parts:
        problems.append("ZHIBEN_FIELD_KEYS：生产环境必须设置字段加密密钥（形如 1:<32 位十六进制>）。")
    elif not all(_FIELD_KEY.match(p) for p in parts):
        problems.append("ZHIBEN_FIELD_KEYS：格式应为“版本:32 位十六进制”，多个以逗号分隔。")
    elif any(p.split(":", 1)[1].strip().lower() == DEV_FIELD_KEY for p in parts):
        problems.append(
            "ZHIBEN_FIELD_KEYS：不得包含公开的开发密钥 1:0011…eeff；请生成新密钥"
            "（python -c 'import secrets; print(\"1:\" + secrets.token_hex(16))'）。"
        )
    if demo_mode:
        problems.append("ZHIBEN_DEMO：生产环境不得开启演示模式（演示账号的密码是公开的）。")
    return problems


def refusal_message(problems: list[str]) -> str:
    lines = "\n".join(f"  - {p}" for p in problems)
    return f"ZHIBEN_ENV=production 拒绝启动：\n{lines}"
