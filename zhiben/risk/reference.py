"""Reference data of the module, shipped as data files with their source (all 待核实):

* `data/risk_tables.json` — the LEC and LS scales and four-colour band tables (the defaults);
* `data/factors.json` — the GB/T 13861 categories of 危险有害因素;
* `data/card_templates.json` — 一会三卡 templates per post and industry, and the 动工卡 confirmations per work.

Band tables live in `RiskTable` rows (created from the data file on first use); a region adopts another version
(`TableAdoption`) and new assessments of its units use it, while each assessment keeps the table it was made with.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction

from zhiben.registry.models import Region

from .grading import check_table
from .models import RiskTable, TableAdoption

DATA = Path(__file__).resolve().parent / "data"


@cache
def _load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def shipped_tables() -> dict[str, Any]:
    return _load("risk_tables.json")


def factor_categories() -> list[dict[str, Any]]:
    return list(_load("factors.json")["categories"])


def factor_choices() -> list[tuple[str, str]]:
    return [(c["code"], f"{c['code']} {c['name']}") for top in factor_categories() for c in top["children"]]


def factor_name(code: str) -> str:
    for top in factor_categories():
        for c in top["children"]:
            if c["code"] == code:
                return f"{top['name']} · {c['name']}"
    return "其他"


def card_templates() -> dict[str, Any]:
    return _load("card_templates.json")


def post_template(key: str) -> dict[str, Any]:
    posts = card_templates()["posts"]
    return next((p for p in posts if p["key"] == key), posts[0])


def templates_for(industry_codes: set[str]) -> list[dict[str, Any]]:
    """The post templates fitting a unit's industries (by code prefix), the general one first."""
    out = []
    for p in card_templates()["posts"]:
        if not p["industries"] or any(c.startswith(tuple(p["industries"])) for c in industry_codes):
            out.append(p)
    return out


def permit_measures(kind: str) -> list[str]:
    return list(card_templates()["permits"].get(kind, []))


@transaction.atomic
def ensure_tables() -> None:
    """The shipped tables as `RiskTable` rows (idempotent)."""
    shipped = shipped_tables()
    have = set(RiskTable.objects.values_list("code", flat=True))
    for t in shipped["tables"]:
        if t["code"] in have:
            continue
        data = check_table(t["method"], {"scales": t["scales"], "bands": t["bands"]})
        RiskTable.objects.create(
            code=t["code"],
            method=t["method"],
            name=t["name"],
            data=data,
            source=t["source"],
            verified=t["verified"],
        )


def table_for(method: str, region: Region | None = None) -> Any:
    """The table new assessments of a unit in `region` use: the latest adoption by the region or its nearest
    ancestor, else the shipped default."""
    ensure_tables()
    if region is not None:
        chain: list[int] = []
        node: Region | None = region
        while node is not None and len(chain) < 8:
            chain.append(node.pk)
            node = node.parent
        adoptions = list(
            TableAdoption.objects.filter(method=method, region_id__in=chain).select_related("table")
        )
        for pk in chain:  # the nearest region with an adoption, its latest
            mine = [a for a in adoptions if a.region_id == pk]
            if mine:
                return max(mine, key=lambda a: a.pk).table
    return RiskTable.objects.get(code=shipped_tables()["defaults"][method])
