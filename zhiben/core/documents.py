"""Official documents (公文): numbered, rendered from editable templates, written as Word and PDF.

Every app issues its documents through `issue_document()`: inside the caller's transaction it draws the next
number of the template's prefix and year (屈安办函〔2025〕12号, gap-free through core.sequences), renders title
and body from the template text, and writes the Word file (python-docx) and the PDF (WeasyPrint, CJK fonts
embedded as subsets). The layout follows GB/T 9704-2012《党政机关公文格式》 as far as the installed fonts allow:
Noto Serif CJK SC stands in for 仿宋/小标宋 and Noto Sans CJK SC for 黑体.

Body text is plain text, one paragraph per line, with a light markup the office can edit:
    first line ending in "：" → 主送机关 (no indent)       "# 一、……" → 一级标题 (黑体)
    "## （一）……"            → 二级标题                    "抄送：……" → 版记 (moved to the end)
Template text is Django template syntax rendered with autoescape off (it becomes Word text); the PDF's HTML
page escapes it like any other value (autoescape on).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import transaction
from django.template import Context, Engine, Template, TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .errors import DomainError
from .events import register
from .jobs import enqueue_on_commit, job
from .models.documents import DocumentTemplate, OfficialDocument
from .scoping import can
from .sequences import next_value
from .workflow import compare_and_swap

log = logging.getLogger(__name__)

# Declared here rather than in core/events.py because the document framework owns them (one module to read).
DOCUMENT_ISSUED = register("DOCUMENT_ISSUED", gettext_lazy("签发公文"))
DOCUMENT_DOWNLOADED = register("DOCUMENT_DOWNLOADED", gettext_lazy("下载公文"))
DOCUMENT_TEMPLATE_CHANGED = register("DOCUMENT_TEMPLATE_CHANGED", gettext_lazy("修改公文模板"))
DOCUMENT_TEMPLATES_LOADED = register("DOCUMENT_TEMPLATES_LOADED", gettext_lazy("加载默认公文模板"))

DATA_FILE = Path(__file__).resolve().parent / "data" / "document_templates.json"

SERIF = "Noto Serif CJK SC"  # stands in for 仿宋 (body) and 小标宋 (标志, title, in bold)
SANS = "Noto Sans CJK SC"  # stands in for 黑体 (first-level headings)
RED = "E60012"  # 公文红

# GB/T 9704-2012 §5.2: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm; 3号 (16 pt) body, 22 lines of 28 characters.
PAGE_MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_WIDTH_PT = 156 / 25.4 * 72
BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
FOOTER_PT = 14.0  # 4号
LINE_PT = 225 / 25.4 * 72 / 22  # 22 lines per page ≈ 28.9 pt
# 28 characters per line: 3号 characters advance slightly less than their size (Word's 文档网格; letter-spacing
# in the PDF), so a line of Chinese text ends flush with the right edge as in a printed 公文.
CHAR_PITCH = (TEXT_WIDTH_PT - 0.5) / 28
MARK_PT = 36.0  # 发文机关标志 (小初), narrowed horizontally to fit the 版心 when the name is long


class DocumentError(DomainError):
    """A document cannot be issued or a template cannot be saved (bad template text, unknown code …)."""


# --------------------------------------------------------------------------------------------- templates

# Template text comes from the office's editor: no loaders, no extra tag libraries, nothing but the builtins.
# Autoescape is off because the result is plain text for Word; the HTML page escapes it again.
# debug=True only annotates syntax errors with their line, which the editor shows.
_TEXT_ENGINE = Engine(autoescape=False, loaders=[], libraries={}, debug=True)


def compile_template(text: str, field_name: str) -> Template:
    """The compiled template, or a DocumentError naming the field and the line of the syntax error."""
    try:
        return _TEXT_ENGINE.from_string(text)
    except TemplateSyntaxError as exc:
        raise DocumentError(_("模板语法错误：%(error)s") % {"error": _describe(exc)}, field=field_name)


def render_template_text(text: str, context: Mapping[str, Any], field_name: str) -> str:
    template = compile_template(text, field_name)
    try:
        return template.render(Context(dict(context), autoescape=False))
    except (TemplateSyntaxError, TemplateDoesNotExist) as exc:
        raise DocumentError(_("模板语法错误：%(error)s") % {"error": _describe(exc)}, field=field_name)
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError) as exc:
        raise DocumentError(_("模板无法渲染：%(error)s") % {"error": exc}, field=field_name)


def _describe(exc: Exception) -> str:
    info = getattr(exc, "template_debug", None)
    message = str(exc)
    if isinstance(exc, TemplateDoesNotExist):
        message = _("不支持引用其他模板（%(name)s）") % {"name": exc}
    if info and info.get("line"):
        return _("第 %(line)s 行：%(message)s") % {"line": info["line"], "message": message}
    return message


def chinese_date(day: dt.date | None) -> str:
    """成文日期 as GB/T 9704-2012 writes it: Arabic numerals, no leading zeros (2025年3月5日)."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def plain(value: Any) -> Any:
    """Context values as JSON-storable plain data: dates in Chinese form, decimals and lazy strings as text."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return chinese_date(timezone.localtime(value).date() if timezone.is_aware(value) else value.date())
    if isinstance(value, dt.date):
        return chinese_date(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Promise):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def format_number(prefix: str, year: int, seq: int) -> str:
    """发文字号: 机关代字 + 〔年份〕 + 序号 (GB/T 9704-2012 §7.2.4: 六角括号, 序号不编虚位)."""
    return f"{prefix}〔{year}〕{seq}号"


# ------------------------------------------------------------------------------------------------ issuing


def issue_document(
    template_code: str,
    *,
    context: Mapping[str, Any],
    actor: Any,
    obj: Any = None,
    year: int | None = None,
    on: dt.date | None = None,
    defer_files: bool = False,
) -> OfficialDocument:
    """签发公文: number, render and file one document inside the caller's transaction.

    `on` is the 成文日期 (default: today in Asia/Shanghai); `year` the numbering year (default: that of `on`).
    `defer_files` leaves the Word/PDF rendering (0.2–0.5 s) to a job after commit, for callers inside a busy
    transition; the download view renders on demand if the job has not run yet.
    A rolled-back caller gives the number back (the sequence row is part of the transaction).
    """
    template = DocumentTemplate.objects.filter(code=template_code).first()
    if template is None:
        raise DocumentError(_("公文模板“%(code)s”不存在，请先加载默认模板。") % {"code": template_code})
    on = on or timezone.localdate()
    year = year or on.year
    with transaction.atomic():
        seq = next_value(f"{template.number_prefix}/{year}")
        number = format_number(template.number_prefix, year, seq)
        data = plain(dict(context))
        data.update({"number": number, "issuer": template.issuer, "today": chinese_date(on)})
        data["_date"] = on.isoformat()
        title = " ".join(render_template_text(template.title, data, "title").split())
        body = render_template_text(template.body, data, "body").strip()
        document = OfficialDocument.objects.create(
            template=template,
            number=number,
            year=year,
            seq=seq,
            title=title[:300],
            body=body,
            context=data,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            issued_by=actor if getattr(actor, "is_authenticated", False) else None,
            issued_at=timezone.now(),
        )
        if defer_files:
            enqueue_on_commit(render_document_files, document.pk)
        else:
            render_files(document)
        audit.record(
            document,
            DOCUMENT_ISSUED,
            actor=actor,
            data={
                "number": number,
                "template": template.code,
                "object_type": document.object_type,
                "object_id": document.object_id,
            },
        )
    return document


def render_files(document: OfficialDocument) -> OfficialDocument:
    """Write the Word and PDF files of an issued document (slow part: a job can call this later)."""
    layout = layout_of(document)
    stem = f"{document.template.code}-{document.year}-{document.seq:04d}"
    document.docx.save(f"{stem}.docx", ContentFile(build_docx(layout)), save=False)
    document.pdf.save(f"{stem}.pdf", ContentFile(build_pdf(layout)), save=False)
    OfficialDocument.objects.filter(pk=document.pk).update(docx=document.docx.name, pdf=document.pdf.name)
    return document


@job
def render_document_files(document_id: int) -> dict[str, object]:
    """Write an issued document's Word and PDF files (deferred from a busy transaction); idempotent."""
    document = OfficialDocument.objects.filter(pk=document_id).select_related("template").first()
    if document is None:
        return {"rendered": False}
    render_files(document)
    return {"rendered": True, "number": document.number}


# ------------------------------------------------------------------------------------------------ layout


@dataclass(frozen=True)
class Block:
    kind: str  # addressee | paragraph | heading | subheading
    text: str


@dataclass
class Layout:
    """What both writers draw: the 版头, the 主体 as blocks, the signature, and the 版记."""

    issuer: str
    number: str
    title: str
    blocks: list[Block]
    date: str
    cc: str = ""
    mark_scale: float = 1.0  # horizontal scale of the 发文机关标志
    signature_left_pt: float = 0.0
    date_left_pt: float = 0.0
    print_line: tuple[str, str] = field(default=("", ""))
    title_lines: list[str] = field(default_factory=list)

    @property
    def mark_width_pt(self) -> float:
        return text_width(self.issuer, MARK_PT)


def text_width(text: str, size: float) -> float:
    """Approximate advance width: CJK and full-width characters one em, the rest half an em."""
    return sum(size if ord(ch) > 0x2E7F else size / 2 for ch in text)


# Without word segmentation, a title line preferably ends after one of these words (nearest within 3 chars).
_GOOD_LINE_ENDS = ("公司", "单位", "隐患", "情况", "部门", "关于", "关于对", "街道", "镇", "乡", "区")
_NO_LINE_START = set("，。、；：？！）》」』”’〕】%")
_NO_LINE_END = set("（《「『“‘〔【")


def title_lines(title: str, size: float = TITLE_PT, width: float = TEXT_WIDTH_PT) -> list[str]:
    """A long title broken into lines of even length, longer lines first (GB/T 9704-2012 §7.3.1: 梯形或菱形,
    not one word left alone on the last line), never inside a Latin word or number or before a closing mark."""
    lines: list[str] = []
    rest = title
    count = math.ceil(text_width(title, size) / width)
    for remaining in range(count, 1, -1):
        target = text_width(rest, size) / remaining
        cut = 1
        while cut < len(rest) and text_width(rest[:cut], size) < target:
            cut += 1
        while 1 < cut < len(rest) and (
            rest[cut] in _NO_LINE_START
            or rest[cut - 1] in _NO_LINE_END
            or (
                rest[cut - 1].isascii()
                and rest[cut - 1].isalnum()
                and rest[cut].isascii()
                and rest[cut].isalnum()
            )
        ):
            cut += 1 if text_width(rest[: cut + 1], size) <= width else -1
            if text_width(rest[:cut], size) > width:
                break
        fits = [
            c for c in range(max(1, cut - 3), min(len(rest), cut + 4)) if text_width(rest[:c], size) <= width
        ]
        preferred = [c for c in fits if rest[:c].endswith(_GOOD_LINE_ENDS) and rest[c] not in _NO_LINE_START]
        if preferred:
            cut = min(preferred, key=lambda c: (abs(c - cut), -c))
        lines.append(rest[:cut])
        rest = rest[cut:]
    lines.append(rest)
    return [line for line in lines if line]


_HEADING = re.compile(r"^#\s*(.+)$")
# Spaces next to Chinese text are typing noise in a 公文, and justified lines would stretch them into gaps.
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t]+|[ \t]+(?=[\u3000-\u9fff\uff00-\uffef])")
_SUBHEADING = re.compile(r"^##\s*(.+)$")
_CC = re.compile(r"^抄送[：:]\s*(.*)$")


def parse_body(body: str) -> tuple[list[Block], str]:
    """Blocks of the 主体 and the 抄送 text from the rendered body (markup in the module docstring)."""
    blocks: list[Block] = []
    cc: list[str] = []
    for raw in body.splitlines():
        line = raw.strip().replace("\u3000", " ").strip()
        if not line:
            continue
        if not line.startswith("#"):
            line = _CJK_SPACE.sub("", line)
        if m := _CC.match(line):
            if m.group(1).strip():
                cc.append(m.group(1).strip().rstrip("。"))
            continue
        if m := _SUBHEADING.match(line):
            blocks.append(Block("subheading", _CJK_SPACE.sub("", m.group(1).strip())))
        elif m := _HEADING.match(line):
            blocks.append(Block("heading", _CJK_SPACE.sub("", m.group(1).strip())))
        elif not blocks and line.endswith(("：", ":")) and len(line) <= 120:
            blocks.append(Block("addressee", line.rstrip(":").rstrip("：") + "："))
        else:
            blocks.append(Block("paragraph", line))
    return blocks, "，".join(cc)


def layout_of(document: OfficialDocument) -> Layout:
    context = document.context if isinstance(document.context, dict) else {}
    issuer = str(context.get("issuer") or document.template.issuer)
    try:
        day = dt.date.fromisoformat(str(context.get("_date")))
    except ValueError:
        day = timezone.localtime(document.issued_at).date()
    blocks, cc = parse_body(document.body)
    date = chinese_date(day)
    layout = Layout(
        issuer=issuer, number=document.number, title=document.title, blocks=blocks, date=date, cc=cc
    )
    layout.mark_scale = min(1.0, TEXT_WIDTH_PT / max(layout.mark_width_pt, 1.0))
    # GB/T 9704-2012 §7.3.5.2 (不加盖印章): 署名 右空二字; 日期 首字比署名首字右移二字; a longer date 右空二字.
    em = CHAR_PITCH
    sig_w, date_w = text_width(issuer, em), text_width(date, em)
    sig_left = TEXT_WIDTH_PT - 2 * em - sig_w
    date_left = sig_left + 2 * em
    if date_left + date_w > TEXT_WIDTH_PT - 2 * em:
        date_left = TEXT_WIDTH_PT - 2 * em - date_w
        sig_left = date_left - 2 * em
    layout.signature_left_pt = max(0.0, sig_left)
    layout.date_left_pt = max(0.0, date_left)
    layout.print_line = (issuer, f"{date}印发")
    layout.title_lines = title_lines(document.title)
    return layout


# ------------------------------------------------------------------------------------------------- Word


def build_docx(layout: Layout) -> bytes:
    """The Word file: 版头 (red 标志, 文号, red rule), title, 主体, signature, 版记, page numbers."""
    from docx import Document  # lazy: python-docx is loaded only when a file is written
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt, RGBColor  # lazy: python-docx

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(PAGE_MARGINS_MM["top"]), Mm(PAGE_MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(PAGE_MARGINS_MM["left"]), Mm(PAGE_MARGINS_MM["right"])
    section.footer_distance = Mm(PAGE_MARGINS_MM["bottom"] - 7 - 5)  # 页码 7 mm below the 版心

    _grid(section)
    defaults = doc.styles.element.find(_qn("w:docDefaults"))
    default_fonts = defaults.find(f"{_qn('w:rPrDefault')}/{_qn('w:rPr')}") if defaults is not None else None
    if default_fonts is not None:
        _set_font(default_fonts, SERIF)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_font(normal.element.get_or_add_rPr(), SERIF)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(LINE_PT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)

    def paragraph(
        text: str = "",
        *,
        size: float = BODY_PT,
        font: str = SERIF,
        bold: bool = False,
        color: str | None = None,
        align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
        first_line_chars: int = 0,
        left_pt: float = 0.0,
        line_pt: float | None = None,
        before_pt: float = 0.0,
        after_pt: float = 0.0,
        scale: float = 1.0,
    ) -> Any:
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.alignment = align
        if line_pt is not None:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(line_pt)
        fmt.space_before, fmt.space_after = Pt(before_pt), Pt(after_pt)
        if first_line_chars:
            fmt.first_line_indent = Pt(size * first_line_chars)
            _ind(p).set(_qn("w:firstLineChars"), str(first_line_chars * 100))
        if left_pt:
            fmt.left_indent = Pt(left_pt)
        if text:
            run = p.add_run(text)
            run.font.size = Pt(size)
            run.font.bold = bold
            if color:
                run.font.color.rgb = RGBColor.from_string(color)
            rpr = run._r.get_or_add_rPr()
            _set_font(rpr, font)
            if scale < 1.0:
                _insert_rpr(rpr, "w:w", {"w:val": str(max(33, int(scale * 100)))})
        return p

    # 版头: 发文机关标志 (red, centred), 空二行, 发文字号 (centred), red rule 4 mm below it.
    paragraph(
        layout.issuer,
        size=MARK_PT,
        bold=True,
        color=RED,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line_pt=MARK_PT * 1.25,
        before_pt=LINE_PT * 0.5,
        scale=layout.mark_scale,
    )
    number = paragraph(layout.number, align=WD_ALIGN_PARAGRAPH.CENTER, before_pt=LINE_PT * 1.5)
    _border(number, "bottom", RED, size_eighths=12, space_pt=11)
    # 标题: 红色分隔线下空二行, 2号小标宋, centred.
    title = paragraph(
        layout.title_lines[0] if layout.title_lines else layout.title,
        size=TITLE_PT,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line_pt=TITLE_PT * 1.5,
        before_pt=LINE_PT * 1.6,
        after_pt=LINE_PT * 0.9,
    )
    for line in layout.title_lines[1:]:
        title.runs[-1].add_break()
        run = title.add_run(line)
        run.font.size, run.font.bold = Pt(TITLE_PT), True
        _set_font(run._r.get_or_add_rPr(), SERIF)
    for block in layout.blocks:
        if block.kind == "addressee":
            paragraph(block.text)
        elif block.kind == "heading":
            paragraph(block.text, font=SANS, first_line_chars=2)
        elif block.kind == "subheading":
            paragraph(block.text, bold=True, first_line_chars=2)
        else:
            paragraph(block.text, first_line_chars=2)
    # 署名 and 成文日期 (no seal): one blank line below the text.
    paragraph(
        layout.issuer, align=WD_ALIGN_PARAGRAPH.LEFT, left_pt=layout.signature_left_pt, before_pt=LINE_PT
    )
    paragraph(layout.date, align=WD_ALIGN_PARAGRAPH.LEFT, left_pt=layout.date_left_pt)
    # 版记: 抄送 and 印发 lines between rules, 4号.
    cc = None
    if layout.cc:
        cc = paragraph(
            f"抄送：{layout.cc}。", size=FOOTER_PT, left_pt=FOOTER_PT, before_pt=LINE_PT * 2, line_pt=LINE_PT
        )
        _border(cc, "top", "000000", size_eighths=8, space_pt=4)
        _border(cc, "bottom", "000000", size_eighths=4, space_pt=4)
    issued = paragraph(
        "", size=FOOTER_PT, before_pt=0 if cc else LINE_PT * 2, line_pt=LINE_PT, align=WD_ALIGN_PARAGRAPH.LEFT
    )
    _tab_line(issued, layout.print_line, FOOTER_PT)
    if cc is None:
        _border(issued, "top", "000000", size_eighths=8, space_pt=4)
    _border(issued, "bottom", "000000", size_eighths=8, space_pt=4)
    # 页码: 4号, "— 1 —", odd pages right, even pages left (GB/T 9704-2012 §7.5).
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], right=True)
    _page_number(section.even_page_footer.paragraphs[0], right=False)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn  # lazy: python-docx, as in build_docx

    return qn(tag)


def _set_font(rpr: Any, font: str) -> None:
    """Latin and East Asian font alike: Word picks w:eastAsia for Chinese characters. Theme fonts are
    dropped, because a theme attribute wins over the explicit name."""
    fonts = rpr.get_or_add_rFonts()
    for attr in list(fonts.attrib):
        if attr.lower().endswith("theme"):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(_qn(attr), font)


# CT_RPr children that must follow w:w (ECMA-376 order); a misplaced element makes Word repair the file.
_AFTER_W = (
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:vertAlign",
    "w:lang",
)


def _insert_rpr(rpr: Any, tag: str, attrs: Mapping[str, str]) -> None:
    element = rpr.makeelement(_qn(tag), {_qn(k): v for k, v in attrs.items()})
    successor = next((e for t in _AFTER_W if (e := rpr.find(_qn(t))) is not None), None)
    if successor is not None:
        successor.addprevious(element)
    else:
        rpr.append(element)


def _ind(p: Any) -> Any:
    return p._p.get_or_add_pPr().get_or_add_ind()


def _grid(section: Any) -> None:
    """文档网格: 22 lines of 28 characters, as GB/T 9704-2012 §5.2.2 asks."""
    sect = section._sectPr
    grid = sect.find(_qn("w:docGrid"))
    if grid is None:
        grid = sect.makeelement(_qn("w:docGrid"), {})
        sect.append(grid)
    grid.set(_qn("w:type"), "linesAndChars")
    grid.set(_qn("w:linePitch"), str(round(LINE_PT * 20)))
    # Extra pitch per character in 1/4096 pt relative to the Normal font size.
    grid.set(_qn("w:charSpace"), str(round((CHAR_PITCH - BODY_PT) * 4096)))


def _border(p: Any, side: str, color: str, *, size_eighths: int, space_pt: int) -> None:
    ppr = p._p.get_or_add_pPr()
    borders = ppr.find(_qn("w:pBdr"))
    if borders is None:
        borders = ppr.makeelement(_qn("w:pBdr"), {})
        # w:pBdr must precede spacing/ind/jc in CT_PPr; insert it before the first of those present.
        successors = [ppr.find(_qn(t)) for t in ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")]
        anchor = next((s for s in successors if s is not None), None)
        if anchor is not None:
            anchor.addprevious(borders)
        else:
            ppr.append(borders)
    edge = borders.makeelement(
        _qn(f"w:{side}"),
        {
            _qn("w:val"): "single",
            _qn("w:sz"): str(size_eighths),
            _qn("w:space"): str(space_pt),
            _qn("w:color"): color,
        },
    )
    borders.append(edge)


def _tab_line(p: Any, parts: tuple[str, str], size: float) -> None:
    """`左文字<TAB>右文字`: 印发机关 左空一字, 印发日期 右空一字."""
    from docx.enum.text import WD_TAB_ALIGNMENT  # lazy: python-docx
    from docx.shared import Pt  # lazy: python-docx

    p.paragraph_format.left_indent = Pt(size)
    p.paragraph_format.right_indent = Pt(size)
    # Tab stops count from the page's text margin, not from the indent: the right indent's position.
    p.paragraph_format.tab_stops.add_tab_stop(Pt(TEXT_WIDTH_PT - size), WD_TAB_ALIGNMENT.RIGHT)
    run = p.add_run(f"{parts[0]}\t{parts[1]}")
    run.font.size = Pt(size)
    _set_font(run._r.get_or_add_rPr(), SERIF)


def _page_number(p: Any, *, right: bool) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # lazy: python-docx
    from docx.shared import Pt  # lazy: python-docx

    # 单页码居右空一字，双页码居左空一字.
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    if right:
        p.paragraph_format.right_indent = Pt(FOOTER_PT)
    else:
        p.paragraph_format.left_indent = Pt(FOOTER_PT)
    for text in ("— ", None, " —"):
        if text is None:
            fld = p._p.makeelement(_qn("w:fldSimple"), {_qn("w:instr"): "PAGE"})
            r = fld.makeelement(_qn("w:r"), {})
            t = r.makeelement(_qn("w:t"), {})
            t.text = "1"
            r.append(t)
            fld.append(r)
            p._p.append(fld)
            continue
        run = p.add_run(text)
        run.font.size = Pt(FOOTER_PT)
        _set_font(run._r.get_or_add_rPr(), SERIF)


# -------------------------------------------------------------------------------------------------- PDF


def build_pdf(layout: Layout) -> bytes:
    """The PDF from `core/documents/official.html`; WeasyPrint embeds subsets of the CJK fonts it uses."""
    from weasyprint import HTML  # lazy: WeasyPrint is slow to import; only PDF rendering needs it

    html = render_official_html(layout)
    return bytes(HTML(string=html).write_pdf())


def render_official_html(layout: Layout, *, preview: bool = False) -> str:
    return render_to_string(
        "core/documents/official.html",
        {
            "layout": layout,
            "preview": preview,
            "serif": SERIF,
            "sans": SANS,
            "red": RED,
            "margins": PAGE_MARGINS_MM,
            "body_pt": BODY_PT,
            "title_pt": TITLE_PT,
            "footer_pt": FOOTER_PT,
            "line_pt": round(LINE_PT, 2),
            "mark_pt": MARK_PT,
            "text_width_pt": round(TEXT_WIDTH_PT, 2),
            "mark_width_pt": round(layout.mark_width_pt, 2),
            "mark_offset_pt": round((TEXT_WIDTH_PT - layout.mark_width_pt) / 2, 2),
            # The same spacing as the Word file (see build_docx).
            "css": {
                "mark_before": round(LINE_PT * 0.5, 2),
                "mark_line": MARK_PT * 1.25,
                "number_gap": round(LINE_PT * 1.5, 2),
                "title_before": round(LINE_PT * 1.6, 2),
                "title_after": round(LINE_PT * 0.9, 2),
                "title_line": TITLE_PT * 1.5,
                "record_gap": round(LINE_PT * 2, 2),
                "cc_indent": FOOTER_PT * 4,
                "letter_spacing": round(CHAR_PITCH - BODY_PT, 3),
                "indent": round(CHAR_PITCH * 2, 3),
            },
        },
    )


# ------------------------------------------------------------------------------------- default templates


def _read_data() -> dict[str, Any]:
    """The core templates plus those each app ships in its own `data/document_templates.json`."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    for config in apps.get_app_configs():
        path = Path(config.path) / "data" / "document_templates.json"
        if path == DATA_FILE or not path.exists():
            continue
        extra = json.loads(path.read_text(encoding="utf-8"))
        data["templates"].extend(extra.get("templates", []))
        data["sample_context"].update(extra.get("sample_context", {}))
    return data


def template_variables(code: str) -> dict[str, str]:
    """The variables a template may use, with their meaning (for the editor's help panel)."""
    data = _read_data()
    variables = dict(data.get("common_variables", {}))
    if code.startswith("hazard_"):
        variables.update(data.get("hazard_variables", {}))
    spec: dict[str, Any] = next((t for t in data["templates"] if t["code"] == code), {})
    variables.update(spec.get("variables", {}))
    return variables


def sample_context(code: str | None = None) -> dict[str, Any]:
    """Made-up values for previewing a template (never stored)."""
    data = _read_data()
    sample = dict(data["sample_context"])
    spec = next((t for t in data["templates"] if t["code"] == code), None)
    if spec is not None:
        sample.update(spec.get("sample", {}))
    return sample


@transaction.atomic
def load_document_templates(actor: Any = None) -> dict[str, int]:
    """Create the default templates that are missing; templates the office has edited are kept as they are."""
    existing = set(DocumentTemplate.objects.values_list("code", flat=True))
    created = 0
    for row in _read_data()["templates"]:
        if row["code"] in existing:
            continue
        DocumentTemplate.objects.create(
            code=row["code"],
            name=row["name"],
            issuer=row["issuer"],
            number_prefix=row["number_prefix"],
            title=row["title"],
            body="\n".join(row["body"]) if isinstance(row["body"], list) else row["body"],
            verified=row.get("verified", False),
        )
        created += 1
    if created:
        audit.record(
            None,
            DOCUMENT_TEMPLATES_LOADED,
            actor=actor,
            object_type="core.documenttemplate",
            data={"created": created},
        )
    return {"document_templates": created}


TEMPLATE_FIELDS = ("name", "issuer", "number_prefix", "title", "body", "verified")
_PREFIX = re.compile(r"^[\u4e00-\u9fffA-Za-z]{1,20}$")


def check_template_text(title: str, body: str, code: str | None = None) -> tuple[str, str]:
    """Compile and render both texts with the sample context; DocumentError on the field at fault."""
    sample = {
        **sample_context(code),
        "number": "屈安办函〔2025〕1号",
        "today": chinese_date(timezone.localdate()),
    }
    rendered = {}
    for name, text in (("title", title), ("body", body)):
        rendered[name] = render_template_text(text, sample, name)
        # An unclosed tag is not a syntax error to Django (it stays as text); in a 公文 it is always a typo.
        leftover = next((m for m in ("{{", "}}", "{%", "%}", "{#", "#}") if m in rendered[name]), None)
        if leftover:
            raise DocumentError(
                _("模板语法错误：“%(mark)s”没有配对，请检查变量和标签是否完整。") % {"mark": leftover},
                field=name,
            )
    return rendered["title"], rendered["body"]


@transaction.atomic
def update_document_template(
    template: DocumentTemplate, *, actor: Any, version: int, **changes: Any
) -> DocumentTemplate:
    """修改公文模板: validate the texts, then compare-and-swap on `version` (a stale editor gets 409)."""
    unknown = set(changes) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ValueError(f"unknown template fields {sorted(unknown)}")
    values = {k: changes.get(k, getattr(template, k)) for k in TEMPLATE_FIELDS}
    for name in ("name", "issuer", "title", "body"):
        values[name] = str(values[name]).strip() if name != "body" else str(values[name]).strip("\n")
        if not values[name].strip():
            raise DocumentError(_("此项不能为空。"), field=name)
    values["number_prefix"] = str(values["number_prefix"]).strip()
    if not _PREFIX.match(values["number_prefix"]):
        raise DocumentError(
            _("文号前缀只能由汉字或字母组成（如 屈安办函），不含空格、括号和数字。"), field="number_prefix"
        )
    check_template_text(values["title"], values["body"], template.code)
    changed = {k: v for k, v in values.items() if v != getattr(template, k)}
    template.version = version
    compare_and_swap(template, expected={}, changes=changed)
    audit.record(
        template,
        DOCUMENT_TEMPLATE_CHANGED,
        actor=actor,
        data={k: (v if k not in ("title", "body") else True) for k, v in changed.items()},
    )
    return template


def preview_layout(
    template: DocumentTemplate, *, title: str, body: str, issuer: str = "", number_prefix: str = ""
) -> Layout:
    """The layout the (unsaved) template text would give with the sample context; nothing is stored."""
    rendered_title, rendered_body = check_template_text(title, body, template.code)
    issuer = issuer or template.issuer
    document = OfficialDocument(
        template=template,
        number=format_number(number_prefix or template.number_prefix, timezone.localdate().year, 1),
        year=timezone.localdate().year,
        seq=1,
        title=" ".join(rendered_title.split()),
        body=rendered_body.strip(),
        context={"issuer": issuer, "_date": timezone.localdate().isoformat()},
        issued_at=timezone.now(),
    )
    return layout_of(document)


# ---------------------------------------------------------------------------------------------- access

# object_type ("hazards.hazard") → check(user, object_id): whether the user may see that object. Apps
# register their own (core knows no domain nouns); a document about an object is visible with the object.
DocumentAccessCheck = Callable[[Any, str], bool]
_ACCESS: dict[str, DocumentAccessCheck] = {}


def register_document_access(object_type: str, check: DocumentAccessCheck) -> None:
    _ACCESS[object_type] = check


def can_view_document(user: Any, document: OfficialDocument) -> bool:
    """Visible with the object it concerns, or to whoever may view official documents in general."""
    check = _ACCESS.get(document.object_type) if document.object_type else None
    if check is not None and check(user, document.object_id):
        return True
    return can(user, "view", OfficialDocument)


def download_url(document: OfficialDocument, fmt: str = "pdf") -> str:
    """The scoped download link, or "" while the route is not installed."""
    try:
        return reverse("core:document_download", args=[document.pk, fmt])
    except NoReverseMatch:
        return ""
