"""No import cycles inside src/cxmap: the data flow runs one way (docs/ARCHITECTURE.md), so do the imports.

The graph is read from the source with `ast`, without running it. Its nodes are the modules; a package's
`__init__.py` is the node named after the package (`cxmap.model`). Its edges, from a module to:

- every module an `import` or `from ... import` names, at module level or inside a function or class (a lazy
  import ties two modules together as surely as one at the top); relative imports are resolved, and
  `from cxmap.a import b` names `cxmap.a.b` when `b` is a submodule, else `cxmap.a`;
- every module a call names with a literal string (`import_module("cxmap.x")`, `files("cxmap.render")`,
  jinja2's `PackageLoader("cxmap.web", ...)`), and where the imports by a computed name lead
  (`imports_by_name`: the engine table, `cxmap.model`'s lazy names, the CLI's commands);
- the packages Python imports first: `import cxmap.a.b` runs `cxmap/a/__init__.py` too, an edge to `cxmap.a`,
  except when the importing module is itself inside `cxmap.a`: that `__init__` has started already, and
  counting it would tie every package that re-exports a submodule to it. An import that names such a
  package still counts (`from cxmap.workspace import open_workspace` inside cxmap/workspace/), since the
  names it asks for must exist by then. So `import cxmap` or `from cxmap import __version__` below the
  package would close a cycle through `cxmap/__init__.py`'s public API; `from cxmap import errors` does not.

Imports under `if TYPE_CHECKING:` are left out: they never run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import cxmap

SRC = Path(cxmap.__file__).resolve().parent
Edges = dict[str, dict[str, int]]  # module -> {module it imports: line of the first such import}


def modules(root: Path) -> dict[str, Path]:
    """The modules of the package in `root`, by dotted name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return is_type_checking(test.operand)
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node below `node` that can run: not under `if TYPE_CHECKING:` (nor the `else` of `if not ...`)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and is_type_checking(child.test):
            kept = child.body if isinstance(child.test, ast.UnaryOp) else child.orelse
            for statement in kept:
                yield statement
                yield from runtime_nodes(statement)
        else:
            yield child
            yield from runtime_nodes(child)


def is_import_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id in ("import_module", "__import__")) or (
        isinstance(func, ast.Attribute) and func.attr == "import_module"
    )


def literal_argument(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        value = node.args[0].value
        return value if isinstance(value, str) else None
    return None


def named(node: ast.AST, name: str, is_package: bool, known: dict[str, Path]) -> list[str]:
    """The modules an import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        package = name.split(".") if is_package else name.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]


def import_graph(root: Path, by_name: dict[str, set[str]]) -> Edges:
    """The import graph of the package in `root`; `by_name`: where each import by a computed name leads."""
    known = modules(root)
    spelt = re.compile(rf"{root.name}(\.\w+)*")
    graph: Edges = {name: {} for name in known}
    for name, path in known.items():
        inside = {name.rsplit(".", depth)[0] for depth in range(1, name.count(".") + 1)}
        ran: dict[str, int] = {}  # modules imported, with the packages Python imports first
        for node in runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            line = getattr(node, "lineno", 0)
            for target in named(node, name, path.name == "__init__.py", known):
                graph[name].setdefault(target, line)
                ran.setdefault(target, line)
            literal = literal_argument(node)
            if literal is not None and spelt.fullmatch(literal):
                ran.setdefault(literal, line)
            elif literal is None and is_import_call(node):
                ran.update((target, line) for target in sorted(by_name.get(name, ())) if target not in ran)
        for target, line in ran.items():
            parts = target.split(".")
            for depth in range(1, len(parts) + 1):
                if (prefix := ".".join(parts[:depth])) not in inside:
                    graph[name].setdefault(prefix, line)
    for name, targets in graph.items():
        graph[name] = {t: line for t, line in targets.items() if t in known and t != name}
    return graph


def computed_imports(root: Path) -> set[str]:
    """The modules that import by a computed name (not a literal), which `import_graph` must be told about."""
    return {
        name
        for name, path in modules(root).items()
        for node in runtime_nodes(ast.parse(path.read_text(encoding="utf-8")))
        if is_import_call(node) and literal_argument(node) is None
    }


def cycles(graph: Edges) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = stack[stack.index(node) :]
            del stack[stack.index(node) :]
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def loop(component: list[str], graph: Edges) -> list[str]:
    """One shortest way round a cycle, from its first module back to it (breadth first)."""
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in graph[node]:
            if target == start:
                return [*paths[node], start]
            if target in component and target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"{component} is not a cycle")


def describe(component: list[str], graph: Edges, known: dict[str, Path]) -> str:
    """A cycle as the failure shows it: its modules, one loop, and every import between them with its line."""
    lines = [
        f"cycle among {len(component)} modules: {', '.join(component)}",
        "  " + " -> ".join(loop(component, graph)),
    ]
    for source in component:
        path = known[source].relative_to(SRC.parent.parent)
        lines += [f"  {path}:{line}: {source} -> {t}" for t, line in sorted(graph[source].items()) if t in component]
    return "\n".join(lines)


def imports_by_name() -> dict[str, set[str]]:
    """Where cxmap's imports by a computed name lead, read from the tables they are computed from."""
    from cxmap import model
    from cxmap.cli.app import COMMANDS, GROUPS
    from cxmap.engine_table import ENGINES

    return {
        "cxmap.engine": {entry.split(":")[0] for entry in ENGINES.values()},
        "cxmap.model": set(model._HOMES.values()),
        "cxmap.cli.app": {f"cxmap.cli.{module}" for module, _ in [*COMMANDS.values(), *GROUPS.values()]},
    }


def test_there_are_no_import_cycles_in_cxmap() -> None:
    graph = import_graph(SRC, imports_by_name())
    found = cycles(graph)
    assert not found, "\n".join(describe(c, graph, modules(SRC)) for c in found)


def test_every_import_by_a_computed_name_is_followed() -> None:
    """A new `import_module(name)` fails here until `imports_by_name` says where it leads."""
    assert computed_imports(SRC) == set(imports_by_name())
    graph = import_graph(SRC, imports_by_name())
    assert "cxmap.engines.spark" in graph["cxmap.engine"]
    assert "cxmap.cli.accounts" in graph["cxmap.cli.app"]


FAKE = {
    "pkg/__init__.py": "from typing import TYPE_CHECKING\nfrom pkg.a import f\n"
    "if TYPE_CHECKING:\n    from pkg import c\n",
    "pkg/a.py": "from . import b\n\ndef f():\n    from .sub.d import g\n",
    "pkg/b.py": "import pkg\n",
    "pkg/c.py": "import importlib\nloader = importlib.import_module('pkg.sub')\n",
    "pkg/sub/__init__.py": "from .d import g\n",
    "pkg/sub/d.py": "from pkg.sub import e\nimport pkg.c\n\ndef g():\n    return None\n",
    "pkg/sub/e.py": "from pkg.sub import g\n",
}


def test_the_graph_worked_out_by_hand(tmp_path: Path) -> None:
    for name, text in FAKE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    graph = import_graph(tmp_path / "pkg", {})
    assert graph == {
        "pkg": {"pkg.a": 2},  # not pkg.c: under TYPE_CHECKING
        "pkg.a": {"pkg.b": 1, "pkg.sub": 4, "pkg.sub.d": 4},  # relative; lazy; the package run first
        "pkg.b": {"pkg": 1},  # names the package it is inside
        "pkg.c": {"pkg.sub": 2},  # a literal in a call
        "pkg.sub": {"pkg.sub.d": 1},
        "pkg.sub.d": {"pkg.sub.e": 1, "pkg.c": 2},  # not pkg.sub: started already when d is imported
        "pkg.sub.e": {"pkg.sub": 1},  # names the package it is inside
    }
    assert cycles(graph) == [["pkg", "pkg.a", "pkg.b"], ["pkg.c", "pkg.sub", "pkg.sub.d", "pkg.sub.e"]]
    assert [loop(c, graph) for c in cycles(graph)] == [
        ["pkg", "pkg.a", "pkg.b", "pkg"],
        ["pkg.c", "pkg.sub", "pkg.sub.d", "pkg.c"],
    ]
