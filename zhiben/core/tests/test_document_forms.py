"""Each document in its real form, read back from the PDF: a 笔录 (现场检查笔录) has the form's fields, the
signature blanks and "共 N 页 第 M 页", under the issuing body's full name, with neither red header nor 印发
line; a 执法文书 (行政处罚决定书) is headed by the body's full name and has no 印发 line; a 公文 (函) keeps its
red header and 版记 (GB/T 9704-2012)."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from typing import Any

import pytest

from zhiben.core.document_layout import parse_body
from zhiben.core.documents import (
    DocumentError,
    issue_document,
    load_document_templates,
    sample_context,
    update_document_template,
)
from zhiben.core.models import DocumentKind, DocumentTemplate, OfficialDocument


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def templates(db: Any) -> dict[str, DocumentTemplate]:
    load_document_templates()
    return {t.code: t for t in DocumentTemplate.objects.all()}


def _issue(code: str, **kwargs: Any) -> OfficialDocument:
    return issue_document(code, context=sample_context(code), actor=None, on=dt.date(2025, 5, 6), **kwargs)


def pdf_lines(document: OfficialDocument) -> list[str]:
    """The PDF's text lines, each without spaces (CJK text is spaced by the layout, not by the words)."""
    text = subprocess.run(
        ["pdftotext", "-layout", document.pdf.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    return [line for raw in text.splitlines() if (line := re.sub(r"\s+", "", raw))]


def red_pixels(document: OfficialDocument) -> int:
    """How many clearly red pixels the first page has (the 公文 标志 and rule are 公文红 E60012)."""
    ppm = subprocess.run(
        ["pdftoppm", "-r", "30", "-f", "1", "-l", "1", document.pdf.path], capture_output=True, check=True
    ).stdout
    # P6 header: magic, width, height, maxval, each followed by one whitespace byte.
    fields = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", ppm)
    assert fields is not None
    pixels = ppm[fields.end() :]
    return sum(
        1
        for i in range(0, len(pixels) - 2, 3)
        if pixels[i] > 180 and pixels[i + 1] < 90 and pixels[i + 2] < 90
    )


def test_a_record_is_laid_out_as_the_form_not_as_a_red_header_document(
    templates: dict[str, DocumentTemplate],
) -> None:
    assert templates["inspection_record"].kind == DocumentKind.RECORD

    record = _issue("inspection_record", issuer="屈原管理区住房和城乡建设局", agency_code="屈住建")

    assert record.number == "（屈住建）现检〔2025〕1号"
    lines = pdf_lines(record)
    text = "\n".join(lines)
    # Head: the body's full name, the title, the number — in that order, at the top.
    assert lines[:3] == ["屈原管理区住房和城乡建设局", "现场检查笔录", "（屈住建）现检〔2025〕1号"]
    # The form's fields: unit, place, time from–to, inspectors with 执法证号, 记录人, the unit's person present.
    for field in (
        "被检查单位：屈原营田机械制造有限公司",
        "检查场所：营田镇长湖村燃气经营部",
        "检查时间：2025年3月3日9时30分至2025年3月3日11时05分",
        "执法证号：43067102001",
        "执法证号：43067104001",
        "记录人：王某某",
        "被检查单位现场负责人：张某某",
        "检查情况：",
        "发现的问题：",
        "处理意见：",
    ):
        assert field in text, field
    # Signature blanks, each with its date to fill in, and the page count on every page.
    for label in ("检查人员（签名）：", "记录人（签名）：", "被检查单位现场负责人（签名）："):
        assert any(line.startswith(label) and line.endswith("年月日") for line in lines), label
    pages = [line for line in lines if re.fullmatch(r"共\d+页第\d+页", line)]
    total = int(re.match(r"共(\d+)页", pages[0]).group(1))  # type: ignore[union-attr]
    assert pages == [f"共{total}页第{n}页" for n in range(1, total + 1)]
    # Not a 公文: no 印发 line, no 抄送, no short name, no red 标志 or rule.
    assert "印发" not in text and "抄送" not in text
    assert not any(line.startswith("区住房") for line in lines)
    assert red_pixels(record) == 0


def test_a_decision_is_headed_by_the_issuing_body_in_full_and_has_no_print_line(
    templates: dict[str, DocumentTemplate],
) -> None:
    assert templates["enforcement_decision_emergency"].kind == DocumentKind.ENFORCEMENT

    decision = _issue("enforcement_decision_emergency")

    lines = pdf_lines(decision)
    assert lines[:3] == ["屈原管理区应急管理局", "行政处罚决定书", "（屈应急）罚〔2025〕1号"]
    assert "当事人：屈原营田机械制造有限公司" in lines
    # 落款: the body's full name and the date, where the seal goes; then nothing of a 版记.
    body = [line for line in lines if not re.fullmatch(r"—\d+—", line)]
    assert body[-2:] == ["屈原管理区应急管理局", "2025年5月6日"]
    assert not any("印发" in line for line in lines)
    assert red_pixels(decision) == 0


def test_an_official_letter_keeps_its_red_header_and_print_line(
    templates: dict[str, DocumentTemplate],
) -> None:
    assert templates["hazard_letter"].kind == DocumentKind.OFFICIAL

    letter = _issue("hazard_letter")

    lines = pdf_lines(letter)
    assert lines[:2] == ["屈原管理区安全生产委员会办公室", "屈安办函〔2025〕1号"]
    assert "屈原管理区安全生产委员会办公室2025年5月6日印发" in lines
    assert red_pixels(letter) > 50


def test_a_record_in_word_has_no_red_and_counts_its_pages(templates: dict[str, DocumentTemplate]) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    record = _issue("inspection_record", issuer="屈原管理区住房和城乡建设局", agency_code="屈住建")

    with record.docx.open("rb") as f:
        docx = Document(io.BytesIO(f.read()))
    texts = [p.text for p in docx.paragraphs]
    assert texts[:3] == ["屈原管理区住房和城乡建设局", "现场检查笔录", "（屈住建）现检〔2025〕1号"]
    assert not any(run.font.color.rgb is not None for p in docx.paragraphs for run in p.runs)
    assert any(t.startswith("检查人员（签名）：\t\t") for t in texts)
    assert not any("印发" in t for t in texts)
    fields = [f.get(qn("w:instr")) for f in docx.sections[0].footer._element.iter(qn("w:fldSimple"))]
    assert fields == ["NUMPAGES", "PAGE"]


def test_it_reads_fields_and_signature_blanks_from_the_markup() -> None:
    blocks, cc = parse_body("= 被检查单位： 某公司\n检查情况正文。\n> 记录人（签名）：\n抄送：某局")

    assert [(b.kind, b.text) for b in blocks] == [
        ("field", "被检查单位：某公司"),
        ("paragraph", "检查情况正文。"),
        ("sign", "记录人（签名）："),
    ]
    assert cc == "某局"


def test_the_office_chooses_the_form_and_may_put_the_body_code_in_the_prefix(
    templates: dict[str, DocumentTemplate],
) -> None:
    order = templates["enforcement_order"]

    with pytest.raises(DocumentError) as exc:
        update_document_template(order, actor=None, version=order.version, kind="memo")
    assert exc.value.field == "kind"
    update_document_template(
        order, actor=None, version=order.version, kind=DocumentKind.RECORD, number_prefix="（屈教）责改"
    )

    order.refresh_from_db()
    assert (order.kind, order.number_prefix) == (DocumentKind.RECORD, "（屈教）责改")
    document = _issue("enforcement_order", agency_code="屈应急")  # a prefix naming its body keeps it
    assert document.number == "（屈教）责改〔2025〕1号"
    assert any(re.fullmatch(r"共\d+页第1页", line) for line in pdf_lines(document))


def test_a_migration_brings_shipped_templates_to_their_form_and_keeps_the_offices_text(
    db: Any, tmp_path: Any
) -> None:
    import hashlib
    import json

    from zhiben.core.documents import refresh_shipped_templates

    shipped = {
        "code": "x_record",
        "issuer": "屈原管理区应急管理局",
        "number_prefix": "现检",
        "kind": "record",
    }
    path = tmp_path / "document_templates.json"
    DocumentTemplate.objects.create(
        code="x_record", name="笔录", issuer="旧机关", number_prefix="屈检录", title="笔录", body="旧正文"
    )
    DocumentTemplate.objects.create(  # the office's own text is not touched, only its form
        code="x_edited", name="笔录", issuer="区局", number_prefix="屈检", title="笔录", body="改过的正文"
    )
    path.write_text(
        json.dumps(
            {
                "templates": [
                    {**shipped, "body": ["= 被检查单位：{{ x }}"]},
                    {**shipped, "code": "x_edited", "body": "新"},
                ]
            }
        )
    )
    old = frozenset({hashlib.sha256("旧正文".encode()).hexdigest()[:16]})

    refresh_shipped_templates(DocumentTemplate, path, old_bodies=old, old_prefixes={"屈检录": "现检"})

    fresh, edited = (
        DocumentTemplate.objects.get(code="x_record"),
        DocumentTemplate.objects.get(code="x_edited"),
    )
    assert (fresh.kind, fresh.body, fresh.issuer, fresh.number_prefix) == (
        "record",
        "= 被检查单位：{{ x }}",
        "屈原管理区应急管理局",
        "现检",
    )
    assert (edited.kind, edited.body, edited.issuer, edited.number_prefix) == (
        "record",
        "改过的正文",
        "区局",
        "屈检",
    )
