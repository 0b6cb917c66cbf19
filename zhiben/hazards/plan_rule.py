"""What a 治理方案 needs (五落实): the one declaration read by the service's check (services.submit_plan), the
plan form's required marks (forms.PlanForm, given the hazard) and the step's help on the page and in OpenAPI.

Every plan names its 措施、责任人 and 时限; a 重大事故隐患 also needs 资金、应急预案 and the 整改期间安全防范措施
(the 重大事故隐患治理方案 of 《安全生产事故隐患排查治理暂行规定》第十五条)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .choices import Level

ALWAYS: dict[str, Any] = {
    "measures": _("请填写整改措施。"),
    "responsible": _("请填写整改责任人。"),
    "plan_deadline": _("请填写整改时限。"),
}
MAJOR: dict[str, Any] = {
    "funds": _("重大事故隐患须落实整改资金。"),
    "contingency": _("重大事故隐患须落实应急预案。"),
    "interim_measures": _("重大事故隐患须填写整改期间的安全防范措施。"),
}
MAJOR_LABELS = (_("整改资金"), _("应急预案"), _("整改期间安全防范措施"))


def required_fields(level: str) -> dict[str, Any]:
    """The plan's required fields for a hazard of `level`, each with the message when it is left out."""
    return {**ALWAYS, **MAJOR} if level == Level.MAJOR else dict(ALWAYS)


def missing(level: str, values: dict[str, Any]) -> dict[str, Any]:
    """The required fields of `values` left empty (None, blank text), with their messages: all at once."""
    return {name: msg for name, msg in required_fields(level).items() if _empty(values.get(name))}


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, Decimal) and value.is_nan()


def help_text() -> str:
    """The PLAN step's help (page and OpenAPI description), from the same declaration."""
    return str(_("一般事故隐患须填写整改措施、责任人和时限；重大事故隐患须落实“五落实”，另须填写%(f)s。")) % {
        "f": "、".join(str(x) for x in MAJOR_LABELS)
    }
