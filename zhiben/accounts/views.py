"""Account pages: login, password change, my account, and the separated screens of the three admins (三员).

系统管理员 manages users, roles and the working-day calendar; 安全管理员 lifts lockouts and ends sessions;
审计管理员 reads and verifies the audit log. Each screen checks its own permission (R11).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_http_methods, require_POST

from zhiben.core import audit
from zhiben.core import calendar as work_calendar
from zhiben.core import events as core_events
from zhiben.core.loop.web import run_form, run_service
from zhiben.core.models import AuditEntry, CalendarYear, WorkdayOverride
from zhiben.core.scoping import can
from zhiben.core.views import Column, ObjectDetailView, ObjectListView, ScopedViewMixin

from . import events, services, two_factor
from .filtersets import AuditFilterSet, UserFilterSet
from .forms import (
    CalendarYearForm,
    LoginForm,
    OtpForm,
    PasswordChangeForm,
    TokenCreateForm,
    UserCreateForm,
    WorkdayOverrideForm,
)
from .middleware import start_session_clock
from .models import LoginFailure, RoleAssignment, User
from .passwords import change_required_reason
from .roles import Role
from .services import login_user


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return default
    return target


# ---------------------------------------------------------------- login, logout, password


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        # Not atomic: a refused login keeps the failure it counted (the lockout, R03).
        user, status = run_form(
            request,
            form,
            lambda: login_user(request, form.cleaned_data["username"], form.cleaned_data["password"]),
            atomic=False,
        )
        if status == 200:
            if two_factor.enrolled(user):
                # R04: the password alone opens no session; the second step asks for the code.
                request.session.cycle_key()
                request.session[_PENDING] = {"user": user.pk, "at": time.time()}
                query = urlencode({"next": _safe_next(request)})
                return redirect(f"{reverse('accounts:login_otp')}?{query}")
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            start_session_clock(request)
            return redirect(_safe_next(request))
    context = {
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "expired": request.GET.get("expired") == "1",
        "title": _("登录"),
    }
    return render(request, "accounts/login.html", context, status=status)


_PENDING = "zhiben_2fa_pending"
_PENDING_FOR = 300  # seconds between the password and the code


@require_http_methods(["GET", "POST"])
def login_otp_view(request: HttpRequest) -> HttpResponse:
    """登录第二步 (R04): the dynamic password (or a recovery code) of a user whose password was accepted."""
    pending = request.session.get(_PENDING)
    user = None
    if pending and time.time() - pending.get("at", 0) <= _PENDING_FOR:
        user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None:
        request.session.pop(_PENDING, None)
        return redirect("accounts:login")
    form = OtpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        # Not atomic: a wrong code stays counted (the throttle) and audited.
        _method, status = run_form(
            request, form, lambda: two_factor.complete_login(user, form.cleaned_data["code"]), atomic=False
        )
        if status == 200:
            request.session.pop(_PENDING, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            start_session_clock(request)
            if _method == "recovery":
                messages.warning(
                    request,
                    _("您使用了恢复码登录，还剩 %(n)d 个；如手机丢失，请在“我的账号”中重新设置双因素认证。")
                    % {"n": two_factor.recovery_codes_left(user)},
                )
            return redirect(_safe_next(request))
    context = {
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "title": _("动态口令验证"),
    }
    return render(request, "accounts/login_otp.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record(request.user, events.USER_LOGGED_OUT, actor=request.user)
    logout(request)
    response = redirect("accounts:login")
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        _done, status = run_form(
            request,
            form,
            lambda: services.change_password(
                request.user, actor=request.user, new_password=form.cleaned_data["new_password1"]
            ),
            field="new_password1",  # the password rules' refusals name no field
        )
        if status == 200:
            # The session survives under the new hash; every other session of the user ends (R05).
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect(_safe_next(request, reverse("accounts:profile")))
    context = {
        "form": form,
        "reason": change_required_reason(request.user),
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "title": _("修改密码"),
    }
    return render(request, "accounts/password_change.html", context, status=status)


# ---------------------------------------------------------------- my account


class ProfileView(LoginRequiredMixin, View):
    """我的账号: name, roles, password, API tokens (each key shown once), inbox."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(request, TokenCreateForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.may_hold_api_tokens:
            raise PermissionDenied(_("您的角色不使用 API 令牌。"))
        form = TokenCreateForm(request.POST)
        if not form.is_valid():
            return self.render(request, form, status=400)
        expires = timezone.now() + dt.timedelta(days=int(form.cleaned_data["lifetime"]))
        token, key = services.create_token(
            request.user, actor=request.user, name=form.cleaned_data["name"], expires_at=expires
        )
        # The key is in this response only: never stored, never put in the session or a message.
        return self.render(request, TokenCreateForm(), new_key=key, new_token=token)

    def render(
        self, request: HttpRequest, form: TokenCreateForm, status: int = 200, **extra: Any
    ) -> HttpResponse:
        user = request.user
        context = {
            "title": _("我的账号"),
            "account": user,
            "assignments": user.role_assignments.select_related("department", "enterprise"),
            "tokens": user.api_tokens.order_by("-created_at"),
            "token_form": form,
            "may_hold_tokens": user.may_hold_api_tokens,
            "password_reason": change_required_reason(user),
            "two_factor_enrolled": two_factor.enrolled(user),
            "two_factor_required": two_factor.required(user),
            **extra,
        }
        return render(request, "accounts/profile.html", context, status=status)


class TwoFactorView(LoginRequiredMixin, View):
    """双因素认证 on 我的账号 (R04): enrol (secret as text and QR code, confirmed with one code), then ten
    recovery codes shown once; disable or renew the recovery codes with a current code."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action", "")
        form = OtpForm(request.POST)
        user = request.user
        calls = {
            "confirm": lambda: two_factor.confirm_enrolment(user, form.cleaned_data["code"]),
            "disable": lambda: two_factor.disable(user, form.cleaned_data["code"]),
            "recovery": lambda: two_factor.regenerate_recovery_codes(user, form.cleaned_data["code"]),
        }
        if action not in calls:
            return self.render(request, form, status=400)
        # Not atomic: a wrong code stays counted (the throttle) and audited.
        result, status = run_form(request, form, calls[action], atomic=False)
        if status != 200:
            return self.render(request, form, status=status)
        if action == "disable":
            messages.success(request, _("已停用双因素认证。"))
            return redirect("accounts:profile")
        return self.render(request, OtpForm(), recovery_codes=result)

    def render(
        self, request: HttpRequest, form: OtpForm | None = None, status: int = 200, **extra: Any
    ) -> HttpResponse:
        user = request.user
        context: dict[str, Any] = {
            "title": _("双因素认证"),
            "account": user,
            "form": form or OtpForm(),
            "enrolled": two_factor.enrolled(user),
            "required": two_factor.required(user),
            "next": _safe_next(request, ""),
            **extra,
        }
        if context["enrolled"]:
            context["codes_left"] = two_factor.recovery_codes_left(user)
        else:
            device = two_factor.start_enrolment(user)
            uri = two_factor.provisioning_uri(user, device.secret)
            context["secret"] = " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4))
            context["qr"] = two_factor.qr_svg_data_uri(uri)
        return render(request, "accounts/two_factor.html", context, status=status)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    # A user's own tokens only: someone else's token id is simply not found.
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    services.revoke_token(token, actor=request.user)
    messages.success(request, _("令牌 %(p)s… 已撤销。") % {"p": token.prefix})
    return redirect("accounts:profile")


# ---------------------------------------------------------------- users (系统管理员; 安全管理员 reads)


class UserListView(ObjectListView):
    model = User
    filterset_class = UserFilterSet
    title = gettext_lazy("用户与角色")
    default_sort = "username"
    create_url_name = "accounts:user_create"
    columns = [
        Column("username", gettext_lazy("账号"), sort="username", link=True),
        Column("display_name", gettext_lazy("姓名"), sort="display_name"),
        Column("organisation", gettext_lazy("单位"), sort="organisation"),
        Column("role_names", gettext_lazy("角色")),
        Column("is_active", gettext_lazy("启用"), sort="is_active"),
        Column("last_login", gettext_lazy("最近登录"), sort="last_login"),
    ]

    def get_base_queryset(self) -> Any:
        return User.objects.prefetch_related(
            Prefetch("role_assignments", RoleAssignment.objects.select_related("department", "enterprise"))
        )


class UserDetailView(ObjectDetailView):
    model = User
    template_name = "accounts/user_detail.html"

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        user = request.user
        return {
            "account": obj,
            "assignments": obj.role_assignments.select_related("department", "enterprise").order_by("pk"),
            "tokens": obj.api_tokens.order_by("-created_at"),
            "locked_until": services.locked_until(obj.username),
            "can_assign": can(user, "add", RoleAssignment),
            "can_revoke": can(user, "delete", RoleAssignment),
            "can_unlock": can(user, "unlock", User),
            "can_end_sessions": can(user, "end_sessions", User),
            "can_reset_2fa": can(user, "reset_2fa", User),
            "two_factor_enrolled": two_factor.enrolled(obj),
            "is_self": obj.pk == user.pk,
        }


class UserCreateView(ScopedViewMixin, View):
    """新建用户: a random initial password is shown once and must be changed at first login (R02/R06)."""

    model = User
    action = "add"

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        return self.render(request, UserCreateForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = UserCreateForm(request.POST)
        password = services.generate_initial_password()
        account, status = run_form(
            request,
            form,
            lambda: services.create_user(
                actor=request.user, password=password, validate=False, must_change=True, **form.cleaned_data
            ),
        )
        if status == 200:
            return render(
                request,
                "accounts/password_issued.html",
                {"title": _("用户已创建"), "account": account, "password": password},
            )
        return self.render(request, form, status=status)

    def render(self, request: HttpRequest, form: UserCreateForm, status: int = 200) -> HttpResponse:
        return render(
            request,
            "accounts/form.html",
            {
                "form": form,
                "title": _("新建用户"),
                "intro": _("系统将生成随机初始密码，仅显示一次；用户首次登录须修改密码，72 小时内有效。"),
                "submit": _("创建"),
                "cancel_url": reverse("accounts:user_list"),
            },
            status=status,
        )


def role_assign_form(*args: Any) -> forms.Form:
    """The role-and-scope form; the registry provides it (settings.ZHIBEN_ROLE_ASSIGN_FORM): a scope is one of
    its townships, departments or units, and accounts does not import the registry."""
    return import_string(settings.ZHIBEN_ROLE_ASSIGN_FORM)(*args)  # type: ignore[no-any-return]


class UserAssignRoleView(ScopedViewMixin, View):
    """分配角色 with its scope; 三员分立 and missing scopes come back as field errors (R11)."""

    model = RoleAssignment
    action = "add"

    def account(self, request: HttpRequest, pk: int) -> User:
        return get_object_or_404(User.objects.restrict(request.user, "change"), pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        return self.render(request, self.account(request, pk), role_assign_form())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        account = self.account(request, pk)
        form = role_assign_form(request.POST)

        def call() -> RoleAssignment:
            data = form.cleaned_data
            return services.assign_role(
                account,
                actor=request.user,
                role=data["role"],
                region_code=data["region_code"] or "",
                department=data["department"],
                enterprise=data["enterprise"],
            )

        _done, status = run_form(request, form, call)
        if status == 200:
            messages.success(request, _("角色已分配。"))
            return redirect(account.get_absolute_url())
        return self.render(request, account, form, status=status)

    def render(
        self, request: HttpRequest, account: User, form: forms.Form, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "accounts/form.html",
            {
                "form": form,
                "title": _("为 %(u)s 分配角色") % {"u": account},
                "intro": _(
                    "监管部门须选部门，乡镇（街道）须选辖区，生产经营单位须选单位；"
                    "系统、安全、审计管理员三员分立，不得与其他角色兼任。"
                ),
                "submit": _("分配"),
                "cancel_url": account.get_absolute_url(),
            },
            status=status,
        )


class UserRevokeRoleView(ScopedViewMixin, View):
    model = RoleAssignment
    action = "delete"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        assignment = self.get_object(request, pk)
        account = assignment.user
        services.revoke_role(assignment, actor=request.user)
        messages.success(request, _("已撤销角色：%(r)s") % {"r": assignment.get_role_display()})
        return redirect(account.get_absolute_url())


class UserActionView(ScopedViewMixin, View):
    """A one-button action on a user: GET asks for confirmation, POST calls the service through
    `core.loop.web.run_service` (a refusal comes back as a message on the user's page)."""

    model = User
    action = "change"
    title: Any = ""
    question: Any = ""
    button: Any = ""
    danger = True

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        account = self.get_object(request, pk)
        return render(
            request,
            "accounts/confirm.html",
            {
                "title": self.title,
                "account": account,
                "question": self.question,
                "button": self.button,
                "danger": self.danger,
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        account = self.get_object(request, pk)
        response, _status = run_service(request, None, lambda: self.perform(request, account))
        return response or redirect(account.get_absolute_url())

    def perform(self, request: HttpRequest, account: User) -> HttpResponse | None:  # pragma: no cover
        raise NotImplementedError


class UserDisableView(UserActionView):
    title = gettext_lazy("停用用户")
    question = gettext_lazy("停用后该用户无法登录，其全部会话和 API 令牌立即失效。")
    button = gettext_lazy("停用")

    def perform(self, request: HttpRequest, account: User) -> None:
        services.disable_user(account, actor=request.user, reason="manual")
        messages.success(request, _("用户 %(u)s 已停用。") % {"u": account.username})


class UserEnableView(UserActionView):
    title = gettext_lazy("启用用户")
    question = gettext_lazy("启用后该用户可以重新登录。")
    button = gettext_lazy("启用")
    danger = False

    def perform(self, request: HttpRequest, account: User) -> None:
        services.enable_user(account, actor=request.user)
        messages.success(request, _("用户 %(u)s 已启用。") % {"u": account.username})


class UserResetPasswordView(UserActionView):
    title = gettext_lazy("重置密码")
    question = gettext_lazy("将生成新的随机密码（仅显示一次，72 小时内有效），并结束该用户的全部会话。")
    button = gettext_lazy("重置密码")

    def perform(self, request: HttpRequest, account: User) -> HttpResponse:
        password = services.reset_password(account, actor=request.user)
        return render(
            request,
            "accounts/password_issued.html",
            {"title": _("密码已重置"), "account": account, "password": password},
        )


class UserEndSessionsView(UserActionView):
    """强制下线 (安全管理员, R05): sessions end and API tokens are revoked (issue 11)."""

    action = "end_sessions"
    title = gettext_lazy("强制下线")
    question = gettext_lazy("将立即结束该用户的全部登录会话，并撤销其全部 API 令牌；用户须重新用密码登录。")
    button = gettext_lazy("强制下线")

    def perform(self, request: HttpRequest, account: User) -> None:
        n = services.end_user_sessions(account, actor=request.user)
        messages.success(request, _("已结束 %(n)d 个会话。") % {"n": n})


class UserTwoFactorResetView(UserActionView):
    """重置双因素认证 (安全管理员, R04): for a lost phone, after the person's identity is checked; audited."""

    action = "reset_2fa"
    title = gettext_lazy("重置双因素认证")
    question = gettext_lazy(
        "请先核实本人身份。重置后该用户的动态口令密钥和恢复码全部作废，其全部会话结束、API 令牌撤销；"
        "下次登录只需密码，管理员和区安委办须立即重新设置。"
    )
    button = gettext_lazy("重置")

    def perform(self, request: HttpRequest, account: User) -> None:
        two_factor.reset(account, actor=request.user)
        services.end_user_sessions(account, actor=request.user)
        messages.success(request, _("已重置 %(u)s 的双因素认证。") % {"u": account})


# ---------------------------------------------------------------- lockouts (安全管理员)


class LockoutListView(ScopedViewMixin, View):
    """账号锁定: usernames locked right now by R03, with the time each lock ends."""

    model = LoginFailure

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        return render(
            request,
            "accounts/lockout_list.html",
            {
                "title": _("账号锁定"),
                "lockouts": services.current_lockouts(),
                "can_unlock": can(request.user, "unlock", User),
                "recent_failures": self.scoped_queryset(request).order_by("-at")[:50],
            },
        )


class LockoutUnlockView(ScopedViewMixin, View):
    model = User
    action = "unlock"

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        username = (request.POST.get("username") or "").strip()
        if not username:
            messages.error(request, _("请指定要解锁的账号。"))
        else:
            services.unlock_user(username, actor=request.user)
            messages.success(request, _("账号 %(u)s 已解锁。") % {"u": username})
        return redirect(_safe_next(request, reverse("accounts:lockout_list")))


# ---------------------------------------------------------------- audit log (审计管理员)


class EventColumn(Column):
    """The event code shown with its registered Chinese label."""

    def value(self, obj: Any) -> Any:
        return core_events.label(obj.event)


def _actor(entry: AuditEntry) -> str:
    """The person's name and unit; 系统 for the platform itself; the stored login only for a deleted account."""
    if entry.actor is not None:
        return entry.actor.name_and_unit
    return str(_("系统")) if entry.actor_name in ("", "system") else entry.actor_name


def _role_names(codes: str) -> str:
    """The stored role codes of an audit row ("district_office,leader") as the roles' names."""
    labels = dict(Role.choices)
    return "、".join(str(labels.get(c, c)) for c in codes.split(",") if c) or "—"


class AuditListView(ObjectListView):
    model = AuditEntry
    filterset_class = AuditFilterSet
    template_name = "accounts/audit_list.html"
    title = gettext_lazy("审计日志")
    default_sort = "-seq"
    paginate_by = 100

    def get_base_queryset(self) -> Any:
        return AuditEntry.objects.select_related("actor")

    columns = [
        Column("seq", gettext_lazy("序号"), sort="seq", link=True),
        Column("at", gettext_lazy("时间"), sort="at"),
        Column("actor_name", gettext_lazy("操作人"), sort="actor_name", display=_actor),
        Column("actor_roles", gettext_lazy("角色"), display=lambda e: _role_names(e.actor_roles)),
        EventColumn("event", gettext_lazy("事件"), sort="event"),
        Column(
            "object_type",
            gettext_lazy("对象类型"),
            sort="object_type",
            display=lambda e: audit.readable_object_type(e.object_type),
        ),
        Column("object_repr", gettext_lazy("对象")),
        Column(
            "outcome",
            gettext_lazy("结果"),
            sort="outcome",
            display=lambda e: audit.outcome_name(e.outcome),
        ),
        Column("ip", gettext_lazy("来源地址")),
    ]


class AuditDetailView(ObjectDetailView):
    model = AuditEntry
    template_name = "accounts/audit_detail.html"

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {
            "title": _("审计记录 #%(seq)d") % {"seq": obj.seq},
            "entry": obj,
            "event_label": core_events.label(obj.event),
            "object_type_label": audit.readable_object_type(obj.object_type),
            "role_names": _role_names(obj.actor_roles),
            "data_rows": audit.readable_data(obj.object_type, obj.data or {}),
            "data_json": json.dumps(obj.data, ensure_ascii=False, indent=2, sort_keys=True),
            "can_change": False,  # nobody edits audit rows (R11/R23)
        }


class AuditVerifyView(ScopedViewMixin, View):
    """校验审计链: walk the HMAC-SM3 chain and name the first broken row (R23)."""

    model = AuditEntry

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        report = audit.verify_chain()
        audit.record(
            None,
            events.AUDIT_CHAIN_VERIFIED,
            actor=request.user,
            object_type="core.auditentry",
            outcome="success" if report.intact else "failure",
            data={"checked": report.checked, "first_broken_seq": report.first_broken_seq},
        )
        broken = None
        if not report.intact:
            broken = AuditEntry.objects.restrict(request.user).filter(seq=report.first_broken_seq).first()
        return render(
            request,
            "accounts/audit_verify.html",
            {"title": _("审计链校验"), "report": report, "broken": broken},
        )


# ---------------------------------------------------------------- working-day calendar


class CalendarView(ScopedViewMixin, View):
    """工作日历: the overrides and the published years; the system admin edits them."""

    model = WorkdayOverride

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        return self.render(request)

    def render(self, request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
        user = request.user
        year = request.GET.get("year", "")
        overrides = WorkdayOverride.objects.restrict(user, "view").order_by("-date")
        if year.isdigit():
            overrides = overrides.filter(date__year=int(year))
        years = CalendarYear.objects.restrict(user).order_by("-year")
        can_edit = can(user, "add", WorkdayOverride)
        can_publish = can(user, "add", CalendarYear)
        context = {
            "title": _("工作日历"),
            "overrides": overrides,
            "years": years,
            "year": year,
            "can_edit": can_edit,
            "can_delete": can(user, "delete", WorkdayOverride),
            "can_publish": can_publish,
            "override_form": forms.get("override_form") or (WorkdayOverrideForm() if can_edit else None),
            "year_form": forms.get("year_form") or (CalendarYearForm() if can_publish else None),
        }
        return render(request, "accounts/calendar.html", context, status=status)


class CalendarOverrideView(CalendarView):
    """Add or change one day's override (the date is the key, so saving an existing date edits it)."""

    def get(self, request: HttpRequest, day: str | None = None) -> HttpResponse:
        self.check_action(request, "change" if day else "add")
        initial = {}
        if day:
            override = self.get_override(request, day)
            initial = {
                "date": override.date,
                "is_workday": "1" if override.is_workday else "0",
                "name": override.name,
            }
        return self.render(request, override_form=WorkdayOverrideForm(initial=initial))

    def post(self, request: HttpRequest, day: str | None = None) -> HttpResponse:
        self.check_action(request, "change" if day else "add")
        existing = self.get_override(request, day) if day else None
        form = WorkdayOverrideForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if day is None and self.scoped_queryset(request).filter(date=data["date"]).exists():
                self.check_action(request, "change")
            if existing is not None and data["date"] != existing.date:
                form.add_error("date", _("修改时不能更换日期；如需调整其他日期，请新增。"))
                return self.render(request, status=400, override_form=form)
            _done, status = run_service(
                request,
                form,
                lambda: work_calendar.set_workday_override(
                    data["date"], actor=request.user, is_workday=data["is_workday"], name=data["name"]
                ),
            )
            if status == 200:
                messages.success(request, _("%(d)s 的安排已保存。") % {"d": data["date"].isoformat()})
                return redirect("accounts:calendar")
            return self.render(request, status=status, override_form=form)
        return self.render(request, status=400, override_form=form)

    def get_override(self, request: HttpRequest, day: str) -> WorkdayOverride:
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            raise Http404
        return get_object_or_404(self.scoped_queryset(request, "change"), date=date)


class CalendarOverrideClearView(ScopedViewMixin, View):
    model = WorkdayOverride
    action = "delete"

    def post(self, request: HttpRequest, day: str) -> HttpResponse:
        self.check_action(request)
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            raise Http404
        override = get_object_or_404(self.scoped_queryset(request), date=date)
        work_calendar.clear_workday_override(override, actor=request.user)
        messages.success(request, _("已撤销 %(d)s 的调整。") % {"d": day})
        return redirect("accounts:calendar")


class CalendarYearPublishView(CalendarView):
    model = CalendarYear
    http_method_names = ["post"]  # publishing is a form on the calendar page

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request, "add")
        form = CalendarYearForm(request.POST)
        _done, status = run_form(
            request,
            form,
            lambda: work_calendar.publish_calendar_year(
                form.cleaned_data["year"], actor=request.user, source=form.cleaned_data["source"]
            ),
        )
        if status == 200:
            messages.success(request, _("%(y)d 年已发布。") % {"y": form.cleaned_data["year"]})
            return redirect("accounts:calendar")
        return self.render(request, status=status, year_form=form)
