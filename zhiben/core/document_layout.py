"""The page of a document (公文, 执法文书, 笔录) as both writers draw it: GB/T 9704-2012 sizes, the blocks of the
主体 parsed from the office's light markup, and the title broken into lines. Pure functions, no database.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

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
HEAD_PT = 22.0  # 执法文书/笔录: the issuing body's full name over the title (2号, black), narrowed likewise
# A signature blank: the label, room to sign, then the date to fill in by hand.
SIGN_DATE = "年　　月　　日"


@dataclass(frozen=True)
class Block:
    kind: str  # addressee | paragraph | heading | subheading | field | sign
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
    kind: str = "official"  # official (公文) | enforcement (执法文书) | record (笔录): DocumentTemplate.kind

    @property
    def is_official(self) -> bool:
        """公文: red header and rule, 版记 with 印发 line."""
        return self.kind == "official"

    @property
    def has_closing(self) -> bool:
        """署名 and date at the end (公文, 执法文书); a 笔录 ends with its signature blanks instead."""
        return self.kind != "record"

    @property
    def sign_date(self) -> str:
        return SIGN_DATE

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
_FIELD = re.compile(r"^=\s*(.+)$")
_SIGN = re.compile(r"^>\s*(.+)$")
# Put before a line of a context value (a unit's name, a hazard's title, what an inspector wrote) that would
# read as markup ("# …", "= …", "> …", "抄送：…"), so it stays text (documents.literal_values). A zero-width
# space: invisible in Word and PDF, and not whitespace to str.strip(), so no markup pattern matches the line.
LITERAL = "\u200b"
MARKUP_START = ("#", "=", ">", "抄送")


def strip_literal(text: str) -> str:
    return text.replace(LITERAL, "")


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
        if m := _FIELD.match(line):
            blocks.append(Block("field", _CJK_SPACE.sub("", m.group(1).strip())))
        elif m := _SIGN.match(line):
            blocks.append(Block("sign", _CJK_SPACE.sub("", m.group(1).strip())))
        elif m := _SUBHEADING.match(line):
            blocks.append(Block("subheading", _CJK_SPACE.sub("", m.group(1).strip())))
        elif m := _HEADING.match(line):
            blocks.append(Block("heading", _CJK_SPACE.sub("", m.group(1).strip())))
        elif not blocks and line.endswith(("：", ":")) and len(line) <= 120:
            blocks.append(Block("addressee", line.rstrip(":").rstrip("：") + "："))
        else:
            blocks.append(Block("paragraph", line))
    return blocks, "，".join(cc)
