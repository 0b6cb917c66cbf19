"""The accident rules as data (`data/*.json`), each with its source: the grade thresholds of 国务院令第493号
(versioned), the accident types of GB/T 6441-1986 and GB 6441-2025, and the reporting and investigation
windows (待核实). `grade_of(...)` is the one place an accident's grade is computed."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


# --- grades ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    grade: str
    label: str
    deaths: int
    serious_injuries: int
    direct_loss: Decimal


@dataclass(frozen=True)
class GradeScheme:
    version: str
    title: str
    source: str
    verified: bool
    thresholds: tuple[Threshold, ...]  # highest grade first
    lowest: str
    lowest_label: str


@cache
def grade_scheme() -> GradeScheme:
    raw = _load("grades.json")
    return GradeScheme(
        version=raw["version"],
        title=raw["title"],
        source=raw["source"],
        verified=bool(raw["verified"]),
        thresholds=tuple(
            Threshold(
                g["grade"],
                g["label"],
                int(g["deaths"]),
                int(g["serious_injuries"]),
                Decimal(g["direct_loss"]),
            )
            for g in raw["grades"]
        ),
        lowest=raw["lowest"]["grade"],
        lowest_label=raw["lowest"]["label"],
    )


def grade_of(deaths: int, serious_injuries: int, direct_loss: Decimal | int | None) -> str:
    """The grade by 493号令 第三条: the highest grade any of the three criteria reaches. "N人以上" includes N
    ("以上" includes the number), so a criterion is reached at its threshold exactly; below every threshold
    the accident is 一般 (“3人以下”, "10人以下", "1000万元以下" exclude the number)."""
    scheme = grade_scheme()
    loss = Decimal(direct_loss or 0)
    for t in scheme.thresholds:
        if deaths >= t.deaths or serious_injuries >= t.serious_injuries or loss >= t.direct_loss:
            return t.grade
    return scheme.lowest


# --- accident types ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeList:
    version: str
    title: str
    source: str
    active: bool
    verified: bool
    types: tuple[tuple[str, str], ...]  # (code, name)


@cache
def type_lists() -> tuple[TypeList, ...]:
    out = []
    for v in _load("types.json")["versions"]:
        prefix = v["version"].rsplit("-", 1)[-1]
        out.append(
            TypeList(
                version=v["version"],
                title=v["title"],
                source=v["source"],
                active=bool(v["active"]),
                verified=bool(v["verified"]),
                types=tuple((f"{prefix}-{i:02d}", name) for i, name in enumerate(v["types"], start=1)),
            )
        )
    return tuple(out)


def type_choices(active_only: bool = False) -> list[tuple[str, str]]:
    return [(code, name) for tl in type_lists() if tl.active or not active_only for code, name in tl.types]


def type_name(code: str) -> str:
    return dict(type_choices()).get(code, code or "—")


ROAD_FIRE_TYPES = frozenset({"车辆伤害", "火灾", "道路（轨道）车辆致害"})
ROAD_FIRE_INDUSTRIES = ("ROAD", "FIRE")  # industry code prefixes: 道路运输, 消防


# --- windows -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    code: str
    label: str
    hours: int
    days: int
    source: str
    verified: bool

    @property
    def delta(self) -> dt.timedelta:
        return dt.timedelta(hours=self.hours, days=self.days)


@cache
def windows() -> dict[str, Window]:
    return {
        w["code"]: Window(
            w["code"],
            w["label"],
            int(w.get("hours", 0)),
            int(w.get("days", 0)),
            w["source"],
            bool(w["verified"]),
        )
        for w in _load("windows.json")["windows"]
    }


def window(code: str) -> Window:
    return windows()[code]
