"""举报统计 (statistics of the whistleblower channel): read-only figures over the tips a user may see.

`figures(user, filters, today)` answers the page and its Excel export, so they agree by construction; every
condition it counts with is an indicator's (`indicators.py`: the same `Q` objects, annotated once per tip).
Nothing here reads or shows a reporter's identity or the original text: only the tips' categories, places,
deadlines, dates and outcomes, and the rewards' amounts.

口径 (DEFINITIONS below, written on the page):
  scope       the tips the user may see (`Tip.objects.restrict(user)`): the office, the custodian and leaders
              every tip; a department or township only the tips transferred (转办) to it. Merged tips are not
              counted (their content lives on in the tip they were merged into).
  period      a tip counts in the period in which it was received (Beijing time); a reward in the period in
              which it was approved (审批通过).
  township    the township the tip was transferred to, else the township of the place reported.
  industry    the tip's industry (set at 受理), else the reported unit's primary industry; shown at its top level.
  department  the department the tip was transferred to (未转办 when none yet).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils.translation import gettext as _

from zhiben.accounts.roles import Role
from zhiben.core.calendar import quarter_label
from zhiben.core.scoping import grants_for
from zhiben.hazards.stats import Ratio
from zhiben.registry.models import Department, Industry, Region

from . import indicators as ind
from .choices import Category, RewardStatus, TipStatus
from .models import Tip

FIRST_YEAR = 2024
NO_INDUSTRY = "未明确行业领域"
NO_DEPARTMENT = "未转办"

DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "统计范围",
        "您可查看的举报：区安委办、举报受理保密员和区领导为全区；监管部门、乡镇（街道）为转交本单位办理的举报。已合并的举报不重复计算。",
    ),
    ("统计期间", "举报按收到日期（北京时间）计入；举报奖励按审批通过日期计入。"),
    ("乡镇（街道）", "举报转交的属地乡镇（街道）；尚未转办的，按举报地点所在乡镇（街道）。"),
    ("行业领域", "受理时确定的行业领域，未确定的按被举报单位的主行业，按一级行业领域汇总。"),
    (
        "受理及时率",
        "按期受理（受理日期不晚于受理期限）÷ 应受理（有受理期限、未被不予受理，且已受理或受理期限已届满）。",
    ),
    (
        "核查按期办结率",
        "按期办结（办结日期不晚于核查期限，经批准延期的按延长后的期限）÷ 应办结（已办结或核查期限已届满）。",
    ),
    ("属实率", "核查结论为属实或部分属实的 ÷ 已作出核查结论的。"),
    (
        "奖励决定",
        "统计期间内审批通过的举报奖励（件数、金额）；已发放为其中截至统计日已发放的；兑现率 = 已发放 ÷ 奖励决定（逾期未领取的计入分母）。",
    ),
    ("不含内容", "统计不含举报人身份信息和举报原文。"),
)


# ------------------------------------------------------------------------------------------------ filters


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    @property
    def span(self) -> str:
        return f"{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}"


@dataclass(frozen=True)
class StatsFilter:
    """Year (default: this year) and quarter (1–4, optional)."""

    year: int | None = None
    quarter: int | None = None

    def period(self, today: dt.date) -> Period:
        year = self.year or today.year
        if self.quarter:
            start = dt.date(year, 3 * self.quarter - 2, 1)
            nxt = dt.date(year + 1, 1, 1) if self.quarter == 4 else dt.date(year, 3 * self.quarter + 1, 1)
            end = nxt - dt.timedelta(days=1)
            label = quarter_label(f"{year}Q{self.quarter}")
        else:
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            label = f"{year}年"
        if start <= today < end:
            end = today
            label = f"{label}（截至{today.month}月{today.day}日）"
        return Period(start, end, label)

    def query_items(self) -> list[tuple[str, str]]:
        return [(k, str(v)) for k, v in (("year", self.year), ("quarter", self.quarter)) if v]


# ------------------------------------------------------------------------------------------------- counts


@dataclass
class Counts:
    """The figures of one set of tips: the whole page, or one category, township, industry or department."""

    received: int = 0
    accepted: int = 0
    rejected: int = 0
    closed: int = 0
    accept_due: int = 0
    accept_timely: int = 0
    verify_due: int = 0
    verify_timely: int = 0
    concluded: int = 0
    founded: int = 0
    rewards_decided: int = 0
    rewards_decided_sum: Decimal = Decimal("0")
    rewards_paid: int = 0
    rewards_paid_sum: Decimal = Decimal("0")

    @property
    def acceptance(self) -> Ratio:
        return Ratio(self.accept_timely, self.accept_due)

    @property
    def verification(self) -> Ratio:
        return Ratio(self.verify_timely, self.verify_due)

    @property
    def founded_rate(self) -> Ratio:
        return Ratio(self.founded, self.concluded)

    @property
    def fulfilment(self) -> Ratio:
        return Ratio(self.rewards_paid, self.rewards_decided)

    def add_tip(self, row: dict[str, Any]) -> None:
        self.received += 1
        self.accepted += row["accepted_on"] is not None
        self.rejected += row["status"] == TipStatus.REJECTED
        self.closed += row["status"] == TipStatus.CLOSED
        self.accept_due += bool(row["acc_due"])
        self.accept_timely += bool(row["acc_due"] and row["acc_ok"])
        self.verify_due += bool(row["ver_due"])
        self.verify_timely += bool(row["ver_due"] and row["ver_ok"])
        self.concluded += bool(row["concluded"])
        self.founded += bool(row["concluded"] and row["founded"])

    def add_reward(self, row: dict[str, Any]) -> None:
        self.rewards_decided += 1
        self.rewards_decided_sum += row["amount"]
        if row["status"] == RewardStatus.PAID:
            self.rewards_paid += 1
            self.rewards_paid_sum += row["amount"]


@dataclass
class Row:
    key: str
    label: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class Figures:
    today: dt.date
    filters: StatsFilter
    period: Period
    totals: Counts
    categories: list[Row]
    townships: list[Row]
    industries: list[Row]
    departments: list[Row]

    @property
    def tables(self) -> list[tuple[str, str, list[Row]]]:
        return [
            (_("按举报类别"), _("举报类别"), self.categories),
            (_("按乡镇（街道）"), _("乡镇（街道）"), self.townships),
            (_("按行业领域"), _("行业领域"), self.industries),
            (_("按承办部门"), _("承办部门"), self.departments),
        ]


# ------------------------------------------------------------------------------------------------- access


def may_view_statistics(user: Any) -> bool:
    """The office, the custodian, leaders, departments and townships: anyone who may view tips at all."""
    return any(g.allows("view", Tip) and g.enterprise_ids is None for g in grants_for(user))


def scope_label(user: Any) -> str:
    """The user's jurisdiction in words."""
    labels: list[str] = []
    for g in grants_for(user):
        if not g.allows("view", Tip) or g.enterprise_ids is not None:
            continue
        if g.role == Role.DEPARTMENT:
            names = Department.objects.filter(pk__in=sorted(g.department_ids or ())).values_list(
                "name", flat=True
            )
            labels.append(_("%(d)s承办的举报") % {"d": "、".join(names) or _("本部门")})
        elif g.region_prefix:
            region = Region.objects.filter(code__startswith=g.region_prefix).order_by("code").first()
            labels.append(_("%(r)s承办的举报") % {"r": region.name if region else g.region_prefix})
        else:
            return _("全区")
    return "、".join(dict.fromkeys(labels))


# ------------------------------------------------------------------------------------------------ figures


def _flag(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


TIP_FIELDS = (
    "category",
    "status",
    "accepted_on",
    "township__code",
    "place__code",
    "industry_id",
    "enterprise__primary_industry_id",
    "department_id",
)


def _industry_tops() -> tuple[dict[int, int], dict[int, str]]:
    """Each industry's top-level ancestor, and the names (one query)."""
    rows = {
        pk: (parent, name, order)
        for pk, parent, name, order in Industry.objects.values_list("pk", "parent_id", "name", "sort_order")
    }
    top: dict[int, int] = {}
    for pk in rows:
        seen, node = 0, pk
        while rows[node][0] is not None and rows[node][0] in rows and seen < 20:
            node, seen = rows[node][0], seen + 1
        top[pk] = node
    return top, {pk: name for pk, (_p, name, _o) in rows.items()}


def figures(user: Any, filters: StatsFilter, today: dt.date) -> Figures:
    """Every figure of the page for `user`'s tips under `filters`, as of `today`."""
    period = filters.period(today)
    scoped = Tip.objects.restrict(user, "view")
    tips = ind.tips_measured(scoped, start=period.start, end=period.end).annotate(
        acc_due=_flag(ind.accept_due_q(today)),
        acc_ok=_flag(ind.ACCEPT_TIMELY_Q),
        ver_due=_flag(ind.verify_due_q(today)),
        ver_ok=_flag(ind.VERIFY_TIMELY_Q),
        concluded=_flag(ind.CONCLUDED_Q),
        founded=_flag(ind.FOUNDED_Q),
    )
    tip_rows = list(
        tips.order_by().values(*TIP_FIELDS, "acc_due", "acc_ok", "ver_due", "ver_ok", "concluded", "founded")
    )
    reward_rows = list(
        ind.rewards_measured(scoped, start=period.start, end=period.end)
        .order_by()
        .values("amount", "status", *(f"tip__{f}" for f in TIP_FIELDS if f not in ("status", "accepted_on")))
    )
    for r in reward_rows:  # the tip's dimensions under the tip's own names
        for f in TIP_FIELDS:
            if f"tip__{f}" in r:
                r[f] = r.pop(f"tip__{f}")

    townships = ind.township_names()
    tops, industry_names = _industry_tops()
    departments = dict(Department.objects.values_list("pk", "name"))
    category_labels = dict(Category.choices)

    def township_of(r: dict[str, Any]) -> tuple[str, str]:
        code = r["township__code"] or r["place__code"]
        name = ind.township_name(code, townships)
        return ((code or "")[:9] if name != ind.NO_TOWNSHIP else "~", name)

    def industry_of(r: dict[str, Any]) -> tuple[str, str]:
        pk = r["industry_id"] or r["enterprise__primary_industry_id"]
        if pk is None or pk not in tops:
            return ("~", NO_INDUSTRY)
        top = tops[pk]
        return (f"{top:08d}", industry_names[top])

    def department_of(r: dict[str, Any]) -> tuple[str, str]:
        pk = r["department_id"]
        return ("~", NO_DEPARTMENT) if pk is None else (f"{pk:08d}", departments.get(pk, NO_DEPARTMENT))

    order = {c: f"{i:02d}" for i, c in enumerate(Category.values)}

    def category_of(r: dict[str, Any]) -> tuple[str, str]:
        return (order.get(r["category"], "~"), str(category_labels.get(r["category"], r["category"])))

    totals = Counts()
    for r in tip_rows:
        totals.add_tip(r)
    for r in reward_rows:
        totals.add_reward(r)

    def breakdown(
        key: Callable[[dict[str, Any]], tuple[str, str]], keep: Iterable[tuple[str, str]] = ()
    ) -> list[Row]:
        rows: dict[tuple[str, str], Row] = {k: Row(k[0], k[1]) for k in keep}
        for r in tip_rows:
            k = key(r)
            rows.setdefault(k, Row(k[0], k[1])).counts.add_tip(r)
        for r in reward_rows:
            k = key(r)
            rows.setdefault(k, Row(k[0], k[1])).counts.add_reward(r)
        return [rows[k] for k in sorted(rows)]

    return Figures(
        today=today,
        filters=filters,
        period=period,
        totals=totals,
        categories=breakdown(category_of, [(order[c], str(lbl)) for c, lbl in Category.choices]),
        townships=breakdown(township_of),
        industries=breakdown(industry_of),
        departments=breakdown(department_of),
    )


def describe(filters: StatsFilter, period: Period) -> str:
    return _("统计期间：%(p)s（%(s)s）") % {"p": period.label, "s": period.span}
