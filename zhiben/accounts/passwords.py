"""Password policy (R01): length, character classes, context words; Django adds common and similar checks."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core.scoping import grants_for

from .roles import ADMIN_ROLES, GOVERNMENT_ROLES, Role

CONTEXT_WORDS = (
    "quyuan",
    "anquan",
    "zhiben",
    "yingji",
    "anweiban",
    "password",
    "qwerty",
    "屈原",
    "安全",
    "治本",
)


def _is_privileged(user: Any) -> bool:
    if user is None or not getattr(user, "pk", None):
        return False
    return user.role_assignments.exclude(role=Role.ENTERPRISE).exists()


class LengthValidator:
    """At least 8 characters, 12 for government, expert and admin accounts; at most 128."""

    def validate(self, password: str, user: Any = None) -> None:
        minimum = 12 if _is_privileged(user) else 8
        if len(password) < minimum:
            raise ValidationError(
                _("密码至少需要 %(n)d 个字符。") % {"n": minimum}, code="password_too_short"
            )
        if len(password) > 128:
            raise ValidationError(_("密码不能超过 128 个字符。"), code="password_too_long")

    def get_help_text(self) -> str:
        return _("至少 8 个字符（政府、专家和管理员账号至少 12 个）。")


class CharacterClassValidator:
    """At least three of: upper case, lower case, digits, symbols."""

    def validate(self, password: str, user: Any = None) -> None:
        classes = sum(bool(re.search(p, password)) for p in (r"[A-Z]", r"[a-z]", r"\d", r"[^A-Za-z0-9]"))
        if classes < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类。"), code="password_classes"
            )

    def get_help_text(self) -> str:
        return _("包含大写字母、小写字母、数字、符号中的至少三类。")


class ContextWordValidator:
    """No district, platform or account words inside the password."""

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        words = list(CONTEXT_WORDS)
        username = getattr(user, "username", None) if user is not None else None
        if username:
            words.append(str(username).lower())
        for word in words:
            if (len(word) >= 4 and word in lowered) or (len(word) < 4 and word in password):
                raise ValidationError(
                    _("密码不能包含账号名、地名或平台名等易猜词语。"), code="password_context"
                )

    def get_help_text(self) -> str:
        return _("不能包含账号名、地名或平台名。")


# R02: government and admin passwords expire after 90 days (等保 身份鉴别1; deviation from ASVS 6.2.10
# recorded in reliability.md §7); an initial or reset password is valid for 72 hours and only to change it.
PASSWORD_MAX_AGE = timedelta(days=90)
INITIAL_PASSWORD_MAX_AGE = timedelta(hours=72)


def change_required_reason(user: Any, now: datetime | None = None) -> str | None:
    """Why `user` must change the password before doing anything else (R02), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.must_change_password:
        return _("首次登录或密码被重置后，须先修改密码。")
    roles = {g.role for g in grants_for(user)}
    if roles & (GOVERNMENT_ROLES | ADMIN_ROLES):
        now = now or timezone.now()
        changed = user.password_changed_at
        if changed is None or now - changed > PASSWORD_MAX_AGE:
            return _("密码已超过 90 天未修改，须先修改密码。")
    return None


def initial_password_expired(user: Any, now: datetime | None = None) -> bool:
    """An unchanged initial or reset password older than 72 hours no longer logs in (R02)."""
    if not user.must_change_password or user.password_changed_at is None:
        return False
    return (now or timezone.now()) - user.password_changed_at > INITIAL_PASSWORD_MAX_AGE
