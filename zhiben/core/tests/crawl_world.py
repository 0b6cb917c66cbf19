"""The crawl's world: the test world plus one record of every module, so that every route with an id points at
a real row (in scope for some personas, out of scope for others). Used by the crawl and the tests built on it
(the phone-width check, the read-only API posts, the API contract)."""

from __future__ import annotations

from typing import Any

import pytest

from zhiben.registry.services import create_person


@pytest.fixture
def crawl_world(world: Any) -> Any:
    # A person, so that person routes point at a real row.
    create_person(actor=None, enterprise=world.enterprises["qiye2"], name="钱安全", phone="13612345678")
    _hazards(world)
    _inspections(world)
    _supervision(world)
    _sourcecontrol(world)
    _training(world)
    _risk(world)
    _monitoring(world)
    return world


def _risk(world: Any) -> None:
    """河市镇's chemical plant (qiye2): an assessed risk point whose patrol found a 不符合 (a hazard), its site
    plan, a post with its cards, a 班前会, a 体检卡 and a 动工卡 waiting for confirmation (the others: 404)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from PIL import Image

    from zhiben.risk import services

    unit = world.enterprises["qiye2"]
    point = services.register_point(
        actor=world.qiye2,
        enterprise=unit,
        kind="place",
        name="液氨储罐区",
        factors=[{"category": "2.2", "text": "液氨泄漏中毒"}],
        controls=[{"kind": "engineering", "text": "设置有毒气体报警仪"}],
        responsible_person="王班长",
    )
    services.assess_point(point, actor=world.qiye2, method="LEC", L="6", E="6", C="15")
    point.refresh_from_db()
    services.record_patrol(point, actor=world.qiye2, results=[{"control": "设置有毒气体报警仪", "ok": False}])
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
    services.upload_plan(
        unit, actor=world.qiye2, image=SimpleUploadedFile("plan.png", buffer.getvalue(), "image/png")
    )
    post = services.add_post(actor=world.qiye2, enterprise=unit, name="合成岗", template="hazchem_operator")
    services.record_meeting(
        actor=world.qiye2,
        enterprise=unit,
        held_on=timezone.localdate(),
        attendees=6,
        present=6,
        risks="液氨泄漏",
        measures="检查报警仪",
        signed_by="王班长",
    )
    services.record_check(actor=world.qiye2, post=post, results=[{"item": "报警仪正常", "ok": True}])
    services.apply_permit(
        actor=None,
        enterprise=unit,
        kind="hot",
        location="合成车间",
        description="管道焊接",
        work_on=timezone.localdate(),
    )


def _sourcecontrol(world: Any) -> None:
    """河市镇's chemical plant (qiye2): a certificate, a fee account with a spending, a 建设项目 waiting for review;
    a construction project of qiye3 and a 变型拖拉机 in 营田镇 (the others: 404)."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from zhiben.sourcecontrol import services

    today = timezone.localdate()
    unit = world.enterprises["qiye2"]
    services.issue_certificate(
        unit,
        actor=None,
        grade="3",
        number="（屈）安标证字〔2024〕0001号",
        issuer="屈原管理区应急管理局",
        valid_from=today - dt.timedelta(days=100),
        valid_to=today + dt.timedelta(days=30),
    )
    account = services.open_fee_account(
        unit, actor=None, year=today.year, sector="hazchem", basis=Decimal("50000000")
    )
    services.record_spending(
        account,
        actor=None,
        category="ppe",
        amount=Decimal("8000"),
        spent_on=dt.date(today.year, 1, 2),
        description="更换防护用品",
    )
    services.register_project(actor=None, enterprise=unit, name="涂料车间扩建", kind="expand")
    services.register_construction(
        actor=None,
        name="安置房二期",
        builder=world.enterprises["qiye3"],
        industry=world.industries["CONSTRUCTION"],
        township=world.regions["天问街道"],
        cost=Decimal("10000000"),
        start_date=today - dt.timedelta(days=40),
    )
    services.register_phase_out(
        actor=None,
        kind="tractor",
        name="东风-12 变型拖拉机",
        identifier="湘06-12345",
        township=world.regions["营田镇"],
        industry=world.industries["AGRI-MACHINE"],
        due_on=dt.date(2025, 12, 31),
    )


def _monitoring(world: Any) -> None:
    """The demo's 监测预警 on the test world: devices with readings, alarms in each state (one with its hazard),
    an on-site check task, one device offline; so every monitoring route points at a real row."""
    from zhiben.demo.monitoring_history import seed_monitoring

    assert seed_monitoring(seed=1) is not None


def _training(world: Any) -> None:
    """The demo's 培训演练 on the test world (after the inspectors and the construction projects): sessions,
    certificates, drills, plans, teams, supplies and 宣传, so every training route points at a real row."""
    from zhiben.demo.training_history import seed_training

    assert seed_training(seed=1) is not None


def _supervision(world: Any) -> None:
    """A 督办 item to 应急局 and 河市镇 (the others: 404) and a 暗访 with a finding."""
    import datetime as dt

    from django.utils import timezone

    from zhiben.supervision import services

    services.issue_item(
        actor=world.anweiban,
        subject="危化企业安全检查",
        requirement="检查并反馈",
        deadline=timezone.localdate() + dt.timedelta(days=5),
        departments=[world.departments["emergency"]],
        townships=[world.regions["河市镇"]],
    )
    visit = services.record_visit(
        actor=world.anweiban, visited_on=timezone.localdate(), place="河市镇", team="暗访组"
    )
    services.add_finding(visit, actor=world.anweiban, text="通道堵塞", enterprise=world.enterprises["qiye2"])


def _inspections(world: Any) -> None:
    """The demo's inspection and enforcement half-year on the test world: inspectors, checklists, duties and
    self-checks, approved plans, a published and a committed draw, completed inspections (a joint one), cases
    and 打非治违 records — so every inspections and enforcement route points at a real row."""
    import datetime as dt

    import time_machine

    from zhiben.demo.inspection_history import seed_inspection_history

    with time_machine.travel(
        dt.datetime(2026, 6, 15, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ):
        assert seed_inspection_history(seed=1) is not None


def _hazards(world: Any) -> None:
    """河市镇's chemical plant has a 重大 hazard in rectification with a photo: in scope for 应急局, 河市镇
    and qiye2, out of scope for the others (sample_object picks the first hazard)."""
    import datetime as dt

    import time_machine
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhiben.hazards import services
    from zhiben.standards.models import Clause, Standard, StandardVersion

    standard = Standard.objects.create(code="crawl", sector="化工", name="判定标准")
    version = StandardVersion.objects.create(standard=standard, label="2023版", title="判定标准")
    clause = Clause.objects.create(version=version, code="1", text="未经考核")
    with time_machine.travel(dt.datetime(2025, 6, 2, 10, 0), tick=False):
        h = services.register_hazard(
            actor=world.qiye2,
            enterprise=world.enterprises["qiye2"],
            level="major",
            clause=clause,
            title="主要负责人未经考核合格",
            discovered_on=dt.date(2025, 6, 1),
        )
        services.confirm(h, actor=world.yingji)
        services.add_attachment(
            h, actor=world.qiye2, upload=SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32)
        )
        # A 一般 hazard the unit closes itself, so the 销号记录 list has a row.
        g = services.register_hazard(
            actor=world.qiye2,
            enterprise=world.enterprises["qiye2"],
            level="general",
            title="灭火器压力不足",
            discovered_on=dt.date(2025, 6, 2),
        )
        services.submit_plan(
            g, actor=world.qiye2, measures="更换", responsible="钱", plan_deadline=g.deadline
        )
        services.request_acceptance(g, actor=world.qiye2)
        services.self_accept(g, actor=world.qiye2, acceptor="钱")
        services.close(g, actor=world.qiye2)
    # Months later the 重大 hazard is overdue: the ladder's records and documents fill the 逾期督办 list.
    with time_machine.travel(dt.datetime(2025, 12, 1, 10, 0), tick=False):
        from zhiben.hazards.escalation import apply_escalations

        apply_escalations()
