"""Account services: users, roles, tokens, passwords and the login lockout. Every change is audited."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.errors import DomainError

from . import events
from .models import ApiToken, LoginFailure, RoleAssignment, User
from .roles import ADMIN_ROLES, DISTRICT_WIDE, Role


class AccountError(DomainError):
    """An account rule refused the action."""


GENERIC_LOGIN_ERROR = _("账号或密码错误。")  # identical for unknown user and wrong password (R03)


@transaction.atomic
def create_user(
    *,
    actor: Any,
    username: str,
    password: str | None = None,
    display_name: str = "",
    phone: str = "",
    organisation: str = "",
    email: str = "",
    validate: bool = True,
) -> User:
    """Create a login; with no password a random one is set and must be changed on first login (R02)."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("账号“%(u)s”已存在。") % {"u": username}})
    user = User(
        username=username, display_name=display_name, phone=phone, organisation=organisation, email=email
    )
    if password is None:
        password = secrets.token_urlsafe(12) + "aA1!"
        user.must_change_password = True
    elif validate:
        validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    audit.record(user, events.USER_CREATED, actor=actor, data={"username": username})
    return user


@transaction.atomic
def assign_role(
    user: User,
    *,
    actor: Any,
    role: str,
    region_code: str = "",
    department: Any = None,
    enterprise: Any = None,
) -> RoleAssignment:
    """Give `user` a role with its scope. The three admin roles exclude each other and every other role (R11)."""
    existing = set(user.role_assignments.values_list("role", flat=True))
    if role in ADMIN_ROLES and existing - {role}:
        raise AccountError(_("三员分立：管理员角色不能与其他角色兼任。"), field="role")
    if existing & ADMIN_ROLES and role not in existing:
        raise AccountError(_("三员分立：该用户已是管理员，不能再分配其他角色。"), field="role")
    if role == Role.DEPARTMENT and department is None:
        raise AccountError(_("监管部门角色必须指定部门。"), field="department")
    if role == Role.ENTERPRISE and enterprise is None:
        raise AccountError(_("生产经营单位角色必须指定单位。"), field="enterprise")
    if role == Role.TOWNSHIP and not region_code:
        raise AccountError(_("乡镇（街道）角色必须指定辖区。"), field="region_code")
    if role in DISTRICT_WIDE:
        region_code = ""
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, region_code=region_code, department=department, enterprise=enterprise
    )
    if created:
        audit.record(
            user,
            events.ROLE_ASSIGNED,
            actor=actor,
            data={
                "role": role,
                "region_code": region_code,
                "department": getattr(department, "pk", None),
                "enterprise": getattr(enterprise, "pk", None),
            },
        )
    return assignment


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, actor: Any) -> None:
    user = assignment.user
    data = {"role": assignment.role, "assignment": assignment.pk}
    assignment.delete()
    audit.record(user, events.ROLE_REVOKED, actor=actor, data=data)


@transaction.atomic
def change_password(user: User, *, actor: Any, new_password: str) -> User:
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit.record(user, events.PASSWORD_CHANGED, actor=actor)
    return user


@transaction.atomic
def disable_user(user: User, *, actor: Any) -> User:
    """Leaver: one action ends the account, its sessions and its API tokens (R06)."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.api_tokens.all().delete()
    end_sessions(user)
    audit.record(user, events.USER_DISABLED, actor=actor)
    return user


def end_sessions(user: User) -> int:
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def create_token(
    user: User, *, actor: Any, name: str = "", expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Returns the token row and the plain key (shown once, never stored)."""
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user, key_hash=ApiToken.hash(key), prefix=key[:8], name=name, expires_at=expires_at
    )
    audit.record(
        token, events.TOKEN_CREATED, actor=actor, data={"user": user.username, "prefix": token.prefix}
    )
    return token, key


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: Any) -> None:
    audit.record(token, events.TOKEN_REVOKED, actor=actor, data={"prefix": token.prefix})
    token.delete()


def locked_until(username: str, now: datetime | None = None) -> datetime | None:
    """When the username's lockout ends, or None: 5 failures within 15 minutes lock it for 30 (R03)."""
    now = now or timezone.now()
    recent = list(
        LoginFailure.objects.filter(
            username=username,
            cleared=False,
            at__gt=now - settings.LOGIN_LOCKOUT - settings.LOGIN_FAILURE_WINDOW,
        )
        .order_by("at")
        .values_list("at", flat=True)
    )
    limit = settings.LOGIN_FAILURE_LIMIT
    for i in range(len(recent) - limit + 1):
        window = recent[i : i + limit]
        if window[-1] - window[0] <= settings.LOGIN_FAILURE_WINDOW:
            until = window[-1] + settings.LOGIN_LOCKOUT
            if until > now:
                return until
    return None


def login_user(request: HttpRequest | None, username: str, password: str) -> User:
    """Authenticate with lockout; raises AccountError with one generic message on any failure."""
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    username = (username or "").strip()
    if locked_until(username):
        with transaction.atomic():
            audit.record(
                None,
                events.USER_LOGIN_FAILED,
                data={"username": username, "reason": "locked"},
                outcome="failure",
                object_type="accounts.user",
                object_id="",
                object_repr=username,
            )
        raise AccountError(_("登录失败次数过多，账号已锁定30分钟。请稍后再试或联系安全管理员。"))
    user = authenticate(request, username=username, password=password)
    if user is None:
        with transaction.atomic():
            LoginFailure.objects.create(username=username, ip=ip)
            audit.record(
                None,
                events.USER_LOGIN_FAILED,
                data={"username": username},
                outcome="failure",
                object_type="accounts.user",
                object_id="",
                object_repr=username,
            )
            if locked_until(username):
                audit.record(
                    None,
                    events.USER_LOCKED_OUT,
                    data={"username": username},
                    object_type="accounts.user",
                    object_id="",
                    object_repr=username,
                )
        raise AccountError(GENERIC_LOGIN_ERROR)
    with transaction.atomic():
        LoginFailure.objects.filter(username=username, cleared=False).update(cleared=True)
        audit.record(user, events.USER_LOGGED_IN, actor=user)
    return user  # type: ignore[return-value]


@transaction.atomic
def unlock_user(username: str, *, actor: Any) -> int:
    """Security admin lifts a lockout."""
    n = LoginFailure.objects.filter(username=username, cleared=False).update(cleared=True)
    audit.record(
        None,
        events.USER_UNLOCKED,
        actor=actor,
        data={"username": username, "failures_cleared": n},
        object_type="accounts.user",
        object_repr=username,
    )
    return n
