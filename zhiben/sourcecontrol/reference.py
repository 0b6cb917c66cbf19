"""The data files of 源头管控 (each with its source and a verification flag; 待核实 is shown in the UI):
the safety-fee rate tables, the permitted spending categories, the restricted/prohibited industry catalogue and
the standardisation incentives."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def _load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def plain(number: Decimal) -> str:
    """A decimal as people write it: 2.25, 4.5, 10 (no trailing zeros, no exponent)."""
    return f"{number.normalize():f}"


def percent(rate: Decimal) -> str:
    """A rate as a percentage: 0.0225 → 2.25%."""
    return f"{plain(rate * 100)}%"


@dataclass(frozen=True)
class Bracket:
    upto: Decimal | None  # upper bound of the bracket (inclusive); None: no upper bound
    rate: Decimal


@dataclass(frozen=True)
class Sector:
    code: str
    name: str
    basis: str  # revenue | cost | tonnage
    verified: bool
    brackets: tuple[Bracket, ...] = ()
    flat_rate: Decimal | None = None
    per_unit: Decimal | None = None
    unit: str = "元"

    @property
    def basis_label(self) -> str:
        return {"revenue": "上一年度营业收入（元）", "cost": "建筑安装工程造价（元）"}.get(
            self.basis, f"产量（{self.unit}）"
        )

    @property
    def rate_text(self) -> str:
        if self.flat_rate is not None:
            return percent(self.flat_rate)
        if self.per_unit is not None:
            return f"{plain(self.per_unit)} 元/{self.unit}"
        parts, low = [], Decimal(0)
        for b in self.brackets:
            rate = percent(b.rate)
            if b.upto is None:
                parts.append(f"{_wan(low)}以上 {rate}" if low else rate)
            else:
                parts.append(f"{_wan(low)}–{_wan(b.upto)} {rate}" if low else f"{_wan(b.upto)}及以下 {rate}")
                low = b.upto
        return "；".join(parts)


def _wan(amount: Decimal) -> str:
    if amount >= 100_000_000:
        return f"{amount / 100_000_000:g}亿元"
    return f"{amount / 10_000:g}万元"


@dataclass(frozen=True)
class FeeTable:
    version: str
    title: str
    source: str
    note: str
    sectors: tuple[Sector, ...]

    def find(self, key: str) -> Sector | None:
        key = (key or "").strip()
        for s in self.sectors:
            if key in (s.code, s.name):
                return s
        return None


@lru_cache(maxsize=1)
def fee_table() -> FeeTable:
    raw = _load("fee_tables.json")
    sectors = []
    for row in raw["sectors"]:
        sectors.append(
            Sector(
                code=row["code"],
                name=row["name"],
                basis=row["basis"],
                verified=bool(row.get("verified")),
                brackets=tuple(
                    Bracket(Decimal(b["upto"]) if b["upto"] is not None else None, Decimal(b["rate"]))
                    for b in row.get("brackets", ())
                ),
                flat_rate=Decimal(row["flat_rate"]) if "flat_rate" in row else None,
                per_unit=Decimal(row["per_unit"]) if "per_unit" in row else None,
                unit=row.get("unit", "元"),
            )
        )
    return FeeTable(raw["version"], raw["title"], raw["source"], raw["note"], tuple(sectors))


def construction_sectors() -> list[Sector]:
    return [s for s in fee_table().sectors if s.basis == "cost"]


def revenue_sectors() -> list[Sector]:
    return [s for s in fee_table().sectors if s.basis == "revenue"]


@lru_cache(maxsize=1)
def spending_categories() -> dict[str, Any]:
    return _load("spending_categories.json")


def category_name(code: str) -> str:
    for c in spending_categories()["categories"]:
        if c["code"] == code:
            return str(c["name"])
    return code


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    kind: str  # prohibited | restricted
    name: str
    areas: tuple[str, ...]
    keywords: tuple[str, ...]
    conditions: str
    source: str
    verified: bool

    @property
    def kind_label(self) -> str:
        return "禁止类" if self.kind == "prohibited" else "限制类"

    def applies_to(self, region_code: str) -> bool:
        return "all" in self.areas or any(region_code.startswith(a) for a in self.areas)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Any]:
    raw = _load("catalogue.json")
    raw["parsed"] = tuple(
        CatalogueEntry(
            code=e["code"],
            kind=e["kind"],
            name=e["name"],
            areas=tuple(e.get("areas", ["all"])),
            keywords=tuple(e.get("keywords", ())),
            conditions=e.get("conditions", ""),
            source=e.get("source", ""),
            verified=bool(e.get("verified")),
        )
        for e in raw["entries"]
    )
    return raw


def catalogue_entries() -> tuple[CatalogueEntry, ...]:
    return catalogue()["parsed"]  # type: ignore[no-any-return]


def catalogue_entry(code: str) -> CatalogueEntry | None:
    return next((e for e in catalogue_entries() if e.code == code), None)


@lru_cache(maxsize=1)
def incentives() -> dict[str, Any]:
    return _load("incentives.json")
