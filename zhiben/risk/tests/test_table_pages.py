"""The band tables' pages on the core form page: 新增分级表版本 starts from the current table and refuses a gap in
Chinese; 采用分级表 offers the district and its townships and records the adoption."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from django.urls import reverse

from zhiben.core.testing import login
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Region
from zhiben.risk import reference
from zhiben.risk.models import RiskTable, TableAdoption


def test_new_table_version_and_its_adoption_through_the_pages(world: Any) -> None:
    office = login(Client(), world.anweiban)
    new = reverse("risk:table_create")
    form = office.get(new + "?method=LS")
    assert form.status_code == 200
    base = reference.table_for("LS")
    assert base.name in form.content.decode()
    data = {"scales": base.data["scales"], "bands": base.data["bands"]}
    gap = json.loads(json.dumps(data))
    gap["bands"][0]["above"] = str(int(float(gap["bands"][0]["above"])) + 1)  # opens a gap under the top band
    post = {"code": "LS-2026-屈原", "method": "LS", "name": "LS 分级表（屈原 2026）", "source": "区安委办"}
    refused = office.post(new, {**post, "content": json.dumps(gap)})
    assert refused.status_code == 400 and "空档" in refused.content.decode()
    assert not RiskTable.objects.filter(code="LS-2026-屈原").exists()
    done = office.post(new, {**post, "content": json.dumps(data)}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("risk:table_list")
    assert "已新增分级表版本" in done.content.decode()
    table = RiskTable.objects.get(code="LS-2026-屈原")
    adopt = reverse("risk:table_adopt")
    page = office.get(adopt).content.decode()
    district = Region.objects.filter(level=RegionLevel.COUNTY).first()
    assert district is not None and district.name in page and world.regions["河市镇"].name in page
    village = Region.objects.filter(level=RegionLevel.VILLAGE).first()
    assert village is not None
    assert office.post(adopt, {"region": village.pk, "table": table.pk}).status_code == 400
    assert office.post(adopt, {"region": world.regions["河市镇"].pk, "table": table.pk}).status_code == 302
    assert TableAdoption.objects.get(table=table).region == world.regions["河市镇"]
    assert reference.table_for("LS", world.regions["河市镇"]).code == "LS-2026-屈原"
    # a unit may not open either page
    unit = login(Client(), world.qiye1)
    assert unit.get(new).status_code == 403 and unit.get(adopt).status_code == 403
