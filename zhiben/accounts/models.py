"""Users, role assignments (the scope of each role), API tokens and login failures."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.crypto import EncryptedTextField, mask_phone
from zhiben.core.models import BaseModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from .roles import ADMIN_ROLES, API_TOKEN_ROLES, Role


class UserQuerySet(ScopedQuerySet):
    """Users, read through `restrict()` like every other model."""

    def active(self) -> UserQuerySet:
        return self.filter(is_active=True)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's user manager (create_user, natural keys) over a scoped queryset."""


class User(AbstractUser):
    """用户: a person who logs in. Scope and permissions come only from role assignments."""

    # Accounts are not regional data: whoever may view users (三员) sees them all.
    scope = ScopePaths(unscoped=True)

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = EncryptedTextField(_("手机号"), blank=True)
    organisation = models.CharField(_("单位"), max_length=100, blank=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects = UserManager()  # type: ignore[misc]  # django-stubs types AbstractUser.objects as a ClassVar

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_full_name(self) -> str:
        """The person's name (姓名), not Django's first/last name fields, which the platform never fills."""
        return self.display_name or self.username

    @property
    def name_and_unit(self) -> str:
        """How a person is shown in history lists and as 承办人: "姓名（单位）", never the login name."""
        name = str(self)
        unit = self.organisation
        return f"{name}（{unit}）" if unit and unit not in name else name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_admin_role(self) -> bool:
        from zhiben.core.scoping import grants_for  # the grants are computed once per request

        return any(g.role in ADMIN_ROLES for g in grants_for(self))

    @property
    def may_hold_api_tokens(self) -> bool:
        """Whether one of the user's roles may hold API tokens (roles.API_TOKEN_ROLES)."""
        return self.role_assignments.filter(role__in=API_TOKEN_ROLES).exists()

    @property
    def role_names(self) -> str:
        return "、".join(str(a) for a in self.role_assignments.all())

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.pk])


class RoleAssignment(BaseModel):
    """角色分配: one role for one user, limited to a region (code prefix), a department or an enterprise."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    region_code = models.CharField(
        _("辖区代码"), max_length=12, blank=True, help_text=_("行政区划代码前缀；为空表示全区")
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("生产经营单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )

    scope = ScopePaths(unscoped=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region_code", "department", "enterprise"],
                name="role_assignment_unique",
            ),
        ]

    def __str__(self) -> str:
        target = self.enterprise or self.department or self.region_name or _("全区")
        return f"{self.get_role_display()}（{target}）"

    @property
    def region_name(self) -> str:
        """The name of the role's region (people read names, not codes); the code only if it names none."""
        if not self.region_code:
            return ""
        # By name, like the foreign keys above: accounts sits below the registry and does not import it.
        region = apps.get_model("registry", "Region")
        return region.objects.filter(code=self.region_code).values_list("name", flat=True).first() or (
            self.region_code
        )


class ApiToken(BaseModel):
    """API 令牌: only the SHA-256 of the token is stored; the token itself is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=8)
    name = models.CharField(_("名称"), max_length=50, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def expires(self) -> datetime:
        """When the key stops working. Tokens made before every token had an end date (issue 11) expire one
        standard lifetime after they were made."""
        if self.expires_at is not None:
            return self.expires_at
        return self.created_at + settings.API_TOKEN_LIFETIME

    @property
    def expired(self) -> bool:
        return self.expires <= timezone.now()


class LoginFailure(models.Model):
    """登录失败: counted per username over a sliding window for the lockout (R03)."""

    username = models.CharField(_("账号"), max_length=150, db_index=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    cleared = models.BooleanField(_("已解除"), default=False)

    scope = ScopePaths(unscoped=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("登录失败")
        verbose_name_plural = _("登录失败")
        indexes = [models.Index(fields=["username", "at"], name="login_failure_window_idx")]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class TwoFactor(models.Model):
    """双因素认证 (R04): the user's time-based one-time-password secret (RFC 6238, 6 digits, 30 s step).

    The secret comes from a CSPRNG (160 bit) and is stored SM4-encrypted. Until `confirmed_at` is set the
    enrolment is pending and the login does not ask for a code. `last_step` is the last accepted time step:
    a code of that step or an earlier one is refused, so a code works once."""

    user = models.OneToOneField(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="two_factor"
    )
    secret = EncryptedTextField(_("密钥"))
    confirmed_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    last_step = models.BigIntegerField(_("最近使用的时间步"), default=0)

    scope = ScopePaths(unscoped=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("双因素认证")
        verbose_name_plural = _("双因素认证")

    def __str__(self) -> str:
        return str(self.user)


class RecoveryCode(models.Model):
    """恢复码: one single-use code for when the authenticator is lost; only its keyed digest is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(_("恢复码摘要"), max_length=64, unique=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    scope = ScopePaths(unscoped=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")

    def __str__(self) -> str:
        return f"{self.user} {self.pk}"


class OtpFailure(models.Model):
    """动态口令错误: counted per user over the login window to throttle guessing (R04)."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="otp_failures"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    scope = ScopePaths(unscoped=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("动态口令错误")
        verbose_name_plural = _("动态口令错误")

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M}"
