"""The import graph of the product's own modules, read from the source with `ast` (nothing is imported).

Tests and migrations are left out. Both module-level imports and imports inside functions count: an import
inside a function still makes one module depend on the other, it only postpones the moment. Imports under
`if TYPE_CHECKING:` never run and are left out. `zhiben/core/tests/test_imports.py` keeps the graph free of
circles; `scripts/import_graph.py` draws it (Graphviz dot).
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "zhiben"
ROOT = Path(__file__).resolve().parent.parent  # the zhiben/ package directory
_SKIPPED_PARTS = frozenset({"tests", "migrations"})
_SKIPPED_FILES = frozenset({"conftest.py"})


@dataclass(frozen=True)
class Import:
    """One `import` statement of a product module naming another product module."""

    source: str  # the importing module, e.g. "zhiben.hazards.services"
    target: str  # the imported module, e.g. "zhiben.core.audit"
    line: int
    in_function: bool
    commented: bool  # a comment on the statement's line(s) or on the line before


def product_modules(root: Path = ROOT) -> dict[str, Path]:
    """Module name → file, for every product module (tests, migrations and conftest aside)."""
    modules: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent)
        if _SKIPPED_PARTS & set(relative.parts) or path.name in _SKIPPED_FILES:
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _comment_lines(source: str) -> set[int]:
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            lines.add(token.start[0])
    return lines


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement with whether it sits inside a function body."""

    def walk(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    yield from walk(other, in_function)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, in_function
            else:
                inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
                yield from walk(child, inner)

    yield from walk(tree, False)


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The deepest product module a dotted name lands in ("zhiben.core.audit.record" → "zhiben.core.audit")."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: dict[str, Path]
) -> set[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        # `from package import submodule` imports the submodule; `from module import name` the module.
        names = [f"{prefix}.{alias.name}" for alias in node.names] or [prefix]
    found = set()
    for name in names:
        if name == PACKAGE or name.startswith(PACKAGE + "."):
            target = _resolve(name, modules)
            if target is None:
                continue
            # Importing a.b.c runs the packages a.b and a first; those the importer sits in already run.
            parts = target.split(".")
            for depth in range(2, len(parts) + 1):
                step = ".".join(parts[:depth])
                if step in modules and step != module and not module.startswith(step + "."):
                    found.add(step)
    return found


def imports(root: Path = ROOT) -> list[Import]:
    """Every import of a product module by a product module."""
    modules = product_modules(root)
    found: list[Import] = []
    for module, path in modules.items():
        source = path.read_text(encoding="utf-8")
        comments = _comment_lines(source)
        is_package = path.name == "__init__.py"
        for node, in_function in _statements(ast.parse(source, filename=str(path))):
            span = set(range(node.lineno - 1, (node.end_lineno or node.lineno) + 1))
            for target in sorted(_targets(node, module, is_package, modules)):
                found.append(Import(module, target, node.lineno, in_function, bool(span & comments)))
    return found


def uncommented_function_imports(root: Path = ROOT) -> list[str]:
    """`path:line` of each import statement inside a function with no comment giving its reason.

    Every import counts here, the standard library's and third parties' too: one that need not be local belongs
    at the top of the module.
    """
    out = []
    for path in product_modules(root).values():
        source = path.read_text(encoding="utf-8")
        comments = _comment_lines(source)
        for node, in_function in _statements(ast.parse(source, filename=str(path))):
            if (
                in_function
                and not set(range(node.lineno - 1, (node.end_lineno or node.lineno) + 1)) & comments
            ):
                out.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return out


def module_graph(found: Iterable[Import]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for imp in found:
        graph.setdefault(imp.source, set()).add(imp.target)
        graph.setdefault(imp.target, set())
    return graph


def app_of(module: str) -> str:
    """ "zhiben.hazards.services" → "hazards"; project modules ("zhiben.urls") → "zhiben"."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (ROOT / parts[1]).is_dir()) else PACKAGE


def app_graph(found: Iterable[Import]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for imp in found:
        source, target = app_of(imp.source), app_of(imp.target)
        graph.setdefault(source, set())
        graph.setdefault(target, set())
        if source != target:
            graph[source].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each sorted: the import circles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def to_dot(graph: dict[str, set[str]], *, name: str = "imports") -> str:
    """Graphviz dot text of a graph (`dot -Tsvg`)."""
    lines = [f"digraph {name} {{", "  rankdir=BT;", "  node [shape=box, fontname=Helvetica];"]
    for node in sorted(graph):
        lines.append(f'  "{node}";')
        for target in sorted(graph[node]):
            lines.append(f'  "{node}" -> "{target}";')
    lines.append("}")
    return "\n".join(lines) + "\n"
