"""内部举报: a unit records its own workers' reports, verifies them, registers a founded one as a hazard and
records the reward; government readers see the counts of the units in their scope; the reporter's name stays
with the unit."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from zhiben.core.models import AuditEntry
from zhiben.core.testing import assert_audited, login
from zhiben.hazards.choices import Source
from zhiben.tips import indicators
from zhiben.tips.choices import InternalStatus
from zhiben.tips.models import InternalReport
from zhiben.tips.services import internal as services
from zhiben.tips.testing import SENTINEL_NAME

TODAY = dt.date.today()


def _record(world: Any, slot: str = "qiye1", **fields: Any) -> InternalReport:
    user = world.users.get(slot)
    values = {
        "reported_on": TODAY - dt.timedelta(days=3),
        "content": "二号车间配电箱门损坏，电线裸露。",
        "location": "二号车间",
        "reporter_name": SENTINEL_NAME,
    }
    values.update(fields)
    return services.record_internal_report(actor=user, enterprise=world.enterprises[slot], **values)


def test_the_unit_records_verifies_registers_the_hazard_and_rewards(client: Client, world: Any) -> None:
    login(client, world.qiye1)
    unit = world.enterprises["qiye1"]
    response = client.post(
        reverse("tips:internal_create"),
        {
            "enterprise": unit.pk,
            "reported_on": (TODAY - dt.timedelta(days=2)).isoformat(),
            "reporter_name": SENTINEL_NAME,
            "location": "二号车间",
            "content": "二号车间配电箱门损坏，电线裸露。",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = InternalReport.objects.get()
    assert report.reporter_name == SENTINEL_NAME and report.recorded_by == world.qiye1
    assert_audited("INTERNAL_REPORT_RECORDED", report, actor=world.qiye1, anonymous=False)

    page = client.get(report.get_absolute_url()).content.decode()
    assert SENTINEL_NAME in page  # the unit sees who reported to it
    assert 'data-step="found"' in page and 'data-step="unfound"' in page

    step = reverse("tips:internal_step", args=[report.pk, "found"])
    assert client.get(step).status_code == 200
    response = client.post(
        step, {"level": "general", "title": "配电箱门损坏", "note": "已现场核实", "version": report.version}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report.refresh_from_db()
    assert report.status == InternalStatus.FOUNDED and report.hazard is not None
    hazard = report.hazard
    assert hazard.enterprise == unit and hazard.source == Source.SELF_CHECK
    assert hazard.finder == services.FINDER and SENTINEL_NAME not in hazard.description + hazard.finder

    reward = reverse("tips:internal_step", args=[report.pk, "reward"])
    response = client.post(
        reward, {"amount": "500", "rewarded_on": TODAY.isoformat(), "version": report.version}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.reward_amount == Decimal("500") and report.rewarded_on == TODAY
    assert_audited("INTERNAL_REPORT_REWARDED", report, actor=world.qiye1)
    # Once rewarded, no second reward is offered.
    assert 'data-step="reward"' not in client.get(report.get_absolute_url()).content.decode()
    # The reporter's name is in no audit row.
    assert not [
        e.event for e in AuditEntry.objects.all() if SENTINEL_NAME in json.dumps(e.data, ensure_ascii=False)
    ]


def test_bad_input_is_a_field_error_and_nothing_is_written(client: Client, world: Any) -> None:
    login(client, world.qiye1)
    unit = world.enterprises["qiye1"]
    response = client.post(
        reverse("tips:internal_create"),
        {"enterprise": unit.pk, "reported_on": (TODAY + dt.timedelta(days=2)).isoformat(), "content": "   "},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "请填写报告内容" in text
    assert not InternalReport.objects.exists()

    report = _record(world)
    response = client.post(
        reverse("tips:internal_step", args=[report.pk, "unfound"]), {"note": "", "version": report.version}
    )
    assert response.status_code == 400
    # A reward for a report not founded is not offered and refused.
    response = client.post(
        reverse("tips:internal_step", args=[report.pk, "reward"]),
        {"amount": "100", "rewarded_on": TODAY.isoformat(), "version": report.version},
    )
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == InternalStatus.RECEIVED and report.rewarded_on is None
    # 重大 without a clause: the hazard service's own field error, nothing half-written.
    response = client.post(
        reverse("tips:internal_step", args=[report.pk, "found"]),
        {"level": "major", "title": "配电箱", "version": report.version},
    )
    assert response.status_code == 400 and "判定标准条款" in response.content.decode()
    report.refresh_from_db()
    assert report.hazard is None and report.status == InternalStatus.RECEIVED
    # A stale version is a 409.
    response = client.post(
        reverse("tips:internal_step", args=[report.pk, "unfound"]), {"note": "经核实不存在", "version": 99}
    )
    assert response.status_code == 409
    services.verify_founded(report, actor=world.qiye1, title="配电箱门损坏")
    with pytest.raises(Exception, match="奖励金额应大于 0"):
        services.record_reward(report, actor=world.qiye1, amount=Decimal("0"), rewarded_on=TODAY)


def test_scope_other_units_404_government_reads_without_the_name(client: Client, world: Any) -> None:
    report = _record(world)  # 营田镇, machinery
    url = report.get_absolute_url()
    assert login(client, world.qiye2).get(url).status_code == 404
    assert login(client, world.heshi).get(url).status_code == 404
    assert login(client, world.jubao).get(url).status_code == 403  # the custodian handles tips, not these
    for persona in ("yingtian", "anweiban", "lingdao"):
        page = login(client, world.users[persona]).get(url)
        assert page.status_code == 200, persona
        body = page.content.decode()
        assert SENTINEL_NAME not in body and 'data-step="found"' not in body, persona
        # Only the unit acts on it.
        assert client.get(reverse("tips:internal_step", args=[report.pk, "found"])).status_code == 403
    listing = login(client, world.yingtian).get(reverse("tips:internal_list"))
    assert report.enterprise.name in listing.content.decode()
    export = client.get(reverse("tips:internal_list") + "?export=xlsx")
    assert export.status_code == 200 and SENTINEL_NAME.encode() not in export.content


def test_counts_per_unit_and_township_scoped_with_excel_equal_to_the_page(client: Client, world: Any) -> None:
    a = _record(world)
    services.verify_founded(a, actor=world.qiye1, title="配电箱门损坏")
    services.record_reward(a, actor=world.qiye1, amount=Decimal("300"), rewarded_on=TODAY)
    _record(world, content="叉车司机未持证作业。")
    _record(world, "qiye2", content="储罐区可燃气体报警器失灵。")

    counts = indicators.internal_reporting(start=TODAY.replace(month=1, day=1), end=TODAY)
    by_unit = {u.name: (u.reports, u.founded, u.rewarded, u.reward_total) for u in counts.units}
    assert by_unit[world.enterprises["qiye1"].name] == (2, 1, 1, Decimal("300"))
    assert by_unit[world.enterprises["qiye2"].name] == (1, 0, 0, Decimal("0"))
    assert counts.value == 3 and counts.records.count() == 3 and counts.hits.count() == 1
    town = indicators.internal_reporting(township=world.regions["河市镇"])
    assert town.value == 1

    login(client, world.yingtian)
    page = client.get(reverse("tips:internal_counts"))
    assert page.status_code == 200
    body = page.content.decode()
    assert world.enterprises["qiye1"].name in body and world.enterprises["qiye2"].name not in body
    assert SENTINEL_NAME not in body
    book = load_workbook(io.BytesIO(client.get(reverse("tips:internal_counts_export")).content))
    units = [[c.value for c in row] for row in book["按单位"].iter_rows(min_row=4)]
    assert units[0][:5] == [world.enterprises["qiye1"].name, "营田镇", 2, 1, 1]
    assert len(units) == 2  # the unit and the totals row
    assert login(client, world.jubao).get(reverse("tips:internal_counts")).status_code == 403


def test_the_api_records_lists_and_steps_in_scope(client: Client, world: Any) -> None:
    login(client, world.qiye1)
    unit = world.enterprises["qiye1"]
    response = client.post(
        "/api/v1/internal-reports/",
        {
            "enterprise": unit.pk,
            "reported_on": TODAY.isoformat(),
            "reporter_name": SENTINEL_NAME,
            "content": "消防通道堆放货物。",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["reporter_name"] == SENTINEL_NAME and data["status"] == "received"
    pk = data["id"]
    bad = client.post(
        "/api/v1/internal-reports/",
        {"enterprise": unit.pk, "reported_on": TODAY.isoformat(), "content": ""},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "content" in bad.json()
    other = client.post(
        "/api/v1/internal-reports/",
        {"enterprise": world.enterprises["qiye2"].pk, "reported_on": TODAY.isoformat(), "content": "x"},
        content_type="application/json",
    )
    assert other.status_code == 403
    done = client.post(
        f"/api/v1/internal-reports/{pk}/found/",
        {"level": "general", "title": "消防通道堵塞", "version": data["version"]},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["hazard_code"]

    login(client, world.yingtian)
    listed = client.get("/api/v1/internal-reports/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [pk] and rows[0]["reporter_name"] is None
    assert SENTINEL_NAME not in json.dumps(listed, ensure_ascii=False)
    login(client, world.heshi)
    assert client.get(f"/api/v1/internal-reports/{pk}/").status_code == 404
    assert client.post(
        f"/api/v1/internal-reports/{pk}/reward/",
        {"amount": "100", "rewarded_on": TODAY.isoformat(), "version": 2},
        content_type="application/json",
    ).status_code in (403, 404)


def test_the_unit_file_shows_its_internal_reports(client: Client, world: Any) -> None:
    report = _record(world)
    unit = world.enterprises["qiye1"]
    page = login(client, world.qiye1).get(unit.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "内部举报" in body and report.get_absolute_url() in body and SENTINEL_NAME not in body
