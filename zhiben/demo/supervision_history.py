"""Demo 督办交办 and 暗访 over 2026 (district scale), acted out by the personas through the services:

* items in each state — 已办结 (one on time, one after a 退回), 待审核, 办理中, 待签收 — and one overdue whose
  township got the ladder's 逾期提醒 and then its 督促函 (a numbered 公文);
* two 暗访: one finding became a hazard (source 暗访), another a new 督办 item.

The steps stamp today; the history is then dated back to the days it happened (never in the future).
Idempotent: skipped when any supervision item exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.registry.models import Department, Enterprise, Region
from zhiben.supervision import services
from zhiben.supervision.deadlines import run_deadlines
from zhiben.supervision.models import Assignee, AssigneeNote, AssigneeTransition, SupervisionItem


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _date_history(row: Assignee, days: dict[str, dt.date]) -> None:
    """Move the row's history, notes and stamps to the days the steps were taken."""
    for action, day in days.items():
        AssigneeTransition.objects.filter(assignee=row, action=action).update(at=_at(day))
    kinds = {"progress": "progress", "report": "report", "return": "return", "finish": "finish"}
    for action, kind in kinds.items():
        if action in days:
            AssigneeNote.objects.filter(assignee=row, kind=kind).update(on=days[action])
    fields: dict[str, Any] = {}
    if "accept" in days:
        fields["accepted_at"] = _at(days["accept"])
    if "report" in days:
        fields["reported_on"] = days["report"]
    if "finish" in days:
        fields["done_on"] = days["finish"]
    if fields:
        Assignee.objects.unrestricted("demo history").filter(pk=row.pk).update(**fields)


def _row(item: SupervisionItem, *, department: str = "", township: str = "") -> Assignee:
    qs = Assignee.objects.unrestricted("demo history").filter(item=item)
    if department:
        return qs.get(department__code=department)
    return qs.get(township__name=township)


def seed_supervision_history(
    *, seed: int, actor: Any = None, progress: Callable[[str], None] | None = None
) -> dict[str, int] | None:
    if SupervisionItem.objects.unrestricted("demo: anything there yet?").exists():
        return None
    users = {u.username: u for u in User.objects.filter(username__in=_PERSONAS)}
    if len(users) < len(_PERSONAS):
        return None
    today = timezone.localdate()
    d = {
        code: Department.objects.get(code=code)
        for code in ("emergency", "housing", "transport", "fire", "market")
    }
    towns = {r.name: r for r in Region.objects.filter(level=4)}
    if not {"营田镇", "河市镇", "凤凰乡", "天问街道"} <= set(towns):
        return None

    def day(n: int) -> dt.date:
        return max(today - dt.timedelta(days=n), dt.date(today.year, 1, 1))

    office, leader = users["anweiban"], users["lingdao"]
    with transaction.atomic():
        # 1. 已办结, on time
        a = services.issue_item(
            actor=office,
            subject="汛期前危险化学品企业安全检查",
            requirement="对辖区危险化学品生产、储存企业开展汛期前安全检查，重点检查防雷防静电、应急物资储备，发现问题督促整改到位。",
            basis="区安委会2026年第1次全体会议部署",
            deadline=day(120),
            departments=[d["emergency"]],
            townships=[towns["营田镇"]],
            issued_on=day(150),
        )
        for unit, user in (({"department": "emergency"}, "yingji"), ({"township": "营田镇"}, "yingtian")):
            row = _row(a, **unit)
            services.accept(row, actor=users[user])
            services.record_progress(
                row, actor=users[user], text="已完成辖区危化企业检查，发现问题7项，已整改5项。"
            )
            services.report(
                row, actor=users[user], result="检查企业全部完成，发现问题7项全部整改到位，台账已建立。"
            )
            services.finish(row, actor=office, note="材料齐全，予以办结。")
            _date_history(
                row,
                {
                    "issue": day(150),
                    "accept": day(148),
                    "progress": day(135),
                    "report": day(126),
                    "finish": day(125),
                },
            )
        # 2. 已办结 after a 退回 (a leader's item)
        b = services.issue_item(
            actor=leader,
            subject="经营性自建房安全隐患专项整治",
            requirement="对城区及各乡镇经营性自建房逐栋排查，建立“一栋一档”，存在结构安全隐患的立即停止经营。",
            basis="分管区领导批示",
            deadline=day(70),
            level="key",
            departments=[d["housing"]],
            issued_on=day(100),
        )
        row = _row(b, department="housing")
        services.accept(row, actor=users["zhujian"])
        services.report(row, actor=users["zhujian"], result="已排查经营性自建房326栋。")
        services.return_result(row, actor=leader, reason="未附“一栋一档”台账和停止经营房屋清单，请补充。")
        services.report(
            row, actor=users["zhujian"], result="已排查经营性自建房326栋，建档326份，停止经营4栋，清单附后。"
        )
        services.finish(row, actor=leader)
        _date_history(
            row,
            {"issue": day(100), "accept": day(99), "return": day(80), "report": day(74), "finish": day(72)},
        )
        # 3. 待审核 (emergency) and 办理中 (河市镇)
        c = services.issue_item(
            actor=office,
            subject="燃气经营场所安全隐患整改",
            requirement="对辖区瓶装液化气经营点开展隐患整改“回头看”，整改情况逐点反馈。",
            deadline=min(today + dt.timedelta(days=10), dt.date(today.year, 12, 31)),
            departments=[d["emergency"]],
            townships=[towns["河市镇"]],
            issued_on=day(20),
        )
        row = _row(c, department="emergency")
        services.accept(row, actor=users["yingji"])
        services.report(row, actor=users["yingji"], result="12个经营点已逐一复查，隐患全部整改闭环。")
        _date_history(row, {"issue": day(20), "accept": day(19), "report": day(2)})
        row = _row(c, township="河市镇")
        services.accept(row, actor=users["heshi"])
        services.record_progress(row, actor=users["heshi"], text="已复查8个经营点，余4个本周内完成。")
        _date_history(row, {"issue": day(20), "accept": day(18), "progress": day(5)})
        # 4. 办理中
        e = services.issue_item(
            actor=office,
            subject="道路运输企业动态监控平台使用情况检查",
            requirement="检查辖区道路运输企业动态监控平台上线率、报警处置率，对不达标企业约谈主要负责人。",
            deadline=today + dt.timedelta(days=15),
            departments=[d["transport"]],
            issued_on=day(15),
        )
        row = _row(e, department="transport")
        services.accept(row, actor=users["jiaotong"])
        services.record_progress(row, actor=users["jiaotong"], text="已检查运输企业9家，上线率98.6%。")
        _date_history(row, {"issue": day(15), "accept": day(14), "progress": day(6)})
        # 5. 待签收
        f = services.issue_item(
            actor=office,
            subject="人员密集场所消防安全通道专项治理",
            requirement="对商场、超市、学校等人员密集场所疏散通道、安全出口开展专项治理。",
            deadline=today + dt.timedelta(days=20),
            departments=[d["fire"]],
            townships=[towns["天问街道"]],
            issued_on=day(2),
        )
        for row in Assignee.objects.unrestricted("demo history").filter(item=f):
            _date_history(row, {"issue": day(2)})
        # 6. 逾期: 凤凰乡 still 办理中 past its deadline; the ladder's 逾期提醒, then its 督促函
        g = services.issue_item(
            actor=office,
            subject="烟花爆竹批发经营单位储存安全检查",
            requirement="对烟花爆竹批发经营单位仓库超量储存、违规混存问题全面检查，问题清单及整改情况书面反馈。",
            basis="《烟花爆竹安全管理条例》，区安委办工作安排",
            deadline=day(25),
            level="key",
            departments=[d["emergency"]],
            townships=[towns["凤凰乡"]],
            issued_on=day(60),
        )
        row = _row(g, department="emergency")
        services.accept(row, actor=users["yingji"])
        services.report(row, actor=users["yingji"], result="已检查批发企业2家，责令整改超量储存1处，已整改。")
        services.finish(row, actor=office)
        _date_history(row, {"issue": day(60), "accept": day(58), "report": day(27), "finish": day(26)})
        row = _row(g, township="凤凰乡")
        services.accept(row, actor=users["fenghuang"])
        _date_history(row, {"issue": day(60), "accept": day(55)})
    run_deadlines(day(24))  # 逾期提醒
    run_deadlines(day(20))  # 督促函 (逾期 5 天, 3 天后)
    with transaction.atomic():
        # 暗访 1: a finding that became a hazard
        gas = _enterprise(towns["营田镇"], seed)
        v1 = services.record_visit(
            actor=office,
            visited_on=day(40),
            place=f"营田镇{gas.name}" if gas else "营田镇集镇",
            township=towns["营田镇"],
            team="区安委办暗访组（3人）",
            summary="随机暗访，未提前通知。",
            enterprises=[gas] if gas else [],
        )
        if gas is not None:
            finding = services.add_finding(
                v1, actor=office, text="液化石油气钢瓶露天存放，未设置防晒、防倾倒设施。", enterprise=gas
            )
            services.finding_to_hazard(finding, actor=office, level="general", title="液化石油气钢瓶露天存放")
        # 暗访 2: a finding that became a new 督办 item
        shop = _enterprise(towns["河市镇"], seed)
        v2 = services.record_visit(
            actor=office,
            visited_on=day(30),
            place="河市镇集镇商业街",
            township=towns["河市镇"],
            team="区安委办暗访组（2人）、区消防救援大队（1人）",
            summary="夜间暗访沿街门店。",
            enterprises=[shop] if shop else [],
        )
        finding = services.add_finding(
            v2, actor=office, text="沿街门店“三合一”场所住人，疏散通道堵塞。", enterprise=shop
        )
        h = services.issue_item(
            actor=office,
            subject="河市镇沿街“三合一”场所住人问题整治",
            requirement="对暗访发现的“三合一”场所住人问题立即整改，并举一反三排查集镇沿街门店。",
            basis="区安委办暗访",
            deadline=today + dt.timedelta(days=5),
            townships=[towns["河市镇"]],
            objects=[shop] if shop else [],
            finding=finding,
            issued_on=day(29),
        )
        row = _row(h, township="河市镇")
        services.accept(row, actor=users["heshi"])
        _date_history(row, {"issue": day(29), "accept": day(28)})
    counts = {"items": SupervisionItem.objects.unrestricted("demo summary").count(), "visits": 2}
    if progress:
        progress(f"  督办交办：{counts['items']} 项督办事项，{counts['visits']} 次暗访")
    return counts


_PERSONAS = ("anweiban", "lingdao", "yingji", "zhujian", "jiaotong", "yingtian", "heshi", "fenghuang")


def _enterprise(town: Region, seed: int) -> Enterprise | None:
    units = Enterprise.objects.unrestricted("demo: a unit of the township").filter(
        region__code__startswith=town.scope_prefix
    )
    count = units.count()
    if not count:
        return None
    return units.order_by("pk")[seed % count]
