"""Shared test fixtures: a small world built through the same services the platform uses.

`world` holds the reference data, two or three enterprises per township in different industries and every
demo persona (see zhiben/demo/personas.py), so tests read as stories about 营田镇's official, 住建局's
inspector, qiye1's manager and so on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pytest

os.environ.setdefault("ZHIBEN_TESTING", "1")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Each test starts with an empty cache: the 待办 badge and the rate limits are kept per user id or address,
    and ids repeat from test to test, so a value one test cached must not answer in the next."""
    from django.core.cache import cache  # Django is configured by pytest-django by the time a test runs

    cache.clear()
    yield


@dataclass
class World:
    users: dict[str, Any]
    enterprises: dict[str, Any]
    regions: dict[str, Any] = field(default_factory=dict)
    industries: dict[str, Any] = field(default_factory=dict)
    departments: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


# (slot, name, township, primary industry, USCC body, high risk)
TEST_ENTERPRISES = (
    ("qiye1", "屈原营田机械制造有限公司", "营田镇", "INDTRADE-MACHINE", "MA4L0001", False),
    ("qiye2", "岳阳河市化工有限公司", "河市镇", "HAZCHEM-PROD", "MA4L0002", True),
    ("qiye3", "屈原天问建筑工程有限公司", "天问街道", "CONSTRUCTION", "MA4L0003", True),
    ("yt_gas", "营田燃气经营部", "营田镇", "GAS", "MA4L0004", True),
    ("yt_shop", "营田兰花超市", "营田镇", "FIRE-SMALL", "MA4L0005", False),
    ("hs_road", "河市顺达货运有限公司", "河市镇", "ROAD", "MA4L0006", True),
    ("fh_school", "凤凰乡中心小学", "凤凰乡", "EDUCATION", "MA4L0007", False),
    ("fh_fireworks", "凤凰烟花爆竹批发部", "凤凰乡", "FIREWORKS", "MA4L0008", True),
)

# Given names of each unit's 主要负责人 (张…) and 实际控制人 (李…): pages show people by name.
TEST_GIVEN_NAMES = {
    "qiye1": "建国",
    "qiye2": "河生",
    "qiye3": "天佑",
    "yt_gas": "燃明",
    "yt_shop": "兰芳",
    "hs_road": "顺达",
    "fh_school": "育才",
    "fh_fireworks": "焰红",
}


def build_world() -> World:
    from zhiben.core.codes import make_uscc
    from zhiben.demo.personas import ensure_personas
    from zhiben.registry.models import Department, Industry, Region
    from zhiben.registry.reference import load_reference_data
    from zhiben.registry.services import create_enterprise

    load_reference_data()
    regions = {r.name: r for r in Region.objects.all()}
    industries = {i.code: i for i in Industry.objects.all()}
    enterprises = {}
    for slot, name, township, industry, body, high_risk in TEST_ENTERPRISES:
        town = regions[township]
        village = town.children.order_by("code").first() or town
        enterprises[slot] = create_enterprise(
            actor=None,
            uscc=make_uscc("9", "1", "430671", body),
            name=name,
            region=village,
            primary_industry=industries[industry],
            industries=[industries[industry]],
            is_high_risk=high_risk,
            principal_name="张" + TEST_GIVEN_NAMES[slot],
            principal_phone="13800000001",
            controller_name="李" + TEST_GIVEN_NAMES[slot],
            controller_phone="13900000002",
            address=f"{town.name}{village.name}",
        )
    users = ensure_personas(enterprises)
    return World(
        users=users,
        enterprises=enterprises,
        regions=regions,
        industries=industries,
        departments={d.code: d for d in Department.objects.all()},
    )


@pytest.fixture
def world(db: Any) -> World:
    return build_world()
