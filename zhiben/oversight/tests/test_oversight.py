"""考核督办: the shipped lists per owner and year, scope, the item loop with its refusals, the Word/PDF list, and
the 通报 and reports (figures from the frozen quarter, numbering, draft → 签发)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from zhiben.core.errors import Conflict, NotPermitted
from zhiben.core.testing import login
from zhiben.core.workflow import TransitionNotAllowed
from zhiben.indicators import registry, snapshots
from zhiben.indicators.registry import Scope
from zhiben.oversight import services
from zhiben.oversight.choices import BulletinKind, BulletinStatus, ItemKind, ItemStatus
from zhiben.oversight.indicators import DUTY_COMPLETION
from zhiben.oversight.models import Bulletin, DutyItem

TODAY = dt.date(2026, 12, 7)


def items() -> Any:
    return DutyItem.objects.unrestricted("test")


def task_of(world: Any, *, department: str | None = None, township: str | None = None) -> DutyItem:
    qs = items().filter(kind=ItemKind.TASK, year=2026, status=ItemStatus.NOT_STARTED)
    if department:
        qs = qs.filter(department__code=department)
    if township:
        qs = qs.filter(township__name=township)
    return qs.order_by("sort_order", "pk").first()


def complete(item: DutyItem, owner: Any, office: Any, on: dt.date) -> None:
    services.report_completion(item, actor=owner, evidence="已完成，见会议纪要", completed_on=on)
    services.confirm_item(item, actor=office)


def test_the_shipped_lists_give_each_owner_its_duties_and_yearly_tasks(world: Any) -> None:
    district = items().filter(owner_kind="district")
    assert district.filter(kind=ItemKind.DUTY, year__isnull=True).count() >= 4
    assert district.filter(kind=ItemKind.TASK, year=2026).exists()
    # every township gets the township rows, every member unit the rows for all units
    per_town = {
        t: items().filter(township__name=t).count() for t in ("营田镇", "河市镇", "凤凰乡", "天问街道")
    }
    assert len(set(per_town.values())) == 1 and min(per_town.values()) >= 9
    housing = items().filter(department__code="housing")
    assert housing.filter(text__contains="燃气").exists()
    assert not items().filter(department__code="finance", text__contains="燃气").exists()
    # the seed's own words are verified; summaries are 待核实
    assert items().filter(text__contains="每半年至少听取一次", verified=True).exists()
    assert items().filter(verified=False).exists()
    assert all(i.source for i in items())


def test_a_township_sees_its_own_list_a_department_its_own(world: Any) -> None:
    yt = items().filter(township__name="营田镇").first()
    hs = items().filter(township__name="河市镇").first()
    housing = items().filter(department__code="housing").first()
    client = Client()
    login(client, world.users["yingtian"])
    page = client.get("/oversight/lists/?year=2026")
    assert page.status_code == 200 and "营田镇" in page.content.decode()
    assert yt.text in page.content.decode()
    assert client.get(f"/oversight/items/{yt.pk}/").status_code == 200
    assert client.get(f"/oversight/items/{hs.pk}/").status_code == 404
    assert client.get(f"/oversight/items/{housing.pk}/").status_code == 404
    assert client.get(f"/oversight/lists/?unit=t:{hs.township.code}").status_code == 404
    assert client.get("/oversight/lists/?unit=district").status_code == 404
    login(client, world.users["zhujian"])
    page = client.get("/oversight/lists/?year=2026").content.decode()
    assert "区住房和城乡建设局" in page and housing.text in page
    assert client.get(f"/oversight/items/{yt.pk}/").status_code == 404
    login(client, world.users["qiye1"])
    assert client.get("/oversight/lists/").status_code == 403
    login(client, world.users["anweiban"])
    assert client.get(f"/oversight/lists/?unit=t:{hs.township.code}").status_code == 200


def test_status_flow_report_confirm_and_the_refusals(world: Any) -> None:
    u = world.users
    item = task_of(world, department="housing")
    with pytest.raises(NotPermitted):  # another unit
        services.report_progress(item, actor=u["jiaotong"], evidence="代报")
    with pytest.raises(ValidationError) as empty:
        services.report_completion(item, actor=u["zhujian"], evidence=" ", completed_on=TODAY)
    assert "evidence" in empty.value.message_dict
    with pytest.raises(ValidationError):  # not in the future
        services.report_completion(
            item, actor=u["zhujian"], evidence="完成", completed_on=dt.date(2099, 1, 1)
        )
    with pytest.raises(TransitionNotAllowed):  # nothing to confirm yet
        services.confirm_item(item, actor=u["anweiban"])
    services.report_progress(item, actor=u["zhujian"], evidence="已制定改造计划")
    assert item.status == ItemStatus.IN_PROGRESS
    stale = item.version
    services.report_completion(
        item, actor=u["zhujian"], evidence="完成改造12公里", completed_on=dt.date(2026, 11, 2)
    )
    assert item.status == ItemStatus.CONFIRMING
    with pytest.raises(Conflict):
        services.confirm_item(item, actor=u["anweiban"], version=stale)
    with pytest.raises(NotPermitted):  # the unit does not confirm its own
        services.confirm_item(item, actor=u["zhujian"])
    with pytest.raises(ValidationError):
        services.return_item(item, actor=u["anweiban"], reason="")
    services.return_item(item, actor=u["anweiban"], reason="缺少验收材料")
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS and item.completed_on is None
    complete(item, u["zhujian"], u["anweiban"], dt.date(2026, 11, 20))
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE and item.completed_on == dt.date(2026, 11, 20)
    assert list(item.history.values_list("action", flat=True)) == [
        "progress",
        "complete",
        "return",
        "complete",
        "confirm",
    ]
    # the page offers the owner's steps to the owner only, the office's to the office
    client = Client()
    other = task_of(world, township="营田镇")
    login(client, u["yingtian"])
    page = client.get(f"/oversight/items/{other.pk}/").content.decode()
    assert 'data-step="complete"' in page and 'data-step="confirm"' not in page
    response = client.post(
        f"/oversight/items/{other.pk}/step/complete/", {"evidence": "", "completed_on": "2026-11-01"}
    )
    assert response.status_code == 400 and "evidence" in response.content.decode()
    login(client, u["heshi"])
    assert client.get(f"/oversight/items/{other.pk}/step/complete/").status_code == 404


def test_the_list_exports_to_word_and_pdf_with_its_items(world: Any) -> None:
    docx = pytest.importorskip("docx")
    client = Client()
    login(client, world.users["yingtian"])
    response = client.get("/oversight/lists/?year=2026&export=docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    mine = items().filter(township__name="营田镇", kind=ItemKind.TASK, year=2026)
    assert "营田镇2026年度安全生产职责清单和年度任务清单" in text
    for item in mine:
        assert item.text in text
    assert "河市镇" not in text
    pdf = client.get("/oversight/lists/?year=2026&export=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_indicator_counts_confirmed_tasks_by_the_quarters_end(world: Any) -> None:
    u = world.users
    ind = registry.get(DUTY_COMPLETION)
    town = world.regions["营田镇"]
    total = items().filter(township=town, kind=ItemKind.TASK, year=2026).count()
    complete(task_of(world, township="营田镇"), u["yingtian"], u["anweiban"], dt.date(2026, 3, 20))
    complete(task_of(world, township="营田镇"), u["yingtian"], u["anweiban"], dt.date(2026, 5, 10))
    q1 = ind.live_value(Scope.township(town), "2026Q1", today=TODAY)
    q2 = ind.live_value(Scope.township(town), "2026Q2", today=TODAY)
    assert (q1.numerator, q1.denominator) == (1, total) and q2.numerator == 2
    assert ind.live_value(Scope.township(world.regions["河市镇"]), "2026Q2", today=TODAY).numerator == 0


def test_a_progress_bulletin_from_a_frozen_quarter_says_the_same_after_a_record_changes(world: Any) -> None:
    u = world.users
    office = u["anweiban"]
    with pytest.raises(ValidationError) as not_frozen:
        services.draft_bulletin(
            actor=office, kind=BulletinKind.PROGRESS, year=2026, period="2026Q1", today=TODAY
        )
    assert "period" in not_frozen.value.message_dict
    complete(task_of(world, township="营田镇"), u["yingtian"], office, dt.date(2026, 3, 20))
    snapshots.freeze("2026Q1", today=TODAY)
    first = services.draft_bulletin(
        actor=office, kind=BulletinKind.PROGRESS, year=2026, period="2026Q1", today=TODAY
    )
    document = services.issue_bulletin(first, actor=office)
    assert first.status == BulletinStatus.ISSUED and document.number.startswith("屈安办通〔2026〕")
    assert "营田镇完成1项" in document.body
    # a record changes after the quarter: another township completes a task dated inside it
    complete(task_of(world, township="河市镇"), u["heshi"], office, dt.date(2026, 3, 25))
    again = services.draft_bulletin(
        actor=office, kind=BulletinKind.PROGRESS, year=2026, period="2026Q1", today=TODAY
    )
    second = services.issue_bulletin(again, actor=office)
    assert second.seq == document.seq + 1  # numbered one after the other
    assert (
        again.figures["duty"] == first.figures["duty"]
        and again.figures["duty_rows"] == first.figures["duty_rows"]
    )
    assert "河市镇完成0项" in second.body
    with pytest.raises(TransitionNotAllowed):
        services.issue_bulletin(first, actor=office)
    with pytest.raises(NotPermitted):
        services.draft_bulletin(actor=u["zhujian"], kind=BulletinKind.PRAISE, year=2026, praised="营田镇：好")


def test_exposure_praise_and_the_half_year_report_through_the_pages(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(
        registry, "all", lambda: [registry.get(DUTY_COMPLETION)]
    )  # freeze only ours: time budget
    u = world.users
    client = Client()
    login(client, u["anweiban"])
    bad = client.post(
        "/oversight/bulletins/new/", {"kind": "praise", "year": 2026, "praised": "没有理由的一行"}
    )
    assert bad.status_code == 400 and "单位名称" in bad.content.decode()
    bad = client.post("/oversight/bulletins/new/", {"kind": "exposure", "year": 2026, "cases": "YH-NONE-1"})
    assert bad.status_code == 400 and "YH-NONE-1" in bad.content.decode()
    bad = client.post("/oversight/bulletins/new/", {"kind": "half_year", "year": 2026, "period": "2026Q1"})
    assert bad.status_code == 400
    ok = client.post(
        "/oversight/bulletins/new/",
        {
            "kind": "praise",
            "year": 2026,
            "praised": "营田镇：重大事故隐患全部按期整改销号\n区消防救援大队：完成消防安全责任人培训",
        },
    )
    assert ok.status_code == 302
    praise = Bulletin.objects.unrestricted("test").get(kind="praise")
    page = client.get(praise.get_absolute_url())
    assert page.status_code == 200 and "营田镇：重大事故隐患全部按期整改销号" in page.content.decode()
    saved = client.post(
        praise.get_absolute_url(),
        {"title": "关于表扬的通报", "narrative": "希望再接再厉。", "version": praise.version},
    )
    assert saved.status_code == 302
    issued = client.post(
        f"/oversight/bulletins/{praise.pk}/step/issue/", {"note": "", "version": praise.version + 1}
    )
    assert issued.status_code == 302, issued.content.decode()[:500]
    praise.refresh_from_db()
    assert praise.status == BulletinStatus.ISSUED and praise.document.title == "关于表扬的通报"
    assert "希望再接再厉。" in praise.document.body
    listing = client.get("/oversight/bulletins/?kind=praise&year=2026").content.decode()
    assert praise.document.number in listing
    # the half-year report reads both quarters' snapshots
    for q in ("2026Q1", "2026Q2"):
        snapshots.freeze(q, today=TODAY)
    report = services.draft_bulletin(
        actor=u["anweiban"], kind=BulletinKind.HALF_YEAR, year=2026, period="2026h1", today=TODAY
    )
    assert report.period == "2026H1" and report.figures["quarters"] == ["2026年第一季度", "2026年第二季度"]
    document = services.issue_bulletin(report, actor=u["anweiban"])
    assert document.number.startswith("屈安办报〔") and document.body.startswith("区安委会主任：")
    # a township reads the issued 通报's list? no: the page is the office's and the leaders'
    login(client, u["yingtian"])
    assert client.get("/oversight/bulletins/").status_code == 403
    login(client, u["lingdao"])
    assert client.get(praise.get_absolute_url()).status_code == 200
    assert client.post(praise.get_absolute_url(), {"title": "x"}).status_code == 403


def test_api_items_in_scope_and_the_steps_with_version(world: Any) -> None:
    item = task_of(world, township="凤凰乡")
    town = login(Client(), world.users["fenghuang"])
    listed = town.get("/api/v1/oversight/items/?year=2026&page_size=200").json()["results"]
    assert listed and {r["township"] for r in listed} == {item.township.code}
    url = f"/api/v1/oversight/items/{item.pk}/"
    done = town.post(
        url + "complete/",
        {"evidence": "已完成培训", "completed_on": "2026-06-01", "version": item.version},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == ItemStatus.CONFIRMING
    office = login(Client(), world.users["anweiban"])
    assert (
        office.post(url + "confirm/", {"version": item.version}, content_type="application/json").status_code
        == 409
    )
    bad = office.post(
        url + "return/", {"reason": "", "version": item.version + 1}, content_type="application/json"
    )
    assert bad.status_code == 400 and "reason" in bad.json()
    assert login(Client(), world.users["heshi"]).get(url).status_code == 404
    assert login(Client(), world.users["qiye1"]).get("/api/v1/oversight/items/").status_code == 403
