"""The shipped library: exact clause counts per standard, and a loader that can run any number of times."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from zhiben.core.models import AuditEntry
from zhiben.standards import events
from zhiben.standards.models import Clause, Confidence, Standard, StandardVersion
from zhiben.standards.reference import DATA_DIR, load_standards, read_data
from zhiben.standards.services import add_clause, update_clause, update_version

from .conftest import cite, clause, current_version

pytestmark = pytest.mark.django_db

# (standard code, version label) → number of clauses. Counts from research/domain.md §2.
SHIPPED_COUNTS = {
    # 部令第10号: Art 3–13 hold 64 items; Art 14 (失效或者无效的监控、报警、防护设施) is one more clause.
    ("indtrade", "2023版"): 65,
    ("indtrade", "2017版"): 0,
    ("hazchem", "2017版"): 20,
    ("fireworks", "2017版"): 20,
    # 建质规〔2024〕5号: 51 numbered items in Art 4–15 plus the whole-article criteria of Art 16 and 17.
    ("construction", "2024版"): 53,
    ("construction", "2022版"): 0,
    # 建城规〔2023〕4号: 20 numbered items plus Art 8 and Art 10.
    ("city-gas", "2023版"): 22,
    ("special-equipment", "2024版"): 47,
    ("agri-machinery", "2022版"): 6,
    # GB 35181: the 2025 edition replaces 2017; only 2017 direct elements 6.1–6.7 are known (partial).
    ("fire", "2025版"): 0,
    ("fire", "2017版"): 7,
    ("road-transport", "2023版"): 5,
    ("highway", "2023版"): 4,
    ("civil-explosives", "2024版"): 0,
    ("civil-explosives", "2023版"): 9,
    # 应急管理部令第4号 第三条: the 15 aspects (Art 4–18's detailed situations are not on file).
    ("coal-mine", "2026版"): 0,
    ("coal-mine", "2020版"): 15,
    # 矿安〔2022〕88号: only 地下矿山 (一)–(四) and (二十一) could be read.
    ("metal-mine", "2022版"): 5,
    # 国能综通安全〔2022〕123号: only 第四条（一） could be read whole.
    ("power", "2026版"): 0,
    ("power", "2022版"): 1,
}
NOT_FOUND = (
    "tourism",
    "fishery",
    "port-waterway",
    "campus",
    "hospital",
    "commerce",
    "water-conservancy",
)


def _snapshot() -> dict[str, Any]:
    return {
        "standards": sorted(Standard.objects.values_list("pk", "code", "name", "text_found")),
        "versions": sorted(StandardVersion.objects.values_list("pk", "standard_id", "label", "is_current")),
        "clauses": sorted(Clause.objects.values_list("pk", "version_id", "code", "text")),
    }


def _loaded_rows() -> int:
    return AuditEntry.objects.filter(event=events.STANDARDS_LOADED).count()


def test_it_ships_every_judgement_item_of_each_standard(library: Any) -> None:
    counts = {
        (v.standard.code, v.label): v.clauses.count()
        for v in StandardVersion.objects.select_related("standard")
    }

    for key, expected in SHIPPED_COUNTS.items():
        assert counts[key] == expected, key
    indtrade = current_version("indtrade").clauses
    assert indtrade.exclude(code="第十四条").count() == 64
    assert indtrade.filter(code__startswith="第十一条").count() == 10  # 粉尘涉爆
    construction = current_version("construction").clauses
    assert construction.exclude(code__in=["第十六条", "第十七条"]).count() == 51
    assert current_version("special-equipment").clauses.filter(code__startswith="4.2 ").count() == 7
    assert clause("special-equipment", "4.2 a)").article == "锅炉"
    assert clause("indtrade", "第四条（六）").text.startswith("煤气生产、回收净化")


def test_it_lists_sectors_without_text_as_empty_standards_to_fill_in(library: Any) -> None:
    for code in NOT_FOUND:
        standard = Standard.objects.get(code=code)
        assert standard.text_found is False, code
        current = standard.current_version
        assert current is not None, code
        assert current.confidence == Confidence.UNVERIFIED, code
        assert not Clause.objects.filter(version__standard=standard).exists(), code
    assert Standard.objects.count() == 21


def test_it_keeps_repealed_versions_as_history(library: Any) -> None:
    old = StandardVersion.objects.get(standard__code="construction", label="2022版")
    new = current_version("construction")

    assert not old.is_current and old.effective_to is not None
    assert new.label == "2024版" and new.doc_number == "建质规〔2024〕5号"
    assert (
        StandardVersion.objects.filter(standard__code="fire", is_current=True).get().doc_number
        == "GB 35181-2025"
    )


def test_it_links_standards_to_the_registry_industries(library: Any) -> None:
    result = load_standards()

    assert result["missing_industries"] == []
    machine = library.industries["INDTRADE-MACHINE"]
    assert set(machine.standards.values_list("code", flat=True)) == {"indtrade"}
    assert set(library.industries["CONSTRUCTION"].standards.values_list("code", flat=True)) == {
        "construction"
    }


def test_it_loads_idempotently_with_an_audit_row_only_for_a_change(world: Any) -> None:
    # `world` loaded the library through load_reference: that run created everything and was audited.
    row = AuditEntry.objects.filter(event=events.STANDARDS_LOADED).order_by("-seq").first()
    assert row is not None and row.object_type == "standards" and row.data["clauses_created"] > 200
    before = _loaded_rows()
    first = _snapshot()
    second_result = load_standards()

    assert _snapshot() == first
    assert _loaded_rows() == before  # nothing changed, nothing recorded
    assert second_result["standards_created"] == second_result["versions_created"] == 0
    assert second_result["clauses_created"] == second_result["clauses_updated"] == 0


def test_it_corrects_shipped_text_but_keeps_office_edits_and_cited_text(library: Any) -> None:
    stale = clause("hazchem", "第3项")
    edited = clause("hazchem", "第4项")
    cited = clause("construction", "第五条（三）")
    shipped = {c.pk: c.text for c in (stale, edited, cited)}
    # An older shipped text in the database (as before a data correction), and the same for a cited clause.
    Clause.objects.filter(pk__in=[stale.pk, cited.pk]).update(text="旧文本")
    update_clause(edited, actor=library.anweiban, text="区安委办修订的文本")
    cite(library, Clause.objects.get(pk=cited.pk))

    result = load_standards()

    assert Clause.objects.get(pk=stale.pk).text == shipped[stale.pk]
    assert Clause.objects.get(pk=edited.pk).text == "区安委办修订的文本"
    assert Clause.objects.get(pk=cited.pk).text == "旧文本"
    assert result["clauses_updated"] == 1
    assert result["clauses_kept"] == 2


def test_it_never_deletes_clauses_the_office_added(library: Any) -> None:
    version = current_version("fire")
    added = add_clause(
        version, actor=library.anweiban, code="5.1", article="直接判定要素", text="补录的条款。"
    )

    load_standards()

    assert Clause.objects.filter(pk=added.pk, text="补录的条款。").exists()
    assert Standard.objects.get(code="fire").text_found is True


def test_it_leaves_a_version_the_office_changed(library: Any) -> None:
    version = current_version("road-transport")
    update_version(version, actor=library.anweiban, doc_number="交运规〔2023〕X号")

    result = load_standards()

    version.refresh_from_db()
    assert version.doc_number == "交运规〔2023〕X号"
    assert result["versions_updated"] == 0


def test_its_data_files_are_well_formed() -> None:
    rows = read_data()
    industries = {
        r["code"] for r in json.loads((DATA_DIR.parent.parent / "registry/data/industries.json").read_text())
    }

    assert len(rows) == len(list(Path(DATA_DIR).glob("*.json"))) == 21
    for row in rows:
        assert set(row["industries"]) <= industries, row["code"]
        assert sum(1 for v in row["versions"] if v["is_current"]) == 1, row["code"]
        for v in row["versions"]:
            assert v["notes"], (row["code"], v["label"])
            if v["clauses"]:
                assert row["text_found"], row["code"]


def test_every_clause_shipped_names_its_source(library: Any) -> None:
    """Clause text is data with its source: every version that ships clauses says where they were found."""
    for v in StandardVersion.objects.filter(clauses__isnull=False).distinct():
        assert v.source.strip(), (v.standard.code, v.label)
    coal = clause("coal-mine", "第三条（一）", label="2020版")
    assert coal.text == "超能力、超强度或者超定员组织生产。"
    assert coal.citation == "《煤矿重大事故隐患判定标准》（应急管理部令第4号）第三条（一）"
    assert "gov.cn/gongbao" in coal.version.source
    # GB 35181-2025: only its foreword could be read; the notes say so and the version stays empty.
    fire = current_version("fire")
    assert not fire.clauses.exists() and "前言" in fire.notes and "fire114.cn" in fire.source
    assert StandardVersion.objects.get(standard__code="power", label="2022版").doc_number == (
        "国能综通安全〔2022〕123号"
    )
