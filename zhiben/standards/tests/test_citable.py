"""Which version a hazard cites: never one without clauses; a fallback is flagged 待核实 with a note; the
office's list of standards still waiting for their text; the pickers and the lookup follow it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from zhiben.core.testing import login
from zhiben.hazards.forms import ConfirmForm, HazardRegisterForm
from zhiben.standards.forms_checklists import ChecklistBuildForm
from zhiben.standards.models import Clause, StandardVersion
from zhiben.standards.queries import citable_versions, clause_choices, waiting_standards
from zhiben.standards.services import add_clause

from .conftest import cite, current_version, standard

pytestmark = pytest.mark.django_db


def _offered(choices: list[tuple[str, str]]) -> set[int]:
    return {int(v) for v, _label in choices if v}


def _version(code: str, label: str) -> StandardVersion:
    return StandardVersion.objects.get(standard__code=code, label=label)


def test_a_version_without_clauses_is_never_offered_and_the_older_text_is_cited_flagged(library: Any) -> None:
    fire_2025, fire_2017 = _version("fire", "2025版"), _version("fire", "2017版")
    offered = _offered(clause_choices(width=48))
    offered_versions = set(Clause.objects.filter(pk__in=offered).values_list("version_id", flat=True))
    empty = {v.pk for v in StandardVersion.objects.all() if not v.clauses.exists()}

    assert not offered_versions & empty
    assert fire_2025.pk in empty and fire_2017.pk in offered_versions
    labels = dict(clause_choices(width=48))
    assert labels[str(fire_2017.clauses.get(code="6.4").pk)].startswith("【消防·2017版·待核实】6.4 ")
    form_versions = [v for v, _ in ChecklistBuildForm().fields["standard_version"].widget.choices if v]
    assert str(fire_2025.pk) not in form_versions and str(fire_2017.pk) in form_versions
    # 2024 民爆 and 2026 煤矿 have no text on file: their older versions stand in, never the empty one.
    cited = citable_versions()
    assert cited[standard("coal-mine").pk].version.label == "2020版"
    assert cited[standard("civil-explosives").pk].version.label == "2023版"
    assert standard("water-conservancy").pk not in cited  # nothing on file at all: nothing to cite


def test_the_fallback_carries_the_note_that_a_newer_version_exists(library: Any, client: Any) -> None:
    fire = citable_versions()[standard("fire").pk]
    indtrade = citable_versions()[standard("indtrade").pk]

    assert fire.fallback and fire.version.label == "2017版" and fire.current.label == "2025版"
    assert "新版本 2025版（GB 35181-2025）" in fire.note and "待核实" in fire.note
    assert not indtrade.fallback and indtrade.note == ""

    login(client, library.zhujian)
    page = client.get(reverse("standards:version_detail", args=[fire.version.pk])).content.decode()
    assert 'data-testid="fallback-note"' in page and "2025版" in page
    empty = client.get(reverse("standards:version_detail", args=[fire.current.pk])).content.decode()
    assert 'data-testid="not-citable"' in empty
    detail = client.get(reverse("standards:standard_detail", args=[standard("fire").pk])).content.decode()
    assert 'data-testid="fallback-note"' in detail


def test_entering_the_new_text_ends_the_fallback(library: Any) -> None:
    fire_2025 = current_version("fire")
    old = _version("fire", "2017版").clauses.get(code="6.4")

    new = add_clause(fire_2025, actor=library.anweiban, code="5.1", text="（测试）直接判定要素。")

    offered = _offered(clause_choices(width=48))
    assert new.pk in offered and old.pk not in offered
    assert not citable_versions()[fire_2025.standard_id].fallback
    assert "fire" not in {w.standard.code for w in waiting_standards()}


def test_the_office_sees_the_standards_waiting_for_their_text(library: Any, client: Any) -> None:
    login(client, library.anweiban)
    response = client.get(reverse("standards:waiting_list"))

    assert response.status_code == 200
    rows = {w.standard.code: w for w in response.context["rows"]}
    assert {"fire", "coal-mine", "power", "civil-explosives", "water-conservancy", "campus"} <= set(rows)
    assert "indtrade" not in rows and "metal-mine" not in rows
    assert rows["fire"].cited.version.label == "2017版" and rows["water-conservancy"].cited is None
    body = response.content.decode()
    assert "暂按" in body and "补录条款" in body
    listing = client.get(reverse("standards:standard_list")).content.decode()
    assert 'data-testid="waiting-link"' in listing


@pytest.mark.parametrize("who", ["zhujian", "qiye1", "xitong"])
def test_others_may_not_open_the_waiting_list(library: Any, client: Any, who: str) -> None:
    login(client, getattr(library, who))

    assert client.get(reverse("standards:waiting_list")).status_code == 403
    assert 'data-testid="waiting-link"' not in client.get(reverse("standards:standard_list")).content.decode()


def test_the_waiting_list_needs_a_login(library: Any, client: Any) -> None:
    assert client.get(reverse("standards:waiting_list")).status_code == 302


def test_the_lookup_takes_the_units_industry_and_keeps_to_the_users_scope(library: Any, client: Any) -> None:
    url = reverse("standards:clause_lookup")
    login(client, library.qiye1)  # a machinery works: 工贸 first
    own = client.get(url, {"q": "粉尘", "enterprise": library.enterprises["qiye1"].pk})
    other = client.get(url, {"q": "粉尘", "enterprise": library.enterprises["qiye2"].pk})
    bad = client.get(url, {"enterprise": "x"})

    rows = own.json()
    assert own.status_code == 200 and rows[0]["applies"] and rows[0]["label"].startswith("工贸 ")
    found = Clause.objects.filter(pk__in=[r["id"] for r in rows])
    assert all("粉尘" in c.text + c.article for c in found)
    assert other.status_code == 404  # another unit's industry is not the user's to read
    assert bad.status_code == 400 and "enterprise" in bad.json()


def test_the_hazard_forms_search_by_industry_and_keep_an_older_citation(library: Any) -> None:
    register = HazardRegisterForm(enterprises=None)
    attrs = register.fields["clause"].widget.attrs
    assert attrs["data-clause-search"] == reverse("standards:clause_lookup")
    assert attrs["data-enterprise-field"] == "enterprise"

    # A hazard judged under 工贸 2017 text that is no longer citable keeps showing (and posting) it.
    gone = Clause.objects.create(
        version=_version("indtrade", "2017版"), code="旧一", text="（测试）旧版条款。", sort_order=1
    )
    hazard = cite(library, gone, slot="qiye1")
    confirm = ConfirmForm(target=hazard)
    widget = confirm.fields["clause"].widget
    assert widget.attrs["data-industry"] == str(hazard.industry_id)
    assert str(gone.pk) in dict(widget.choices)
    assert ConfirmForm({"level": "major", "clause": str(gone.pk)}, target=hazard).is_valid()
