"""The committee office keeps the library: new versions keep the old ones, cited clauses keep their text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from zhiben.core.errors import Conflict
from zhiben.core.models import AuditEntry
from zhiben.standards import events
from zhiben.standards.models import Clause, Confidence, StandardVersion
from zhiben.standards.services import (
    StandardsError,
    add_clause,
    create_version,
    update_clause,
    update_version,
)

from .conftest import cite, clause, current_version, standard

pytestmark = pytest.mark.django_db


def _audit(obj: Any, event: str) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk), event=event
        ).order_by("seq")
    )


def test_it_adds_a_new_version_and_keeps_the_old_one_with_its_clauses(library: Any) -> None:
    old = current_version("construction")
    old_clauses = list(old.clauses.values_list("pk", "code", "text"))

    new = create_version(
        standard("construction"),
        actor=library.anweiban,
        label="2026版",
        title="房屋市政工程生产安全重大事故隐患判定标准（2026版）",
        doc_number="建质规〔2026〕1号",
        effective_from=dt.date(2026, 3, 1),
        confidence=Confidence.MEDIUM,
        copy_clauses_from=old,
    )

    old.refresh_from_db()
    assert old.is_current is False
    assert old.effective_to == dt.date(2026, 3, 1)
    assert list(old.clauses.values_list("pk", "code", "text")) == old_clauses
    assert new.is_current and current_version("construction") == new
    assert sorted(new.clauses.values_list("code", "text")) == sorted((c, t) for _pk, c, t in old_clauses)
    created = _audit(new, events.STANDARD_VERSION_CREATED)
    assert len(created) == 1 and created[0].data["clauses_copied"] == 53
    assert created[0].actor == library.anweiban
    assert len(_audit(old, events.STANDARD_VERSION_UPDATED)) == 1


def test_it_keeps_an_earlier_repeal_date_and_can_add_a_version_that_is_not_yet_current(library: Any) -> None:
    fire = standard("fire")
    draft = create_version(
        fire,
        actor=library.anweiban,
        label="2027版（征求意见稿）",
        title="重大火灾隐患判定规则",
        make_current=False,
    )

    assert draft.is_current is False
    assert current_version("fire").label == "2025版"
    assert draft.clauses.count() == 0


def test_it_refuses_a_duplicate_label_and_clauses_from_another_standard(library: Any) -> None:
    with pytest.raises(ValidationError) as duplicate:
        create_version(standard("fire"), actor=library.anweiban, label="2025版", title="重复")
    assert "label" in duplicate.value.error_dict

    with pytest.raises(StandardsError) as foreign:
        create_version(
            standard("fire"),
            actor=library.anweiban,
            label="2026版",
            title="x",
            copy_clauses_from=current_version("construction"),
        )
    assert foreign.value.field == "copy_clauses_from"
    assert not StandardVersion.objects.filter(standard__code="fire", label="2026版").exists()


def test_it_refuses_to_edit_the_text_of_a_cited_clause(library: Any) -> None:
    cited = clause("construction", "第五条（三）")
    cite(library, cited)
    original = cited.text

    with pytest.raises(StandardsError) as refused:
        update_clause(cited, actor=library.anweiban, text="深基坑施工未进行监测。")

    assert refused.value.field == "text"
    assert "新增标准版本" in refused.value.message
    assert Clause.objects.get(pk=cited.pk).text == original
    assert not _audit(cited, events.CLAUSE_CHANGED)
    # Its position may still change: that is not part of any citation.
    update_clause(cited, actor=library.anweiban, sort_order=999)
    assert Clause.objects.get(pk=cited.pk).sort_order == 999


def test_it_edits_an_uncited_clause_with_an_audit_row(library: Any) -> None:
    target = clause("hazchem", "第2项")
    version = target.version

    update_clause(
        target, actor=library.anweiban, expected_version=version.version, text="特种作业人员未持证上岗作业。"
    )

    assert Clause.objects.get(pk=target.pk).text == "特种作业人员未持证上岗作业。"
    rows = _audit(target, events.CLAUSE_CHANGED)
    assert len(rows) == 1 and rows[0].data["before"] == {"text": "特种作业人员未持证上岗。"}
    version.refresh_from_db()
    assert version.version == 2


def test_it_answers_a_stale_edit_with_a_conflict(library: Any) -> None:
    first = clause("hazchem", "第2项")
    read_at = first.version.version
    update_clause(first, actor=library.anweiban, expected_version=read_at, article="人员资格")

    stale = clause("hazchem", "第3项")
    with pytest.raises(Conflict):
        update_clause(stale, actor=library.anweiban, expected_version=read_at, article="外部安全防护距离")
    with pytest.raises(Conflict):
        add_clause(stale.version, actor=library.anweiban, expected_version=read_at, code="第21项", text="x")
    assert clause("hazchem", "第3项").article == ""


def test_it_fills_in_a_standard_listed_without_text(library: Any) -> None:
    campus = standard("campus")
    placeholder = campus.current_version
    assert placeholder is not None

    added = add_clause(
        placeholder, actor=library.anweiban, code="第1项", text="学校宿舍未设置火灾自动报警系统。"
    )

    campus.refresh_from_db()
    assert campus.text_found is True
    assert added.sort_order == 10
    assert _audit(added, events.CLAUSE_CHANGED)[0].data["standard_text_found"] is True
    with pytest.raises(ValidationError) as duplicate:
        add_clause(placeholder, actor=library.anweiban, code="第1项", text="另一条")
    assert "code" in duplicate.value.error_dict


def test_it_makes_an_older_version_current_again_only_by_choice(library: Any) -> None:
    fire = standard("fire")
    old = StandardVersion.objects.get(standard=fire, label="2017版")
    current = current_version("fire")

    with pytest.raises(StandardsError):
        update_version(current, actor=library.anweiban, is_current=False)
    update_version(old, actor=library.anweiban, is_current=True, today=dt.date(2026, 1, 5))

    current.refresh_from_db()
    assert current.is_current is False and current.effective_to == dt.date(2026, 1, 5)
    assert StandardVersion.objects.filter(standard=fire, is_current=True).get() == old


def test_it_validates_version_dates(library: Any) -> None:
    with pytest.raises(ValidationError) as bad:
        update_version(
            current_version("highway"),
            actor=library.anweiban,
            effective_to=dt.date(2020, 1, 1),
        )
    assert "effective_to" in bad.value.error_dict
