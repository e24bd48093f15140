"""The packages form layers with no arrow back: no import cycle, no upward import, OR-Tools in the engine only.

Every module of the project's packages is parsed (imports inside functions included, nothing is
executed) and the imports between project modules form a graph. The layers, lowest first:
model < data < scheduler < scenarios < {api, cli}. api and cli do not import each other; bench may
import any layer and nothing but bench imports bench.
"""

from __future__ import annotations

import ast
import gc
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("model", "data", "scheduler", "scenarios", "api", "cli", "bench")
# A layer's rank; a module may import its own package and those of a lower rank only.
RANK = {"model": 0, "data": 1, "scheduler": 2, "scenarios": 3, "api": 4, "cli": 4, "bench": 5}
ORTOOLS_ALLOWED = ("scheduler", "bench")


@dataclass(frozen=True)
class Import:
    """One import statement's arrow from a project module to a project (or outside) module."""

    source: str  # importing module, e.g. "scheduler.solve"
    target: str  # imported module, e.g. "model.problem", or "ortools" for an outside one
    file: str  # relative to the project root
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.source} imports {self.target}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def project_modules() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            modules[module_name(path)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str:
    """The project module an imported name lives in (its longest prefix that is a module), or the name."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in modules:
            return prefix
    return name


def _imported_names(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        origin = ".".join([*base, node.module] if node.module else base)
    else:
        origin = node.module or ""
    # `from a.b import c` imports module a.b.c when there is one, else the name c of a.b.
    return [f"{origin}.{alias.name}" for alias in node.names]


def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, nested ones included (an import is a statement: no need to visit expressions)."""
    for node in body:
        yield node
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            yield from statements(getattr(node, field, None) or [])


def _parse(path: Path) -> ast.Module:
    # Parsing allocates many objects and frees none: without the cycle collector it takes half the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    finally:
        if collecting:
            gc.enable()


@cache
def all_imports() -> tuple[Import, ...]:
    """Every import statement of every project module, at the top or inside a function, class or block."""
    modules = project_modules()
    found: list[Import] = []
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        rel = path.relative_to(ROOT).as_posix()
        for node in statements(_parse(path).body):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            targets = {_resolve(name, modules) for name in _imported_names(node, module, is_package)}
            for target in sorted(targets):
                if target != module:
                    found.append(Import(module, target, rel, node.lineno))
    return tuple(found)


def project_imports() -> list[Import]:
    modules = project_modules()
    return [i for i in all_imports() if i.target in modules]


def package_of(module: str) -> str:
    return module.split(".")[0]


def _is_ortools(module: str) -> bool:
    return module.split(".")[0] == "ortools"


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
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
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return components


def shortest_cycle(start: str, graph: dict[str, set[str]], members: set[str]) -> list[str]:
    """The shortest way from start back to itself inside one component."""
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        for w in sorted(graph.get(v, set()) & members):
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if w not in parent:
                parent[w] = v
                queue.append(w)
    return [start]


def test_every_package_is_parsed() -> None:
    # Guards the walk itself: a renamed or missing package would make the other tests pass vacuously.
    packages = {package_of(m) for m in project_modules()}
    assert packages == set(PACKAGES)
    assert "model.formats.files" in project_modules()
    assert any(i.source == "scheduler.solve" and _is_ortools(i.target) for i in all_imports())


def test_no_import_cycle() -> None:
    imports = project_imports()
    graph: dict[str, set[str]] = {}
    for i in imports:
        graph.setdefault(i.source, set()).add(i.target)
    report = []
    for component in strongly_connected(graph):
        members = set(component)
        cycle = shortest_cycle(component[0], graph, members)
        report.append(f"cycle of {len(component)} modules: {', '.join(component)}; "
                      f"e.g. {' -> '.join(cycle)}")
        report += [f"    {i}" for i in imports if i.source in members and i.target in members]
    assert not report, "import cycles between project modules:\n" + "\n".join(report)


def test_no_upward_import() -> None:
    report = []
    for i in project_imports():
        source, target = package_of(i.source), package_of(i.target)
        if source == target:
            continue
        if target == "bench":
            report.append(f"{i} (nothing but bench imports bench)")
        elif RANK[target] > RANK[source]:
            report.append(f"{i} ({source} is below {target})")
        elif RANK[target] == RANK[source]:
            report.append(f"{i} ({source} and {target} do not import each other)")
    assert not report, "imports against the layers model < data < scheduler < scenarios < {api, cli} < bench:\n" \
        + "\n".join(report)


def test_only_the_engine_imports_ortools() -> None:
    report = [str(i) for i in all_imports()
              if _is_ortools(i.target) and package_of(i.source) not in ORTOOLS_ALLOWED]
    assert not report, "OR-Tools imported outside scheduler/:\n" + "\n".join(report)
