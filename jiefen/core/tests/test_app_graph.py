"""The app import graph computed from the source matches docs/architecture.md, and the layering
has no cycle."""

from __future__ import annotations

from jiefen.core import appgraph


def _edges() -> set[tuple[str, str]]:
    return {(a, b) for a, deps in appgraph.imports().items() for b in deps}


def test_every_edge_of_the_code_is_drawn_and_every_drawn_edge_exists():
    layers, to_remove = appgraph.drawn()
    code = _edges()
    assert layers, "docs/architecture.md draws no app graph"
    undrawn = sorted(code - layers - to_remove)
    stale = sorted((layers | to_remove) - code)
    assert not undrawn, f"imports that docs/architecture.md does not draw: {undrawn}"
    assert not stale, f"edges drawn in docs/architecture.md that the code no longer has: {stale}"
    assert not layers & to_remove


def test_the_layering_has_no_cycle():
    layers, _ = appgraph.drawn()
    assert appgraph.cycles(layers) == []


KERNEL = {"core", "regions", "deadlines", "directory", "cases"}
COMPOSITION = {"web", "api", "demo"}


def test_the_layering_keeps_the_kernel_below_and_the_composition_above():
    # the kernel imports nothing above it; no app imports the apps that compose the others
    layers, _ = appgraph.drawn()
    assert not [(a, b) for a, b in layers if a in KERNEL and b not in KERNEL]
    assert not [(a, b) for a, b in layers if b in COMPOSITION]


def test_the_graph_reader_sees_imports_inside_functions(tmp_path):
    # a cycle hidden by an import inside a function is still a cycle
    assert appgraph.cycles({("a", "b"), ("b", "a")}) == [["a", "b"]]
    graph = appgraph.imports()
    assert "triage" in graph["cases"]  # cases/selectors.py imports triage.search inside a function
