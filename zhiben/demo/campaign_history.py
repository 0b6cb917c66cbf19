"""The demo district's three campaign years (治本攻坚), acted out through the campaign services.

What a visitor finds on /campaign/ after `make run`:

* 2024 tasks mostly completed (a few late, in the first quarter of 2025), 2025 mostly done with a few late and
  a few still open (逾期), 2026 in progress: the mid-year milestones partly overdue, the year-end ones with
  progress reports accepted or waiting for the office, some completion reports waiting too.
* A few reports returned by the office (退回) with a reason, then reported again.
* Sub-plans (子方案) of the persona departments on their measures.
* Register entries (攻坚登记) per township: 应急站/消防所一体化, 两站两员, 敲门行动, 安全生产月, 示范创建, 能力建设,
  专业监管队伍; and the departments' entries (执法装备, 消防站, 农村公路, 水库, 电梯, 自建房, 消防供水, 数字消防).
* The daily job run at its dates, so overdue tasks carry their 督促函 / 通报 / 约谈.

Departments without a persona get one liaison login each (…联络员), so each report has its reporter.
Everything runs under time-machine at the date it would have happened and is drawn from `random.Random(seed)`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.accounts.roles import Role
from zhiben.accounts.services import assign_role, create_user
from zhiben.campaign import services
from zhiben.campaign.choices import RegisterKind, TaskStatus
from zhiben.campaign.deadlines import run_deadlines
from zhiben.campaign.models import Measure, Task, TaskReport
from zhiben.registry.models import Department, Region

TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PERSONA_OF = {
    "emergency": "yingji",
    "housing": "zhujian",
    "transport": "jiaotong",
    "fire": "xiaofang",
    "market": "shichang",
}
TOWNSHIP_PERSONA = {"天问街道": "tianwen", "营田镇": "yingtian", "河市镇": "heshi", "凤凰乡": "fenghuang"}
RETURN_REASONS = (
    "佐证材料不全，请补充会议纪要和签到表。",
    "完成情况与成果要求不符，请补充台账。",
    "未附关联记录，请补充平台内检查或隐患记录链接。",
)
PROGRESS_TEXTS = (
    "已召开专题部署会，印发工作方案，明确责任人和时间节点。",
    "按方案推进，已完成阶段性排查和台账建立。",
    "已完成主要工作量，正在整理佐证材料。",
)
FINAL_TEXTS = (
    "任务已全部完成，成果材料和台账已归档。",
    "按成果要求完成，附总结报告和台账。",
)


@dataclass
class CampaignReport:
    reports: int = 0
    done: int = 0
    returned: int = 0
    subplans: int = 0
    entries: int = 0
    escalations: int = 0
    events: list[tuple[dt.date, int, Callable[[], None]]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"治本攻坚：进展报告 {self.reports} 份（退回 {self.returned}），完成任务 {self.done} 项，"
            f"子方案 {self.subplans} 份，攻坚登记 {self.entries} 条，逾期督办 {self.escalations} 次"
        )


@contextmanager
def _at(day: dt.date, hour: int = 10) -> Iterator[None]:
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ), tick=False):
        yield


def seed_campaign_history(
    *, seed: int, actor: Any = None, progress: Callable[[str], None] | None = None
) -> CampaignReport | None:
    """生成治本攻坚演示数据: None when reports exist already (a rerun adds nothing)."""
    if TaskReport.objects.unrestricted("demo: idempotence").exists():
        return None
    report = CampaignReport()
    with transaction.atomic():
        _Campaign(seed=seed, actor=actor, report=report).run()
    if progress is not None:
        progress(report.summary())
    return report


class _Campaign:
    def __init__(self, *, seed: int, actor: Any, report: CampaignReport) -> None:
        self.rng = random.Random(seed * 104729 + 13)
        self.actor = actor
        self.report = report
        self.today = timezone.localdate()
        self.users = {u.username: u for u in User.objects.all()}
        self.office = self.users.get("anweiban")
        self.departments = {d.code: d for d in Department.objects.all()}
        self.townships = {r.name: r for r in Region.objects.filter(level=4, code__startswith="430671")}
        self.order = 0

    def run(self) -> None:
        if self.office is None:
            return
        tasks = list(
            Task.objects.unrestricted("demo: the whole plan")
            .select_related("lead_department", "township")
            .order_by("due_on", "pk")
        )
        returns_left = 4
        for task in tasks:
            reporter = self._reporter(task)
            if reporter is None:
                continue
            returns_left -= self._plan_task(
                task, reporter, returned=returns_left > 0 and self.rng.random() < 0.12
            )
        for day in self._job_days():
            self._add(day, lambda d=day: self._job(d), hour=1)
        self._subplans()
        self._entries()
        for day, _order, call in sorted(self.report.events, key=lambda e: (e[0], e[1])):
            with _at(day):
                call()

    # --- who reports -------------------------------------------------------------------------------------------

    def _reporter(self, task: Task) -> User | None:
        if task.township_id:
            return self.users.get(TOWNSHIP_PERSONA.get(task.township.name, ""))  # type: ignore[union-attr]
        dept = task.lead_department
        if dept is None:
            return None
        persona = PERSONA_OF.get(dept.code)
        if persona and persona in self.users:
            return self.users[persona]
        return self._liaison(dept)

    def _liaison(self, dept: Department) -> User:
        username = f"lianluo-{dept.code.replace('_', '-')}"
        user = self.users.get(username)
        if user is None:
            user = create_user(
                actor=self.actor,
                username=username,
                password=settings.DEMO_PASSWORD,
                display_name=f"{dept.short_name}联络员",
                organisation=dept.name,
                validate=False,
            )
            assign_role(user, actor=self.actor, role=Role.DEPARTMENT, department=dept)
            self.users[username] = user
        return user

    # --- a task's story ----------------------------------------------------------------------------------------

    def _add(self, day: dt.date, call: Callable[[], None], hour: int = 10) -> None:
        if day > self.today:
            return
        self.order += 1
        self.report.events.append((day, self.order, call))

    def _plan_task(self, task: Task, user: User, *, returned: bool) -> int:
        """Schedule the task's reports and reviews; returns 1 when it includes a return."""
        rng, due = self.rng, task.due_on
        start = dt.date(task.year, 3, 20) if task.year > 2024 else dt.date(2024, 4, 15)
        roll = rng.random()
        if due < self.today:  # past milestones: mostly done, 2025 a few late or open, 2026 more overdue
            late_share, open_share = {2024: (0.1, 0.0), 2025: (0.12, 0.1)}.get(task.year, (0.15, 0.35))
            if roll < open_share:
                outcome = "open"
            elif roll < open_share + late_share:
                outcome = "late"
            else:
                outcome = "done"
        else:  # the year-end milestone of 2026
            outcome = "final_pending" if roll < 0.12 else "done_early" if roll < 0.2 else "progress"
        mid = start + (due - start) * rng.randint(35, 60) // 100
        percent = rng.choice((30, 40, 50, 60))
        self._report(task, user, mid, percent=percent, accept_after=rng.randint(2, 6))
        if outcome == "open":
            if rng.random() < 0.5:  # a second report waits for the office
                self._report(
                    task, user, min(self.today, due + dt.timedelta(days=rng.randint(10, 60))), percent=80
                )
            return 0
        if outcome == "progress":
            later = min(self.today - dt.timedelta(days=rng.randint(1, 20)), mid + dt.timedelta(days=90))
            if later > mid + dt.timedelta(days=20):
                self._report(task, user, later, percent=min(90, percent + 30), accept_after=rng.randint(2, 8))
            return 0
        if outcome == "final_pending":
            self._report(task, user, self.today - dt.timedelta(days=rng.randint(1, 4)), final=True)
            return 0
        if outcome == "late":
            final_on = due + dt.timedelta(days=rng.randint(20, 80))
        elif outcome == "done_early":
            final_on = self.today - dt.timedelta(days=rng.randint(8, 30))
        else:
            final_on = due - dt.timedelta(days=rng.randint(5, 40))
        final_on = min(final_on, self.today - dt.timedelta(days=1))
        if returned and final_on + dt.timedelta(days=16) < self.today:
            self._report(task, user, final_on, final=True, return_after=3)
            self._report(task, user, final_on + dt.timedelta(days=10), final=True, accept_after=3)
            return 1
        self._report(task, user, final_on, final=True, accept_after=rng.randint(2, 5))
        return 0

    def _report(
        self,
        task: Task,
        user: User,
        day: dt.date,
        *,
        percent: int = 100,
        final: bool = False,
        accept_after: int | None = None,
        return_after: int | None = None,
    ) -> None:
        rng = self.rng
        text = rng.choice(FINAL_TEXTS if final else PROGRESS_TEXTS)

        def report() -> None:
            fresh = Task.objects.unrestricted("demo").get(pk=task.pk)
            if fresh.status not in (TaskStatus.OPEN, TaskStatus.RETURNED):
                return
            call = services.report_completion if final else services.report_progress
            files = [SimpleUploadedFile(f"{fresh.code}-佐证材料.pdf", PDF)] if final else []
            call(fresh, actor=user, content=text, percent=100 if final else percent, files=files)
            self.report.reports += 1

        self._add(day, report)
        if return_after is not None:
            reason = rng.choice(RETURN_REASONS)

            def send_back() -> None:
                fresh = Task.objects.unrestricted("demo").get(pk=task.pk)
                if fresh.status in (TaskStatus.REVIEWING, TaskStatus.FINAL_REVIEW):
                    services.return_report(fresh, actor=self.office, reason=reason)
                    self.report.returned += 1

            self._add(day + dt.timedelta(days=return_after), send_back, hour=15)
        elif accept_after is not None:

            def accept() -> None:
                fresh = Task.objects.unrestricted("demo").get(pk=task.pk)
                if fresh.status in (TaskStatus.REVIEWING, TaskStatus.FINAL_REVIEW):
                    services.accept_report(fresh, actor=self.office, note="同意。")
                    self.report.done += fresh.status == TaskStatus.DONE

            self._add(day + dt.timedelta(days=accept_after), accept, hour=15)

    # --- the job, sub-plans, registers --------------------------------------------------------------------------

    def _job_days(self) -> list[dt.date]:
        days = []
        for year in (2025, 2026):
            days += [dt.date(year, 1, 5), dt.date(year, 1, 25), dt.date(year, 2, 12)]
        days += [dt.date(2026, 7, 6), dt.date(2026, 7, 20), dt.date(2026, 8, 6), dt.date(2026, 10, 8)]
        days += [dt.date(2026, 10, 22), dt.date(2026, 11, 9), self.today]
        return sorted(d for d in set(days) if d <= self.today)

    def _job(self, day: dt.date) -> None:
        self.report.escalations += run_deadlines(day)["escalated"]

    def _subplans(self) -> None:
        plans = {
            "emergency": (1, 5, 6, 8, 12),
            "housing": (3, 16),
            "transport": (3, 16),
            "fire": (3, 16, 17),
            "market": (16,),
        }
        measures = {m.number: m for m in Measure.objects.unrestricted("demo")}
        for code, numbers in plans.items():
            user = self.users.get(PERSONA_OF[code])
            dept = self.departments.get(code)
            if user is None or dept is None:
                continue
            for i, n in enumerate(numbers, 1):
                day = dt.date(2024, 4, 8) + dt.timedelta(days=self.rng.randint(0, 40))

                def add(
                    m: Measure = measures[n],
                    d: Department = dept,
                    u: User = user,
                    on: dt.date = day,
                    i: int = i,
                ) -> None:
                    services.add_subplan(
                        m,
                        actor=u,
                        department=d,
                        title=f"{d.name}安全生产治本攻坚三年行动子方案（{m.title}）",
                        document_number=f"{d.document_code}发〔2024〕{i + 2}号" if d.document_code else "",
                        issued_on=on,
                        upload=SimpleUploadedFile(f"{d.short_name}子方案.pdf", PDF),
                    )
                    self.report.subplans += 1

                self._add(day, add)

    def _entries(self) -> None:
        rng = self.rng
        for name, town in sorted(self.townships.items()):
            user = self.users.get(TOWNSHIP_PERSONA.get(name, ""))
            if user is None:
                continue
            rows: list[tuple[str, str, Any, str, dt.date]] = [
                (
                    RegisterKind.STATION,
                    f"{name}应急站消防所一体化",
                    1,
                    "done",
                    dt.date(2025, rng.randint(4, 10), 15),
                ),
                (
                    RegisterKind.TWO_STATIONS,
                    f"{name}交通安全劝导站和管理员",
                    rng.randint(4, 9),
                    "done",
                    dt.date(2024, 9, 10),
                ),
                (
                    RegisterKind.SUPERVISION_TEAM,
                    f"{name}安全生产监管专职人员",
                    rng.randint(3, 6),
                    "done",
                    dt.date(2025, 3, 1),
                ),
                (
                    RegisterKind.CAPACITY,
                    f"{name}基层应急管理能力建设",
                    1,
                    rng.choice(("done", "ongoing")),
                    dt.date(2026, 5, 20),
                ),
                (
                    RegisterKind.DEMONSTRATION,
                    f"{name}综合减灾示范社区创建",
                    1,
                    rng.choice(("done", "ongoing")),
                    dt.date(2025, 11, 12),
                ),
            ]
            for year in (2024, 2025, 2026):
                rows.append(
                    (
                        RegisterKind.SAFETY_MONTH,
                        f"{name}{year}年安全生产月宣传咨询日",
                        rng.randint(2, 6),
                        "done",
                        dt.date(year, 6, 16),
                    )
                )
                rows.append(
                    (
                        RegisterKind.KNOCK,
                        f"{name}{year}年“敲门行动”入户宣传",
                        rng.randint(300, 1500),
                        "done",
                        dt.date(year, 9, rng.randint(5, 25)),
                    )
                )
            for kind, title, qty, status, on in rows:

                def add(
                    k: str = kind,
                    t: str = title,
                    q: Any = qty,
                    s: str = status,
                    d: dt.date = on,
                    u: User = user,
                    r: Region = town,
                ) -> None:
                    services.add_entry(
                        actor=u,
                        kind=k,
                        name=t,
                        township=r,
                        quantity=Decimal(q),
                        status=s,
                        on=d,
                        evidence_note="照片和台账已存档",
                    )
                    self.report.entries += 1

                self._add(on, add)
        by_department = [
            (
                "emergency",
                RegisterKind.EQUIPMENT,
                "执法记录仪、便携式气体检测仪配备",
                24,
                None,
                dt.date(2024, 10, 18),
            ),
            ("fire", RegisterKind.FIRE_STATION, "天问街道小型消防站", 1, "天问街道", dt.date(2025, 12, 10)),
            (
                "transport",
                RegisterKind.RURAL_ROAD,
                "营田镇农村公路防护设施“消薄”",
                12.5,
                "营田镇",
                dt.date(2025, 10, 30),
            ),
            (
                "transport",
                RegisterKind.RURAL_ROAD,
                "河市镇平交路口“千灯万带”",
                8,
                "河市镇",
                dt.date(2025, 11, 5),
            ),
            ("water", RegisterKind.RESERVOIR, "凤凰乡小型水库除险加固", 2, "凤凰乡", dt.date(2025, 9, 26)),
            ("market", RegisterKind.ELEVATOR, "老旧住宅电梯更新改造", 11, "天问街道", dt.date(2026, 6, 20)),
            (
                "housing",
                RegisterKind.SELF_BUILT,
                "经营性自建房安全隐患整治",
                146,
                "营田镇",
                dt.date(2025, 12, 15),
            ),
            (
                "housing",
                RegisterKind.SELF_BUILT,
                "经营性自建房安全隐患整治",
                98,
                "河市镇",
                dt.date(2025, 12, 18),
            ),
            (
                "housing",
                RegisterKind.FIRE_WATER,
                "城镇建成区市政消火栓补建",
                37,
                "天问街道",
                dt.date(2025, 11, 28),
            ),
            ("fire", RegisterKind.DIGITAL_FIRE, "重点场所数字消防接入", 42, "天问街道", dt.date(2026, 4, 30)),
            ("fire", RegisterKind.DIGITAL_FIRE, "重点场所数字消防接入", 18, "营田镇", dt.date(2026, 5, 30)),
            # Still to do: the registers list what is planned as well, so the 7个100% rates are not 100 % by
            # construction (done ÷ all registered).
            (
                "fire",
                RegisterKind.DIGITAL_FIRE,
                "河市镇重点场所数字消防接入",
                11,
                "河市镇",
                dt.date(2026, 8, 20),
                "ongoing",
            ),
            (
                "fire",
                RegisterKind.DIGITAL_FIRE,
                "凤凰乡重点场所数字消防接入",
                7,
                "凤凰乡",
                dt.date(2026, 9, 15),
                "planned",
            ),
            ("emergency", RegisterKind.SMART, "安全生产风险监测预警平台建设", 1, None, dt.date(2025, 6, 30)),
            (
                "emergency",
                RegisterKind.SMART,
                "企业安全生产信息化监管系统（一企一档）",
                1,
                None,
                dt.date(2025, 12, 20),
            ),
            (
                "transport",
                RegisterKind.SMART,
                "“两客一危”车辆动态监控平台接入",
                1,
                None,
                dt.date(2026, 3, 31),
            ),
            (
                "fire",
                RegisterKind.SMART,
                "九小场所视频AI智能识别接入",
                1,
                None,
                dt.date(2026, 10, 30),
                "ongoing",
            ),
            (
                "housing",
                RegisterKind.SMART,
                "建筑起重机械安全监控系统",
                1,
                None,
                dt.date(2026, 11, 30),
                "planned",
            ),
            (
                "emergency",
                RegisterKind.SUPERVISION_TEAM,
                "应急管理综合行政执法大队专业人员",
                12,
                None,
                dt.date(2025, 4, 1),
            ),
            (
                "housing",
                RegisterKind.SUPERVISION_TEAM,
                "建设工程安全监督站专业人员",
                5,
                None,
                dt.date(2025, 7, 1),
            ),
            (
                "transport",
                RegisterKind.SUPERVISION_TEAM,
                "交通运输综合执法专业人员",
                4,
                None,
                dt.date(2026, 6, 1),
                "ongoing",
            ),
        ]
        for code, kind, title, qty, town_name, on, *state in by_department:
            dept = self.departments.get(code)
            if dept is None:
                continue
            user = self.users.get(PERSONA_OF.get(code, "")) or self._liaison(dept)

            def add_dept(
                k: str = kind,
                t: str = title,
                q: Any = qty,
                d: dt.date = on,
                u: User = user,
                dp: Department = dept,
                tn: Any = town_name,
                st: str = state[0] if state else "done",
            ) -> None:
                services.add_entry(
                    actor=u,
                    kind=k,
                    name=t,
                    department=dp,
                    township=self.townships.get(tn) if tn else None,
                    quantity=Decimal(str(q)),
                    status=st,
                    on=d,
                    evidence_note="验收资料已存档",
                )
                self.report.entries += 1

            self._add(on, add_dept)
