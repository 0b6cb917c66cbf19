"""The 执法检查人员名录库 the other inspection tests draw their teams from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zhiben.inspections.choices import InspectorKind


def test_it_lists_certified_officers_with_and_without_logins_and_an_expert(inspectors: Any) -> None:
    on = dt.date(2025, 3, 3)
    for name in ("yingji", "zhujian", "xiaofang", "shichang"):
        assert inspectors[name].user.username == name
        assert inspectors[name].is_certified(on)
        assert inspectors[f"{name}_2"].user is None
        assert inspectors[f"{name}_2"].is_certified(on)
        assert inspectors[name].department_id == inspectors[f"{name}_2"].department_id
    expert = inspectors["zhuanjia"]
    assert expert.kind == InspectorKind.EXPERT and expert.user.username == "zhuanjia"
    assert not expert.is_certified(on)
