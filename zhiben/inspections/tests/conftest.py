"""Fixtures of the inspection tests: the 执法检查人员名录库, checklists, and a clock inside the holiday data.

`inspectors` is the roster every inspection test draws its teams from:

    inspectors["yingji"], ["zhujian"], ["xiaofang"], ["shichang"]   certified officers with a login (personas)
    inspectors["yingji_2"], ["zhujian_2"], ["xiaofang_2"], ["shichang_2"]   a second certified officer each,
                                                                             without a login
    inspectors["zhuanjia"]   an expert (专家) of 应急管理局's expert pool, linked to the zhuanjia persona;
                             an assistant only, never a legal inspecting subject

Certificates are valid to the end of 2027 (the clock stands in 2025).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhiben.inspections.choices import InspectorKind
from zhiben.inspections.models import Inspector
from zhiben.registry.tests.test_browser import browser_page  # noqa: F401 - the Chromium page fixture

CERTIFICATE_VALID_UNTIL = dt.date(2027, 12, 31)

# persona → (department code, certificate number, second officer's name)
OFFICERS = {
    "yingji": ("emergency", "43067101001", "应急执法员乙"),
    "zhujian": ("housing", "43067102001", "住建执法员乙"),
    "xiaofang": ("fire", "43067104001", "消防监督员乙"),
    "shichang": ("market", "43067105001", "市场执法员乙"),
}


@pytest.fixture
def clock() -> Any:
    """A movable clock at a Monday in 2025 (working-day data exists for 2025–2026)."""
    with time_machine.travel(
        dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ) as t:
        yield t


@pytest.fixture
def inspectors(world: Any) -> dict[str, Inspector]:
    """Certified officers of 应急、住建、消防、市场监管 (one with a login, one without each) and an expert."""
    roster: dict[str, Inspector] = {}
    for username, (dept_code, cert, second_name) in OFFICERS.items():
        department = world.departments[dept_code]
        user = world.users[username]
        roster[username] = Inspector.objects.create(
            user=user,
            name=user.display_name or username,
            department=department,
            kind=InspectorKind.OFFICER,
            certificate_no=cert,
            certificate_valid_until=CERTIFICATE_VALID_UNTIL,
        )
        roster[f"{username}_2"] = Inspector.objects.create(
            name=second_name,
            department=department,
            kind=InspectorKind.OFFICER,
            certificate_no=cert[:-1] + "2",
            certificate_valid_until=CERTIFICATE_VALID_UNTIL,
        )
    roster["zhuanjia"] = Inspector.objects.create(
        user=world.users["zhuanjia"],
        name="安全生产专家",
        department=world.departments["emergency"],
        kind=InspectorKind.EXPERT,
        specialty="危险化学品、燃气",
    )
    return roster


@pytest.fixture
def checklists(world: Any) -> dict[str, Any]:
    """住建局's 城镇燃气 checklist and 消防救援大队's fire checklist, each: three clauses and one custom item."""
    from zhiben.standards.checklists import create_checklist
    from zhiben.standards.models import Clause

    def clauses(standard: str) -> list[Clause]:
        # The current version when its text is on file (消防's 2025 rules are not yet: then the 2017 method).
        qs = Clause.objects.filter(version__standard__code=standard)
        current = qs.filter(version__is_current=True)
        return list((current if current.exists() else qs).order_by("sort_order", "pk")[:3])

    return {
        "housing": create_checklist(
            actor=world.zhujian,
            name="城镇燃气经营安全检查表",
            clauses=clauses("city-gas"),
            custom_items=["气瓶充装记录是否完整"],
            industry=world.industries["GAS"],
        ),
        "fire": create_checklist(
            actor=world.xiaofang,
            name="消防安全检查表",
            clauses=clauses("fire"),
            custom_items=["灭火器是否在有效期内"],
        ),
    }


@pytest.fixture
def joint_inspection(world: Any, inspectors: Any, checklists: Any) -> Any:
    """A planned joint visit of 住建局 (lead) and 消防救援大队 to 营田燃气经营部, each with its checklist, and the
    expert assisting. Caps are cleared first (they are data tested on their own)."""
    from zhiben.inspections.choices import Mode, Origin
    from zhiben.inspections.models import InspectionCap
    from zhiben.inspections.services import records

    InspectionCap.objects.all().delete()
    return records.create_inspection(
        actor=world.zhujian,
        enterprise=world.enterprises["yt_gas"],
        department=world.departments["housing"],
        mode=Mode.JOINT,
        origin=Origin.SPECIAL,
        planned_on=dt.date(2025, 3, 3),
        officers=[inspectors["zhujian"], inspectors["xiaofang"]],
        assistants=[inspectors["zhuanjia"]],
        departments=[world.departments["fire"]],
        checklists={
            world.departments["housing"].pk: checklists["housing"],
            world.departments["fire"].pk: checklists["fire"],
        },
        subject="城镇燃气安全专项检查",
    )
