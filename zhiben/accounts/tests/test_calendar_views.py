"""The working-day calendar page: everyone allowed may read, the system admin overrides days and publishes years."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhiben.core import events as core_events
from zhiben.core.calendar import add_workdays, is_workday
from zhiben.core.models import CalendarYear, WorkdayOverride

from .conftest import audit_rows

pytestmark = pytest.mark.django_db


def test_it_overrides_a_day_and_changes_deadline_arithmetic(world, client):
    client.force_login(world.xitong)
    day = dt.date(2025, 6, 3)  # a Tuesday
    assert is_workday(day)
    response = client.post(
        reverse("accounts:calendar_override"), {"date": "2025-06-03", "is_workday": "0", "name": "防汛停工"}
    )
    assert response.status_code == 302
    assert not is_workday(day)
    assert add_workdays(dt.date(2025, 6, 2), 1) == dt.date(2025, 6, 4)
    row = audit_rows(core_events.WORKDAY_OVERRIDDEN, actor=world.xitong)[0]
    assert row.data["is_workday"] is False and row.data["before"] is None

    edit = client.get(reverse("accounts:calendar_override_edit", args=["2025-06-03"]))
    assert edit.status_code == 200 and "防汛停工" in edit.content.decode()
    client.post(
        reverse("accounts:calendar_override"), {"date": "2025-06-03", "is_workday": "1", "name": "补班"}
    )
    assert WorkdayOverride.objects.get(date=day).name == "补班"

    assert client.post(reverse("accounts:calendar_override_clear", args=["2025-06-03"])).status_code == 302
    assert not WorkdayOverride.objects.filter(date=day).exists()
    assert len(audit_rows(core_events.WORKDAY_OVERRIDDEN)) == 3


def test_it_publishes_a_year_beyond_the_package_data(world, client):
    client.force_login(world.xitong)
    response = client.post(
        reverse("accounts:calendar_year_publish"), {"year": "2099", "source": "国办发明电〔2098〕1号"}
    )
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2099).source == "国办发明电〔2098〕1号"
    assert is_workday(dt.date(2099, 6, 1))  # a Monday
    assert audit_rows(core_events.CALENDAR_YEAR_PUBLISHED, actor=world.xitong)[0].object_id == "2099"

    again = client.post(reverse("accounts:calendar_year_publish"), {"year": "2099", "source": "x"})
    assert again.status_code == 400 and "2099 年已发布。" in again.content.decode()
    covered = client.post(reverse("accounts:calendar_year_publish"), {"year": "2024", "source": "x"})
    assert covered.status_code == 400 and "已由系统内置数据提供" in covered.content.decode()


def test_it_reports_bad_calendar_input_per_field(world, client):
    client.force_login(world.xitong)
    bad_day = client.post(reverse("accounts:calendar_override"), {"date": "2025-02-30", "is_workday": "0"})
    assert bad_day.status_code == 400 and "请输入有效的日期" in bad_day.content.decode()
    bad_year = client.post(reverse("accounts:calendar_year_publish"), {"year": "1900", "source": ""})
    body = bad_year.content.decode()
    assert bad_year.status_code == 400
    assert "年份不能早于 2000 年。" in body and "请填写依据文件。" in body
    assert client.get(reverse("accounts:calendar_override_edit", args=["not-a-date"])).status_code == 404


def test_it_shows_the_calendar_read_only_to_the_committee_office(world, client):
    WorkdayOverride.objects.create(date=dt.date(2025, 9, 28), is_workday=True, name="国庆调休")
    client.force_login(world.anweiban)
    page = client.get(reverse("accounts:calendar"))
    assert page.status_code == 200
    assert "国庆调休" in page.content.decode()
    assert page.context["override_form"] is None and page.context["year_form"] is None
    refused = client.post(reverse("accounts:calendar_override"), {"date": "2025-06-03", "is_workday": "0"})
    assert refused.status_code == 403
    assert (
        client.post(reverse("accounts:calendar_year_publish"), {"year": "2099", "source": "x"}).status_code
        == 403
    )
    assert not audit_rows(core_events.WORKDAY_OVERRIDDEN)
