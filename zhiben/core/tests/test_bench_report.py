"""docs/performance.md is written by the benchmarks (bench/report.py): a run replaces its own section, keeps the
others, and appends a section it has not written before."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.report import HEADER, section, write_section


def test_a_benchmark_replaces_only_its_own_section(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    write_section("hazards", "## hazards\n\nold figure 1.0×", doc)
    write_section("monitoring", "## monitoring\n\n9,705 readings/s", doc)
    write_section("hazards", "## hazards\n\nnew figure 12.5×", doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    assert "new figure 12.5×" in text and "old figure" not in text
    assert "9,705 readings/s" in text
    assert text.index("<!-- bench:hazards -->") < text.index("<!-- bench:monitoring -->")
    assert text.count("<!-- bench:hazards -->") == 1


def test_what_a_benchmark_prints_is_what_the_section_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "performance.md"
    monkeypatch.setattr("bench.report.DOC", doc)
    monkeypatch.delenv("BENCH_NO_REPORT", raising=False)
    with section("draw", "`draw`", database="postgres", scale="city"):
        print("a) draw 40 ms | floor 20 ms | ratio 2.0×")
    assert "ratio 2.0×" in capsys.readouterr().out  # still printed
    text = doc.read_text(encoding="utf-8")
    assert "```\na) draw 40 ms | floor 20 ms | ratio 2.0×\n```" in text
    assert "database postgres, scale city" in text
