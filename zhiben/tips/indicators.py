"""The whistleblower channel's figures as indicators: one plain, side-effect-free function per figure.

Each indicator says what it counts in words (`definition`), its numerator and denominator in words and as
code (the `Q` conditions below, which the statistics page `tips/stats.py` annotates with too, so page, Excel
and indicator agree by construction), its unit, and returns the value with the querysets of the records behind
it (`Result.records`: the denominator's records, `Result.hits`: the numerator's) for a drill-down.

    acceptance_timeliness(tips, start=…, end=…, township=…, department=…)   受理及时率
    verification_timeliness(...)                                             核查按期办结率
    founded_rate(...)                                                        举报属实率
    reward_fulfilment(...)                                                   奖励兑现率
    internal_reporting(reports, start=…, end=…, township=…, department=…)   企业内部举报数

`tips` (or `reports`) is the set to measure — a user's `Tip.objects.restrict(user)` on a page, every tip when
omitted (the command centre's district figure). The cuts: `township` (a Region or its code: the tip's township
of transfer, else the township of the place reported), `department` (a Department or its pk: the department the
tip was transferred to; for internal reports, the units of the industries it supervises). The period is the
day a tip was received (Beijing time), both ends included; for rewards, the day the reward was approved.
A merged tip (已合并) is counted in none: its content lives on in the tip it was merged into.

Nothing here writes, caches or reads the clock except through `today`. The indicator registry (issue 13,
`zhiben.indicators`) declares these five under the same ids as 未接入; `connect_registry()` (from the app's
`ready()`) wires them to `RECORDS`, the (scope, window) → records functions below, when that app is installed.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from zhiben.hazards.stats import Ratio
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Department, Enterprise, Region
from zhiben.registry.scoping import industry_ids_of_department

from .choices import InternalStatus, Outcome, RewardStatus, TipStatus
from .models import InternalReport, Reward, Tip

__all__ = [
    "INDICATORS",
    "Indicator",
    "InternalCounts",
    "Result",
    "acceptance_timeliness",
    "founded_rate",
    "internal_reporting",
    "reward_fulfilment",
    "verification_timeliness",
]

# --------------------------------------------------------------------------------------------- conditions
# The numerators and denominators as code. `today` matters only for "the deadline has passed".


def accept_due_q(today: dt.date) -> Q:
    """应受理: a tip with an acceptance deadline, not refused (不予受理) and either accepted or past its deadline."""
    return (
        Q(accept_deadline__isnull=False)
        & ~Q(status=TipStatus.REJECTED)
        & (Q(accepted_on__isnull=False) | Q(accept_deadline__lt=today))
    )


ACCEPT_TIMELY_Q = Q(accepted_on__isnull=False, accepted_on__lte=F("accept_deadline"))  # 按期受理


def verify_due_q(today: dt.date) -> Q:
    """应办结: a tip with a verification deadline (the extended one after a 延期) that is concluded, or whose
    deadline has passed."""
    return Q(verify_deadline__isnull=False) & (Q(concluded_on__isnull=False) | Q(verify_deadline__lt=today))


VERIFY_TIMELY_Q = Q(concluded_on__isnull=False, concluded_on__lte=F("verify_deadline"))  # 按期办结
CONCLUDED_Q = ~Q(outcome="")  # 已办结 (a conclusion recorded: 属实, 部分属实 or 不属实)
FOUNDED_Q = Q(outcome__in=[Outcome.FOUNDED, Outcome.PARTLY])  # 属实 (部分属实 included)
DECIDED_REWARD_STATUSES = (
    RewardStatus.APPROVED,
    RewardStatus.CLAIMED,
    RewardStatus.PAID,
    RewardStatus.LAPSED,
)
DECIDED_Q = Q(status__in=DECIDED_REWARD_STATUSES, approved_at__isnull=False)  # 已决定奖励 (审批通过)
PAID_Q = Q(status=RewardStatus.PAID)  # 已发放


# ------------------------------------------------------------------------------------------------- result


@dataclass
class Result:
    """An indicator's value for one set and cut: `value` (a percentage with one decimal, or a count), the
    fraction behind it and the records (denominator: `records`, numerator: `hits`)."""

    value: Decimal | int | None
    numerator: int
    denominator: int | None
    records: QuerySet[Any]
    hits: QuerySet[Any]
    unit: str

    @property
    def ratio(self) -> Ratio | None:
        return None if self.denominator is None else Ratio(self.numerator, self.denominator)


def _rate(hits: QuerySet[Any], records: QuerySet[Any]) -> Result:
    n, d = hits.count(), records.count()
    value = None if not d else (Decimal(n * 100) / Decimal(d)).quantize(Decimal("0.1"))
    return Result(value=value, numerator=n, denominator=d, records=records, hits=hits, unit="%")


# ------------------------------------------------------------------------------------------------ cutting


def _day_range(start: dt.date | None, end: dt.date | None) -> Q:
    """Received between `start` and `end` (Beijing days, both included)."""
    q = Q()
    tz = timezone.get_default_timezone()
    if start is not None:
        q &= Q(received_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end is not None:
        q &= Q(received_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return q


def township_prefix(township: Region | str | None) -> str | None:
    if township is None or township == "":
        return None
    if isinstance(township, Region):
        return township.scope_prefix
    code = str(township)
    return code[:9] if len(code) >= 9 else code


def township_q(township: Region | str, path: str = "") -> Q:
    """The tip's township: the township it was transferred to, else the township of the place reported."""
    prefix = township_prefix(township)
    return Q(**{f"{path}township__code__startswith": prefix}) | Q(
        **{f"{path}township__isnull": True, f"{path}place__code__startswith": prefix}
    )


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def tips_measured(
    tips: QuerySet[Tip] | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    township: Region | str | None = None,
    department: Department | int | None = None,
) -> QuerySet[Tip]:
    """The tips an indicator counts: received in the period, in the cut, not merged."""
    qs = tips if tips is not None else Tip.objects.unrestricted("indicator: every tip of the district")
    qs = qs.exclude(status=TipStatus.MERGED).filter(_day_range(start, end))
    if township_prefix(township):
        qs = qs.filter(township_q(township))  # type: ignore[arg-type]
    if department is not None and department != "":
        qs = qs.filter(department_id=_pk(department))
    return qs


# ---------------------------------------------------------------------------------------------- indicators


def acceptance_timeliness(
    tips: QuerySet[Tip] | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    township: Region | str | None = None,
    department: Department | int | None = None,
    today: dt.date | None = None,
) -> Result:
    """受理及时率 = 按期受理 ÷ 应受理 × 100%."""
    today = today or timezone.localdate()
    base = tips_measured(tips, start=start, end=end, township=township, department=department)
    records = base.filter(accept_due_q(today))
    return _rate(records.filter(ACCEPT_TIMELY_Q), records)


def verification_timeliness(
    tips: QuerySet[Tip] | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    township: Region | str | None = None,
    department: Department | int | None = None,
    today: dt.date | None = None,
) -> Result:
    """核查按期办结率 = 按期办结 ÷ 应办结 × 100%."""
    today = today or timezone.localdate()
    base = tips_measured(tips, start=start, end=end, township=township, department=department)
    records = base.filter(verify_due_q(today))
    return _rate(records.filter(VERIFY_TIMELY_Q), records)


def founded_rate(
    tips: QuerySet[Tip] | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    township: Region | str | None = None,
    department: Department | int | None = None,
    today: dt.date | None = None,
) -> Result:
    """举报属实率 = (属实 + 部分属实) ÷ 已办结 × 100%."""
    base = tips_measured(tips, start=start, end=end, township=township, department=department)
    records = base.filter(CONCLUDED_Q)
    return _rate(records.filter(FOUNDED_Q), records)


def rewards_measured(
    tips: QuerySet[Tip] | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    township: Region | str | None = None,
    department: Department | int | None = None,
) -> QuerySet[Reward]:
    """Rewards decided (approved) in the period, of tips in the set and cut (whenever received)."""
    scope = tips_measured(tips, township=township, department=department)
    qs = Reward.objects.unrestricted("indicator: rewards of the tips measured").filter(
        DECIDED_Q, tip__in=scope.values("pk")
    )
    tz = timezone.get_default_timezone()
    if start is not None:
        qs = qs.filter(approved_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end is not None:
        qs = qs.filter(
            approved_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    return qs


def reward_fulfilment(
    tips: QuerySet[Tip] | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    township: Region | str | None = None,
    department: Department | int | None = None,
    today: dt.date | None = None,
) -> Result:
    """奖励兑现率 = 已发放 ÷ 已决定奖励 × 100% (rewards approved in the period; paid by today)."""
    records = rewards_measured(tips, start=start, end=end, township=township, department=department)
    return _rate(records.filter(PAID_Q), records)


# ------------------------------------------------------------------------------------- internal reporting


@dataclass
class UnitCounts:
    """One unit's internal reporting: reports, founded, rewarded (and the amount)."""

    enterprise_id: int
    name: str
    township: str
    reports: int = 0
    founded: int = 0
    rewarded: int = 0
    reward_total: Decimal = Decimal("0")


@dataclass
class InternalCounts(Result):
    """企业内部举报数: the reports in the period (`value`), with the founded and rewarded among them and the
    same per unit (`units`, most reports first)."""

    founded: int = 0
    rewarded: int = 0
    reward_total: Decimal = Decimal("0")
    units: list[UnitCounts] = field(default_factory=list)


def reports_measured(
    reports: QuerySet[InternalReport] | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    township: Region | str | None = None,
    department: Department | int | None = None,
    enterprise: Any = None,
) -> QuerySet[InternalReport]:
    qs = (
        reports
        if reports is not None
        else InternalReport.objects.unrestricted("indicator: every internal report of the district")
    )
    if start is not None:
        qs = qs.filter(reported_on__gte=start)
    if end is not None:
        qs = qs.filter(reported_on__lte=end)
    prefix = township_prefix(township)
    if prefix:
        qs = qs.filter(enterprise__region__code__startswith=prefix)
    if department is not None and department != "":
        industries = sorted(industry_ids_of_department(_pk(department)))
        units = Enterprise.objects.unrestricted("indicator: the units of a department's industries")
        qs = qs.filter(enterprise__in=units.filter(industries__in=industries).values("pk"))
    if enterprise is not None:
        qs = qs.filter(enterprise_id=_pk(enterprise))
    return qs


def internal_reporting(
    reports: QuerySet[InternalReport] | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    township: Region | str | None = None,
    department: Department | int | None = None,
    enterprise: Any = None,
    today: dt.date | None = None,
) -> InternalCounts:
    """企业内部举报数 = the internal reports units recorded in the period (by report date); with 属实 and
    已奖励 among them, per unit."""
    records = reports_measured(
        reports, start=start, end=end, township=township, department=department, enterprise=enterprise
    )
    rows = (
        records.order_by()
        .values("enterprise_id", "enterprise__name", "enterprise__region__code")
        .annotate(
            n=Count("pk", distinct=True),
            founded=Count("pk", filter=Q(status=InternalStatus.FOUNDED), distinct=True),
            rewarded=Count("pk", filter=Q(rewarded_on__isnull=False), distinct=True),
            total=Sum("reward_amount", filter=Q(rewarded_on__isnull=False)),
        )
    )
    names = township_names()
    units = [
        UnitCounts(
            enterprise_id=r["enterprise_id"],
            name=r["enterprise__name"],
            township=township_name(r["enterprise__region__code"], names),
            reports=r["n"],
            founded=r["founded"],
            rewarded=r["rewarded"],
            reward_total=r["total"] or Decimal("0"),
        )
        for r in rows
    ]
    units.sort(key=lambda u: (-u.reports, u.name))
    return InternalCounts(
        value=sum(u.reports for u in units),
        numerator=sum(u.reports for u in units),
        denominator=None,
        records=records,
        hits=records.filter(status=InternalStatus.FOUNDED),
        unit="件",
        founded=sum(u.founded for u in units),
        rewarded=sum(u.rewarded for u in units),
        reward_total=sum((u.reward_total for u in units), Decimal("0")),
        units=units,
    )


# ------------------------------------------------------------------------------------------ township names

NO_TOWNSHIP = "未明确乡镇（街道）"


def township_names() -> dict[str, str]:
    """Township code prefix → name (the four townships of the district, and any other in the register)."""
    return {
        code[:9]: name
        for code, name in Region.objects.filter(level=RegionLevel.TOWNSHIP).values_list("code", "name")
    }


def township_name(code: str | None, names: dict[str, str]) -> str:
    if not code:
        return NO_TOWNSHIP
    return names.get(code[:9], NO_TOWNSHIP)


# ------------------------------------------------------------------------------------------------ registry


@dataclass(frozen=True)
class Indicator:
    """What the indicator registry needs: id, name, definition in words, numerator and denominator in words
    (their code is the function and the conditions above), unit, direction, the cuts it takes, the function."""

    code: str
    name: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    direction: str  # "up": higher is better
    scopes: tuple[str, ...]
    compute: Callable[..., Result]


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "tips.accept_on_time",
        "举报受理及时率",
        "统计期间内收到的举报中，在受理期限内作出受理决定的比例。不予受理和已合并的举报不计入；"
        "尚未受理且受理期限未届满的不计入分母。",
        "按期受理：受理日期不晚于受理期限",
        "应受理：有受理期限、未被不予受理，且已受理或受理期限已届满",
        "%",
        "up",
        ("district", "township", "department"),
        acceptance_timeliness,
    ),
    Indicator(
        "tips.verify_on_time",
        "举报核查按期办结率",
        "统计期间内收到的举报中，在核查期限（经批准延期的，为延长后的期限）内办结的比例；"
        "未办结且期限未届满的不计入分母。",
        "按期办结：办结日期不晚于核查期限",
        "应办结：有核查期限，且已办结或核查期限已届满",
        "%",
        "up",
        ("district", "township", "department"),
        verification_timeliness,
    ),
    Indicator(
        "tips.founded_rate",
        "举报属实率",
        "统计期间内收到并已办结的举报中，核查结论为属实或部分属实的比例。",
        "属实：核查结论为属实或部分属实",
        "已办结：已作出核查结论",
        "%",
        "up",
        ("district", "township", "department"),
        founded_rate,
    ),
    Indicator(
        "tips.reward_paid_rate",
        "举报奖励兑现率",
        "统计期间内审批通过的举报奖励中，截至统计日已发放的比例（逾期未领取的计入分母）。",
        "已发放：奖励状态为已发放",
        "已决定奖励：统计期间内审批通过的奖励",
        "%",
        "up",
        ("district", "township", "department"),
        reward_fulfilment,
    ),
    Indicator(
        "tips.internal_reports",
        "企业内部举报数",
        "统计期间内生产经营单位登记的本单位从业人员内部举报件数（按报告日期），并列出其中核实属实和已奖励的件数。",
        "内部举报件数",
        "—",
        "件",
        "up",
        ("district", "township", "department", "enterprise"),
        internal_reporting,
    ),
)


# -------------------------------------------------------------------------------- the indicator registry


def _cut(scope: Any) -> dict[str, Any]:
    """The registry's scope as this module's cuts (district: none; township: its code; department: its id)."""
    kind = getattr(scope, "kind", "district")
    if kind == "township":
        return {"township": scope.key or "__none__"}
    if kind == "department":
        return {"department": scope.department_id if scope.department_id is not None else -1}
    return {}


def _registry() -> Any:
    """The indicator registry module (an app above this one, maybe not installed: never imported by name)."""
    return importlib.import_module("zhiben.indicators.registry")


def _rate_parts(fn: Callable[..., Result]) -> Callable[[Any, Any], Any]:
    def records(scope: Any, window: Any) -> Any:
        result = fn(start=window.start, end=window.end, today=window.as_of, **_cut(scope))
        return _registry().Parts(numerator=result.hits, denominator=result.records)

    return records


def _internal_parts(scope: Any, window: Any) -> Any:
    return _registry().Parts(numerator=reports_measured(start=window.start, end=window.end, **_cut(scope)))


RECORDS: dict[str, Callable[[Any, Any], Any]] = {
    "tips.accept_on_time": _rate_parts(acceptance_timeliness),
    "tips.verify_on_time": _rate_parts(verification_timeliness),
    "tips.founded_rate": _rate_parts(founded_rate),
    "tips.reward_paid_rate": _rate_parts(reward_fulfilment),
    "tips.internal_reports": _internal_parts,
}


def connect_registry() -> None:
    """Wire the registry's tips indicators (declared 未接入 in `zhiben.indicators.sources.tips`) to RECORDS;
    nothing when the indicators app is not installed."""
    if not apps.is_installed("zhiben.indicators"):
        return
    try:
        registry = _registry()
        importlib.import_module("zhiben.indicators.sources.tips")  # the declarations, by id
    except ImportError:  # pragma: no cover - an indicators app without a tips source
        return
    for indicator_id, records in RECORDS.items():
        if indicator_id in registry.ids():
            registry.connect(indicator_id, records, source="tips")
