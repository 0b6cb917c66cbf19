"""Certificates: expiry alerts once each (90 and 30 days) even when the job runs twice; the API's
`expiring_within` within scope; the on-site check records a finding on the inspector's open inspection."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhiben.core.models import AuditEntry, OutboxMessage
from zhiben.core.testing import login
from zhiben.inspections.choices import FindingHandling
from zhiben.inspections.models import Finding
from zhiben.training.models import CertificateAlert
from zhiben.training.services.certificates import check_number, send_expiry_alerts

pytestmark = pytest.mark.django_db
BEIJING = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date) -> Any:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 2, tzinfo=BEIJING), tick=False)


def test_an_expiring_certificate_gets_one_90_day_and_one_30_day_alert_even_when_the_job_runs_twice(
    world: Any, make_cert: Any
) -> None:
    today = timezone.localdate()
    cert = make_cert("qiye2", "T430671202600001", today + dt.timedelta(days=60))
    make_cert("qiye2", "T430671202600002", today + dt.timedelta(days=200))  # not yet
    make_cert("qiye2", "T430671202600003", today - dt.timedelta(days=3))  # past its end: no alert
    to_unit = OutboxMessage.objects.filter(recipient=world.qiye2)

    with at(today):
        assert send_expiry_alerts() == 1
        assert send_expiry_alerts() == 0
    assert list(CertificateAlert.objects.values_list("certificate", "threshold")) == [(cert.pk, 90)]
    assert to_unit.count() == 1 and "将于60天后到期" in to_unit.get().subject

    with at(today + dt.timedelta(days=20)):  # 40 days left: the 90-day alert is already sent
        assert send_expiry_alerts() == 0
    with at(today + dt.timedelta(days=35)):  # 25 days left
        assert send_expiry_alerts() == 1
        assert send_expiry_alerts() == 0
    assert sorted(CertificateAlert.objects.values_list("threshold", flat=True)) == [30, 90]
    assert to_unit.count() == 2

    # A renewed certificate (a new end date) is alerted again in its time.
    cert.valid_to = today + dt.timedelta(days=35 + 80)
    cert.save()
    with at(today + dt.timedelta(days=35)):
        assert send_expiry_alerts() == 1


def test_the_api_lists_certificates_expiring_within_n_days_in_the_readers_scope(
    world: Any, make_cert: Any
) -> None:
    today = timezone.localdate()
    soon = make_cert("qiye2", "T430671202600011", today + dt.timedelta(days=20))
    make_cert("qiye2", "T430671202600012", today + dt.timedelta(days=100))
    make_cert("yt_gas", "T430671202600013", today + dt.timedelta(days=10))  # 营田镇's
    url = reverse("certificate-list") + "?expiring_within=30"

    heshi = login(Client(), world.heshi).get(url)
    assert heshi.status_code == 200
    assert [r["number"] for r in heshi.json()["results"]] == [soon.number]
    assert heshi.json()["results"][0]["state"] == "expiring"

    office = login(Client(), world.anweiban).get(url).json()["results"]
    assert {r["number"] for r in office} == {soon.number, "T430671202600013"}
    unit = login(Client(), world.qiye1).get(url).json()["results"]
    assert unit == []  # qiye1 holds none

    bad = login(Client(), world.heshi).get(reverse("certificate-list") + "?expiring_within=很快")
    assert bad.status_code == 400
    # Another township's certificate is 404, not 403.
    assert (
        login(Client(), world.yingtian).get(reverse("certificate-detail", args=[soon.pk])).status_code == 404
    )


def test_the_api_lists_drills_due_in_scope(world: Any) -> None:
    client = login(Client(), world.heshi)
    response = client.get(reverse("drill-due") + "?year=2026")
    assert response.status_code == 200
    units = {r["enterprise_name"] for r in response.json()}
    assert units == {"岳阳河市化工有限公司", "河市顺达货运有限公司"}  # 河市镇's units only
    assert client.get(reverse("drill-due") + "?year=明年").status_code == 400


def test_an_inspector_checks_a_number_and_records_the_expired_certificate_as_a_finding(
    world: Any, make_cert: Any, inspection: Any
) -> None:
    expired = make_cert(
        "qiye2", "T430671201900021", timezone.localdate() - dt.timedelta(days=40), holder="孙焊工"
    )
    client = login(Client(), world.yingji)
    page = client.get(reverse("training:verify") + "?number=t430671201900021")  # typed in lower case
    assert page.status_code == 200
    assert page.context["result"].label == "已过期"
    assert [i.pk for i in page.context["inspections"]] == [inspection.pk]
    assert AuditEntry.objects.filter(event="TRAINING_CERTIFICATE_CHECKED").exists()

    missing = client.get(reverse("training:verify") + "?number=NOSUCH001")
    assert missing.context["result"].label == "无此证"

    response = client.post(
        reverse("training:verify"),
        {
            "number": expired.number,
            "inspection": inspection.pk,
            "holder_name": "孙焊工",
            "case": "on",
            "note": "正在动火作业",
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get(inspection=inspection)
    assert finding.handling == FindingHandling.CASE and "孙焊工" in finding.title and "已于" in finding.title
    assert "第九十七条" in finding.description

    # A valid certificate is not a finding; a unit's account may not use the check at all.
    valid = make_cert("qiye2", "T430671202600022", timezone.localdate() + dt.timedelta(days=400))
    refused = client.post(
        reverse("training:verify"),
        {"number": valid.number, "inspection": inspection.pk, "holder_name": "王焊工"},
    )
    assert refused.status_code == 400 and Finding.objects.count() == 1
    assert login(Client(), world.qiye2).get(reverse("training:verify")).status_code == 403
    assert check_number(valid.number, actor=world.yingji).label == "有效"
