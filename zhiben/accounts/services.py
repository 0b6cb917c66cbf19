"""Account services: users, roles, tokens, passwords and the login lockout. Every change is audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.errors import NotPermitted
from zhiben.core.middleware import client_ip

from . import events
from .errors import AccountError
from .models import ApiToken, LoginFailure, RoleAssignment, User
from .passwords import initial_password_expired
from .roles import ADMIN_ROLES, DISTRICT_WIDE, Role

# R06: an account nobody has used for this long is disabled by `disable_stale_accounts`.
STALE_AFTER = timedelta(days=90)


GENERIC_LOGIN_ERROR = _("账号或密码错误。")  # identical for unknown user and wrong password (R03)


class AddressThrottled(AccountError):
    """Too many failed logins from one source address (issue 11 #7): 429 with Retry-After."""

    status_code = 429

    def __init__(self, until: datetime) -> None:
        self.retry_after = max(1, int((until - timezone.now()).total_seconds()) + 1)
        minutes = (self.retry_after + 59) // 60
        super().__init__(_("该地址登录失败次数过多，请 %(m)d 分钟后再试。") % {"m": minutes})


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
    must_change: bool = False,
) -> User:
    """创建用户: with no password (or `must_change`) the password must be changed on first login (R02)."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("账号“%(u)s”已存在。") % {"u": username}})
    user = User(
        username=username, display_name=display_name, phone=phone, organisation=organisation, email=email
    )
    if password is None:
        password = generate_initial_password()
        must_change = True
    elif validate:
        validate_password(password, user)
    user.must_change_password = must_change
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    audit.record(user, events.USER_CREATED, actor=actor, data={"username": username})
    return user


def generate_initial_password() -> str:
    """A random initial or reset password (R02/R06): 16 CSPRNG characters plus all four classes."""
    return secrets.token_urlsafe(12) + "aA1!"


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
    """撤销角色: the user loses the role's permissions on the next request (R10)."""
    user = assignment.user
    data = {"role": assignment.role, "assignment": assignment.pk}
    assignment.delete()
    audit.record(user, events.ROLE_REVOKED, actor=actor, data=data)


@transaction.atomic
def change_password(user: User, *, actor: Any, new_password: str) -> User:
    """修改密码: validated against the policy (R01); other sessions stop working with the old hash (R05)."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    # A token obtained with the old password must not outlive it (issue 11).
    tokens = revoke_tokens(user, actor=actor, reason="password_changed")
    audit.record(user, events.PASSWORD_CHANGED, actor=actor, data={"api_keys_revoked": tokens})
    return user


@transaction.atomic
def reset_password(user: User, *, actor: Any) -> str:
    """重置密码: a new random password, valid 72 hours and only to change it (R02); returns it once."""
    password = generate_initial_password()
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    ended = end_sessions(user)
    tokens = revoke_tokens(user, actor=actor, reason="password_reset")
    audit.record(
        user, events.PASSWORD_RESET, actor=actor, data={"sessions_ended": ended, "api_keys_revoked": tokens}
    )
    return password


@transaction.atomic
def disable_user(user: User, *, actor: Any, reason: str = "") -> User:
    """停用用户 (leaver): one action ends the account, its sessions and its API tokens (R06)."""
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        raise AccountError(_("不能停用自己的账号。"))
    user.is_active = False
    user.save(update_fields=["is_active"])
    tokens = revoke_tokens(user, actor=actor, reason="disabled")
    sessions = end_sessions(user)
    audit.record(
        user,
        events.USER_DISABLED,
        actor=actor,
        data={"reason": reason, "api_keys_revoked": tokens, "sessions_ended": sessions},
    )
    return user


@transaction.atomic
def enable_user(user: User, *, actor: Any) -> User:
    """启用用户: the account may log in again; the last-login clock restarts so R06 does not re-disable it."""
    user.is_active = True
    user.last_login = timezone.now()
    user.save(update_fields=["is_active", "last_login"])
    audit.record(user, events.USER_ENABLED, actor=actor)
    return user


@transaction.atomic
def end_user_sessions(user: User, *, actor: Any) -> int:
    """强制下线: the security admin ends every session of the user (R05) and revokes its API tokens, so the
    account is locked out of every channel until it logs in again with its password."""
    ended = end_sessions(user)
    tokens = revoke_tokens(user, actor=actor, reason="ended_by_security_admin")
    audit.record(
        user, events.SESSIONS_ENDED, actor=actor, data={"sessions_ended": ended, "api_keys_revoked": tokens}
    )
    return ended


def stale_users(now: datetime | None = None) -> list[User]:
    """Active accounts unused (no login, no API call) for 90 days, counting from creation if never used."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    # Unrestricted: a system job over every account, not a user's view.
    return list(
        User.objects.unrestricted("job: every account")
        .filter(is_active=True)
        .annotate(last_token_use=Max("api_tokens__last_used_at"))
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .filter(Q(last_token_use__isnull=True) | Q(last_token_use__lt=cutoff))
        .order_by("username")
    )


@dataclass
class StaleResult:
    disabled: list[User]
    kept: list[tuple[User, str]]


@transaction.atomic
def disable_stale_accounts(*, actor: Any = None, now: datetime | None = None) -> StaleResult:
    """停用长期未使用账号 (R06). The last active system admin is kept, or nobody could re-enable anyone."""
    result = StaleResult([], [])
    admins_left = (
        User.objects.unrestricted("job: every account")
        .filter(is_active=True, role_assignments__role=Role.SYSTEM_ADMIN)
        .distinct()
        .count()
    )
    for user in stale_users(now):
        is_system_admin = user.role_assignments.filter(role=Role.SYSTEM_ADMIN).exists()
        if is_system_admin and admins_left <= 1:
            result.kept.append((user, str(_("最后一个可用的系统管理员账号"))))
            continue
        disable_user(user, actor=actor, reason="stale")
        admins_left -= int(is_system_admin)
        result.disabled.append(user)
    return result


def end_sessions(user: User) -> int:
    """Delete the user's server-side sessions; returns how many were ended."""
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
    """创建 API 令牌: returns the token row and the plain key (shown once, never stored).

    Only the roles of `roles.API_TOKEN_ROLES` hold tokens (系统对接); a leader, an expert or one of the 三员 is
    refused (403). Every token expires: by default after `settings.API_TOKEN_LIFETIME` (30 days), never later
    than `settings.API_TOKEN_MAX_LIFETIME`. One token per client name: asking again under the same name
    rotates it (the old key stops working), so a client that logs in on every run does not pile up keys."""
    if not user.may_hold_api_tokens:
        raise NotPermitted(
            _("您的角色不使用 API 令牌：令牌用于部门、乡镇（街道）、企业和区安委办的系统对接。")
        )
    now = timezone.now()
    latest = now + settings.API_TOKEN_MAX_LIFETIME
    expires_at = min(expires_at or now + settings.API_TOKEN_LIFETIME, latest)
    for old in user.api_tokens.filter(name=name):
        revoke_token(old, actor=actor, reason="rotated")
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user, key_hash=ApiToken.hash(key), prefix=key[:8], name=name, expires_at=expires_at
    )
    audit.record(
        token,
        events.TOKEN_CREATED,
        actor=actor,
        data={
            "user": user.username,
            "prefix": token.prefix,
            "name": name,
            "expires_at": expires_at.isoformat(),
        },
    )
    return token, key


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: Any, reason: str = "") -> None:
    """撤销 API 令牌: the key stops working at once."""
    audit.record(token, events.TOKEN_REVOKED, actor=actor, data={"prefix": token.prefix, "reason": reason})
    token.delete()


def revoke_tokens(user: User, *, actor: Any, reason: str) -> int:
    """Revoke every API token of `user` (password change, reset, disable, 强制下线); returns how many."""
    n = 0
    for token in user.api_tokens.all():
        revoke_token(token, actor=actor, reason=reason)
        n += 1
    return n


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
    ip = client_ip(request) if request is not None else None
    username = (username or "").strip()
    blocked = address_blocked_until(ip) if ip else None
    if blocked:
        # Refused before the password is tried and not counted against the account: an address spraying
        # passwords can neither guess on nor lock more accounts (issue 11 #7).
        with transaction.atomic():
            audit.record(
                None,
                events.USER_LOGIN_FAILED,
                data={"username": username, "reason": "address_blocked"},
                outcome="failure",
                object_type="accounts.user",
                object_id="",
                object_repr=username,
            )
        raise AddressThrottled(blocked)
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
    if settings.PRODUCTION and password == settings.DEMO_PASSWORD:
        # Issue 11 #5: the demo password is public; in production no account logs in with it.
        user = None
    else:
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
    if initial_password_expired(user):
        with transaction.atomic():
            audit.record(
                user,
                events.USER_LOGIN_FAILED,
                data={"username": username, "reason": "initial_password_expired"},
                outcome="failure",
            )
        raise AccountError(_("初始密码已超过 72 小时有效期，请联系系统管理员重置密码。"))
    from .two_factor import enrolled  # two_factor builds on this module

    with transaction.atomic():
        LoginFailure.objects.filter(username=username, cleared=False).update(cleared=True)
        if enrolled(user):
            # R04: the password alone logs nobody in; `two_factor.complete_login` records the login.
            audit.record(user, events.PASSWORD_ACCEPTED, actor=user)
        else:
            audit.record(user, events.USER_LOGGED_IN, actor=user)
    return user  # type: ignore[return-value]


def address_blocked_until(ip: str, now: datetime | None = None) -> datetime | None:
    """When the address may try again, or None: LOGIN_ADDRESS_FAILURE_LIMIT failures over any usernames within
    LOGIN_FAILURE_WINDOW block it until the oldest of them leaves the window (issue 11 #7)."""
    now = now or timezone.now()
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    recent = list(
        LoginFailure.objects.filter(ip=ip, cleared=False, at__gt=now - settings.LOGIN_FAILURE_WINDOW)
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    return recent[-1] + settings.LOGIN_FAILURE_WINDOW


@transaction.atomic
def unblock_address(ip: str, *, actor: Any) -> int:
    """解除地址限制: clear the failures counted against a source address (`zhiben unlock --address`)."""
    n = LoginFailure.objects.filter(ip=ip, cleared=False).update(cleared=True)
    audit.record(
        None,
        events.USER_UNLOCKED,
        actor=actor,
        data={"address": ip, "failures_cleared": n},
        object_type="accounts.user",
        object_repr=ip,
    )
    return n


@dataclass
class Lockout:
    username: str
    until: datetime
    failures: int


def current_lockouts(now: datetime | None = None) -> list[Lockout]:
    """Usernames locked right now, with the time each lock ends (R03)."""
    now = now or timezone.now()
    since = now - settings.LOGIN_LOCKOUT - settings.LOGIN_FAILURE_WINDOW
    # Unrestricted: called by the lockout page after it checked the security admin's view permission.
    counts = dict(
        LoginFailure.objects.unrestricted("the caller checked view permission")
        .filter(cleared=False, at__gt=since)
        .values_list("username")
        .annotate(n=Count("pk"))
        .values_list("username", "n")
    )
    result = []
    for username, n in sorted(counts.items()):
        if n < settings.LOGIN_FAILURE_LIMIT:
            continue
        until = locked_until(username, now)
        if until is not None:
            result.append(Lockout(username, until, n))
    return result


@transaction.atomic
def unlock_user(username: str, *, actor: Any) -> int:
    """账号解锁: the security admin lifts a lockout (R03)."""
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


@transaction.atomic
def bootstrap_system_admin(*, username: str) -> tuple[User, str]:
    """首个系统管理员: on an empty installation, one admin with a random one-time password (R06).

    Refused once any system administrator exists: later admins are created by that administrator.
    """
    if RoleAssignment.objects.filter(role=Role.SYSTEM_ADMIN).exists():
        raise AccountError(_("已存在系统管理员，不能再次初始化；请由现有系统管理员创建账号。"))
    password = secrets.token_urlsafe(12) + "aA1!"
    user = create_user(
        actor=None, username=username, password=password, display_name=_("系统管理员"), validate=False
    )
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    assign_role(user, actor=None, role=Role.SYSTEM_ADMIN)
    return user, password
