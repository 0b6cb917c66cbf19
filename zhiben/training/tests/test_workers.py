"""从业人员名册 and the workers' training duties: the gap list equals the hand-computed set (a dispatched worker of
a 危化 unit with 30 of 72 hours counts with the unit that directs him; a regular one with 72 is fine), the
Excel import reports its bad rows and loses nothing else, and a unit sees only its own roster."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from zhiben.core.crypto import PREFIX
from zhiben.core.models import AuditEntry
from zhiben.core.testing import login
from zhiben.indicators.registry import DISTRICT, Scope, Window
from zhiben.training import duties, enterprise_file, indicators
from zhiben.training.choices import Employment, OrganiserKind, SessionKind, WorkerStatus
from zhiben.training.models import Worker
from zhiben.training.services import sessions, workers
from zhiben.training.services.workers import _CHECK, _WEIGHTS

pytestmark = pytest.mark.django_db
BEIJING = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 6, 15)


def id_no(first17: str) -> str:
    return first17 + _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def add(world: Any, slot: str, name: str, born: str, **kw: Any) -> Worker:
    values = {"post": "操作工", "employment": Employment.REGULAR, "employer": "", **kw}
    return workers.save_worker(
        None,
        actor=world.users[slot],
        enterprise=world.enterprises[slot],
        name=name,
        id_number=id_no(f"430681{born}001"),
        **values,
    )


def own(world: Any, worker: Worker, hours: int, on: dt.date, kind: str = "pre_job") -> None:
    workers.record_worker_training(
        worker,
        actor=world.users[_slot(world, worker)],
        kind=kind,
        held_on=on,
        hours=Decimal(hours),
        content="三级安全教育（公司级、车间级、班组级）",
    )


def _slot(world: Any, worker: Worker) -> str:
    return next(s for s, e in world.enterprises.items() if e.pk == worker.enterprise_id)


@pytest.fixture
def rosters(world: Any) -> dict[str, Worker]:
    """qiye2 (危化, 72/20 学时): 王派遣 dispatched with 30 h (short), 李正式 with 72 h through a session's attendance
    (fine), 赵老工 hired in 2024 with 8 of the year's 20 再培训 hours (short). qiye1 (机械, 24/12): 钱普工 24 h (fine),
    孙实习 none (short), 周新工 hired next month (not yet due), 吴离岗 left (not due)."""
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=BEIJING), tick=False):
        w = {
            "wang": add(
                world,
                "qiye2",
                "王派遣",
                "19900315",
                employment=Employment.DISPATCHED,
                employer="岳阳众力劳务派遣有限公司",
                post="装卸工",
                hired_on=dt.date(2026, 3, 1),
            ),
            "li": add(world, "qiye2", "李正式", "19881102", hired_on=dt.date(2026, 2, 1)),
            "zhao": add(
                world, "qiye2", "赵老工", "19750607", post="罐区操作工", hired_on=dt.date(2024, 5, 1)
            ),
            "qian": add(world, "qiye1", "钱普工", "19950101", post="装配工", hired_on=dt.date(2026, 4, 1)),
            "sun": add(
                world,
                "qiye1",
                "孙实习",
                "20040909",
                employment=Employment.INTERN,
                hired_on=dt.date(2026, 5, 1),
            ),
            "zhou": add(world, "qiye1", "周新工", "19990520", hired_on=dt.date(2026, 7, 1)),
            "wu": add(world, "qiye1", "吴离岗", "19800808", hired_on=dt.date(2025, 3, 1)),
        }
        own(world, w["wang"], 30, dt.date(2026, 3, 2))
        own(world, w["zhao"], 72, dt.date(2024, 5, 6))
        own(world, w["zhao"], 8, dt.date(2026, 3, 10), kind="annual")
        own(world, w["qian"], 24, dt.date(2026, 4, 2))
        workers.leave_worker(w["wu"], actor=world.qiye1, left_on=dt.date(2026, 5, 31))
        # 李正式's 72 hours: signed in at the unit's own 岗前培训 session, linked from the attendance.
        s = sessions.create_session(
            actor=world.qiye2,
            title="2026年新员工岗前安全培训",
            kind=SessionKind.PRE_JOB,
            organiser_kind=OrganiserKind.ENTERPRISE,
            enterprise=world.enterprises["qiye2"],
            held_on=dt.date(2026, 2, 2),
            hours=Decimal(72),
            content="安全生产法律法规、本单位危险有害因素、岗位操作规程、应急处置",
        )
        s = sessions.open_session(s, actor=world.qiye2)
        sessions.sign_in(
            s, name="李正式", phone="13700000031", enterprise=world.enterprises["qiye2"], role="worker"
        )
        [row] = workers.attendances_for(w["li"])
        workers.record_worker_training(w["li"], actor=world.qiye2, kind="pre_job", attendance=row.pk)
        assert workers.attendances_for(w["li"]) == []  # linked once
    return w


def test_the_workers_gap_list_is_the_hand_computed_set(world: Any, rosters: dict[str, Worker]) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=BEIJING), tick=False):
        short = duties.worker_shortfalls(Worker.objects.all(), 2026, TODAY)
        assert {(s.worker.name, s.kind, s.need, s.got) for s in short} == {
            (
                "王派遣",
                "pre_job",
                Decimal(72),
                Decimal(30),
            ),  # 危化: 72, counted with qiye2 (the directing unit)
            ("赵老工", "annual", Decimal(20), Decimal(8)),  # hired 2024: owes 2026's 20
            ("孙实习", "pre_job", Decimal(24), Decimal(0)),  # 一般: 24
        }
        # The workbench's figure, counted in the database: the same two workers short of pre-job hours.
        assert duties.pre_job_short_count(Worker.objects.all(), TODAY) == 2
        assert duties.pre_job_short_count(Worker.objects.filter(name="孙实习"), TODAY) == 1
        assert duties.pre_job_short_count(Worker.objects.all(), dt.date(2025, 1, 1)) == 0  # nobody hired yet
        units = {u.enterprise.pk: u for u in duties.units_short(Worker.objects.all(), short)}
        q2, q1 = units[world.enterprises["qiye2"].pk], units[world.enterprises["qiye1"].pk]
        assert (q2.on_roster, q2.pre_job, q2.annual, q2.outsourced) == (3, 1, 1, 1)
        assert (q1.on_roster, q1.pre_job, q1.annual, q1.outsourced) == (3, 1, 0, 0)

        # The page: units by township and department for the office; a township reads its own; drill into a unit.
        office = login(Client(), world.anweiban)
        page = office.get(reverse("training:worker_gaps") + "?year=2026")
        assert page.status_code == 200
        assert {u.enterprise.pk for u in page.context["units"]} == set(units)
        assert sorted((t.name, n) for t, n in page.context["by_township"]) == [("河市镇", 1), ("营田镇", 1)]
        assert ("区应急管理局", 2) in [(d.name, n) for d, n in page.context["by_department"]]
        heshi = login(Client(), world.heshi).get(reverse("training:worker_gaps") + "?year=2026")
        assert [u.enterprise.pk for u in heshi.context["units"]] == [world.enterprises["qiye2"].pk]
        town = office.get(
            reverse("training:worker_gaps") + f"?year=2026&township={world.regions['营田镇'].code}"
        )
        assert [u.enterprise.pk for u in town.context["units"]] == [world.enterprises["qiye1"].pk]
        unit = office.get(
            reverse("training:worker_gaps") + f"?year=2026&enterprise={world.enterprises['qiye2'].pk}"
        )
        html = unit.content.decode()
        assert [s.worker.name for s in unit.context["shortfalls"]] == ["王派遣", "赵老工"]
        assert "岳阳众力劳务派遣有限公司" in html and "差 42 学时" in html
        assert office.get(reverse("training:gaps") + "?kind=workers&year=2026").status_code == 302

        # The unit's 待办: one worker short of pre-job hours, and the link lists exactly him.
        unit_client = login(Client(), world.qiye2)
        card = next(c for c in unit_client.get("/").context["cards"] if c.key == "training")
        item = next(i for i in card.items if i.key == "worker_pre_job")
        assert item.count == 1
        listed = unit_client.get(item.url)
        assert [o.name for o, _cells in listed.context["rows"]] == ["王派遣"]
        assert "430***********" in listed.content.decode()  # masked, never the number

        # 一企一档: roster counts and the shortfall.
        section = enterprise_file.section(world.enterprises["qiye2"], world.anweiban)
        assert section is not None
        figures = {label: n for label, n, _tone in section.figures}
        assert figures["在岗从业人员"] == 3 and figures["其中派遣/灵活用工/承包商"] == 1
        assert figures["岗前培训未达学时"] == 1 and figures["本年再培训未达学时"] == 1

        # The indicator: workers on the rosters hired by the day, trained to their pre-job hours.
        parts = indicators.worker_coverage(Scope(DISTRICT), Window.of("2026Q2", TODAY))
        assert set(parts.denominator.values_list("name", flat=True)) == {
            "王派遣",
            "李正式",
            "赵老工",
            "钱普工",
            "孙实习",
        }
        assert set(parts.numerator.values_list("name", flat=True)) == {"李正式", "赵老工", "钱普工"}


def _sheet(rows: list[list[Any]]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "岗位", "入职（进场）日期", "用工形式", "派遣（用人）单位", "状态"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "名册.xlsx"
    return out


def test_the_import_reports_bad_rows_and_keeps_the_rest(world: Any) -> None:
    good, dup = id_no("43068119920101002"), id_no("43068119930202003")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # a wrong check digit
    sheet = _sheet(
        [
            ["刘操作", good, "操作工", "2026-03-01", "正式职工", "", "在岗"],
            ["陈派遣", dup, "装卸工", "2026年3月5日", "劳务派遣", "岳阳众力劳务派遣有限公司", ""],
            ["错号码", bad, "操作工", "2026-03-01", "正式职工", "", ""],
            ["怪岗位", id_no("43068119940303004"), "宇航员", "2026-03-01", "正式职工", "", ""],
            ["重复人", dup, "操作工", "2026-03-01", "正式职工", "", ""],
            ["缺单位", id_no("43068119950404005"), "装卸工", "2026-03-01", "劳务派遣", "", ""],
        ]
    )
    client = login(Client(), world.qiye1)
    response = client.post(reverse("training:worker_import"), {"file": sheet, "mode": "valid_only"})
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.total, result.created, result.failed) == (6, 2, 4)
    by_row = {e.row: (e.column, e.message) for e in result.errors}
    assert by_row[4] == ("身份证号", "身份证号校验位不正确，请核对。")
    assert by_row[5][0] == "岗位" and "宇航员" in by_row[5][1]
    assert by_row[6] == ("身份证号", "与第 3 行重复。")
    assert by_row[7][0] == "派遣（用人）单位"
    roster = Worker.objects.filter(enterprise=world.enterprises["qiye1"])
    assert sorted(roster.values_list("name", flat=True)) == ["刘操作", "陈派遣"]
    chen = roster.get(name="陈派遣")
    assert chen.employer == "岳阳众力劳务派遣有限公司" and chen.hired_on == dt.date(2026, 3, 5)
    with connection.cursor() as cur:  # encrypted at rest
        cur.execute("SELECT id_number FROM training_worker WHERE id = %s", [chen.pk])
        assert cur.fetchone()[0].startswith(PREFIX + ":")
    # The same sheet again changes nothing (matched by ID number); all-or-nothing with errors writes nothing.
    sheet.seek(0)
    again = client.post(reverse("training:worker_import"), {"file": sheet, "mode": "all_or_nothing"})
    assert again.context["result"].rolled_back and roster.count() == 2
    assert client.get(reverse("training:worker_import_template")).status_code == 200
    # A department reads rosters but imports nothing.
    assert login(Client(), world.yingji).get(reverse("training:worker_import")).status_code == 403


def test_a_unit_keeps_its_own_roster_only(world: Any, rosters: dict[str, Worker]) -> None:
    qiye1 = login(Client(), world.qiye1)
    wang = rosters["wang"]
    assert qiye1.get(wang.get_absolute_url()).status_code == 404  # another unit's worker
    assert qiye1.get(reverse("training:worker_edit", args=[wang.pk])).status_code == 404
    assert (
        qiye1.post(reverse("training:worker_leave", args=[wang.pk]), {"left_on": "2026-06-01"}).status_code
        == 404
    )
    listed = qiye1.get(reverse("training:worker_list"))
    assert {o.enterprise_id for o, _c in listed.context["rows"]} == {world.enterprises["qiye1"].pk}
    # The township reads its units' workers; a department cannot add.
    assert login(Client(), world.heshi).get(wang.get_absolute_url()).status_code == 200
    assert login(Client(), world.yingji).get(reverse("training:worker_create")).status_code == 403

    # Adding: a bad ID number is a field error (400), a duplicate in the unit too; nothing is written.
    form = {
        "enterprise": world.enterprises["qiye1"].pk,
        "name": "郑电工",
        "id_number": "43068119900101001",
        "post": "电工",
        "hired_on": "2026-06-01",
        "employment": "regular",
    }
    before = Worker.objects.count()
    response = qiye1.post(reverse("training:worker_create"), form)
    assert response.status_code == 400 and "身份证号应为18位" in response.content.decode()
    response = qiye1.post(reverse("training:worker_create"), {**form, "id_number": rosters["qian"].id_number})
    assert response.status_code == 400 and "钱普工" in response.content.decode()
    assert Worker.objects.count() == before
    response = qiye1.post(
        reverse("training:worker_create"), {**form, "id_number": id_no("43068119900101001")}
    )
    assert response.status_code == 302
    zheng = Worker.objects.get(name="郑电工")
    page = qiye1.get(zheng.get_absolute_url()).content.decode()
    assert zheng.id_number not in page and zheng.masked_id_number in page
    # An edit on a stale version is a 409; a blank ID number keeps the stored one.
    stale = {**form, "id_number": "", "post": "维修工", "version": zheng.version + 1}
    assert qiye1.post(reverse("training:worker_edit", args=[zheng.pk]), stale).status_code == 409
    fresh = {**stale, "version": zheng.version}
    assert qiye1.post(reverse("training:worker_edit", args=[zheng.pk]), fresh).status_code == 302
    zheng.refresh_from_db()
    assert zheng.post == "维修工" and zheng.id_number == id_no("43068119900101001")
    # 离岗; the audit rows never carry the ID number.
    assert (
        qiye1.post(reverse("training:worker_leave", args=[zheng.pk]), {"left_on": "2026-06-10"}).status_code
        == 302
    )
    zheng.refresh_from_db()
    assert zheng.status == WorkerStatus.LEFT and zheng.left_on == dt.date(2026, 6, 10)
    rows = AuditEntry.objects.filter(object_type="training.worker", object_id=str(zheng.pk))
    assert rows.count() == 3 and all(zheng.id_number not in str(r.data) for r in rows)
