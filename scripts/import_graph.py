#!/usr/bin/env python3
"""Print the import graph of the product's modules as Graphviz dot text (tests and migrations aside).

    python scripts/import_graph.py                 # apps: core, accounts, registry, …
    python scripts/import_graph.py --modules       # every module
    python scripts/import_graph.py | dot -Tsvg > var/imports.svg

Circles, if any, are listed on stderr and the exit status is 1 (zhiben/core/tests/test_imports.py fails too).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zhiben.core import import_graph  # after sys.path: reads the files, imports nothing of them


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--modules", action="store_true", help="one node per module instead of per app")
    args = parser.parse_args()
    found = import_graph.imports()
    graph = import_graph.module_graph(found) if args.modules else import_graph.app_graph(found)
    sys.stdout.write(import_graph.to_dot(graph, name="modules" if args.modules else "apps"))
    circles = import_graph.cycles(graph)
    for circle in circles:
        print("import circle: " + " ↔ ".join(circle), file=sys.stderr)
    return 1 if circles else 0


if __name__ == "__main__":
    raise SystemExit(main())
