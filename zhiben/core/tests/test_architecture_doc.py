"""docs/architecture.md stays true: every file its mechanism table names exists, and so does every function,
class or command it names there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "architecture.md"
COMMANDS = ROOT / "zhiben"


def table_rows() -> list[tuple[str, list[str], list[str]]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Where each mechanism lives", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("mechanism", "---"):
            continue
        files = re.findall(r"`([^`]+)`", cells[1])
        names = re.findall(r"`([^`]+)`", cells[2])
        rows.append((cells[0], files, names))
    return rows


def defines(source: str, name: str) -> bool:
    return (
        re.search(rf"^\s*(def|class)\s+{re.escape(name)}\b|^{re.escape(name)}\s*[:=]", source, re.M)
        is not None
    )


def command_exists(words: list[str]) -> bool:
    """`zhiben draw replay` is the `draw` command with its argument; `zhiben audit verify` is `audit_verify`
    (as zhiben/cli.py maps them)."""
    name = f"audit_{words[2]}" if words[1] == "audit" and len(words) > 2 else words[1].replace("-", "_")
    return any(COMMANDS.glob(f"*/management/commands/{name}.py"))


def missing_names() -> list[str]:
    missing = []
    for mechanism, files, names in table_rows():
        paths = [ROOT / f for f in files]
        missing += [f"{mechanism}: {p.relative_to(ROOT)}" for p in paths if not p.exists()]
        sources = "\n".join(p.read_text(encoding="utf-8") for p in paths if p.exists())
        for name in names:
            if name.startswith("zhiben "):
                ok = command_exists(name.split())
            elif "/" in name:
                ok = (ROOT / "zhiben" / name).exists() or (ROOT / name).exists()
            else:
                ok = all(defines(sources, part) for part in name.split("."))
            if not ok:
                missing.append(f"{mechanism}: {name}")
    return missing


def test_the_mechanism_table_names_only_what_exists() -> None:
    assert len(table_rows()) >= 10, "the table was not found"
    assert missing_names() == []


def test_the_check_notices_a_name_that_does_not_exist() -> None:
    assert not defines("def record(obj):\n    pass\n", "recorded")
    assert defines("class Flow:\n    def advance(self):\n        pass\n", "advance")
    assert not command_exists(["zhiben", "no_such_command"])
    assert command_exists(["zhiben", "audit", "verify"])
