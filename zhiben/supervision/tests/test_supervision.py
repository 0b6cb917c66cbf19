"""督办交办 and 暗访: the assignee loop (services, pages, API) with 退回 and 409, scope, the escalation ladder
with its 督促函, 暗访 findings becoming hazards and items, the indicators and bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from zhiben.core.errors import NotPermitted
from zhiben.core.models import OutboxMessage
from zhiben.core.models.documents import OfficialDocument
from zhiben.core.testing import login
from zhiben.indicators import registry
from zhiben.indicators.registry import Scope
from zhiben.supervision import services
from zhiben.supervision.choices import AssigneeStatus, ItemStatus
from zhiben.supervision.deadlines import run_deadlines
from zhiben.supervision.models import Assignee, AssigneeEscalation, AssigneeReminder, SupervisionItem

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _rows(model: Any) -> Any:
    qs = model.objects.all()
    return qs.unrestricted("test") if hasattr(qs, "unrestricted") else qs


def issue(world: Any, *, deadline: dt.date | None = None, actor: Any = None, **extra: Any) -> SupervisionItem:
    return services.issue_item(
        actor=actor or world.anweiban,
        subject="燃气经营场所安全隐患整治",
        requirement="对辖区燃气经营场所逐一排查，整改到位后反馈。",
        basis="区安委会第3次全体会议",
        deadline=deadline or timezone.localdate() + dt.timedelta(days=10),
        departments=[world.departments["emergency"], world.departments["housing"]],
        townships=[world.regions["营田镇"]],
        **extra,
    )


def row_of(item: SupervisionItem, code: str) -> Assignee:
    return _rows(Assignee).get(item=item, department__code=code)


def test_each_unit_moves_on_its_own_through_return_and_the_item_closes_when_all_are_done(world: Any) -> None:
    item = issue(world)
    assert _rows(Assignee).filter(item=item, status=AssigneeStatus.ISSUED).count() == 3
    assert OutboxMessage.objects.filter(topic="supervision_issued", recipient=world.yingji).exists()
    mine = row_of(item, "emergency")
    services.accept(mine, actor=world.yingji)
    services.record_progress(mine, actor=world.yingji, text="已排查12家，3家在整改。")
    services.report(mine, actor=world.yingji, result="全部整改完毕")
    mine.refresh_from_db()
    assert mine.status == AssigneeStatus.REPORTED
    services.return_result(mine, actor=world.anweiban, reason="缺少整改前后照片")
    mine.refresh_from_db()
    assert mine.status == AssigneeStatus.WORKING and mine.returns == 1
    services.report(mine, actor=world.yingji, result="补充了照片")
    services.finish(mine, actor=world.lingdao)  # a leader reviews too
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN  # the other two units are not done
    actions = list(mine.history.values_list("action", flat=True))
    assert actions == ["issue", "accept", "progress", "report", "return", "report", "finish"]
    for code, user in (("housing", world.zhujian),):
        r = row_of(item, code)
        services.accept(r, actor=user)
        services.report(r, actor=user, result="完成")
        services.finish(r, actor=world.anweiban)
    town = _rows(Assignee).get(item=item, township__isnull=False)
    services.accept(town, actor=world.yingtian)
    services.report(town, actor=world.yingtian, result="完成")
    services.finish(town, actor=world.anweiban)
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE and item.done_on == timezone.localdate()


def test_who_may_take_which_step(world: Any) -> None:
    item = issue(world)
    mine = row_of(item, "emergency")
    with pytest.raises(NotPermitted):
        services.accept(mine, actor=world.zhujian)  # another department's row
    with pytest.raises(NotPermitted):
        services.accept(mine, actor=world.anweiban)  # the office does not 签收
    services.accept(mine, actor=world.yingji)
    services.report(mine, actor=world.yingji, result="完成")
    with pytest.raises(NotPermitted):
        services.finish(mine, actor=world.yingji)  # a unit does not review its own result
    with pytest.raises(NotPermitted):
        issue(world, actor=world.yingji)  # only the office or a leader issues
    leader_item = issue(world, actor=world.lingdao)
    assert leader_item.issuer_kind == "leader"


def test_pages_and_api_with_a_stale_version_409(world: Any) -> None:
    item = issue(world)
    mine = row_of(item, "emergency")
    yingji = login(Client(), world.yingji)
    page = yingji.get(item.get_absolute_url())
    assert page.status_code == 200 and "区应急管理局" in page.content.decode()
    url = f"/supervision/assignees/{mine.pk}/step/accept/"
    assert yingji.post(url, {"note": "收到", "version": mine.version}).status_code == 302
    stale = yingji.post(f"/supervision/assignees/{mine.pk}/step/report/", {"result": "x", "version": 1})
    assert stale.status_code == 409
    api = yingji.post(
        f"/api/v1/supervision-assignees/{mine.pk}/report/",
        {"result": "x", "version": 1},
        content_type="application/json",
    )
    assert api.status_code == 409
    mine.refresh_from_db()
    ok = yingji.post(
        f"/api/v1/supervision-assignees/{mine.pk}/report/",
        {"result": "已完成", "version": mine.version},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == AssigneeStatus.REPORTED
    listed = yingji.get("/api/v1/supervision-items/").json()
    assert [a["unit_name"] for a in listed["results"][0]["assignees"]] == ["区应急管理局"]


def test_a_department_never_sees_another_units_row(world: Any) -> None:
    item = issue(world)
    theirs = row_of(item, "housing")
    yingji = login(Client(), world.yingji)
    page = yingji.get(item.get_absolute_url()).content.decode()
    assert "区住房和城乡建设局" not in page and "另有 2 个承办单位" in page
    assert yingji.get(f"/supervision/assignees/{theirs.pk}/step/accept/").status_code == 404
    assert yingji.get(f"/api/v1/supervision-assignees/{theirs.pk}/").status_code == 404
    services.accept(theirs, actor=world.zhujian)
    services.record_progress(theirs, actor=world.zhujian, text="进展")
    assert yingji.get(f"/api/v1/supervision-assignees/{theirs.pk}/history/").status_code == 404
    # a department not on the item does not see it at all; an enterprise has no access (403)
    assert login(Client(), world.jiaotong).get(item.get_absolute_url()).status_code == 404
    assert login(Client(), world.qiye1).get("/supervision/").status_code == 403
    office = login(Client(), world.anweiban).get(item.get_absolute_url()).content.decode()
    assert "区住房和城乡建设局" in office and "区应急管理局" in office


def test_list_tabs_and_excel_equal_the_screen(world: Any) -> None:
    done = issue(world)
    late = issue(world)
    _rows(Assignee).filter(item=late).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    mine = row_of(done, "emergency")
    services.accept(mine, actor=world.yingji)
    yingji = login(Client(), world.yingji)
    response = yingji.get("/supervision/?tab=issued")
    assert response.context["page"].paginator.count == 1  # its own row of `late` waits for 签收
    assert yingji.get("/supervision/?tab=working").context["page"].paginator.count == 1
    assert yingji.get("/supervision/?tab=overdue").context["page"].paginator.count == 1
    export = yingji.get("/supervision/?tab=overdue&export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    assert (
        yingji.get("/supervision/?tab=nonsense").status_code == 200
    )  # a bad filter is a field error, not a 500


def test_escalation_climbs_one_rung_per_run_idempotent_with_a_numbered_letter(world: Any) -> None:
    item = issue(world)
    today = timezone.localdate()
    _rows(Assignee).filter(item=item).update(deadline=today - dt.timedelta(days=40))
    first = run_deadlines(today)
    assert first["escalated"] == 3
    assert run_deadlines(today)["escalated"] == 0  # the same day again: nothing new
    assert _rows(AssigneeEscalation).filter(kind="reminder").count() == 3
    second = run_deadlines(today + dt.timedelta(days=3))  # the letter's interval (3 days) has passed
    assert second["escalated"] == 3
    letters = _rows(AssigneeEscalation).filter(kind="letter")
    assert letters.count() == 3
    numbers = sorted(e.document.number for e in letters)
    year = today.year
    assert all(n.startswith(f"屈安办督〔{year}〕") and n.endswith("号") for n in numbers)
    assert len(set(numbers)) == 3
    assert run_deadlines(today + dt.timedelta(days=3))["escalated"] == 0


def test_reminder_before_the_deadline_once(world: Any) -> None:
    item = issue(world, deadline=timezone.localdate() + dt.timedelta(days=2))
    assert run_deadlines()["reminded"] == 3
    assert run_deadlines()["reminded"] == 0
    assert _rows(AssigneeReminder).filter(assignee__item=item).count() == 3


def test_letter_by_hand_from_the_item_page(world: Any) -> None:
    item = issue(world)
    mine = row_of(item, "emergency")
    office = login(Client(), world.anweiban)
    response = office.post(f"/supervision/assignees/{mine.pk}/letter/", {"note": "请于三日内反馈。"})
    assert response.status_code == 302
    doc = OfficialDocument.objects.get(object_type="supervision.assignee", object_id=str(mine.pk))
    assert doc.number.startswith("屈安办督〔") and "区应急管理局" in doc.body and "请于三日内反馈" in doc.body
    assert (
        login(Client(), world.yingji).post(f"/supervision/assignees/{mine.pk}/letter/", {}).status_code == 403
    )


def test_undercover_finding_becomes_a_hazard_and_an_item_linked_both_ways(world: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhiben.hazards.models import Hazard

    office = login(Client(), world.anweiban)
    response = office.post(
        "/supervision/visits/new/",
        {
            "visited_on": timezone.localdate().isoformat(),
            "place": "营田镇长湖村",
            "team": "区安委办暗访组 3 人",
        },
    )
    assert response.status_code == 302
    visit_url = response["Location"]
    gas = world.enterprises["yt_gas"]
    added = office.post(
        visit_url,
        {
            "text": "液化气钢瓶露天存放，未设防晒设施",
            "enterprise": gas.pk,
            "files": SimpleUploadedFile("a.png", PNG, "image/png"),
        },
    )
    assert added.status_code == 302
    visit = (
        response.wsgi_request
        and _rows(__import__("zhiben.supervision.models", fromlist=["UndercoverVisit"]).UndercoverVisit).get()
    )
    finding = visit.findings.get()
    assert finding.photos.count() == 1
    converted = office.post(
        f"/supervision/findings/{finding.pk}/hazard/", {"level": "general", "title": "钢瓶露天存放"}
    )
    assert converted.status_code == 302
    finding.refresh_from_db()
    hazard = _rows(Hazard).get(pk=finding.hazard_id)
    assert hazard.source == "undercover" and hazard.enterprise == gas
    assert hazard.undercover_finding == finding
    assert "钢瓶露天存放" in office.get(visit_url).content.decode()
    again = office.post(f"/supervision/findings/{finding.pk}/hazard/", {"level": "general", "title": "重复"})
    assert again.status_code == 400
    # a second finding → a new item pre-filled with it
    other = services.add_finding(visit, actor=world.anweiban, text="消防通道堵塞", enterprise=gas)
    form = office.get(f"/supervision/new/?finding={other.pk}")
    assert "消防通道堵塞" in form.content.decode()
    created = office.post(
        "/supervision/new/",
        {
            "finding": other.pk,
            "subject": "消防通道堵塞整改",
            "requirement": "立即清理",
            "deadline": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
            "level": "key",
            "townships": [world.regions["营田镇"].pk],
            "links": gas.get_absolute_url(),
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    item = _rows(SupervisionItem).get(finding=other)
    assert gas.name in office.get(item.get_absolute_url()).content.decode()
    assert item.number in office.get(visit_url).content.decode()
    section = office.get(gas.get_absolute_url()).content.decode()
    assert "督办交办与暗访" in section


def test_bad_input_is_a_field_level_400(world: Any) -> None:
    office = login(Client(), world.anweiban)
    response = office.post(
        "/supervision/new/",
        {
            "subject": "",
            "requirement": "x",
            "deadline": "2020-01-01",
            "level": "general",
            "links": "/nowhere/9/",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "subject" in errors
    with pytest.raises(ValidationError) as exc:
        services.issue_item(
            actor=world.anweiban,
            subject="x",
            requirement="y",
            deadline=timezone.localdate() - dt.timedelta(days=1),
        )
    assert set(exc.value.message_dict) == {"deadline", "departments"}
    with pytest.raises(ValidationError) as exc:
        services.issue_item(
            actor=world.anweiban,
            subject="x",
            requirement="y",
            deadline=timezone.localdate(),
            departments=[world.departments["emergency"]],
            links="/supervision/\n/hazards/99999999/",
        )
    assert "links" in exc.value.message_dict
    assert _rows(SupervisionItem).count() == 0  # nothing half-written
    visit = office.post(
        "/supervision/visits/new/",
        {"visited_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(), "place": "x", "team": "x"},
    )
    assert visit.status_code == 400 and "visited_on" in visit.context["form"].errors


def test_indicators_count_on_time_and_overdue_rows(world: Any) -> None:
    today = timezone.localdate()
    item = issue(world)
    _rows(Assignee).filter(item=item).update(deadline=today - dt.timedelta(days=1))
    mine = row_of(item, "emergency")
    services.accept(mine, actor=world.yingji)
    services.report(mine, actor=world.yingji, result="ok")
    services.finish(mine, actor=world.anweiban)  # done today: one day late
    period = registry.current_period(today) if hasattr(registry, "current_period") else None
    from zhiben.core.calendar import quarter_of

    period = quarter_of(today - dt.timedelta(days=1))
    overdue = registry.get("supervision.overdue").value(Scope.district(), period)
    rate = registry.get("supervision.on_time_rate").value(
        Scope.department(world.departments["emergency"]), period
    )
    if quarter_of(today) == period:
        assert overdue.numerator == 2  # housing and the township; emergency is done
        assert rate.numerator == 0 and rate.denominator == 1


def test_workbench_figures_open_lists_of_exactly_their_items(world: Any) -> None:
    from zhiben.core import workbench

    first = issue(world)
    issue(world)
    services.accept(row_of(first, "emergency"), actor=world.yingji)
    services.report(row_of(first, "emergency"), actor=world.yingji, result="完成")
    services.accept(row_of(first, "housing"), actor=world.zhujian)
    services.report(row_of(first, "housing"), actor=world.zhujian, result="完成")
    for user, due in ((world.yingji, 1), (world.anweiban, 1)):
        card = next(c for c in workbench.collect(user) if c.key == "supervision")
        assert card.due == due
        client = login(Client(), user)
        for figure in card.items:
            listed = client.get(figure.url).context["page"].paginator.count
            assert listed == figure.count, (figure.key, figure.url)
