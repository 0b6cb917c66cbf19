"""Official documents: gap-free 文号 per prefix and year, the Word and PDF files, the template editor and the
scoped download."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from typing import Any

import pytest
from django.db import transaction
from django.urls import include, path, reverse

from zhiben import urls as project_urls
from zhiben.core import document_views
from zhiben.core import urls as core_urls
from zhiben.core.documents import (
    DOCUMENT_DOWNLOADED,
    DOCUMENT_ISSUED,
    DOCUMENT_TEMPLATE_CHANGED,
    RED,
    issue_document,
    load_document_templates,
    sample_context,
)
from zhiben.core.models import AuditEntry, DocumentTemplate, OfficialDocument
from zhiben.core.sequences import current_value
from zhiben.core.testing import assert_audited, login

# Until core/urls.py includes the document pages, this module serves as the URL conf of its tests.
_core = [*core_urls.urlpatterns, *(p for p in document_views.urlpatterns if p not in core_urls.urlpatterns)]
urlpatterns = [
    path("core/", include((_core, "core"))),
    *(p for p in project_urls.urlpatterns if getattr(p, "namespace", None) != "core"),
]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def templates(db: Any) -> dict[str, DocumentTemplate]:
    load_document_templates()
    return {t.code: t for t in DocumentTemplate.objects.all()}


def _issue(code: str = "hazard_letter", **kwargs: Any) -> OfficialDocument:
    kwargs.setdefault("on", dt.date(2025, 5, 6))
    return issue_document(code, context=sample_context(code), actor=None, **kwargs)


def test_it_loads_the_default_templates_once_and_keeps_office_edits(templates: dict[str, Any]) -> None:
    assert {
        "hazard_letter",
        "hazard_bulletin",
        "hazard_interview",
        "hazard_exposure",
        "hazard_listed",
        "hazard_assignment",
        "hazard_closure",
        "bulletin_monthly",
        "bulletin_quarterly",
    } <= set(templates)
    assert templates["hazard_letter"].number_prefix == "屈安办函"
    assert templates["hazard_listed"].number_prefix == "屈安办督"
    assert not any(t.verified for t in templates.values())  # 待核实 until the office confirms the wording
    DocumentTemplate.objects.filter(code="hazard_letter").update(name="督促函")

    again = load_document_templates()

    assert again == {"document_templates": 0}
    assert DocumentTemplate.objects.get(code="hazard_letter").name == "督促函"
    assert DocumentTemplate.objects.count() == len(templates)


def test_it_numbers_documents_per_prefix_and_year(templates: dict[str, Any]) -> None:
    first = _issue("hazard_letter")
    second = _issue("hazard_letter")
    bulletin = _issue("hazard_bulletin")
    monthly = _issue("bulletin_monthly")  # shares the 屈安办通 prefix with the hazard bulletin
    next_year = _issue("hazard_letter", on=dt.date(2026, 1, 5))

    assert [first.number, second.number] == ["屈安办函〔2025〕1号", "屈安办函〔2025〕2号"]
    assert [bulletin.number, monthly.number] == ["屈安办通〔2025〕1号", "屈安办通〔2025〕2号"]
    assert (next_year.number, next_year.year, next_year.seq) == ("屈安办函〔2026〕1号", 2026, 1)
    assert first.title == "关于督促屈原营田机械制造有限公司限期完成事故隐患整改的函"
    assert first.context["today"] == "2025年5月6日"
    assert_audited(DOCUMENT_ISSUED, first, number="屈安办函〔2025〕1号", template="hazard_letter")


def test_it_gives_the_number_back_when_the_transaction_rolls_back(templates: dict[str, Any]) -> None:
    _issue("hazard_letter")

    with pytest.raises(RuntimeError), transaction.atomic():
        lost = _issue("hazard_letter")
        assert lost.number == "屈安办函〔2025〕2号"
        raise RuntimeError("the caller's business step failed")

    assert current_value("屈安办函/2025") == 1
    assert _issue("hazard_letter").number == "屈安办函〔2025〕2号"
    assert list(OfficialDocument.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]


def test_it_writes_a_word_file_in_official_layout(templates: dict[str, Any]) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    document = _issue("hazard_letter")

    with document.docx.open("rb") as f:
        docx = Document(io.BytesIO(f.read()))
    texts = [p.text for p in docx.paragraphs]
    assert texts[:2] == ["屈原管理区安全生产委员会办公室", "屈安办函〔2025〕1号"]
    # A long title is broken into even lines (梯形).
    assert texts[2].split("\n") == ["关于督促屈原营田机械制造有限公司", "限期完成事故隐患整改的函"]
    assert texts[2].replace("\n", "") == document.title
    assert texts[3] == "屈原营田机械制造有限公司："  # 主送机关, 顶格
    mark = docx.paragraphs[0].runs[0]
    assert str(mark.font.color.rgb) == RED and mark.font.bold
    assert mark._r.rPr.rFonts.get(qn("w:eastAsia")) == "Noto Serif CJK SC"
    body = docx.paragraphs[4]
    assert body.text.startswith("经查，你单位存在的重大事故隐患")
    assert body.paragraph_format.element.pPr.ind.get(qn("w:firstLineChars")) == "200"
    assert "2025年5月6日" in texts and any(t.startswith("抄送：区应急管理局") for t in texts)
    red_rule = docx.paragraphs[1]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert red_rule.get(qn("w:color")) == RED


def test_it_writes_a_pdf_with_an_embedded_chinese_font(templates: dict[str, Any]) -> None:
    document = _issue("hazard_listed")
    pdf_path = document.pdf.path

    with open(pdf_path, "rb") as f:
        assert f.read(5) == b"%PDF-"
    fonts = subprocess.run(["pdffonts", pdf_path], capture_output=True, text=True, check=True).stdout
    embedded_cjk = [
        line for line in fonts.splitlines()[2:] if "CJK" in line and line.split()[-5:-3][0] == "yes"
    ]
    assert embedded_cjk, fonts
    text = subprocess.run(["pdftotext", pdf_path, "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", document.title) in flat
    assert "屈安办督〔2025〕1号" in flat
    assert "抄送：区管委主要领导、分管领导。" in flat


def _edit_url(template: DocumentTemplate) -> str:
    return reverse("core:document_template_edit", args=[template.pk])


def _form(template: DocumentTemplate, **changes: Any) -> dict[str, Any]:
    data = {
        "name": template.name,
        "issuer": template.issuer,
        "number_prefix": template.number_prefix,
        "kind": template.kind,
        "title": template.title,
        "body": template.body,
        "version": template.version,
    }
    data.update(changes)
    return data


def test_it_reports_a_template_syntax_error_on_the_field(
    client: Any, world: Any, templates: dict[str, Any]
) -> None:
    letter = templates["hazard_letter"]
    login(client, world.anweiban)

    response = client.post(
        _edit_url(letter), _form(letter, body="{{ enterprise.name }}：\n{% if %}逾期{% endif %}")
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "body" in errors and "模板语法错误" in errors["body"][0] and "第 2 行" in errors["body"][0]
    letter.refresh_from_db()
    assert letter.version == 1 and "{% if %}" not in letter.body
    bad_title = client.post(_edit_url(letter), _form(letter, title="关于{{ enterprise.name 的函"))
    assert bad_title.status_code == 400 and "title" in bad_title.context["form"].errors


def test_it_saves_an_edit_only_against_the_version_it_was_read_at(
    client: Any, world: Any, templates: dict[str, Any]
) -> None:
    letter = templates["hazard_letter"]
    login(client, world.anweiban)
    new_title = "关于{{ enterprise.name }}事故隐患逾期未整改的督办函"

    saved = client.post(_edit_url(letter), _form(letter, title=new_title, verified="on"))
    stale = client.post(_edit_url(letter), _form(letter, name="旧页面的修改", version=1))

    assert saved.status_code == 302 and saved["Location"] == reverse("core:document_template_list")
    assert stale.status_code == 409
    letter.refresh_from_db()
    assert (letter.title, letter.verified, letter.version, letter.name) == (new_title, True, 2, "函告")
    assert_audited(DOCUMENT_TEMPLATE_CHANGED, letter, actor=world.anweiban)
    assert _issue("hazard_letter").title == "关于屈原营田机械制造有限公司事故隐患逾期未整改的督办函"


def test_it_previews_unsaved_text_with_sample_data(
    client: Any, world: Any, templates: dict[str, Any]
) -> None:
    letter = templates["hazard_letter"]
    login(client, world.anweiban)

    page = client.get(_edit_url(letter))
    preview = client.post(_edit_url(letter), _form(letter, title="试拟：{{ enterprise.name }}", preview="1"))

    assert page.status_code == 200 and "屈原营田机械制造有限公司" in page.context["preview_html"]
    assert preview.status_code == 200
    assert "试拟：屈原营田机械制造有限公司" in preview.context["preview_html"]
    letter.refresh_from_db()
    assert letter.version == 1 and not letter.title.startswith("试拟")
    assert not OfficialDocument.objects.exists()


def test_it_previews_the_form_the_office_chooses(client: Any, world: Any, templates: dict[str, Any]) -> None:
    letter = templates["hazard_letter"]
    login(client, world.anweiban)

    as_letter = client.get(_edit_url(letter)).context["preview_html"]
    as_decision = client.post(_edit_url(letter), _form(letter, kind="enforcement", preview="1"))

    assert 'class="mark"' in as_letter and "印发" in as_letter  # 公文: red 标志 and 版记
    html = as_decision.context["preview_html"]
    assert 'class="head"' in html and 'class="mark"' not in html and "印发" not in html
    listing = client.get(reverse("core:document_template_list")).content.decode()
    assert '<td class="text-nowrap">笔录</td>' in listing and "执法文书" in listing


def test_it_keeps_the_template_pages_to_the_office(
    client: Any, world: Any, templates: dict[str, Any]
) -> None:
    letter = templates["hazard_letter"]
    for user, expected in (
        (world.anweiban, 200),
        (world.yingji, 403),
        (world.qiye1, 403),
        (world.lingdao, 403),
    ):
        login(client, user)
        assert client.get(reverse("core:document_template_list")).status_code == expected, user
        assert client.get(_edit_url(letter)).status_code == expected, user
    login(client, world.yingji)
    assert client.post(_edit_url(letter), _form(letter, name="越权")).status_code == 403
    assert DocumentTemplate.objects.get(pk=letter.pk).name == "函告"


def _hazard(world: Any) -> Any:
    from zhiben.hazards.choices import Level, Source, Status
    from zhiben.hazards.models import Hazard

    enterprise = world.enterprises["qiye1"]
    return Hazard.objects.create(
        code="TEST-DOC-0001",
        enterprise=enterprise,
        region=enterprise.region,
        industry=enterprise.primary_industry,
        department=world.departments["emergency"],
        level=Level.GENERAL,
        source=Source.INSPECTION,
        title="配电箱未设置防护门",
        discovered_on=dt.date(2025, 4, 1),
        status=Status.RECTIFYING,
        deadline=dt.date(2025, 4, 15),
    )


def test_it_serves_a_hazard_document_only_to_those_who_see_the_hazard(
    client: Any, world: Any, templates: dict[str, Any]
) -> None:
    import zhiben.hazards.escalation  # noqa: F401  registers the hazard access check

    hazard = _hazard(world)
    document = issue_document("hazard_letter", context=sample_context(), actor=None, obj=hazard)
    url = reverse("core:document_download", args=[document.pk, "pdf"])

    login(client, world.qiye1)
    mine = client.get(url)
    word = client.get(reverse("core:document_download", args=[document.pk, "docx"]))
    assert mine.status_code == 200 and mine["Content-Type"] == "application/pdf"
    assert b"".join(mine.streaming_content).startswith(b"%PDF")
    assert word.status_code == 200 and "attachment" in word["Content-Disposition"]
    assert_audited(DOCUMENT_DOWNLOADED, document, actor=world.qiye1, format="docx")
    downloads = AuditEntry.objects.filter(event=DOCUMENT_DOWNLOADED).count()

    for outsider in (world.qiye2, world.zhujian, world.heshi, world.zhuanjia):
        login(client, outsider)
        assert client.get(url).status_code == 404, outsider
    assert AuditEntry.objects.filter(event=DOCUMENT_DOWNLOADED).count() == downloads
    login(client, world.yingji)  # the supervising department
    assert client.get(url).status_code == 200
    assert client.get(reverse("core:document_download", args=[document.pk, "exe"])).status_code == 404


def test_it_hides_unlinked_documents_from_users_without_document_permission(
    client: Any, world: Any, templates: dict[str, Any]
) -> None:
    document = _issue("bulletin_monthly")

    login(client, world.qiye1)

    assert client.get(reverse("core:document_download", args=[document.pk, "pdf"])).status_code == 404
    client.logout()
    anonymous = client.get(reverse("core:document_download", args=[document.pk, "pdf"]))
    assert anonymous.status_code == 302


def test_it_keeps_user_text_that_looks_like_markup_as_text(templates: dict[str, Any]) -> None:
    """A hazard title typed as "…\n# 一、…\n抄送：…" stays in its paragraph: no heading, no 版记 from user text."""
    from zhiben.core.documents import layout_of

    context = sample_context("hazard_letter")
    context["hazard"] = {**context["hazard"], "title": "配电箱未接地\n# 一、伪造的标题\n抄送：伪造的抄送机关"}
    document = issue_document("hazard_letter", context=context, actor=None, on=dt.date(2025, 5, 6))
    layout = layout_of(document)
    kinds = {b.kind for b in layout.blocks if "伪造" in b.text}
    assert kinds == {"paragraph"}
    assert "伪造" not in layout.cc and "伪造的抄送机关" in " ".join(b.text for b in layout.blocks)
