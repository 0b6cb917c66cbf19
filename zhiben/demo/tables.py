"""Plain-text tables for the console that stay aligned with Chinese (double-width) characters."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def display_width(text: str) -> int:
    """Columns the text takes in a terminal: CJK and full-width characters count as two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> str:
    """Left-aligned columns separated by two spaces, with a rule under the header."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        widths = [max(w, display_width(str(cell))) for w, cell in zip(widths, row, strict=True)]
    lines = [indent + "  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append(indent + "  ".join("-" * w for w in widths))
    lines += [
        indent + "  ".join(pad(str(c), w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines)
