"""docs/performance.md is written by the benchmarks, not by hand: each run of a benchmark (bench/run.py) or of
the full load test (bench/load/run.py) replaces its own section there with what it printed, when, on which
database and machine, and the load average before and after.

A section is delimited by `<!-- bench:NAME -->` … `<!-- /bench:NAME -->`; sections of benchmarks not run keep
their last figures (with their own date), new ones are appended in the order they first ran."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import platform
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
HEADER = """# Performance

Every figure below was printed by a benchmark and written here by it (`bench/report.py`); do not edit the
sections by hand — run the benchmark again. Ratios are against a floor measured in the same run (see each
benchmark's docstring in `bench/`). Times are Beijing time.
"""


class _Tee(io.TextIOBase):
    def __init__(self, *streams: Any) -> None:
        self.streams = streams

    def write(self, s: str) -> int:
        for stream in self.streams:
            stream.write(s)
        return len(s)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on Linux
        return "?"


@contextlib.contextmanager
def section(name: str, title: str, **meta: Any) -> Iterator[None]:
    """Print as usual while the block runs; afterwards write what was printed as the section `name`."""
    buf = io.StringIO()
    before = _load()
    started = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    out = sys.stdout
    sys.stdout = _Tee(out, buf)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout = out
    text = buf.getvalue().strip("\n")
    if os.environ.get("BENCH_NO_REPORT"):
        return
    details = ", ".join(f"{k} {v}" for k, v in meta.items() if v is not None)
    body = (
        f"## {title}\n\n"
        f"Run {started:%Y-%m-%d %H:%M} on {platform.node() or 'this machine'} ({os.cpu_count()} cores"
        f"{', ' + details if details else ''}); load average before {before}, after {_load()}.\n\n"
        f"```\n{text}\n```\n"
    )
    write_section(name, body)


def write_section(name: str, body: str, doc: Path | None = None) -> None:
    doc = doc or DOC
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    current = doc.read_text(encoding="utf-8") if doc.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: block, current)
    else:
        updated = current.rstrip("\n") + "\n\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(updated if updated.endswith("\n") else updated + "\n", encoding="utf-8")
