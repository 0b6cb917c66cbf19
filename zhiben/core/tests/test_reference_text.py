"""What the data files put on screen is for officials: no research notes, file paths or English markers.

Provenance marks such as `[M]`, `research/domain.md §7.2`, `NOT FOUND` or `Wikipedia` belong in the research
notes; a 来源 column shows a document's name (`_comment` keys are for developers and are not shown)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEVELOPER_TEXT = re.compile(r"research/|NOT FOUND|Wikipedia|\[[MUV]\]|docs/|\.md\b")


def shown_texts(value: Any, where: str) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [t for k, v in value.items() if not k.startswith("_") for t in shown_texts(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [t for v in value for t in shown_texts(v, where)]
    return [(where, value)] if isinstance(value, str) else []


def developer_text_in(files: list[Path]) -> list[str]:
    found = []
    for path in files:
        for where, text in shown_texts(json.loads(path.read_text(encoding="utf-8")), path.name):
            if DEVELOPER_TEXT.search(text):
                found.append(f"{where}: {text[:80]}")
    return found


def test_no_data_file_shows_research_notes_or_paths() -> None:
    files = sorted(ROOT.glob("*/data/**/*.json"))
    assert len(files) >= 5
    assert developer_text_in(files) == []


def test_it_notices_a_research_note(tmp_path: Path) -> None:
    data = tmp_path / "regions.json"
    data.write_text(json.dumps([{"source": "村名见 research/domain.md §7.2 [M]", "_comment": "docs/x.md"}]))
    assert developer_text_in([data]) == ["regions.json.source: 村名见 research/domain.md §7.2 [M]"]


def test_every_model_and_field_is_named_in_chinese() -> None:
    """Model and field names reach the screen (audit log filters, detail pages, error messages): none is the
    English default Django derives from the class or attribute name."""
    from django.apps import apps  # the app registry is ready only once the test session has set Django up

    latin_only = re.compile(r"^[A-Za-z0-9 _\-]+$|[^\x00-\x7f]s$")
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("zhiben."):
            continue
        meta = model._meta
        for name in (meta.verbose_name, meta.verbose_name_plural):
            if latin_only.search(str(name)):
                found.append(f"{meta.label}: {name}")
        for field in meta.get_fields():
            name = getattr(field, "verbose_name", None)
            if name is not None and not field.auto_created and latin_only.search(str(name)):
                found.append(f"{meta.label}.{field.name}: {name}")
    assert found == [], "\n".join(found)
