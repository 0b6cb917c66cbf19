"""The steps of an identity request (身份查看申请) on the loop kit: 申请 → the custodian 批准 (for a limited time)
or 不予批准. No history table (history=None): the audit log is the record of each step, and each view of the
identity is audited apart (services/vault.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register
from zhiben.core.loop import Flow, Step

from .choices import IdentityRequestStatus as S
from .forms import vault as vf
from .models import IdentityRequest

REQUEST = Step("request", _("申请查看举报人身份"), "add", target=S.REQUESTED, event="IDENTITY_REQUESTED")
APPROVE = Step(
    "approve",
    _("批准查看"),
    "decide",
    frozenset({S.REQUESTED}),
    S.APPROVED,
    "IDENTITY_REQUEST_APPROVED",
    vf.ApproveForm,
    style="primary",
    icon="unlock",
    help=_("批准后申请人可在有效期内查看举报人身份，每次查看均记入审计日志。"),
)
DENY = Step(
    "deny",
    _("不予批准"),
    "decide",
    frozenset({S.REQUESTED}),
    S.DENIED,
    "IDENTITY_REQUEST_DENIED",
    vf.DenyForm,
    style="outline-danger",
    icon="x-circle",
)
EXPIRE = Step(
    "expire", _("查看期限届满"), "decide", frozenset({S.APPROVED}), S.EXPIRED, "IDENTITY_REQUEST_EXPIRED"
)

FLOW = Flow(
    model=IdentityRequest,
    history=None,
    steps=(REQUEST, APPROVE, DENY, EXPIRE),
    denied=_("您无权审批举报人身份查看申请。"),
    out_of_scope=_("该举报未转交您办理。"),
    stale=_("该申请已被他人处理，请刷新后重试。"),
)

# Events of the vault that are not steps: each view of protected data (who, which tip, which field group; never
# the values), and each refusal to show it (R13, R22).
IDENTITY_VIEWED = register("IDENTITY_VIEWED", _("查看举报人身份"))
IDENTITY_VIEW_REFUSED = register("IDENTITY_VIEW_REFUSED", _("拒绝查看举报人身份"))
ORIGINAL_VIEWED = register("TIP_ORIGINAL_VIEWED", _("查看举报原件"))
