"""The layers of the code, as imports: no circles, and nothing below the UI imports the UI.

Read from the source with :mod:`ast` (nothing is imported), so the test is fast and sees
every ``import`` the way a reader of the file does.  Imports inside ``if TYPE_CHECKING:``
are annotations only and are left out; imports inside functions count like any other (a
deferred import still ties two modules), except the circles listed in :data:`DEFERRED`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("graph", "loaders", "fetch", "ui")

#: package → packages it must never import, not even inside a function.
FORBIDDEN = {
    "graph": ("ui", "fetch"),
    "loaders": ("ui", "fetch"),  # loaders read files; only `evx fetch` downloads
    "fetch": ("ui", "graph.store"),
    "ui.cli": ("ui.web",),  # the two front ends share the application layer, not each other
    "ui.web": ("ui.cli",),
}


#: Circles closed only by an import inside a function, each with its reason; keep this short.
DEFERRED: set[frozenset[str]] = {
    # the embedded store starts console workers; a worker opens the store read-only again
    frozenset({"graph.store.ladybug.store", "graph.store.query_worker"}),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, module: str, known: set[str]) -> tuple[set[str], set[str]]:
    """(imported at module level, imported anywhere) — project modules only, resolved to known names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    top: set[str] = set()
    anywhere: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def targets(node: ast.Import | ast.ImportFrom) -> set[str]:
        names: set[str] = set()
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                names.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
        found = set()
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
        return found

    def walk(nodes: list[ast.stmt], *, level: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                continue
            if isinstance(node, ast.Import | ast.ImportFrom):
                got = targets(node)
                anywhere.update(got)
                if level:
                    top.update(got)
            for child_field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, child_field, None)
                if isinstance(children, list):
                    inner = level and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                    walk([c for c in children if isinstance(c, ast.stmt | ast.ExceptHandler)], level=inner)
            if isinstance(node, ast.ExceptHandler):
                walk(node.body, level=level)

    walk(tree.body, level=True)
    return top, anywhere


@pytest.fixture(scope="module")
def graph_of_imports() -> dict[str, tuple[set[str], set[str]]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, name, known) for name, path in modules.items()}


def test_no_layer_imports_the_ui(graph_of_imports) -> None:
    wrong = [
        f"{module} imports {target}"
        for module, (_, anywhere) in sorted(graph_of_imports.items())
        for target in sorted(anywhere)
        for layer, banned_all in FORBIDDEN.items()
        if module == layer or module.startswith(layer + ".")
        for banned in banned_all
        if target == banned or target.startswith(banned + ".")
    ]
    assert not wrong, "imports upwards:\n" + "\n".join(wrong)


def test_no_import_circles(graph_of_imports) -> None:
    top_level = {m: {t for t in top if not _is_package_of(t, m)} for m, (top, _) in graph_of_imports.items()}
    assert not _cycles(top_level), "import circles at module level:\n" + "\n".join(
        " → ".join(c) for c in _cycles(top_level)
    )
    edges = {m: {t for t in anywhere if not _is_package_of(t, m)} for m, (_, anywhere) in graph_of_imports.items()}
    cycles = [c for c in _cycles(edges) if frozenset(c) not in DEFERRED]
    assert not cycles, "import circles:\n" + "\n".join(" → ".join(c) for c in cycles)


def _is_package_of(target: str, module: str) -> bool:
    """``graph.store`` imported by ``graph.store.memory``: Python runs the package first anyway."""
    return module.startswith(target + ".")


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found
