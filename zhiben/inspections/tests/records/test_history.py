"""The history card of an inspection: each checklist answer logged as what it is, and a long history folded."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from zhiben.core import audit
from zhiben.core.testing import login
from zhiben.inspections import events
from zhiben.inspections.choices import Answer, FindingHandling
from zhiben.inspections.models import Inspection
from zhiben.inspections.services import records

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _history_card(world: Any, inspection: Inspection) -> str:
    html = login(Client(), world.zhujian).get(inspection.get_absolute_url()).content.decode()
    start = html.index('data-testid="history"')
    return html[start : html.index("  </div>\n</div>", start)]  # the card's closing tags (history.html)


def _latest(card: str) -> str:
    start = card.index('data-testid="history-latest"')
    return card[start : card.index("</ul>", start)]


def test_each_answer_is_logged_with_its_item_and_result_not_as_a_change_of_the_lead_department(
    world: Any, joint_inspection: Inspection, checklists: Any
) -> None:
    records.start_inspection(joint_inspection, actor=world.zhujian)
    items = list(checklists["housing"].items.order_by("sort_order", "pk")[:3])
    results = [Answer.FAIL, Answer.PASS, Answer.NOT_APPLICABLE]
    for item, result in zip(items, results, strict=True):
        records.answer_item(joint_inspection, actor=world.zhujian, item=item, result=result)

    card = _history_card(world, joint_inspection)
    assert "牵头部门" not in card
    for item, result in zip(items, results, strict=True):
        title = item.text.strip().splitlines()[0]
        title = title if len(title) <= 60 else title[:59] + "…"
        assert f"填写检查项：{title} — {result.label}" in card
    assert card.count("填写检查项：") == 3


def test_a_changed_answer_says_what_it_was(world: Any, joint_inspection: Inspection, checklists: Any) -> None:
    records.start_inspection(joint_inspection, actor=world.zhujian)
    item = checklists["housing"].items.filter(clause=None).first()
    records.answer_item(joint_inspection, actor=world.zhujian, item=item, result=Answer.PASS)
    records.answer_item(joint_inspection, actor=world.zhujian, item=item, result=Answer.NOT_APPLICABLE)

    card = _history_card(world, joint_inspection)
    assert f"填写检查项：{item.text} — 不适用（原为符合）" in card


def test_a_long_history_shows_the_latest_five_and_folds_the_rest(
    world: Any, joint_inspection: Inspection
) -> None:
    for _ in range(49):  # with the creation row: 50
        audit.record(joint_inspection, events.INSPECTION_STARTED, actor=world.zhujian, data={})

    card = _history_card(world, joint_inspection)
    assert len(re.findall(r"<li>", _latest(card))) == 5
    assert "<details" in card and "显示全部 (50 条)" in card
    assert len(re.findall(r"<li>", card)) == 50


def test_a_finding_names_its_department_and_handling_and_an_edit_still_names_its_fields(
    world: Any, joint_inspection: Inspection
) -> None:
    from zhiben.core.views import object_history
    from zhiben.registry.services import update_enterprise

    records.start_inspection(joint_inspection, actor=world.zhujian)
    records.record_finding(
        joint_inspection,
        actor=world.zhujian,
        handling=FindingHandling.ON_SITE,
        department=world.departments["fire"],
        title="疏散通道堆放杂物",
        level="general",
    )
    card = _history_card(world, joint_inspection)
    assert (
        f"记录问题：{world.departments['fire'].name} · 一般隐患 · 当场整改" in card and "牵头部门" not in card
    )

    enterprise = world.enterprises["yt_gas"]
    update_enterprise(enterprise, actor=world.anweiban, address="营田镇新址路1号")
    assert object_history(enterprise)[0]["changed"] == [
        str(enterprise._meta.get_field("address").verbose_name)
    ]
