"""The demo district's 2026 duty and task lists and the office's 通报, acted out through the oversight services.

What a visitor finds on /oversight/lists/ and /oversight/bulletins/ after `make run`:

* The 2026 lists of the district leaders, the four townships and the member units (shipped data): the tasks due
  before today mostly completed with their evidence and confirmed by the office (a few late), some still
  推进中, a few completions waiting for confirmation, one returned once for missing evidence.
* The quarter snapshots of 2026Q1 and 2026Q2 frozen at each quarter's end (as the daily job does), then the
  2026Q1 工作进展通报, one 典型案例曝光 of two 2026 重大 hazards, one 通报表扬, and the 2026 上半年 report to the
  committee head — each drafted and 签发 a few days after its period.

Every step runs under time-machine at the date it would have happened (never after today), drawn from
`random.Random(seed)`; skipped when any item has a history or any 通报 exists (idempotent).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.hazards.models import Hazard
from zhiben.indicators import snapshots
from zhiben.oversight import services
from zhiben.oversight.choices import BulletinKind, ItemKind
from zhiben.oversight.models import Bulletin, DutyItem, DutyItemTransition

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026
TOWNSHIP_PERSONA = {"天问街道": "tianwen", "营田镇": "yingtian", "河市镇": "heshi", "凤凰乡": "fenghuang"}
DEPARTMENT_PERSONA = {
    "emergency": "yingji",
    "housing": "zhujian",
    "transport": "jiaotong",
    "fire": "xiaofang",
    "market": "shichang",
}
PROGRESS = (
    "已印发工作方案，明确责任人和时间节点，正在按计划推进。",
    "已召开专题部署会议，完成阶段性排查，形成问题清单。",
    "已完成过半，剩余工作正在推进，预计按期完成。",
)
DONE = (
    "已按要求完成，会议纪要、签到表及照片已归档备查。",
    "已全部完成，形成工作台账和总结报告，相关材料已上传平台。",
    "已完成并经分管负责人审核，佐证材料见工作档案。",
)
PRAISED = (
    "营田镇：辖区重大事故隐患全部按期整改销号，乡镇巡查覆盖全部重点单位",
    "区消防救援大队：提前完成大型商业综合体消防安全责任人集中培训",
    "天问街道：经营性自建房安全隐患排查整治全覆盖，示范创建工作扎实",
)


@contextmanager
def _at(day: dt.date, hour: int = 10) -> Iterator[None]:
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ), tick=False):
        yield


def seed_oversight_history(
    *, seed: int, actor: Any = None, progress: Callable[[str], None] | None = None
) -> dict[str, int] | None:
    """生成考核督办演示数据: None when any item has moved or any 通报 exists (a rerun adds nothing)."""
    if DutyItemTransition.objects.exists() or Bulletin.objects.unrestricted("demo: idempotence").exists():
        return None
    history = _History(seed)
    with transaction.atomic():
        history.run()
    if progress is not None:
        progress(f"考核督办：清单事项办理 {history.moved} 项，通报和报告 {history.issued} 份")
    return {"items": history.moved, "bulletins": history.issued}


class _History:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 14)
        self.today = timezone.localdate()
        self.users = {u.username: u for u in User.objects.all()}
        self.office = self.users.get("anweiban")
        self.events: list[tuple[dt.date, int, Callable[[], None]]] = []
        self.moved = 0
        self.issued = 0

    def _add(self, day: dt.date, call: Callable[[], None]) -> None:
        if day < self.today:
            self.events.append((day, len(self.events), call))

    def _owner(self, item: DutyItem) -> User | None:
        if item.department_id:
            code = item.department.code  # type: ignore[union-attr]
            return self.users.get(DEPARTMENT_PERSONA.get(code, "")) or self.users.get(
                f"lianluo-{code.replace('_', '-')}"
            )
        if item.township_id:
            return self.users.get(TOWNSHIP_PERSONA.get(item.township.name, ""))  # type: ignore[union-attr]
        return self.office

    def run(self) -> None:
        if self.office is None:
            return
        items = (
            DutyItem.objects.unrestricted("demo: every list")
            .filter(kind=ItemKind.TASK, year=YEAR, due_on__isnull=False)
            .select_related("department", "township")
            .order_by("due_on", "code")
        )
        returned = False
        for item in items:
            owner = self._owner(item)
            if owner is not None:
                returned = self._plan(item, owner, allow_return=not returned) or returned
        for quarter, day in (("2026Q1", dt.date(2026, 4, 1)), ("2026Q2", dt.date(2026, 7, 1))):
            self._add(day, lambda q=quarter, d=day: self._freeze(q, d))
        self._bulletins()
        for day, _order, call in sorted(self.events, key=lambda e: (e[0], e[1])):
            with _at(day):
                call()

    def _plan(self, item: DutyItem, owner: User, *, allow_return: bool) -> bool:
        """Progress, completion and confirmation at believable dates; True when the item was returned once."""
        due = item.due_on
        assert due is not None
        roll = self.rng.random()
        start = min(due - dt.timedelta(days=self.rng.randint(40, 90)), self.today - dt.timedelta(days=20))
        start = max(start, dt.date(YEAR, 1, 10))
        self._add(
            start,
            lambda: self._step(services.report_progress, item, owner, evidence=self.rng.choice(PROGRESS)),
        )
        if due >= self.today and roll < 0.6:
            return False  # still running
        if roll < 0.12:
            return False  # behind: 推进中 past its deadline
        late = roll < 0.2
        finished = (
            due + dt.timedelta(days=self.rng.randint(3, 20))
            if late
            else due - dt.timedelta(days=self.rng.randint(2, 25))
        )
        finished = max(finished, start + dt.timedelta(days=1))
        if finished >= self.today:
            return False
        evidence = self.rng.choice(DONE)
        self._add(
            finished,
            lambda: self._step(
                services.report_completion, item, owner, evidence=evidence, completed_on=finished
            ),
        )
        if roll > 0.93:
            return False  # waiting for the office
        confirm = finished + dt.timedelta(days=self.rng.randint(1, 5))
        if allow_return and roll > 0.85:
            again = confirm + dt.timedelta(days=4)
            self._add(
                confirm,
                lambda: self._step(
                    services.return_item, item, self.office, reason="佐证材料不全，请补充会议纪要和签到表。"
                ),
            )
            self._add(
                again,
                lambda: self._step(
                    services.report_completion,
                    item,
                    owner,
                    evidence=evidence + "已补充会议纪要和签到表。",
                    completed_on=again,
                ),
            )
            self._add(
                again + dt.timedelta(days=2), lambda: self._step(services.confirm_item, item, self.office)
            )
            return True
        self._add(confirm, lambda: self._step(services.confirm_item, item, self.office))
        return False

    def _step(self, service: Callable[..., Any], item: DutyItem, actor: Any, **kwargs: Any) -> None:
        item.refresh_from_db()
        service(item, actor=actor, **kwargs)
        self.moved += 1

    def _freeze(self, quarter: str, day: dt.date) -> None:
        snapshots.freeze(quarter, today=day)

    def _issue(self, kind: str, period: str, day: dt.date, **kwargs: Any) -> None:
        def call() -> None:
            if period and not all(
                snapshots.is_frozen(q) for q in (["2026Q1", "2026Q2"] if "H" in period else [period])
            ):
                return
            draft = services.draft_bulletin(actor=self.office, kind=kind, year=YEAR, period=period, **kwargs)
            services.issue_bulletin(draft, actor=self.office)
            self.issued += 1

        self._add(day, call)

    def _bulletins(self) -> None:

        self._issue(
            BulletinKind.PROGRESS,
            "2026Q1",
            dt.date(2026, 4, 10),
            narrative="一季度，各乡镇（街道）和区安委会成员单位按照年度任务清单推进治本攻坚各项工作，总体进展顺利。\n"
            "部分单位年度任务尚未启动，逾期任务的牵头单位要于4月20日前书面说明原因和整改措施。",
        )
        cases = list(
            Hazard.objects.unrestricted("demo: the office picks the cases")
            .filter(
                level="major", discovered_on__gte=dt.date(YEAR, 1, 1), discovered_on__lt=dt.date(YEAR, 5, 1)
            )
            .order_by("discovered_on", "pk")
            .values_list("code", flat=True)[:2]
        )
        if cases:
            self._issue(
                BulletinKind.EXPOSURE,
                "",
                dt.date(2026, 5, 15),
                cases=" ".join(cases),
                narrative="上述单位重大事故隐患排查整治不力，反映出企业主体责任和部门监管责任落实不到位。\n"
                "各单位要以案为鉴、举一反三，立即开展同类问题排查整治。",
            )
        self._issue(BulletinKind.PRAISE, "", dt.date(2026, 6, 20), praised="\n".join(PRAISED))
        self._issue(
            BulletinKind.HALF_YEAR,
            "2026H1",
            dt.date(2026, 7, 15),
            narrative="上半年，全区认真落实“一季度一考核、一季度一排名、一季度一约谈”机制，治本攻坚三年行动进入收官阶段。\n"
            "存在的主要问题：部分成员单位年度任务推进偏慢，个别乡镇重大事故隐患整改不及时。\n"
            "下半年，区安委办将加强督办交办，对进展滞后的单位约谈通报，确保三年行动目标全面完成。",
        )
