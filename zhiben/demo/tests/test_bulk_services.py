"""The bulk registry services the demo generator uses at city and province scale (批量登记)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhiben.core.codes import make_uscc
from zhiben.core.models import AuditEntry
from zhiben.registry.models import Enterprise, Industry, Region
from zhiben.registry.reference import load_reference_data
from zhiben.registry.services import bulk_create_enterprises, bulk_create_regions

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(empty_db):
    """Reference data only: the rows' codes are the test world's, so the world must not be there."""
    load_reference_data()


def _row(body: str, **extra):
    return {
        "uscc": make_uscc("9", "1", "430671", body),
        "name": f"屈原{body}机械有限公司",
        "region": Region.objects.get(code="430671100204"),
        "industries": [
            Industry.objects.get(code="INDTRADE-MACHINE"),
            Industry.objects.get(code="SPECIAL-EQUIP"),
        ],
        "principal_name": "彭建国",
        "principal_phone": "13907300001",
        "people": [
            {"name": "易红梅", "role": "safety_manager", "phone": "13907300002", "title": "专职安全员"}
        ],
        **extra,
    }


def test_it_imports_enterprises_in_batches_with_one_audit_row_each(reference):
    rows = [_row(f"MA4L{n:04d}") for n in range(5)]
    created = bulk_create_enterprises(rows, actor=None, source="测试", batch_size=2)
    assert len(created) == 5 and Enterprise.objects.count() == 5
    e = Enterprise.objects.get(pk=created[0].pk)
    assert e.primary_industry.code == "INDTRADE-MACHINE"
    assert sorted(e.industries.values_list("code", flat=True)) == ["INDTRADE-MACHINE", "SPECIAL-EQUIP"]
    assert e.people.get().phone == "13907300002"
    assert e.principal_phone == "13907300001"
    audits = list(AuditEntry.objects.filter(event="ENTERPRISES_IMPORTED").order_by("seq"))
    assert [a.data["count"] for a in audits] == [2, 2, 1]
    assert [a.data["people"] for a in audits] == [2, 2, 1]


def test_it_refuses_a_bad_uscc_and_names_the_row(reference):
    bad = _row("MA4L0009", uscc="91430671MA4L00090X")
    with pytest.raises(ValidationError, match="第 2 行：统一社会信用代码校验位错误"):
        bulk_create_enterprises([_row("MA4L0008"), bad], actor=None)
    assert not Enterprise.objects.exists()  # all or nothing


def test_it_refuses_a_uscc_already_registered(reference):
    bulk_create_enterprises([_row("MA4L0001")], actor=None)
    with pytest.raises(ValidationError, match=r"第 1 行：统一社会信用代码 .* 已登记"):
        bulk_create_enterprises([_row("MA4L0001", name="另一家公司")], actor=None)
    with pytest.raises(ValidationError, match="重复"):
        bulk_create_enterprises([_row("MA4L0002"), _row("MA4L0002")], actor=None)


def test_it_creates_regions_parents_first_and_checks_their_codes(reference):
    rows = [
        {"code": "430691001101", "name": "青湾社区", "level": 5, "parent": "430691001"},
        {"code": "430691", "name": "青湾区", "level": 3, "parent": "430600"},
        {"code": "430691001", "name": "青湾街道", "level": 4, "parent": "430691"},
    ]
    created = bulk_create_regions(rows, actor=None, source="测试")
    assert [r.code for r in created] == ["430691", "430691001", "430691001101"]
    village = Region.objects.get(code="430691001101")
    assert village.parent.parent.parent.name == "岳阳市"
    assert village.source == "测试" and not village.verified
    assert AuditEntry.objects.filter(event="REFERENCE_LOADED", object_type="registry.region").get().data == {
        "regions": 3,
        "source": "测试",
    }
    with pytest.raises(ValidationError, match="已存在"):
        bulk_create_regions([rows[1]], actor=None)
    with pytest.raises(ValidationError, match="不在上级辖区内"):
        bulk_create_regions(
            [{"code": "430691101", "name": "错位镇", "level": 4, "parent": "430671"}], actor=None
        )
    with pytest.raises(ValidationError, match="级别与代码不符"):
        bulk_create_regions(
            [{"code": "430693", "name": "错级县", "level": 4, "parent": "430600"}], actor=None
        )
