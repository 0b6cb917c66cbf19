"""One indicator registry (指标库): every figure the campaign is judged by, declared once with its definition.

An `Indicator` says what it measures (numerator and denominator in words), its unit, target and direction,
which scopes it can be cut by, the module its records come from and whether that module is built. Its
`parts(scope, period)` returns the records behind the numerator and the denominator (the drill-down), and
`value(scope, period)` is computed from those very records — numerator count ÷ denominator count, or a sum —
never typed in by hand. An indicator whose module is not built says 未接入: `value()` answers
`available=False` with no numbers, never 0 %.

Sources register their indicators from `indicators/sources/` (each module reads one app's models; the apps
themselves never import this one). Callers use `all()`, `get(id)`, `Scope` and `Indicator.value()`; values of
a past quarter come from the frozen snapshots (`indicators.snapshots.values`).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.calendar import QUARTER_RE, quarter_end, quarter_of, quarter_start
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Department, Industry, Region
from zhiben.registry.scoping import with_descendants

from .models import IndicatorSnapshot

# ------------------------------------------------------------------------------------------------ scopes

DISTRICT = "district"
TOWNSHIP = "township"
DEPARTMENT = "department"
INDUSTRY = "industry"
SCOPE_KINDS = (DISTRICT, TOWNSHIP, DEPARTMENT, INDUSTRY)
SCOPE_LABELS = {
    DISTRICT: _("全区"),
    TOWNSHIP: _("乡镇（街道）"),
    DEPARTMENT: _("部门"),
    INDUSTRY: _("行业领域"),
}
ALL_SCOPES = frozenset(SCOPE_KINDS)

HIGHER = "higher"
LOWER = "lower"
DIRECTION_LABELS = {HIGHER: _("越高越好"), LOWER: _("越低越好")}

RATIO = "ratio"  # numerator ÷ denominator × 100, in %
COUNT = "count"  # the numerator's records counted
SUM = "sum"  # a sum over the numerator's records (`Indicator.total`)


@dataclass(frozen=True)
class Scope:
    """What a value is cut by: the district (key ""), a township (its region code), a department (its id) or
    an industry (its id, with its sub-industries). Keys are text so a snapshot stores any of them alike."""

    kind: str = DISTRICT
    key: str = ""

    def __post_init__(self) -> None:
        if self.kind not in SCOPE_KINDS:
            raise ValueError(f"unknown scope kind {self.kind!r}")

    @classmethod
    def district(cls) -> Scope:
        return cls(DISTRICT, "")

    @classmethod
    def township(cls, region: Region | str) -> Scope:
        return cls(TOWNSHIP, region if isinstance(region, str) else region.code)

    @classmethod
    def department(cls, department: Department | int) -> Scope:
        return cls(DEPARTMENT, str(department if isinstance(department, int) else department.pk))

    @classmethod
    def industry(cls, industry: Industry | int) -> Scope:
        return cls(INDUSTRY, str(industry if isinstance(industry, int) else industry.pk))

    # --- what sources filter by -------------------------------------------------------------------

    @property
    def region_prefix(self) -> str | None:
        """The code prefix of the township's territory (None for other kinds; an unknown code admits nothing)."""
        if self.kind != TOWNSHIP:
            return None
        region = Region.objects.filter(code=self.key).first()
        return region.scope_prefix if region else "__none__"

    @property
    def department_id(self) -> int | None:
        return int(self.key) if self.kind == DEPARTMENT and self.key.isdigit() else None

    @property
    def industry_ids(self) -> set[int] | None:
        if self.kind != INDUSTRY:
            return None
        return with_descendants({int(self.key)}) if self.key.isdigit() else set()

    def label(self) -> str:
        if self.kind == DISTRICT:
            return str(_("全区"))
        if self.kind == TOWNSHIP:
            return Region.objects.filter(code=self.key).values_list("name", flat=True).first() or "—"
        model = Department if self.kind == DEPARTMENT else Industry
        pk = int(self.key) if self.key.isdigit() else 0
        return model.objects.filter(pk=pk).values_list("name", flat=True).first() or "—"

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}" if self.key else self.kind


def labels(scopes: list[Scope]) -> list[str]:
    """`scope.label()` of each scope, with one query per kind instead of one per scope."""
    names: dict[str, dict[str, str]] = {
        TOWNSHIP: dict(
            Region.objects.filter(code__in=[s.key for s in scopes if s.kind == TOWNSHIP]).values_list(
                "code", "name"
            )
        )
    }
    for kind, model in ((DEPARTMENT, Department), (INDUSTRY, Industry)):
        pks = [int(s.key) for s in scopes if s.kind == kind and s.key.isdigit()]
        names[kind] = {
            str(pk): name for pk, name in model.objects.filter(pk__in=pks).values_list("pk", "name")
        }
    return [str(_("全区")) if s.kind == DISTRICT else names[s.kind].get(s.key, "—") for s in scopes]


def townships() -> list[Region]:
    """The district's townships (乡镇/街道), in code order."""
    return list(Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code"))


def departments() -> list[Department]:
    return list(Department.objects.order_by("sort_order", "code"))


def scopes_of(kind: str) -> list[Scope]:
    """Every scope of one kind (district: the one)."""
    if kind == TOWNSHIP:
        return [Scope.township(r) for r in townships()]
    if kind == DEPARTMENT:
        return [Scope.department(d) for d in departments()]
    if kind == INDUSTRY:
        return [Scope.industry(i.pk) for i in Industry.objects.filter(parent__isnull=True)]
    return [Scope.district()]


# ------------------------------------------------------------------------------------------------ period


def current_period(today: dt.date | None = None) -> str:
    return quarter_of(today or timezone.localdate())


def check_period(period: str) -> str:
    if not QUARTER_RE.match(period or ""):
        raise ValueError(f"not a quarter: {period!r}")
    return period


@dataclass(frozen=True)
class Window:
    """The days a period covers for a source: its quarter, and the day the clock stands at (`as_of`: the
    quarter's end, or today while the quarter runs)."""

    period: str
    start: dt.date
    end: dt.date
    as_of: dt.date

    @classmethod
    def of(cls, period: str, today: dt.date | None = None) -> Window:
        check_period(period)
        today = today or timezone.localdate()
        end = quarter_end(period)
        return cls(period, quarter_start(period), end, min(today, end))

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.start.year, 1, 1)


# --------------------------------------------------------------------------------------- counting together

_SHARED: contextvars.ContextVar[dict[Any, Any] | None] = contextvars.ContextVar(
    "indicator_counts", default=None
)


@contextlib.contextmanager
def counting_together() -> Iterator[None]:
    """While a page counts many indicators at once (the campaign plan: every goal × year), a source may count
    all its indicators for one scope and window in one query and share it (`shared`): the hazard goals are one
    scan of the register instead of one each. Outside such a block every value is counted on its own, afresh."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def shared(key: Any, together: Callable[[], Any], alone: Callable[[], Any]) -> Any:
    """Inside a `counting_together` block: `together()` (everything the source counts in one query), kept
    for the rest of the block under `key`. Outside one: `alone()`, just what was asked for."""
    memo = _SHARED.get()
    if memo is None:
        return alone()
    if key not in memo:
        memo[key] = together()
    return memo[key]


# ------------------------------------------------------------------------------------------------ values


@dataclass(frozen=True)
class Parts:
    """The records behind a value: the numerator's and (for rates) the denominator's."""

    numerator: QuerySet[Any]
    denominator: QuerySet[Any] | None = None


@dataclass(frozen=True)
class Value:
    """One value of one indicator for one scope and period. Unavailable: every number is None (未接入)."""

    indicator: str
    scope: Scope
    period: str
    available: bool
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None
    value: Decimal | None = None
    frozen: bool = False  # read from the quarter-end snapshot

    @property
    def display(self) -> str:
        if not self.available:
            return str(_("未接入"))
        if self.value is None:
            return "—"
        return str(self.value)


def percent(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """numerator ÷ denominator in %, one decimal; no denominator, no rate."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# ------------------------------------------------------------------------------------------- indicator

RecordsFn = Callable[[Scope, Window], Parts]
# Every scope of one kind counted at once: {scope key: (numerator, denominator or None)}, or None when the
# source cannot group by that kind (the scopes are then counted one by one). Same records as `records`.
GroupedFn = Callable[[str, Window], "dict[str, tuple[int, int | None]] | None"]


@dataclass(frozen=True)
class Indicator:
    """An indicator's declaration. `records(scope, window)` gives the records; everything else is words."""

    id: str  # slug: "<source>.<name>", e.g. hazards.on_time_rectification
    name: str
    definition: str  # the rule in words
    numerator_label: str
    denominator_label: str  # "" for a count
    unit: str  # % / 个 / 家 / 元 / 项
    kind: str  # RATIO, COUNT or SUM
    direction: str  # HIGHER or LOWER is better
    source: str  # the app label the records come from
    target: Decimal | None = None
    scopes: frozenset[str] = ALL_SCOPES
    records: RecordsFn | None = None  # None: the source module is not built (未接入)
    total: Callable[[QuerySet[Any]], Decimal] | None = None  # SUM: the numerator's sum
    seed_ref: str = ""  # where the seed asks for it (屈安发〔2024〕1号 …)
    group: str = ""  # "7个100%", "隐患治理" …: how the registry page groups them
    note: str = ""  # 待核实 facts, how it is wired
    verified: bool = True  # False: the definition's facts (a denominator's industry set …) are 待核实
    record_label: str = ""  # what one record is (隐患, 生产经营单位, 部门 …)
    grouped: GroupedFn | None = None  # optional: every scope of a kind in one query (tables of many scopes)

    @property
    def available(self) -> bool:
        return self.records is not None

    def supports(self, scope: Scope) -> bool:
        return scope.kind in self.scopes

    def parts(self, scope: Scope, period: str, today: dt.date | None = None) -> Parts:
        if self.records is None:
            raise Unavailable(self.id)
        return self.records(scope, Window.of(period, today))

    def live_value(self, scope: Scope, period: str, today: dt.date | None = None) -> Value:
        """The value counted now from the records (never the snapshot)."""
        if self.records is None:
            return Value(self.id, scope, period, available=False)
        if scope.kind == DISTRICT and self.grouped is not None and self.kind != SUM:
            return self.live_values([scope], period, today)[0]  # one query for both counts
        return self._counted(scope, period, today)

    def _counted(self, scope: Scope, period: str, today: dt.date | None) -> Value:
        """The value from `records`: the numerator's and the denominator's querysets counted."""
        if self.records is None:
            return Value(self.id, scope, period, available=False)
        parts = self.parts(scope, period, today)
        if self.kind == SUM:
            assert self.total is not None
            numerator: Decimal | int = self.total(parts.numerator)
        else:
            numerator = parts.numerator.count()
        denominator = parts.denominator.count() if parts.denominator is not None else None
        value = percent(numerator, denominator or 0) if self.kind == RATIO else Decimal(numerator)
        return Value(self.id, scope, period, True, numerator, denominator, value)

    def live_values(self, scopes: list[Scope], period: str, today: dt.date | None = None) -> list[Value]:
        """`live_value` of each scope; scopes of one kind are counted in one grouped query when the source
        offers it (`grouped`), which counts the same records as `records` (a township table is one query,
        not two per township)."""
        kinds = {s.kind for s in scopes}
        counts = None
        if self.records is not None and self.grouped is not None and self.kind != SUM and len(kinds) == 1:
            counts = self.grouped(kinds.pop(), Window.of(period, today))
        if counts is None:
            return [self._counted(s, period, today) for s in scopes]
        out = []
        for scope in scopes:
            numerator, denominator = counts.get(scope.key, (0, None))
            if self.kind == RATIO:
                denominator = denominator or 0
            value = percent(numerator, denominator or 0) if self.kind == RATIO else Decimal(numerator)
            out.append(Value(self.id, scope, period, True, numerator, denominator, value))
        return out

    def value(self, scope: Scope, period: str | None = None, today: dt.date | None = None) -> Value:
        """The value for `scope` in `period` (default: this quarter): a closed quarter with a snapshot reads
        the snapshot (the numbers shown then), otherwise the records are counted now."""
        period = period or current_period(today)
        frozen = frozen_value(self, scope, period)
        return frozen if frozen is not None else self.live_value(scope, period, today)


class Unavailable(LookupError):
    """The indicator's source module is not built: it has no records."""


_REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    """Declare an indicator (once per id; a module imported twice re-declares the same one)."""
    if indicator.kind not in (RATIO, COUNT, SUM):
        raise ValueError(f"{indicator.id}: unknown kind {indicator.kind!r}")
    if indicator.kind == SUM and indicator.records is not None and indicator.total is None:
        raise ValueError(f"{indicator.id}: a sum needs `total`")
    _REGISTRY[indicator.id] = indicator
    return indicator


# The order the registry page and the API list them in: by the id's first part, then declaration order.
ORDER = ("hazards", "inspections", "enforcement", "prevention", "monitoring", "campaign", "tips")


def all() -> list[Indicator]:
    """Every indicator: hazards, inspections, enforcement, the 7个100%, tips; declaration order within."""

    def rank(ind: Indicator) -> int:
        head = ind.id.split(".", 1)[0]
        return ORDER.index(head) if head in ORDER else len(ORDER)

    return sorted(_REGISTRY.values(), key=rank)


def get(indicator_id: str) -> Indicator:
    """The indicator with this id (KeyError when none)."""
    return _REGISTRY[indicator_id]


def ids() -> Iterable[str]:
    return _REGISTRY.keys()


def placeholder(
    id: str,
    name: str,
    definition: str,
    *,
    source: str,
    unit: str = "%",
    target: Decimal | None = Decimal(100),
    numerator_label: str = "",
    denominator_label: str = "",
    seed_ref: str = "",
    group: str = "",
    note: str = "",
    scopes: frozenset[str] = ALL_SCOPES,
    direction: str = HIGHER,
) -> Indicator:
    """An indicator whose module is not built yet (未接入): declared with its definition, no records."""
    return register(
        Indicator(
            id=id,
            name=name,
            definition=definition,
            numerator_label=numerator_label,
            denominator_label=denominator_label,
            unit=unit,
            kind=RATIO if unit == "%" else COUNT,
            direction=direction,
            source=source,
            target=target,
            scopes=scopes,
            seed_ref=seed_ref,
            group=group,
            note=note,
        )
    )


@dataclass(frozen=True)
class DenominatorSet:
    """Which units an indicator's denominator covers, as data (industry codes, flags) with its source;
    unverified sets are shown as 待核实 on the registry page."""

    label: str
    industry_codes: tuple[str, ...] = ()
    source: str = ""
    verified: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def connect(
    indicator_id: str,
    records: RecordsFn,
    *,
    source: str | None = None,
    total: Callable[[QuerySet[Any]], Decimal] | None = None,
    kind: str | None = None,
    note: str | None = None,
) -> Indicator:
    """Wire a 未接入 indicator to its records once its module exists (the campaign's small registers, the
    tips app): the declaration stays, `available` becomes true. Call it from the source's module or its app's
    `ready()`; e.g. `connect("campaign.team_staffing", staffing_parts, source="campaign")`."""
    current = get(indicator_id)
    changes: dict[str, Any] = {"records": records, "total": total}
    if source:
        changes["source"] = source
    if kind:
        changes["kind"] = kind
    if note is not None:
        changes["note"] = note
    return register(replace(current, **changes))


# ------------------------------------------------------------------------------------ frozen values


def _as_number(value: Decimal | None) -> Decimal | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


def to_value(row: IndicatorSnapshot) -> Value:
    """A snapshot row as the value it froze."""
    return Value(
        indicator=row.indicator,
        scope=Scope(row.scope_kind, row.scope_key),
        period=row.period,
        available=row.available,
        numerator=_as_number(row.numerator),
        denominator=_as_number(row.denominator),
        value=row.value.quantize(Decimal("0.1")) if row.value is not None else None,
        frozen=True,
    )


def frozen_value(ind: Indicator, scope: Scope, period: str) -> Value | None:
    """The value frozen for this indicator, scope and quarter, or None when the quarter was not frozen."""
    row = IndicatorSnapshot.objects.filter(
        indicator=ind.id, period=period, scope_kind=scope.kind, scope_key=scope.key
    ).first()
    return to_value(row) if row is not None else None
