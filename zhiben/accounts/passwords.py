"""Password policy (R01): length, character classes, context words; Django adds common and similar checks."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
    from .roles import Role

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
        if user is not None and getattr(user, "username", ""):
            words.append(user.username.lower())
        for word in words:
            if (len(word) >= 4 and word in lowered) or (len(word) < 4 and word in password):
                raise ValidationError(
                    _("密码不能包含账号名、地名或平台名等易猜词语。"), code="password_context"
                )

    def get_help_text(self) -> str:
        return _("不能包含账号名、地名或平台名。")
