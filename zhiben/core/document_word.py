"""The Word file (python-docx) of a document (公文, 执法文书, 笔录), drawn from its `Layout`."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from .document_layout import (
    BODY_PT,
    CHAR_PITCH,
    FOOTER_PT,
    HEAD_PT,
    LINE_PT,
    MARK_PT,
    PAGE_MARGINS_MM,
    RED,
    SANS,
    SERIF,
    TEXT_WIDTH_PT,
    TITLE_PT,
    Layout,
)


def build_docx(layout: Layout) -> bytes:
    """The Word file: 版头 (公文: red 标志, 文号, red rule; 执法文书/笔录: full name, title, 文号), 主体,
    signature (笔录: signature blanks), 版记 (公文 only), page numbers."""
    from docx import Document  # lazy: python-docx is loaded only when a file is written
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING  # lazy: python-docx
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

    if layout.is_official:
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
    else:
        # 执法文书: the issuing body's full name (black), the title under it, then the 文号.
        paragraph(
            layout.issuer,
            size=HEAD_PT,
            bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            line_pt=TITLE_PT * 1.5,
            before_pt=LINE_PT * 0.5,
            scale=layout.mark_scale,
        )
    # 标题: 红色分隔线下空二行 (公文), 2号小标宋, centred.
    title = paragraph(
        layout.title_lines[0] if layout.title_lines else layout.title,
        size=TITLE_PT,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line_pt=TITLE_PT * 1.5,
        before_pt=LINE_PT * 1.6 if layout.is_official else 0,
        after_pt=LINE_PT * 0.9 if layout.is_official else 0,
    )
    for line in layout.title_lines[1:]:
        title.runs[-1].add_break()
        run = title.add_run(line)
        run.font.size, run.font.bold = Pt(TITLE_PT), True
        _set_font(run._r.get_or_add_rPr(), SERIF)
    if not layout.is_official:
        paragraph(layout.number, align=WD_ALIGN_PARAGRAPH.CENTER, after_pt=LINE_PT * 0.9)
    for block in layout.blocks:
        if block.kind in ("addressee", "field"):
            paragraph(block.text)
        elif block.kind == "sign":
            _sign_line(paragraph("", align=WD_ALIGN_PARAGRAPH.LEFT, before_pt=LINE_PT), block.text, layout)
        elif block.kind == "heading":
            paragraph(block.text, font=SANS, first_line_chars=2)
        elif block.kind == "subheading":
            paragraph(block.text, bold=True, first_line_chars=2)
        else:
            paragraph(block.text, first_line_chars=2)
    if layout.has_closing:
        # 署名 and 成文日期 (no seal): one blank line below the text.
        paragraph(
            layout.issuer, align=WD_ALIGN_PARAGRAPH.LEFT, left_pt=layout.signature_left_pt, before_pt=LINE_PT
        )
        paragraph(layout.date, align=WD_ALIGN_PARAGRAPH.LEFT, left_pt=layout.date_left_pt)
    if not layout.is_official:
        if layout.kind == "record":
            _page_of_pages(section.footer.paragraphs[0])
        else:
            _page_number(section.footer.paragraphs[0], right=True)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()
    # 版记 (公文 only): 抄送 and 印发 lines between rules, 4号.
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
    from docx.oxml.ns import qn  # lazy: python-docx

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


def _sign_line(p: Any, label: str, layout: Layout) -> None:
    """A signature blank: `label<TAB leader ____><TAB>年 月 日`, the date flush right."""
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER  # lazy: python-docx
    from docx.shared import Pt  # lazy: python-docx

    date_w = len(layout.sign_date) * BODY_PT
    p.paragraph_format.tab_stops.add_tab_stop(
        Pt(TEXT_WIDTH_PT - date_w - BODY_PT), WD_TAB_ALIGNMENT.LEFT, WD_TAB_LEADER.LINES
    )
    p.paragraph_format.tab_stops.add_tab_stop(Pt(TEXT_WIDTH_PT), WD_TAB_ALIGNMENT.RIGHT)
    run = p.add_run(f"{label}\t\t{layout.sign_date}")
    run.font.size = Pt(BODY_PT)
    _set_font(run._r.get_or_add_rPr(), SERIF)


def _field(p: Any, instr: str) -> None:
    fld = p._p.makeelement(_qn("w:fldSimple"), {_qn("w:instr"): instr})
    r = fld.makeelement(_qn("w:r"), {})
    t = r.makeelement(_qn("w:t"), {})
    t.text = "1"
    r.append(t)
    fld.append(r)
    p._p.append(fld)


def _page_of_pages(p: Any) -> None:
    """笔录: "共 N 页 第 M 页" at the foot of every page, right."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # lazy: python-docx
    from docx.shared import Pt  # lazy: python-docx

    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.paragraph_format.right_indent = Pt(FOOTER_PT)
    for text in ("共 ", "NUMPAGES", " 页　第 ", "PAGE", " 页"):
        if text.isupper():
            _field(p, text)
            continue
        run = p.add_run(text)
        run.font.size = Pt(FOOTER_PT)
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
