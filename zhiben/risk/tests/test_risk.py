"""双重预防 (risk half) and 一会三卡: grading at every band boundary, the calculator API, band table versions and
their adoption, scope, patrols → hazards, the draw weight, 一会三卡 coverage and its indicator, 动工卡 steps."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhiben.core.errors import NotPermitted
from zhiben.core.testing import login
from zhiben.hazards.choices import Level as HazardLevel
from zhiben.hazards.models import Hazard
from zhiben.risk import grading, reference, services
from zhiben.risk.choices import Level, PermitStatus, PointStatus
from zhiben.risk.coverage import coverage_of, workdays
from zhiben.risk.models import Assessment, PostCard, RiskPoint, ShiftMeeting

pytestmark = pytest.mark.django_db

CONTROLS = [
    {"kind": "engineering", "text": "液氨储罐区设置可燃有毒气体报警仪"},
    {"kind": "management", "text": "每班巡检并记录储罐压力"},
]


def _point(world: Any, slot: str = "qiye2", **extra: Any) -> RiskPoint:
    return services.register_point(
        actor=world.users[slot],
        enterprise=world.enterprises[slot],
        kind="place",
        name=extra.pop("name", "液氨储罐区"),
        location="厂区东侧",
        factors=[{"category": "2.2", "text": "液氨泄漏中毒"}],
        controls=CONTROLS,
        responsible_person="王班长",
        **extra,
    )


def _default(method: str) -> dict[str, Any]:
    return reference.table_for(method).data


def _api(client: Client, body: dict[str, Any]) -> Any:
    return client.post(reverse("risk-assess"), body, content_type="application/json")


# --- grading -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "level", "colour"),
    [
        ("70", "低", "蓝"),
        ("70.5", "一般", "黄"),
        ("160", "一般", "黄"),
        ("160.5", "较大", "橙"),
        ("320", "较大", "橙"),
        ("320.5", "重大", "红"),
        ("0.1", "低", "蓝"),
        ("10000", "重大", "红"),
    ],
)
def test_lec_default_table_at_every_boundary(score: str, level: str, colour: str) -> None:
    g = grading.grade(Decimal(score), _default("LEC"))
    assert (g.level, g.colour) == (level, colour)


@pytest.mark.parametrize(
    ("L", "S", "score", "level", "colour"),
    [
        (2, 4, "8", "低", "蓝"),
        (3, 3, "9", "一般", "黄"),
        (3, 4, "12", "一般", "黄"),
        (3, 5, "15", "较大", "橙"),
        (4, 4, "16", "较大", "橙"),
        (4, 5, "20", "重大", "红"),
        (1, 1, "1", "低", "蓝"),
    ],
)
def test_ls_through_the_api_at_every_boundary(
    world: Any, L: int, S: int, score: str, level: str, colour: str
) -> None:
    response = _api(login(Client(), world.anweiban), {"method": "LS", "L": L, "S": S})
    assert response.status_code == 200, response.content
    assert response.json() == {"score": score, "level": level, "colour": colour, "table": "LS-2016-1"}


@pytest.mark.parametrize(
    ("L", "E", "C", "score", "level"),
    [
        (6, 6, 15, "540", "重大"),
        (10, 1, 7, "70", "低"),
        (10, 0.5, 15, "75", "一般"),
        (10, 1, 15, "150", "一般"),
        (10, 6, 3, "180", "较大"),
        (10, 10, 3, "300", "较大"),
        (3, 3, 40, "360", "重大"),
    ],
)
def test_lec_through_the_api(world: Any, L: Any, E: Any, C: Any, score: str, level: str) -> None:
    response = _api(login(Client(), world.qiye2), {"method": "LEC", "L": L, "E": E, "C": C})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["score"], body["level"], body["table"]) == (score, level, "LEC-2016-1")
    assert body["colour"] == grading.COLOURS[level]


def test_values_off_the_scale_are_chinese_400s(world: Any) -> None:
    client = login(Client(), world.anweiban)
    response = _api(client, {"method": "LEC", "L": 7, "E": 6, "C": 15})
    assert response.status_code == 400
    assert "不在分值表内" in response.json()["L"][0]
    response = _api(client, {"method": "LEC", "L": 6, "E": 6})
    assert response.status_code == 400 and "请填写" in response.json()["C"][0]
    response = _api(client, {"method": "LS", "L": 6, "S": 2})
    assert response.status_code == 400 and "L" in response.json()
    response = _api(client, {"method": "XYZ", "L": 1})
    assert response.status_code == 400 and "LEC" in str(response.json()["method"])


def test_a_table_with_a_gap_or_an_overlap_is_refused_in_chinese() -> None:
    base = _default("LEC")
    gap = {**base, "bands": [dict(b) for b in base["bands"]]}
    gap["bands"][1]["upto_inclusive"] = False  # 320 belongs to neither 较大 nor 重大
    with pytest.raises(ValidationError) as caught:
        grading.check_table("LEC", gap)
    assert "不属于任何等级" in str(caught.value)
    overlap = {**base, "bands": [dict(b) for b in base["bands"]]}
    overlap["bands"][2]["upto"] = "200"  # 一般 up to 200 overlaps 较大 above 160
    with pytest.raises(ValidationError) as caught:
        grading.check_table("LEC", overlap)
    assert "重叠" in str(caught.value)
    hole = {**base, "bands": [dict(b) for b in base["bands"]]}
    hole["bands"][2]["above"] = "80"  # nothing covers 70 < D ≤ 80
    with pytest.raises(ValidationError) as caught:
        grading.check_table("LEC", hole)
    assert "空档" in str(caught.value)


def test_a_regions_new_table_changes_new_assessments_only(world: Any) -> None:
    point = _point(world)
    first = services.assess_point(point, actor=world.qiye2, method="LEC", L="3", E="6", C="7")  # 126 一般
    assert (first.level, first.table.code) == (Level.GENERAL, "LEC-2016-1")
    data = _default("LEC")
    scales = {**data["scales"], "C": [*data["scales"]["C"], {"value": "16", "label": "试行：严重，多人重伤"}]}
    bands = [dict(b) for b in data["bands"]]
    bands[2]["upto"], bands[1]["above"] = "120", "120"  # 较大 from 120 upwards in this region
    table = services.add_table(
        actor=world.anweiban,
        code="LEC-HS-2",
        method="LEC",
        name="河市镇试行表",
        data={"scales": scales, "bands": bands},
        source="试行",
    )
    services.adopt_table(actor=world.anweiban, region=world.regions["河市镇"], table=table)
    point.refresh_from_db()
    second = services.assess_point(
        point, actor=world.qiye2, method="LEC", L="3", E="6", C="7", version=point.version
    )
    assert (second.level, second.table.code) == (Level.LARGE, "LEC-HS-2")
    first.refresh_from_db()
    assert (first.level, first.table.code) == (Level.GENERAL, "LEC-2016-1")  # the old one keeps its table
    client = login(Client(), world.qiye2)
    at = {"method": "LEC", "L": 10, "E": 1, "C": 16, "enterprise": world.enterprises["qiye2"].pk}
    assert _api(client, at).json() == {"score": "160", "level": "较大", "colour": "橙", "table": "LEC-HS-2"}
    # 营田镇 did not adopt it: the default table, where C = 16 is off the scale.
    other = login(Client(), world.qiye1)
    assert _api(other, {**at, "enterprise": world.enterprises["qiye1"].pk}).status_code == 400
    with pytest.raises(ValidationError):
        services.add_table(
            actor=world.anweiban, code="LEC-HS-2", method="LEC", name="重复", data=data, source=""
        )


# --- risk points: scope, pages, API --------------------------------------------------------------------------


def test_points_are_scoped_and_out_of_scope_is_404(world: Any) -> None:
    point = _point(world)
    assert login(Client(), world.qiye2).get(point.get_absolute_url()).status_code == 200
    assert login(Client(), world.heshi).get(point.get_absolute_url()).status_code == 200
    assert login(Client(), world.qiye1).get(point.get_absolute_url()).status_code == 404
    assert login(Client(), world.yingtian).get(point.get_absolute_url()).status_code == 404
    api = login(Client(), world.qiye1).get("/api/v1/risk-points/")
    assert api.status_code == 200 and api.json()["count"] == 0
    mine = login(Client(), world.qiye2).get("/api/v1/risk-points/").json()
    assert [r["name"] for r in mine["results"]] == ["液氨储罐区"]


def test_registering_and_assessing_through_the_pages(world: Any) -> None:
    client = login(Client(), world.qiye2)
    unit = world.enterprises["qiye2"]
    bad = client.post(
        reverse("risk:point_create"),
        {
            "enterprise": unit.pk,
            "kind": "place",
            "name": "罐区",
            "factors": "液氨泄漏",
            "controls": "报警仪",
            "responsible_level": "team",
            "responsible_person": "王",
        },
    )
    assert bad.status_code == 400
    assert "类别代码" in bad.content.decode() and "措施类别" in bad.content.decode()
    ok = client.post(
        reverse("risk:point_create"),
        {
            "enterprise": unit.pk,
            "kind": "place",
            "name": "罐区",
            "factors": "2.2 液氨泄漏中毒",
            "controls": "工程：设置报警仪\n管理：每班巡检",
            "responsible_level": "team",
            "responsible_person": "王班长",
        },
    )
    assert ok.status_code == 302
    point = RiskPoint.objects.unrestricted("test").get(name="罐区")
    assert point.controls[1] == {"kind": "management", "text": "每班巡检"}
    step = reverse("risk:point_step", args=[point.pk, "assess"])
    assert client.get(step).status_code == 200
    refused = client.post(step, {"method": "LEC", "L": "7", "E": "6", "C": "15", "version": point.version})
    assert refused.status_code == 400 and "不在分值表内" in refused.content.decode()
    done = client.post(step, {"method": "LEC", "L": "6", "E": "6", "C": "15", "version": point.version})
    assert done.status_code == 302
    point.refresh_from_db()
    assert (point.status, point.level, point.score) == (PointStatus.ASSESSED, Level.MAJOR, Decimal("540"))
    stale = client.post(step, {"method": "LS", "L": "1", "S": "1", "version": 1})
    assert stale.status_code == 409
    for name in (
        "risk:point_list",
        "risk:stats",
        "risk:major_list",
        "risk:table_list",
        "risk:card_index",
        "risk:permit_list",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("risk:map", args=[unit.pk])).status_code == 200
    assert client.get(reverse("risk:point_qr", args=[point.pk]))["Content-Type"] == "image/svg+xml"
    assert "扫码巡查" in client.get(reverse("risk:point_card", args=[point.pk])).content.decode()
    major = login(Client(), world.yingji).get(
        reverse("risk:major_list") + f"?department={world.departments['emergency'].pk}"
    )
    assert "罐区" in major.content.decode()
    other = login(Client(), world.zhujian).get(
        reverse("risk:major_list") + f"?department={world.departments['housing'].pk}"
    )
    assert "罐区" not in other.content.decode()


def test_site_plan_and_zone(world: Any) -> None:
    import io

    from PIL import Image

    point = _point(world)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
    client = login(Client(), world.qiye2)
    url = reverse("risk:map", args=[point.enterprise_id])
    refused = client.post(url, {"image": SimpleUploadedFile("plan.png", b"not an image", "image/png")})
    assert refused.status_code == 400 and "不是 JPEG 或 PNG" in refused.content.decode()
    assert (
        client.post(
            url, {"image": SimpleUploadedFile("plan.png", buffer.getvalue(), "image/png")}
        ).status_code
        == 302
    )
    zone = reverse("risk:zone", args=[point.pk])
    assert (
        client.post(zone, {"zone": "[[0.1,0.1],[0.5,0.1]]"}, HTTP_ACCEPT="application/json").status_code
        == 400
    )
    assert (
        client.post(
            zone, {"zone": "[[0.1,0.1],[0.5,0.1],[0.3,0.6]]"}, HTTP_ACCEPT="application/json"
        ).status_code
        == 200
    )
    page = client.get(url).content.decode()
    assert 'points="0.1,0.1 0.5,0.1 0.3,0.6"' in page and "risk/zones.js" in page


# --- patrols -----------------------------------------------------------------------------------------------------


def test_a_nonconforming_patrol_registers_a_general_hazard_and_flags_the_point(world: Any) -> None:
    point = _point(world)
    services.assess_point(point, actor=world.qiye2, method="LS", L="2", S="3")
    point.refresh_from_db()
    fine = services.record_patrol(
        point, actor=world.qiye2, results=[{"control": c["text"], "ok": True} for c in CONTROLS]
    )
    assert fine.conforming and fine.hazard is None
    bad = services.record_patrol(
        point,
        actor=world.qiye2,
        results=[
            {"control": CONTROLS[0]["text"], "ok": False, "note": "报警仪失灵"},
            {"control": CONTROLS[1]["text"], "ok": True},
        ],
    )
    hazard = Hazard.objects.unrestricted("test").get(pk=bad.hazard_id)
    assert hazard.level == HazardLevel.GENERAL and hazard.enterprise_id == point.enterprise_id
    assert "报警仪失灵" in hazard.description and point.name in hazard.title
    point.refresh_from_db()
    assert point.status == PointStatus.REASSESS
    assert services.point_of_hazard(hazard) == point
    page = login(Client(), world.qiye2).get(point.get_absolute_url()).content.decode()
    assert hazard.code in page and "待重新评估" in page
    on_hazard = login(Client(), world.qiye2).get(hazard.get_absolute_url()).content.decode()
    assert "风险点巡查" in on_hazard and point.get_absolute_url() in on_hazard


def test_patrol_permission(world: Any) -> None:
    point = _point(world)
    with pytest.raises(NotPermitted):
        services.record_patrol(point, actor=world.lingdao, results=[{"control": "x", "ok": True}])
    assert login(Client(), world.lingdao).get(reverse("risk:patrol", args=[point.pk])).status_code == 403


# --- the draw weight -------------------------------------------------------------------------------------------


def test_a_major_risk_point_raises_the_units_weight_in_the_next_draw(world: Any) -> None:
    from zhiben.inspections.draw_pools import DrawCriteria, build_pools

    department = world.departments["emergency"]
    criteria = DrawCriteria(count=1, weighted=True, recent_days=0)
    today = timezone.localdate()
    unit = world.enterprises["qiye2"]
    before = build_pools(department, criteria, today).weights
    assert before is not None and unit.pk in before
    point = _point(world)
    services.assess_point(point, actor=world.qiye2, method="LS", L="3", S="4")  # 一般: no change
    assert build_pools(department, criteria, today).weights[unit.pk] == before[unit.pk]
    point.refresh_from_db()
    services.assess_point(point, actor=world.qiye2, method="LS", L="5", S="5", version=point.version)  # 重大
    after = build_pools(department, criteria, today).weights
    assert after[unit.pk] == before[unit.pk] + 2
    assert {k: v for k, v in after.items() if k != unit.pk} == {
        k: v for k, v in before.items() if k != unit.pk
    }


def test_a_major_risk_point_makes_the_unit_high_risk_for_its_inspection_cap(world: Any) -> None:
    from zhiben.inspections.choices import RiskClass
    from zhiben.inspections.services.caps import applicable_cap, risk_class_of
    from zhiben.inspections.services.plans import unit_caps

    slot = next(
        s for s in ("qiye1", "qiye2", "qiye3") if risk_class_of(world.enterprises[s]) == RiskClass.GENERAL
    )
    unit = world.enterprises[slot]
    general_cap = applicable_cap(unit)
    point = _point(world, slot)
    services.assess_point(point, actor=world.users[slot], method="LS", L="3", S="4")  # 一般: still 非高危
    assert risk_class_of(unit) == RiskClass.GENERAL and applicable_cap(unit) == general_cap
    point.refresh_from_db()
    services.assess_point(point, actor=world.users[slot], method="LS", L="5", S="5", version=point.version)
    assert risk_class_of(unit) == RiskClass.HIGH  # 重大: supervised as a high-risk unit
    cap = applicable_cap(unit)
    assert cap is not None and cap.risk_class == RiskClass.HIGH and cap != general_cap
    assert (
        unit_caps([unit], timezone.localdate().year)[unit.pk].limit == cap.max_per_year
    )  # the plan page too


# --- 一会三卡 ------------------------------------------------------------------------------------------------------


def test_coverage_equals_the_hand_count_and_shows_on_the_indicator(world: Any) -> None:
    from zhiben.indicators.registry import Scope, Window, get

    unit = world.enterprises["qiye2"]
    today = timezone.localdate()
    window = Window.of(f"{today.year}Q{(today.month - 1) // 3 + 1}", today)
    days = workdays(window.start, window.as_of)
    a = services.add_post(actor=world.qiye2, enterprise=unit, name="合成岗", template="hazchem_operator")
    b = services.add_post(actor=world.qiye2, enterprise=unit, name="装卸岗", template="general")
    services.add_post(actor=world.qiye2, enterprise=unit, name="仓储岗", template="general")
    PostCard.objects.filter(post__name="仓储岗", kind="emergency").delete()  # one post misses a card
    for day in days[:-1]:  # every working day but the last
        ShiftMeeting.objects.create(
            enterprise=unit, held_on=day, attendees=5, present=5, risks="r", measures="m", signed_by="王"
        )
    ShiftMeeting.objects.create(
        enterprise=unit, held_on=days[0], attendees=5, present=4, risks="r", measures="m", signed_by="李"
    )  # same day twice
    cov = coverage_of([unit.pk], window.start, window.as_of)[unit.pk]
    assert (cov.posts, cov.carded, cov.workdays, cov.meeting_days) == (3, 2, len(days), len(days) - 1)
    assert not cov.complete
    indicator = get("prevention.one_meeting_three_cards")
    assert indicator.available
    township = Scope.township(world.regions["河市镇"])
    value = indicator.live_value(township, window.period, today)
    assert value.numerator == 0 and value.denominator >= 1
    # Hand count done: the missing card and the missing day supplied, the unit counts.
    services.record_meeting(
        actor=world.qiye2,
        enterprise=unit,
        held_on=days[-1],
        attendees=5,
        present=5,
        risks="r",
        measures="m",
        signed_by="王",
    )
    PostCard.objects.create(
        post=a.__class__.objects.unrestricted("test").get(name="仓储岗"), kind="emergency", items=["撤离"]
    )
    cov = coverage_of([unit.pk], window.start, window.as_of)[unit.pk]
    assert cov.complete
    value = indicator.live_value(township, window.period, today)
    assert value.numerator == 1
    assert b.cards.count() == 2
    page = login(Client(), world.heshi).get(reverse("risk:card_unit", args=[unit.pk])).content.decode()
    assert "岗位卡片 3/3" in page


def test_meeting_and_check_records_on_the_phone(world: Any) -> None:
    unit = world.enterprises["qiye2"]
    post = services.add_post(actor=world.qiye2, enterprise=unit, name="合成岗", template="hazchem_operator")
    client = login(Client(), world.qiye2)
    url = reverse("risk:meeting_create", args=[unit.pk])
    bad = client.post(
        url,
        {
            "held_on": timezone.localdate(),
            "attendees": 5,
            "present": 6,
            "risks": "r",
            "measures": "m",
            "signed_by": "王",
        },
    )
    assert bad.status_code == 400 and "实到人数不能多于应到人数" in bad.content.decode()
    assert (
        client.post(
            url,
            {
                "held_on": timezone.localdate(),
                "attendees": 5,
                "present": 5,
                "risks": "r",
                "measures": "m",
                "signed_by": "王",
            },
        ).status_code
        == 302
    )
    check = reverse("risk:check_create", args=[post.pk])
    assert client.get(check).status_code == 200
    assert (
        client.post(check, {"i0": "ok", "i1": "bad", "i2": "ok", "i3": "ok", "i4": "ok"}).status_code == 302
    )
    assert post.checks.get().all_ok is False
    assert "应急联系人" in client.get(reverse("risk:emergency_card", args=[post.pk])).content.decode()
    assert login(Client(), world.qiye1).get(reverse("risk:post_detail", args=[post.pk])).status_code == 404


def test_work_permit_steps(world: Any) -> None:
    unit = world.enterprises["qiye2"]
    mine = services.apply_permit(
        actor=world.qiye2,
        enterprise=unit,
        kind="hot",
        location="合成车间",
        description="管道焊接",
        work_on=timezone.localdate(),
    )
    with pytest.raises(NotPermitted):
        services.confirm_permit(mine, actor=world.qiye2, confirmed=["0", "1", "2", "3"])
    other = services.apply_permit(
        actor=None,
        enterprise=unit,
        kind="confined",
        location="反应釜",
        description="清理",
        work_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError) as caught:
        services.confirm_permit(other, actor=world.qiye2, confirmed=["0"])
    assert "未确认" in str(caught.value)
    client = login(Client(), world.qiye2)
    step = reverse("risk:permit_step", args=[other.pk, "confirm"])
    assert client.post(step, {"confirmed": ["0", "1", "2", "3"], "version": other.version}).status_code == 302
    other.refresh_from_db()
    assert other.status == PermitStatus.CONFIRMED and all(m["ok"] for m in other.measures)
    api = client.post(
        f"/api/v1/work-permits/{other.pk}/finish/",
        {"version": other.version},
        content_type="application/json",
    )
    assert api.status_code == 200, api.content
    other.refresh_from_db()
    assert other.status == PermitStatus.FINISHED
    assert login(Client(), world.qiye1).get(other.get_absolute_url()).status_code == 404


def test_workbench_and_unit_file(world: Any) -> None:
    from zhiben.core import workbench as wb
    from zhiben.registry.enterprise_file import sections_for

    point = _point(world)
    services.apply_permit(
        actor=None,
        enterprise=world.enterprises["qiye2"],
        kind="hot",
        location="x",
        description="y",
        work_on=timezone.localdate(),
    )
    cards = [c for c in wb.collect(world.qiye2) if c.key == "risk"]
    assert cards and cards[0].due == 2
    client = login(Client(), world.qiye2)
    for item in cards[0].items:
        if item.count:
            assert client.get(item.url).status_code == 200
    listed = client.get(reverse("risk:point_list") + "?status=new").content.decode()
    assert point.name in listed
    titles = [s.title for s in sections_for(world.enterprises["qiye2"], world.heshi)]
    assert any(t.startswith("风险分级与一会三卡") for t in titles)
    assert Assessment.objects.unrestricted("test").count() == 0


def test_assessing_through_the_api_step(world: Any) -> None:
    point = _point(world)
    client = login(Client(), world.qiye2)
    url = f"/api/v1/risk-points/{point.pk}/assess/"
    bad = client.post(
        url, {"method": "LS", "L": "9", "S": "2", "version": point.version}, content_type="application/json"
    )
    assert bad.status_code == 400 and "L" in bad.json()
    ok = client.post(
        url, {"method": "LS", "L": "5", "S": "4", "version": point.version}, content_type="application/json"
    )
    assert ok.status_code == 200, ok.content
    assert (ok.json()["level"], ok.json()["colour"], ok.json()["status"]) == ("major", "红", "assessed")
    stale = client.post(
        url, {"method": "LS", "L": "1", "S": "1", "version": point.version}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert (
        login(Client(), world.heshi)
        .post(url, {"method": "LS", "L": "1", "S": "1"}, content_type="application/json")
        .status_code
        == 403
    )
    assert login(Client(), world.qiye1).post(
        url, {"method": "LS", "L": "1", "S": "1"}, content_type="application/json"
    ).status_code in (403, 404)
