"""Demo 双重预防 and 一会三卡 (dates relative to today), acted out through the risk services:

* risk points for up to 40 of the district's operating high-risk units (危化, 烟花爆竹, 涉爆粉尘, 有限空间, 燃气,
  建筑施工 …; the personas' units first), each assessed by LEC or LS with a believable spread of colours (a few 红);
* a site plan with zones for the chemical plant of persona qiye2 (河市镇) and the building site of qiye3;
* patrols over the last weeks, mostly 符合; three 不符合 at the personas' units became 一般 hazards in the hazard loop
  and flagged their points 待重新评估;
* 一会三卡: posts with their cards, 班前会 records on the working days of this quarter (most units complete, some
  with gaps), 体检卡 records of the last days, and 动工卡 in each state at qiye2.

Idempotent: skipped when any risk point exists.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image, ImageDraw

from zhiben.accounts.models import User
from zhiben.registry.choices import EnterpriseStatus
from zhiben.registry.models import Enterprise
from zhiben.risk import services
from zhiben.risk.coverage import workdays
from zhiben.risk.models import PreShiftCheck, RiskPoint, ShiftMeeting

MAX_UNITS = 40
# (kind, name, factor category, factor, controls) per industry prefix; the LEC inputs are chosen per point.
POINTS: dict[str, list[tuple[str, str, str, str, list[tuple[str, str]]]]] = {
    "HAZCHEM": [
        (
            "place",
            "液氨储罐区",
            "2.2",
            "液氨泄漏中毒、爆炸",
            [
                ("engineering", "设置有毒气体报警仪并联锁喷淋"),
                ("management", "每班巡检储罐压力和液位"),
                ("ppe", "配备正压式空气呼吸器"),
            ],
        ),
        (
            "equipment",
            "合成反应釜",
            "2.1",
            "超温超压引发爆炸",
            [("engineering", "温度压力联锁与紧急切断"), ("management", "执行工艺卡片，严禁超负荷")],
        ),
        (
            "activity",
            "危化品装卸作业",
            "1.2",
            "违章装卸导致泄漏",
            [
                ("management", "装卸作业双人确认"),
                ("training", "装卸人员持证上岗"),
                ("engineering", "装卸臂设置静电接地"),
            ],
        ),
        (
            "post",
            "中控操作岗",
            "1.1",
            "疲劳操作误判工况",
            [("management", "执行交接班制度"), ("training", "每季度开展应急演练")],
        ),
    ],
    "FIREWORKS": [
        (
            "place",
            "成品仓库",
            "2.2",
            "烟花爆竹燃爆",
            [
                ("engineering", "仓库防雷防静电设施完好"),
                ("management", "严格控制存放量"),
                ("emergency", "仓库配备消防沙和灭火器"),
            ],
        ),
        (
            "activity",
            "搬运装卸作业",
            "1.2",
            "撞击摩擦引发燃爆",
            [("management", "轻拿轻放，禁止抛掷"), ("ppe", "穿防静电工作服")],
        ),
    ],
    "INDTRADE-DUST": [
        (
            "equipment",
            "除尘系统",
            "2.1",
            "粉尘爆炸",
            [("engineering", "设置泄爆隔爆装置"), ("management", "每班清扫积尘并记录")],
        ),
        (
            "place",
            "打磨车间",
            "3.1",
            "粉尘积聚遇点火源爆炸",
            [("engineering", "电气设备防爆"), ("management", "严禁明火作业")],
        ),
    ],
    "INDTRADE-CONFINED": [
        (
            "activity",
            "污水池清淤作业",
            "3.3",
            "有限空间中毒窒息",
            [
                ("management", "先通风、再检测、后作业"),
                ("ppe", "配备送风式长管呼吸器"),
                ("emergency", "设监护人并备救援器材"),
            ],
        ),
    ],
    "GAS": [
        (
            "place",
            "液化气储配站",
            "2.2",
            "燃气泄漏爆炸",
            [
                ("engineering", "燃气泄漏报警与紧急切断"),
                ("management", "每日巡检阀门法兰"),
                ("emergency", "配备堵漏工具"),
            ],
        ),
        (
            "activity",
            "钢瓶充装作业",
            "1.2",
            "超装、错装导致爆炸",
            [("engineering", "充装秤联锁"), ("training", "充装工持证上岗")],
        ),
    ],
    "CONSTRUCTION": [
        (
            "activity",
            "高处作业",
            "1.2",
            "高处坠落",
            [("engineering", "临边洞口防护到位"), ("ppe", "系挂安全带")],
        ),
        (
            "equipment",
            "塔式起重机",
            "2.1",
            "起重伤害、倾覆",
            [("management", "每日班前检查限位装置"), ("training", "司机、信号工持证")],
        ),
        (
            "activity",
            "深基坑开挖",
            "3.2",
            "坍塌",
            [("engineering", "按方案支护并监测"), ("management", "基坑周边严禁堆载")],
        ),
    ],
    "": [
        (
            "equipment",
            "配电房",
            "2.1",
            "触电、电气火灾",
            [("engineering", "漏电保护完好"), ("management", "持证电工定期检查")],
        ),
        (
            "place",
            "生产车间",
            "1.2",
            "机械伤害",
            [("engineering", "转动部位设防护罩"), ("training", "岗前安全培训")],
        ),
    ],
}
# LEC inputs giving 红 / 橙 / 黄 / 蓝 in the default table: 540, 180, 126, 42.
LEC = {
    "red": ("6", "6", "15"),
    "orange": ("10", "6", "3"),
    "yellow": ("6", "3", "7"),
    "blue": ("1", "6", "7"),
}
TEMPLATES = {
    "HAZCHEM": "hazchem_operator",
    "INDTRADE-DUST": "dust_operator",
    "GAS": "gas_station",
    "CONSTRUCTION": "construction",
}


def _prefix(code: str) -> str:
    for key in POINTS:
        if key and code.startswith(key):
            return key
    return ""


def _plan_png(width: int = 800, height: int = 500) -> bytes:
    image = Image.new("RGB", (width, height), "#f8f9fa")
    draw = ImageDraw.Draw(image)
    draw.rectangle([10, 10, width - 10, height - 10], outline="#495057", width=4)
    for box in (
        [60, 60, 300, 220],
        [360, 60, 740, 200],
        [60, 280, 260, 440],
        [320, 260, 560, 440],
        [600, 260, 740, 440],
    ):
        draw.rectangle(box, outline="#6c757d", width=3, fill="#e9ecef")
    draw.line([10, 245, width - 10, 245], fill="#adb5bd", width=12)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


ZONES = [
    [[0.075, 0.12], [0.375, 0.12], [0.375, 0.44], [0.075, 0.44]],
    [[0.45, 0.12], [0.925, 0.12], [0.925, 0.4], [0.45, 0.4]],
    [[0.075, 0.56], [0.325, 0.56], [0.325, 0.88], [0.075, 0.88]],
    [[0.4, 0.52], [0.7, 0.52], [0.7, 0.88], [0.4, 0.88]],
]


def seed_risk(
    *, seed: int, actor: Any = None, progress: Callable[[str], None] | None = None
) -> dict[str, int] | None:
    if RiskPoint.objects.unrestricted("demo: anything there yet?").exists():
        return None
    rng = random.Random(seed * 7919 + 15)
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.filter(username__in=["qiye1", "qiye2", "qiye3"])}
    persona_units = (
        {
            u.username: e
            for u in users.values()
            for e in Enterprise.objects.unrestricted("demo").filter(
                pk__in=u.role_assignments.values("enterprise_id")
            )
        }
        if users
        else {}
    )
    high = (
        Enterprise.objects.unrestricted("demo: the district's high-risk units")
        .filter(Q(is_high_risk=True) | Q(primary_industry__high_risk=True), status=EnterpriseStatus.OPERATING)
        .select_related("primary_industry")
        .order_by("pk")
    )
    chosen = [e for e in persona_units.values() if e.is_high_risk or e.primary_industry.high_risk]
    rest = [e for e in high if e.pk not in {c.pk for c in chosen}]
    rng.shuffle(rest)
    units = chosen + rest[: MAX_UNITS - len(chosen)]
    if not units:
        return None
    owner = {e.pk: users.get(name) for name, e in persona_units.items()}
    counts = {"points": 0, "patrols": 0, "hazards": 0, "posts": 0, "meetings": 0}
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    days = workdays(min(quarter_start, today - dt.timedelta(days=30)), today)
    with transaction.atomic():
        meetings: list[ShiftMeeting] = []
        checks: list[PreShiftCheck] = []
        for n, unit in enumerate(units):
            who = owner.get(unit.pk)
            prefix = _prefix(unit.primary_industry.code)
            specs = POINTS[prefix]
            points = []
            for kind, name, category, factor, controls in specs:
                point = services.register_point(
                    actor=who,
                    enterprise=unit,
                    kind=kind,
                    name=name,
                    location=rng.choice(
                        ["厂区东侧", "厂区西侧", "一号车间", "二号车间", "场站北侧", "施工现场"]
                    ),
                    factors=[{"category": category, "text": factor}],
                    controls=[{"kind": k, "text": t} for k, t in controls],
                    responsible_level=rng.choice(["company", "workshop", "team", "post"]),
                    responsible_person=rng.choice(["王建军", "李卫东", "陈志强", "刘国平", "周海波", "黄明"]),
                )
                roll = rng.random()
                colour = (
                    "red"
                    if roll < 0.1 or (n == 0 and not points)
                    else "orange"
                    if roll < 0.3
                    else "yellow"
                    if roll < 0.65
                    else "blue"
                )
                L, E, C = LEC[colour]
                services.assess_point(
                    point,
                    actor=who,
                    method="LEC",
                    L=L,
                    E=E,
                    C=C,
                    on=today - dt.timedelta(days=rng.randint(20, 120)),
                )
                points.append(point)
                counts["points"] += 1
            # Patrols: a few conforming ones over the last weeks; a 不符合 at the personas' units.
            for point in points[:2]:
                point.refresh_from_db()
                results = [{"control": c["text"], "ok": True, "note": ""} for c in point.controls]
                at = timezone.make_aware(
                    dt.datetime.combine(today - dt.timedelta(days=rng.randint(3, 25)), dt.time(9, 30))
                )
                services.record_patrol(point, actor=who, results=results, at=at)
                counts["patrols"] += 1
            if who is not None and counts["hazards"] < 3:
                point = points[-1]
                point.refresh_from_db()
                results = [
                    {"control": c["text"], "ok": i != 0, "note": "现场检查发现未落实" if i == 0 else ""}
                    for i, c in enumerate(point.controls)
                ]
                at = timezone.make_aware(
                    dt.datetime.combine(today - dt.timedelta(days=rng.randint(1, 6)), dt.time(15, 0))
                )
                services.record_patrol(point, actor=who, results=results, at=at)
                counts["patrols"] += 1
                counts["hazards"] += 1
            # 一会三卡: posts and cards; meetings on the quarter's working days (a few units with gaps).
            template = TEMPLATES.get(prefix, "general")
            posts = [
                services.add_post(
                    actor=who, enterprise=unit, name=name, template=template if i == 0 else "general"
                )
                for i, name in enumerate(["一线操作岗", "设备维护岗", "安全管理岗"][: rng.randint(2, 3)])
            ]
            counts["posts"] += len(posts)
            gaps = rng.random() < 0.3
            for day in days:
                if gaps and rng.random() < 0.15:
                    continue
                total = rng.randint(6, 20)
                meetings.append(
                    ShiftMeeting(
                        enterprise=unit,
                        held_on=day,
                        attendees=total,
                        present=total - (1 if rng.random() < 0.2 else 0),
                        risks=f"{points[0].name}：{points[0].factors[0]['text']}",
                        measures="；".join(c["text"] for c in points[0].controls),
                        signed_by=rng.choice(["王班长", "李班长", "赵主任"]),
                        recorded_by=who,
                    )
                )
            for day in days[-5:]:
                for post in posts:
                    items = post.cards.get(kind="check").items
                    checks.append(
                        PreShiftCheck(
                            post=post,
                            checked_on=day,
                            results=[{"item": t, "ok": True} for t in items],
                            recorded_by=who,
                        )
                    )
            if who is not None and who.username in ("qiye2", "qiye3"):
                plan = services.upload_plan(
                    unit, actor=who, image=SimpleUploadedFile("厂区平面图.png", _plan_png(), "image/png")
                )
                for point, zone in zip(points, ZONES, strict=False):
                    point.refresh_from_db()
                    services.save_zone(point, actor=who, vertices=zone)
                assert plan.pk
        ShiftMeeting.objects.bulk_create(meetings, batch_size=1000)
        PreShiftCheck.objects.bulk_create(checks, batch_size=1000)
        counts["meetings"] = len(meetings)
        # 动工卡 at qiye2: one finished, one in progress, one waiting for confirmation.
        unit = persona_units.get("qiye2")
        if unit is not None:
            for kind, place, step in (
                ("hot", "合成车间管廊", 2),
                ("confined", "一号反应釜", 1),
                ("height", "储罐顶部", 0),
            ):
                permit = services.apply_permit(
                    actor=None,
                    enterprise=unit,
                    kind=kind,
                    location=place,
                    description=f"{place}检修",
                    work_on=today,
                )
                if step >= 1:
                    services.confirm_permit(
                        permit, actor=users["qiye2"], confirmed=[str(i) for i in range(len(permit.measures))]
                    )
                if step >= 2:
                    services.finish_permit(permit, actor=users["qiye2"])
    if progress:
        progress(
            f"双重预防：风险点 {counts['points']} 个，巡查 {counts['patrols']} 次（不符合登记隐患 {counts['hazards']} 条），"
            f"岗位 {counts['posts']} 个，班前会 {counts['meetings']} 次"
        )
    return counts
