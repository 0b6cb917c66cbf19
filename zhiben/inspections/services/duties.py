"""Services of self-inspection duties (企业主要负责人带队自查): rules, dated occurrences, 应查未查, and the rules' edits.

Seed 屈安发〔2024〕1号 三（三）5: the principal leads a check of the unit's major-hazard work at least once a
quarter, monthly in high-risk industries. Each unit owes the obligation of the *most frequent* active
`DutyRule` that applies to it (a `high_risk_only` rule applies when the unit is marked 高危企业 or its primary
industry is on the editable high-risk list, `Industry.high_risk`).

Occurrences (`DutyOccurrence`) are generated per unit and period for a year, idempotently (unique on unit, rule
and period start; inserts ignore conflicts). Regeneration after a unit's risk class or a rule changes keeps
history: periods that have started stay as they were owed; future pending periods of a rule that no longer
applies are withdrawn, and the new rule's periods start with its first period beginning after today. A unit
new to the platform owes the periods that end on or after the day it was registered.

Recording a check lives in selfchecks.py; reminders in duty_reminders.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.errors import Conflict, DomainError, NotPermitted
from zhiben.core.jobs import enqueue_on_commit, job
from zhiben.core.scoping import can
from zhiben.core.workflow import compare_and_swap
from zhiben.registry.choices import EnterpriseStatus
from zhiben.registry.models import Enterprise, Industry

from .. import events
from ..choices import FREQUENCY_MONTHS, Frequency, OccurrenceStatus
from ..models import DutyOccurrence, DutyRule

log = logging.getLogger(__name__)

ENTERPRISE_CHUNK = 2000  # a window of unit ids per generation transaction (≤ 24 000 rows)
INSERT_BATCH = 5000  # rows per executemany
OPEN_STATUSES = (OccurrenceStatus.PENDING, OccurrenceStatus.MISSED)
FULFILLED_STATUSES = (OccurrenceStatus.DONE, OccurrenceStatus.LATE)


class DutyError(DomainError):
    """A rule of self-inspection duties refused the action."""


# --- periods ---------------------------------------------------------------------------------------------------


def months_of(frequency: str) -> int:
    return FREQUENCY_MONTHS[Frequency(frequency)]


def periods(frequency: str, year: int) -> list[tuple[dt.date, dt.date]]:
    """The periods of a year for a frequency: (first day, last day), in order."""
    step = months_of(frequency)
    out = []
    for first_month in range(1, 13, step):
        start = dt.date(year, first_month, 1)
        end_month = first_month + step - 1
        end = dt.date(year, 12, 31) if end_month == 12 else dt.date(year, end_month + 1, 1) - dt.timedelta(1)
        out.append((start, end))
    return out


def period_containing(frequency: str, day: dt.date) -> tuple[dt.date, dt.date]:
    for start, end in periods(frequency, day.year):
        if start <= day <= end:
            return start, end
    raise AssertionError("periods cover the whole year")  # pragma: no cover


def period_label(frequency: str, start: dt.date) -> str:
    """How a period reads: 2025年2月, 2025年第1季度, 2025年上半年, 2025年度."""
    months = months_of(frequency)
    if months == 1:
        return _("%(y)s年%(m)s月") % {"y": start.year, "m": start.month}
    if months == 3:
        return _("%(y)s年第%(q)s季度") % {"y": start.year, "q": (start.month - 1) // 3 + 1}
    if months == 6:
        return (
            _("%(y)s年上半年") % {"y": start.year}
            if start.month == 1
            else _("%(y)s年下半年") % {"y": start.year}
        )
    return _("%(y)s年度") % {"y": start.year}


# --- which rule applies ----------------------------------------------------------------------------------------


def high_risk_q() -> Q:
    """高危: the unit is marked high-risk, or its primary industry is on the office's high-risk list.

    The list is read first (a few dozen industries): a join to the industry table in the chunked unit queries
    made PostgreSQL scan every unit for each chunk.
    """
    listed = sorted(Industry.objects.filter(high_risk=True).values_list("pk", flat=True))
    return Q(is_high_risk=True) | Q(primary_industry_id__in=listed)


def active_rules() -> list[DutyRule]:
    """Active rules, most frequent first (ties by code, so the choice is deterministic)."""
    # Rules are district-wide reference data.
    rules = list(DutyRule.objects.unrestricted("reference data").filter(active=True))
    return sorted(rules, key=lambda r: (months_of(r.frequency), r.code))


def is_high_risk(enterprise: Enterprise) -> bool:
    return bool(enterprise.is_high_risk or enterprise.primary_industry.high_risk)


def rule_for(enterprise: Enterprise, rules: list[DutyRule] | None = None) -> DutyRule | None:
    """The rule a unit owes: the most frequent active rule that applies to it (None: no duty)."""
    if enterprise.status != EnterpriseStatus.OPERATING:
        return None
    high = is_high_risk(enterprise)
    for rule in active_rules() if rules is None else rules:
        if not rule.high_risk_only or high:
            return rule
    return None


def assignment_q(rule: DutyRule, rules: list[DutyRule]) -> Q | None:
    """The operating units whose rule is `rule` (the same choice as rule_for, as a filter); None for none."""
    taken = Q(pk__in=[])
    high = high_risk_q()
    for other in rules:
        condition = high if other.high_risk_only else Q()
        if other.pk == rule.pk:
            return Q(status=EnterpriseStatus.OPERATING) & condition & ~taken
        if not other.high_risk_only:
            return None  # an earlier, more frequent rule applies to every unit
        taken |= condition
    return None


# --- generation ------------------------------------------------------------------------------------------------


def _require_office(actor: Any, model: type, action: str = "change") -> None:
    if actor is not None and not can(actor, action, model):
        raise NotPermitted(_("您无权执行此操作。"))


def generate_occurrences(
    *,
    actor: Any = None,
    year: int,
    today: dt.date | None = None,
    enterprise_ids: Iterable[int] | None = None,
    owed_from: dt.date | None = None,
) -> dict[str, int]:
    """生成自查任务 for `year` (idempotent: a second run creates nothing); returns counts.

    Withdraws future pending occurrences that no longer apply, then inserts what each unit lacks, in
    transactions of ENTERPRISE_CHUNK units, each with one audit row. `owed_from` replaces each unit's
    registration day as the start of its duty (units that existed before they were entered on the platform,
    the demo district's history).
    """
    _require_office(actor, DutyRule)
    today = today or timezone.localdate()
    rules = active_rules()
    only = sorted(set(enterprise_ids)) if enterprise_ids is not None else None
    counts = {"created": 0, "withdrawn": 0, "enterprises": 0}
    counts["withdrawn"] = _withdraw_stale(actor, year, today, rules, only)
    for rule in rules:
        q = assignment_q(rule, rules)
        if q is None:
            continue
        created, units = _insert_missing(actor, rule, q, year, today, only, owed_from)
        counts["created"] += created
        counts["enterprises"] += units
    log.info("duty occurrences %s: %s", year, counts)
    return counts


def _withdraw_stale(
    actor: Any, year: int, today: dt.date, rules: list[DutyRule], only: list[int] | None
) -> int:
    """Delete future, pending, unfulfilled occurrences whose unit no longer owes them under their rule."""
    keep = Q(pk__in=[])
    for rule in rules:
        q = assignment_q(rule, rules)
        if q is None:
            continue
        starts = [s for s, _e in periods(rule.frequency, year)]
        keep |= Q(
            rule=rule, period_start__in=starts, enterprise__in=Enterprise.objects.filter(q).values("pk")
        )
    # The job acts for the whole district (or the units it was given).
    stale = DutyOccurrence.objects.unrestricted("job: the whole district").filter(
        period_start__gt=today,
        period_start__gte=dt.date(year, 1, 1),
        period_start__lte=dt.date(year, 12, 31),
        status=OccurrenceStatus.PENDING,
        self_check__isnull=True,
    )
    if only is not None:
        stale = stale.filter(enterprise_id__in=only)
    with transaction.atomic():
        withdrawn, _ = stale.exclude(keep).delete()
        if withdrawn:
            audit.record(
                None,
                events.DUTY_OCCURRENCES_GENERATED,
                actor=actor,
                object_type="inspections.dutyoccurrence",
                data={"year": year, "withdrawn": withdrawn, "reason": "rule no longer applies"},
            )
    return withdrawn


def _insert_missing(
    actor: Any,
    rule: DutyRule,
    q: Q,
    year: int,
    today: dt.date,
    only: list[int] | None,
    owed_from: dt.date | None,
) -> tuple[int, int]:
    """Insert the occurrences of `rule` its units lack; returns (rows created, units touched)."""
    layout = periods(rule.frequency, year)
    last_start = layout[-1][0]
    in_year = Q(period_start__gte=dt.date(year, 1, 1), period_start__lte=dt.date(year, 12, 31))
    # The job acts for the whole district (or the units it was given).
    owing = Enterprise.objects.unrestricted("job: the whole district").filter(q)
    if only is not None:
        owing = owing.filter(pk__in=only)
    tz = timezone.get_default_timezone()
    ops = connection.ops
    layout_db = [(s, e, ops.adapt_datefield_value(s), ops.adapt_datefield_value(e)) for s, e in layout]
    created = units = 0
    bounds = Enterprise.objects.unrestricted("job: the whole district").aggregate(
        low=Min("pk"), high=Max("pk")
    )
    if bounds["low"] is None:
        return 0, 0
    for low in range(bounds["low"], bounds["high"] + 1, ENTERPRISE_CHUNK):
        # Windows of primary keys (an index range scan, whatever the planner thinks of the filter), then two
        # indexed lookups for just those units: an anti-join in the chunk query made PostgreSQL rescan the
        # growing occurrence table for every chunk.
        window = owing.filter(pk__gte=low, pk__lt=low + ENTERPRISE_CHUNK)
        chunk = list(window.order_by("pk").values_list("pk", "created_at"))
        if not chunk:
            continue
        ids = [pk for pk, _created in chunk]
        # A unit that has its last period of the year under this rule has them all: each unit is inserted whole.
        complete = set(
            DutyOccurrence.objects.filter(
                enterprise_id__in=ids, rule=rule, period_start=last_start
            ).values_list("enterprise_id", flat=True)
        )
        missing = [(pk, created_at) for pk, created_at in chunk if pk not in complete]
        under_duty = set(
            DutyOccurrence.objects.filter(in_year, enterprise_id__in=[pk for pk, _c in missing])
            .values_list("enterprise_id", flat=True)
            .distinct()
        )
        now = ops.adapt_datetimefield_value(timezone.now())
        rows: list[tuple[Any, ...]] = []
        touched = 0
        for pk, created_at in missing:
            registered = owed_from or (
                created_at.astimezone(tz).date() if created_at else dt.date(year, 1, 1)
            )
            before = len(rows)
            for start, end, db_start, db_end in layout_db:
                # History stands: a unit already under duty this year switches rule from the next period on.
                if end < registered or (pk in under_duty and start <= today):
                    continue
                rows.append((now, now, pk, rule.pk, db_start, db_end, OccurrenceStatus.PENDING.value))
            touched += len(rows) > before
        if rows:
            with transaction.atomic():
                inserted = _insert_ignoring_duplicates(rows)
                audit.record(
                    None,
                    events.DUTY_OCCURRENCES_GENERATED,
                    actor=actor,
                    object_type="inspections.dutyoccurrence",
                    data={
                        "year": year,
                        "rule": rule.code,
                        "rows": inserted,
                        "enterprises": touched,
                        "first_enterprise": chunk[0][0],
                        "last_enterprise": chunk[-1][0],
                    },
                )
            created += inserted
            units += touched
    return created, units


_INSERT_COLUMNS = ("created_at", "updated_at", "enterprise", "rule", "period_start", "period_end", "status")


def _insert_ignoring_duplicates(rows: list[tuple[Any, ...]]) -> int:
    """INSERT the rows, skipping those already there (the unique unit/rule/period constraint); returns how many
    were inserted.

    A plain executemany with the backend's own conflict clause (what bulk_create(ignore_conflicts=True) emits):
    the ORM's per-value preparation of model instances cost six times the INSERTs themselves at 200 000 units
    (bench/bench_duties.py), while every value here is prepared once per chunk.
    """
    meta = DutyOccurrence._meta
    ops = connection.ops
    columns = ", ".join(ops.quote_name(str(meta.get_field(name).column)) for name in _INSERT_COLUMNS)  # type: ignore[union-attr]
    suffix = ops.on_conflict_suffix_sql([], OnConflict.IGNORE, None, None)
    sql = (
        f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {ops.quote_name(meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(_INSERT_COLUMNS))}) {suffix}"
    )
    inserted = 0
    with connection.cursor() as cursor:
        for i in range(0, len(rows), INSERT_BATCH):
            batch = rows[i : i + INSERT_BATCH]
            cursor.executemany(sql, batch)
            inserted += cursor.rowcount if cursor.rowcount >= 0 else len(batch)
    return inserted


# --- 应查未查 ---------------------------------------------------------------------------------------------------


@transaction.atomic
def mark_missed(today: dt.date | None = None, *, actor: Any = None) -> int:
    """应查未查: occurrences whose period ended before `today` with no check are marked MISSED; returns count."""
    today = today or timezone.localdate()
    # The job acts for the whole district; one UPDATE, so a second run finds nothing to mark.
    count = (
        DutyOccurrence.objects.unrestricted("job: the whole district")
        .filter(status=OccurrenceStatus.PENDING, period_end__lt=today)
        .update(status=OccurrenceStatus.MISSED, updated_at=timezone.now())
    )
    if count:
        audit.record(
            None,
            events.DUTY_OCCURRENCES_MISSED,
            actor=actor,
            object_type="inspections.dutyoccurrence",
            data={"date": today.isoformat(), "count": count},
        )
    return count


# --- editing the rules -----------------------------------------------------------------------------------------

RULE_FIELDS = (
    "name",
    "frequency",
    "high_risk_only",
    "led_by",
    "reminder_days",
    "source",
    "verified",
    "active",
)


@transaction.atomic
def update_duty_rule(rule: DutyRule, *, actor: Any, version: int, **changes: Any) -> DutyRule:
    """修改自查规则 (区安委办): compare-and-swap on the version read (a stale form is a 409), one audit row."""
    _require_office(actor, DutyRule)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("该项不可修改。")})
    errors: dict[str, str] = {}
    if "name" in changes and not str(changes["name"]).strip():
        errors["name"] = _("请填写名称。")
    if "frequency" in changes and changes["frequency"] not in Frequency.values:
        errors["frequency"] = _("频次无效。")
    if "reminder_days" in changes and not 0 <= int(changes["reminder_days"]) <= 60:
        errors["reminder_days"] = _("提醒天数应在 0–60 之间。")
    if errors:
        raise ValidationError(errors)
    if int(version) != rule.version:
        raise Conflict(_("该规则已被他人修改（当前版本 %(v)s），请刷新后重试。") % {"v": rule.version})
    before = {k: getattr(rule, k) for k in changes}
    diff = {k: v for k, v in changes.items() if before[k] != v}
    if not diff:
        return rule
    compare_and_swap(rule, expected={}, changes=diff)
    audit.record(
        rule,
        events.DUTY_RULE_CHANGED,
        actor=actor,
        data={"changes": {k: {"from": before[k], "to": v} for k, v in diff.items()}},
    )
    _regenerate_after_commit()
    return rule


@transaction.atomic
def set_industry_high_risk(industry: Industry, *, actor: Any, high_risk: bool, version: int) -> Industry:
    """调整高危行业名录 (区安委办): whether units of this primary industry owe the monthly check."""
    _require_office(actor, Industry)
    if int(version) != industry.version:
        raise Conflict(_("该行业已被他人修改（当前版本 %(v)s），请刷新后重试。") % {"v": industry.version})
    if industry.high_risk == high_risk:
        return industry
    compare_and_swap(industry, expected={"high_risk": industry.high_risk}, changes={"high_risk": high_risk})
    audit.record(
        industry,
        events.INDUSTRY_RISK_CHANGED,
        actor=actor,
        data={"code": industry.code, "high_risk": {"from": not high_risk, "to": high_risk}},
    )
    _regenerate_after_commit()
    return industry


@job
def regenerate_duties(year: int) -> dict[str, int]:
    """Bring a year's occurrences in line with the rules and units (after a rule or the high-risk list changed)."""
    return generate_occurrences(year=year)


def _regenerate_after_commit() -> None:
    """Future occurrences follow a changed rule or list: the generation job runs once the change commits."""
    enqueue_on_commit(regenerate_duties, timezone.localdate().year)
