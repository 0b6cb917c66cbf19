"""Account forms: shape checks with Chinese field messages; business rules stay in the services."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm

from .models import User

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


class LoginForm(BoundedForm):
    username = forms.CharField(
        label=_("账号"),
        max_length=150,
        error_messages={"required": _("请输入账号。")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"),
        max_length=128,
        strip=False,
        error_messages={"required": _("请输入密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(BoundedForm):
    """Old password, new password twice; the new one must pass every validator (R01)."""

    old_password = forms.CharField(
        label=_("原密码"),
        max_length=128,
        strip=False,
        error_messages={"required": _("请输入原密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        max_length=128,
        strip=False,
        error_messages={"required": _("请输入新密码。"), "max_length": _("密码不能超过 128 个字符。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("确认新密码"),
        max_length=128,
        strip=False,
        error_messages={"required": _("请再次输入新密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = "；".join(password_validators_help_texts())

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise ValidationError(_("原密码不正确。"), code="password_incorrect")
        return old

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new1, new2 = data.get("new_password1"), data.get("new_password2")
        if new1 and new2 and new1 != new2:
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        elif new1:
            if data.get("old_password") and new1 == data["old_password"]:
                self.add_error("new_password1", _("新密码不能与原密码相同。"))
            else:
                try:
                    validate_password(new1, self.user)
                except ValidationError as exc:
                    self.add_error("new_password1", exc)
        return data


class UserCreateForm(BoundedForm):
    username = forms.CharField(
        label=_("账号"),
        max_length=150,
        validators=[UnicodeUsernameValidator(message=_("账号只能包含字母、数字和 @ . + - _ 字符。"))],
        error_messages={"required": _("请输入账号。")},
    )
    display_name = forms.CharField(
        label=_("姓名"), max_length=50, error_messages={"required": _("请输入姓名。")}
    )
    organisation = forms.CharField(label=_("单位"), max_length=100, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=11, required=False)
    email = forms.EmailField(
        label=_("电子邮箱"), required=False, error_messages={"invalid": _("请输入有效的电子邮箱地址。")}
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        # Existence check only (the same rule create_user enforces), so every field error shows at once.
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("账号“%(u)s”已存在。") % {"u": username})
        return username

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not MOBILE_RE.match(phone):
            raise ValidationError(_("请输入 11 位手机号码。"))
        return phone


TOKEN_LIFETIMES = (
    ("30", _("30 天")),
    ("90", _("90 天")),
    ("180", _("180 天")),
    ("365", _("1 年")),
)


class TokenCreateForm(BoundedForm):
    name = forms.CharField(
        label=_("用途"),
        max_length=50,
        error_messages={"required": _("请填写令牌用途，便于日后识别。")},
    )
    lifetime = forms.ChoiceField(label=_("有效期"), choices=TOKEN_LIFETIMES, initial="30")


class WorkdayOverrideForm(BoundedForm):
    date = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请选择日期。"), "invalid": _("请输入有效的日期（年-月-日）。")},
    )
    is_workday = forms.TypedChoiceField(
        label=_("当天安排"),
        choices=(("1", _("上班（调休工作日）")), ("0", _("休息（节假日）"))),
        coerce=lambda v: v == "1",
        error_messages={"required": _("请选择上班或休息。")},
    )
    name = forms.CharField(label=_("说明"), max_length=50, required=False)


class CalendarYearForm(BoundedForm):
    year = forms.IntegerField(
        label=_("年份"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": _("请输入年份。"),
            "invalid": _("请输入四位年份。"),
            "min_value": _("年份不能早于 2000 年。"),
            "max_value": _("年份不能晚于 2100 年。"),
        },
    )
    source = forms.CharField(
        label=_("依据"),
        max_length=200,
        help_text=_("如：国务院办公厅关于某年部分节假日安排的通知（国办发明电〔年〕号）"),
        error_messages={"required": _("请填写依据文件。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = dt.date.today().year + 1


class OtpForm(BoundedForm):
    """A 6-digit dynamic password from the authenticator app, or a recovery code (R04)."""

    code = forms.CharField(
        label=_("动态口令"),
        max_length=20,
        error_messages={"required": _("请输入动态口令。"), "max_length": _("动态口令过长。")},
        help_text=_("身份验证器应用中的 6 位数字；手机丢失时可输入一个恢复码。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
