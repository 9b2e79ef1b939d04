"""The app import graph, computed from the source, and the graph docs/architecture.md draws.

`imports()` reads every module of every app (tests and migrations aside) and records which
other apps it imports — at module level, inside functions, under `TYPE_CHECKING`, all alike: an
import inside a function is still a dependency. `drawn()` reads the two lists of edges in
docs/architecture.md ("The app graph"): the edges of the layering, and the edges that go the
wrong way and are still to be removed. The test (`core/tests/test_app_graph.py`) holds the code
and the drawing to each other: no edge that the drawing lacks, no drawn edge the code lacks, and
no cycle among the layering's edges.

    python -m jiefen.core.appgraph        # print the graph computed from the source
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
DOC = PACKAGE.parent / "docs" / "architecture.md"

Graph = dict[str, dict[str, int]]


def apps() -> list[str]:
    return sorted(
        p.name
        for p in PACKAGE.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name != "settings"
    )


def imports() -> Graph:
    """{app: {imported app: number of import statements}}"""
    names = set(apps())
    graph: dict[str, dict[str, int]] = {a: defaultdict(int) for a in names}
    for app in names:
        for path in (PACKAGE / app).rglob("*.py"):
            rel = path.relative_to(PACKAGE / app).parts
            if "tests" in rel or "migrations" in rel:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    parts = module.split(".")
                    if len(parts) > 1 and parts[0] == "jiefen" and parts[1] in names and parts[1] != app:
                        graph[app][parts[1]] += 1
    return {a: dict(deps) for a, deps in graph.items()}


_BLOCK = re.compile(r"```text app-graph:(?P<kind>layers|to-remove)\n(?P<body>.*?)```", re.S)


def drawn(doc: Path = DOC) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(the layering's edges, the edges to remove) as drawn in the document."""
    out: dict[str, set[tuple[str, str]]] = {"layers": set(), "to-remove": set()}
    for m in _BLOCK.finditer(doc.read_text(encoding="utf-8")):
        for line in m["body"].splitlines():
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            src, _, deps = line.partition("→")
            for dep in deps.split(","):
                if dep.strip():
                    out[m["kind"]].add((src.strip(), dep.strip()))
    return out["layers"], out["to-remove"]


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components of more than one app (Tarjan)."""
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        succ[a].append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in succ[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted({a for e in edges for a in e}):
        if v not in index:
            visit(v)
    return found


if __name__ == "__main__":
    for app, deps in sorted(imports().items()):
        if deps:
            print(f"{app} → {', '.join(sorted(deps))}")
