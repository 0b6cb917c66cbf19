"""Two-factor authentication (R04): time-based one-time passwords (RFC 6238) and recovery codes.

A code has 6 digits and a 30-second step; the secret is 160 bits from a CSPRNG and stored SM4-encrypted. A code
is accepted for the current step or one step either side (clock drift), only once (the last accepted step is
remembered), and after `OTP_FAILURE_LIMIT` wrong codes within `settings.LOGIN_FAILURE_WINDOW` the user is refused
until the oldest failure leaves the window. Ten single-use recovery codes replace a lost authenticator; only
their keyed SM3 digests are stored. Every change and every wrong code is audited.

Required (when `settings.ZHIBEN_REQUIRE_2FA` is on) for the three admins and 区安委办 (`REQUIRED_ROLES`).
"""

from __future__ import annotations

import base64
import secrets
import time
from datetime import datetime
from io import BytesIO
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.crypto import constant_time_equal, hmac_sm3

from . import events
from .errors import AccountError
from .models import OtpFailure, RecoveryCode, TwoFactor, User
from .roles import ADMIN_ROLES, Role

DIGITS = 6
STEP = 30  # seconds
DRIFT = 1  # steps accepted either side of now
RECOVERY_CODES = 10
OTP_FAILURE_LIMIT = 5
ISSUER = "治本"
REQUIRED_ROLES = frozenset({*ADMIN_ROLES, Role.DISTRICT_OFFICE})
_RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


class OtpThrottled(AccountError):
    """Too many wrong codes: 429 until the window passes."""

    status_code = 429

    def __init__(self, until: datetime) -> None:
        self.retry_after = max(1, int((until - timezone.now()).total_seconds()) + 1)
        minutes = (self.retry_after + 59) // 60
        super().__init__(_("动态口令错误次数过多，请 %(m)d 分钟后再试。") % {"m": minutes}, field="code")


def enrolled(user: Any) -> bool:
    """Whether the user has confirmed 2FA (the login then asks for a code)."""
    if not getattr(user, "pk", None):
        return False
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def required(user: Any) -> bool:
    """Whether the user's roles require 2FA and the setting enforces it."""
    if not settings.ZHIBEN_REQUIRE_2FA:
        return False
    return user.role_assignments.filter(role__in=REQUIRED_ROLES).exists()  # type: ignore[no-any-return]


def must_enrol(user: Any) -> bool:
    """A user who must enrol before doing anything else."""
    return required(user) and not enrolled(user)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP, issuer=ISSUER)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP)


def code_at(secret: str, step: int) -> str:
    """The code of a time step (tests and the authenticator compute the same)."""
    return _totp(secret).generate_otp(step)


def provisioning_uri(user: User, secret: str) -> str:
    return _totp(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """The enrolment QR code as an inline SVG data URI (rendered here, no third-party service sees the secret)."""
    out = BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


@transaction.atomic
def start_enrolment(user: User) -> TwoFactor:
    """A pending enrolment with a fresh secret (an existing pending one is kept so a reload shows the same)."""
    existing = TwoFactor.objects.filter(user=user).first()
    if existing is not None and existing.confirmed_at is not None:
        raise AccountError(_("已启用双因素认证。"))
    if existing is not None:
        return existing
    return TwoFactor.objects.create(user=user, secret=pyotp.random_base32(32))


def _recovery_hash(code: str) -> str:
    normalised = code.replace("-", "").replace(" ", "").upper()
    return hmac_sm3(settings.SECRET_KEY.encode(), b"recovery:" + normalised.encode()).hex()


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _i in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _j in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        RecoveryCode.objects.create(user=user, code_hash=_recovery_hash(code))
        codes.append(code)
    return codes


@transaction.atomic
def confirm_enrolment(user: User, code: str) -> list[str]:
    """Confirm the pending enrolment with one code; returns the recovery codes (shown once)."""
    device = TwoFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise AccountError(_("没有待确认的双因素认证，请刷新页面重新开始。"), field="code")
    step = _match_step(device, code)
    if step is None:
        raise AccountError(_("动态口令不正确，请核对手机时间后重试。"), field="code")
    device.confirmed_at = timezone.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    codes = _new_recovery_codes(user)
    audit.record(user, events.TWO_FACTOR_ENABLED, actor=user, data={"recovery_codes": len(codes)})
    return codes


def _match_step(device: TwoFactor, code: str) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = current_step()
    for step in range(now - DRIFT, now + DRIFT + 1):
        if step > device.last_step and constant_time_equal(
            code_at(device.secret, step).encode(), code.encode()
        ):
            return step
    return None


def throttled_until(user: User, now: datetime | None = None) -> datetime | None:
    now = now or timezone.now()
    window = settings.LOGIN_FAILURE_WINDOW
    recent = list(
        OtpFailure.objects.filter(user=user, at__gt=now - window)
        .order_by("-at")
        .values_list("at", flat=True)[:OTP_FAILURE_LIMIT]
    )
    if len(recent) < OTP_FAILURE_LIMIT:
        return None
    return recent[-1] + window


def verify(user: User, code: str, *, channel: str = "login") -> str:
    """Check a login's second factor: a current code or an unused recovery code. Returns "totp" or
    "recovery"; raises OtpThrottled or AccountError (a wrong code is counted and audited)."""
    until = throttled_until(user)
    if until is not None:
        with transaction.atomic():
            audit.record(
                user, events.TWO_FACTOR_FAILED, actor=user, data={"channel": channel, "reason": "throttled"}
            )
        raise OtpThrottled(until)
    with transaction.atomic():
        device = TwoFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        if device is None:
            return "none"
        step = _match_step(device, code)
        if step is not None:
            device.last_step = step
            device.save(update_fields=["last_step"])
            OtpFailure.objects.filter(user=user).delete()
            return "totp"
        used = (
            RecoveryCode.objects.filter(user=user, code_hash=_recovery_hash(code or ""), used_at__isnull=True)
            .select_for_update()
            .first()
        )
        if used is not None:
            used.used_at = timezone.now()
            used.save(update_fields=["used_at"])
            OtpFailure.objects.filter(user=user).delete()
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            audit.record(user, events.RECOVERY_CODE_USED, actor=user, data={"channel": channel, "left": left})
            return "recovery"
    with transaction.atomic():
        OtpFailure.objects.create(user=user)
        audit.record(user, events.TWO_FACTOR_FAILED, actor=user, data={"channel": channel}, outcome="failure")
    raise AccountError(_("动态口令或恢复码不正确。"), field="code")


def complete_login(user: User, code: str, *, channel: str = "login") -> str:
    """The second step of a login (page or token): verify the code, then record the login."""
    method = verify(user, code, channel=channel)
    with transaction.atomic():
        audit.record(
            user, events.USER_LOGGED_IN, actor=user, data={"second_factor": method, "channel": channel}
        )
    return method


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def disable(user: User, code: str) -> None:
    """The user turns 2FA off, proving it with a current code or a recovery code. Not atomic around `verify`:
    a wrong code stays counted."""
    if verify(user, code, channel="disable") == "none":
        raise AccountError(_("尚未启用双因素认证。"))
    with transaction.atomic():
        _remove(user)
        audit.record(user, events.TWO_FACTOR_DISABLED, actor=user, data={"by": "self"})


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), proven with a current code."""
    if verify(user, code, channel="recovery_codes") == "none":
        raise AccountError(_("尚未启用双因素认证。"))
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(user, events.RECOVERY_CODES_RENEWED, actor=user, data={"recovery_codes": len(codes)})
    return codes


@transaction.atomic
def reset(user: User, *, actor: Any) -> bool:
    """重置双因素认证 (安全管理员, audited): the user enrols again at the next login. Returns whether it was set."""
    had = TwoFactor.objects.filter(user=user).exists()
    _remove(user)
    audit.record(user, events.TWO_FACTOR_RESET, actor=actor, data={"was_enrolled": had})
    return had


def _remove(user: User) -> None:
    TwoFactor.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    OtpFailure.objects.filter(user=user).delete()
