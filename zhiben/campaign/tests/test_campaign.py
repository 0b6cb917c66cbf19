"""The campaign: the shipped plan, the task loop (services, pages and API), scope, the overdue job, registers."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from zhiben.campaign import services
from zhiben.campaign.choices import RegisterKind, ReportOutcome, TaskStatus
from zhiben.campaign.deadlines import run_deadlines
from zhiben.campaign.models import Goal, Measure, RegisterEntry, Task, TaskEscalation, TaskReminder
from zhiben.core.errors import NotPermitted
from zhiben.core.models import OutboxMessage
from zhiben.core.testing import login

SEED = Path("/work/shared/seed/000_df21dba7289ba1bb.txt")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def rows(model: Any) -> Any:
    qs = model.objects.all()
    return qs.unrestricted("test") if hasattr(qs, "unrestricted") else qs


def task_of(world: Any, dept: str, *, co: str | None = None, exclude: str | None = None) -> Task:
    qs = rows(Task).filter(lead_department__code=dept, status=TaskStatus.OPEN)
    if co:
        qs = qs.filter(co_departments__code=co)
    if exclude:
        qs = qs.exclude(departments__code=exclude)
    return qs.order_by("pk").first()


# --- the shipped plan ------------------------------------------------------------------------------------------


def test_shipped_plan_has_the_seeds_measures_goals_and_linked_tasks(world: Any) -> None:
    numbers = sorted(rows(Measure).values_list("number", flat=True))
    if SEED.exists():  # the seed's numbered measures (三、主要任务): "1.落实考核约谈。" … "22.…"
        text = SEED.read_text(encoding="utf-8")
        body = text[text.index("三、主要任务") : text.index("四、保障措施")]
        seed_numbers = sorted({int(n) for n in re.findall(r"^(\d{1,2})\.\S", body, flags=re.M)})
        assert numbers == seed_numbers
    assert numbers == list(range(1, 23))
    assert {g.year for g in rows(Goal).filter(kind="stage")} == {2024, 2025, 2026}
    stock = rows(Goal).get(code="G-2024-STOCK")
    assert stock.indicator and stock.target_value == 100 and stock.verified
    assert rows(Goal).filter(code__startswith="G-SEVEN-").count() == 7
    tasks = rows(Task)
    assert tasks.count() > 60
    # After the registry's reference data, every task has a lead unit and its scope path holds it.
    assert not tasks.filter(lead_department__isnull=True, township__isnull=True).exists()
    sample = tasks.filter(lead_department__isnull=False).first()
    assert sample.lead_department in sample.departments.all()
    assert rows(Measure).get(number=3).lead_departments.count() >= 3
    # Interpretations are 待核实; each row names its source section.
    assert tasks.filter(verified=False).exists() and all(t.source.startswith("屈安发") for t in tasks)


# --- the loop through the services ------------------------------------------------------------------------------


def test_report_accept_then_complete(world: Any) -> None:
    task = task_of(world, "emergency")
    report = services.report_progress(
        task, actor=world.yingji, content="已印发工作方案", percent=40, links="/hazards/\n/campaign/"
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.REVIEWING and report.links == ["/hazards/", "/campaign/"]
    assert rows(OutboxMessage).filter(recipient=world.anweiban, topic="campaign_report").exists()
    services.accept_report(task, actor=world.anweiban, note="同意", version=task.version)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.percent == 40
    services.report_completion(
        task,
        actor=world.yingji,
        content="全部完成",
        percent=100,
        files=[SimpleUploadedFile("成果.pdf", PDF, content_type="application/pdf")],
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.FINAL_REVIEW
    services.accept_report(task, actor=world.anweiban)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_on == timezone.localdate()
    assert [h.action for h in task.history.order_by("pk")] == ["report", "accept", "report_final", "accept"]
    assert task.reports.filter(kind="final").get().attachments.count() == 1


def test_return_with_reason_and_report_again(world: Any) -> None:
    task = task_of(world, "emergency")
    services.report_progress(task, actor=world.yingji, content="进展", percent=10)
    task.refresh_from_db()
    with pytest.raises(ValidationError):
        services.return_report(task, actor=world.anweiban, reason="  ")
    services.return_report(task, actor=world.anweiban, reason="缺少佐证材料")
    task.refresh_from_db()
    assert task.status == TaskStatus.RETURNED
    assert task.reports.get().outcome == ReportOutcome.RETURNED
    services.report_progress(task, actor=world.yingji, content="补充材料", percent=20)
    task.refresh_from_db()
    assert task.status == TaskStatus.REVIEWING


def test_refusals(world: Any) -> None:
    task = task_of(world, "emergency", co="housing")
    with pytest.raises(NotPermitted):  # a co-operating department reads the task but does not report
        services.report_progress(task, actor=world.zhujian, content="x", percent=1)
    with pytest.raises(NotPermitted):  # the office reviews, it does not report
        services.report_progress(task, actor=world.anweiban, content="x", percent=1)
    with pytest.raises(ValidationError):  # a completion is 100 %; links stay on this site
        services.report_completion(task, actor=world.yingji, content="x", percent=80)
    for bad in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/a b",
        "javascript:alert(1)",
    ):
        with pytest.raises(ValidationError):
            services.report_progress(task, actor=world.yingji, content="x", percent=5, links=bad)
    services.report_progress(task, actor=world.yingji, content="进展", percent=30)
    task.refresh_from_db()
    with pytest.raises(NotPermitted):  # a department does not accept its own report
        services.accept_report(task, actor=world.yingji)
    assert task.status == TaskStatus.REVIEWING


# --- pages and API -----------------------------------------------------------------------------------------------


def test_api_report_accept_and_scope(world: Any) -> None:
    task = task_of(world, "emergency", exclude="housing")
    co_task = task_of(world, "emergency", co="housing")
    dept = login(Client(), world.yingji)
    url = f"/api/v1/campaign/tasks/{task.pk}/"
    assert dept.get("/api/v1/campaign/tasks/").status_code == 200
    r = dept.post(
        url + "report/",
        {"content": "已部署", "percent": 50, "version": task.version},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == TaskStatus.REVIEWING
    stale = login(Client(), world.anweiban).post(
        url + "accept/", {"version": task.version}, content_type="application/json"
    )
    assert stale.status_code == 409
    office = login(Client(), world.anweiban)
    r = office.post(url + "accept/", {"version": r.json()["version"]}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == TaskStatus.OPEN and r.json()["percent"] == 50
    # Another department: a task it has nothing to do with is 404; one it only helps with is 403.
    other = login(Client(), world.zhujian)
    body = {"content": "x", "percent": 1, "version": 1}
    assert other.get(url).status_code == 404
    assert other.post(url + "report/", body, content_type="application/json").status_code == 404
    co_url = f"/api/v1/campaign/tasks/{co_task.pk}/report/"
    assert (
        other.post(co_url, {**body, "version": co_task.version}, content_type="application/json").status_code
        == 403
    )
    ids = {t["id"] for t in other.get("/api/v1/campaign/tasks/?page_size=200").json()["results"]}
    assert co_task.pk in ids and task.pk not in ids
    # Bad input is a field error, never a 500.
    bad = dept.post(
        f"/api/v1/campaign/tasks/{co_task.pk}/report/",
        {"content": "", "percent": 300, "version": co_task.version},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "percent" in bad.json()
    # Enterprises see nothing of the campaign; leaders read it.
    assert login(Client(), world.qiye1).get("/api/v1/campaign/tasks/").status_code == 403
    assert login(Client(), world.lingdao).get(url).status_code == 200


def test_pages(world: Any) -> None:
    task = task_of(world, "emergency")
    dept = login(Client(), world.yingji)
    page = dept.get("/campaign/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2024年底前基本消除2023年及以前排查发现的重大事故隐患存量" in html and task.title in html
    detail = dept.get(task.get_absolute_url()).content.decode()
    assert 'data-step="report"' in detail and 'data-step="accept"' not in detail
    r = dept.post(
        f"/campaign/tasks/{task.pk}/step/report/",
        {
            "content": "页面报告",
            "percent": "20",
            "version": task.version,
            "files": [SimpleUploadedFile("a.pdf", PDF)],
        },
    )
    assert r.status_code == 302
    office = login(Client(), world.anweiban)
    detail = office.get(task.get_absolute_url()).content.decode()
    assert 'data-step="accept"' in detail and 'data-step="return"' in detail
    assert "页面报告" in office.get(f"/campaign/tasks/{task.pk}/step/accept/").content.decode()
    r = office.post(f"/campaign/tasks/{task.pk}/step/return/", {"reason": "", "version": task.version + 1})
    assert r.status_code == 400
    att = rows(Task).get(pk=task.pk).reports.get().attachments.get()
    assert office.get(f"/campaign/attachments/{att.pk}/").status_code == 200
    assert login(Client(), world.zhujian).get(f"/campaign/attachments/{att.pk}/").status_code == 404
    assert login(Client(), world.qiye1).get("/campaign/").status_code == 403
    measure = task.measure
    assert dept.get(measure.get_absolute_url()).status_code == 200
    assert dept.get("/campaign/?year=2025&status=overdue&mine=1").status_code == 200


def test_subplan_upload_checked_by_content(world: Any) -> None:
    measure = rows(Measure).get(number=5)
    emergency = world.departments["emergency"]
    with pytest.raises(ValidationError):
        services.add_subplan(
            measure,
            actor=world.yingji,
            department=emergency,
            title="子方案",
            issued_on=dt.date(2024, 4, 1),
            upload=SimpleUploadedFile("方案.pdf", b"not a pdf at all"),
        )
    with pytest.raises(NotPermitted):
        services.add_subplan(
            measure,
            actor=world.zhujian,
            department=emergency,
            title="子方案",
            issued_on=dt.date(2024, 4, 1),
            upload=SimpleUploadedFile("方案.pdf", PDF),
        )
    plan = services.add_subplan(
        measure,
        actor=world.yingji,
        department=emergency,
        title="应急管理局子方案",
        issued_on=dt.date(2024, 4, 1),
        upload=SimpleUploadedFile("方案.pdf", PDF),
    )
    assert plan.content_type == "application/pdf"
    page = login(Client(), world.zhujian).get(measure.get_absolute_url()).content.decode()
    assert "应急管理局子方案" in page


# --- the overdue job ---------------------------------------------------------------------------------------------


def test_reminders_and_escalation_are_idempotent(world: Any) -> None:
    today = timezone.localdate()
    late = task_of(world, "emergency")
    soon = task_of(world, "housing")
    rows(Task).filter(pk=late.pk).update(due_on=today - dt.timedelta(days=40))
    rows(Task).filter(pk=soon.pk).update(due_on=today + dt.timedelta(days=5))
    first = run_deadlines(today)
    messages = rows(OutboxMessage).count()
    assert first["escalated"] >= 1 and first["reminded"] >= 1
    assert TaskEscalation.objects.filter(task=late).count() == 1  # one rung per run
    assert TaskReminder.objects.filter(task=soon).count() == 1
    again = run_deadlines(today)
    assert again["escalated"] == 0 and again["reminded"] == 0
    assert rows(OutboxMessage).count() == messages
    # A week later the next rung (通报, after its interval); never two on one day.
    run_deadlines(today + dt.timedelta(days=7))
    kinds = list(TaskEscalation.objects.filter(task=late).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["urge", "bulletin"]
    assert rows(OutboxMessage).filter(recipient=world.yingji, topic="campaign_escalated").exists()
    # A task done is left alone.
    rows(Task).filter(pk=late.pk).update(status=TaskStatus.DONE)
    run_deadlines(today + dt.timedelta(days=30))
    assert TaskEscalation.objects.filter(task=late).count() == 2


# --- scope and registers ------------------------------------------------------------------------------------------


def test_township_scope_and_registers(world: Any) -> None:
    yingtian = world.regions["营田镇"]
    town_task = rows(Task).get(township=yingtian, year=2025)
    client = login(Client(), world.yingtian)
    ids = {t["id"] for t in client.get("/api/v1/campaign/tasks/?page_size=200").json()["results"]}
    assert ids == set(rows(Task).filter(township=yingtian).values_list("pk", flat=True))
    services.report_progress(town_task, actor=world.yingtian, content="一体化挂牌", percent=60)
    other = rows(Task).get(township=world.regions["河市镇"], year=2025)
    assert client.get(f"/campaign/tasks/{other.pk}/").status_code == 404
    entry = services.add_entry(
        actor=world.yingtian,
        kind=RegisterKind.KNOCK,
        name="敲门行动入户宣传",
        township=yingtian,
        quantity=120,
        on=dt.date(2025, 6, 10),
    )
    assert entry.pk
    with pytest.raises(NotPermitted):
        services.add_entry(
            actor=world.yingtian,
            kind=RegisterKind.KNOCK,
            name="越界",
            township=world.regions["河市镇"],
            on=dt.date(2025, 6, 10),
        )
    r = client.post(
        "/campaign/registers/new/",
        {
            "kind": "station",
            "name": "营田镇应急站",
            "township": yingtian.code,
            "quantity": "1",
            "status": "done",
            "on": "2025-03-01",
        },
    )
    assert r.status_code == 302
    page = client.get("/campaign/registers/").content.decode()
    assert "营田镇应急站" in page and "敲门行动入户宣传" in page
    assert "营田镇应急站" not in login(Client(), world.heshi).get("/campaign/registers/").content.decode()
    assert rows(RegisterEntry).filter(township=yingtian).count() == 2
    bad = client.post("/campaign/registers/new/", {"kind": "nope", "name": "", "on": "x"})
    assert bad.status_code == 400


def test_api_report_with_evidence_and_page_subplan_upload(world: Any) -> None:
    task = task_of(world, "fire")
    client = login(Client(), world.xiaofang)
    r = client.post(
        f"/api/v1/campaign/tasks/{task.pk}/report-final/",
        {
            "content": "完成",
            "percent": "100",
            "version": str(task.version),
            "files": SimpleUploadedFile("证明.pdf", PDF),
        },
    )
    assert r.status_code == 200, r.content
    assert rows(Task).get(pk=task.pk).reports.get().attachments.get().name == "证明.pdf"
    fake = client.post(
        f"/api/v1/campaign/tasks/{task_of(world, 'fire').pk}/report/",
        {
            "content": "x",
            "percent": "1",
            "version": "1",
            "files": SimpleUploadedFile("a.pdf", b"MZ not a pdf"),
        },
    )
    assert fake.status_code == 400 and "files" in fake.json()
    measure = rows(Measure).get(number=16)
    page = client.post(
        measure.get_absolute_url(),
        {
            "department": "fire",
            "title": "消防救援大队子方案",
            "issued_on": "2024-04-10",
            "upload": SimpleUploadedFile("方案.pdf", PDF),
        },
    )
    assert page.status_code == 302
    refused = client.post(
        measure.get_absolute_url(),
        {
            "department": "housing",
            "title": "代传",
            "issued_on": "2024-04-10",
            "upload": SimpleUploadedFile("b.pdf", PDF),
        },
    )
    assert refused.status_code == 403
    # A township reports on no district task: it does not even see it.
    assert login(Client(), world.yingtian).get(f"/campaign/tasks/{task.pk}/").status_code == 404
