"""The safety-fee arithmetic (财资〔2022〕136号): marginal brackets (超额累退), flat rates on 造价, per-tonne rates;
the monthly accrual, the pause rule and an account's balance. Pure functions on Decimals (元, two places)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .reference import Sector

CENT = Decimal("0.01")
# Pause rule (domain.md §5, [U]): accrual stops while the month-start balance is at least this many times the
# previous year's accrual.
PAUSE_MULTIPLE = Decimal(3)
PAUSE_VERIFIED = False


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Result:
    annual: Decimal
    monthly: Decimal
    brackets: list[dict[str, Any]]


def calculate(sector: Sector, basis: Decimal) -> Result:
    """The annual amount for `basis` (revenue or 造价 in 元, or tonnes), its monthly part and the bracket lines."""
    if basis < 0:
        raise ValueError("negative basis")
    lines: list[dict[str, Any]] = []
    if sector.flat_rate is not None:
        amount = money(basis * sector.flat_rate)
        lines.append(
            {
                "from": "0",
                "to": None,
                "rate": str(sector.flat_rate),
                "base": str(basis),
                "amount": str(amount),
            }
        )
        total = amount
    elif sector.per_unit is not None:
        amount = money(basis * sector.per_unit)
        lines.append(
            {"from": "0", "to": None, "rate": str(sector.per_unit), "base": str(basis), "amount": str(amount)}
        )
        total = amount
    else:
        total, low = Decimal(0), Decimal(0)
        for b in sector.brackets:
            if basis <= low:
                break
            high = basis if b.upto is None else min(basis, b.upto)
            part = high - low
            amount = part * b.rate
            total += amount
            lines.append(
                {
                    "from": str(low),
                    "to": str(b.upto) if b.upto is not None else None,
                    "rate": str(b.rate),
                    "base": str(part),
                    "amount": str(money(amount)),
                }
            )
            if b.upto is None:
                break
            low = b.upto
        total = money(total)
    return Result(annual=total, monthly=money(total / 12), brackets=lines)


def paused(opening_balance: Decimal, previous_annual: Decimal) -> bool:
    """Whether accrual stops: the balance at the start is at least 3 × last year's accrual (待核实)."""
    return previous_annual > 0 and opening_balance >= PAUSE_MULTIPLE * previous_annual


def accrued(annual: Decimal, months: int, *, is_paused: bool) -> Decimal:
    """Accrued after `months` months (equal monthly parts; nothing while paused)."""
    if is_paused:
        return Decimal("0.00")
    months = max(0, min(12, months))
    return money(annual * months / 12)
