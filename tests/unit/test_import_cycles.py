"""No import cycle among warmline's modules, function-level imports included.

A cycle hidden behind an import inside a function still ties two rooms together: neither can be
read, tested or moved without the other, and the order modules load in decides whether it works.
grimp (the graph import-linter is built on) reads every import statement, at module level, inside
functions and under TYPE_CHECKING, from the sources as installed (screens/ as warmline.screens,
staged by tests/layout.py). A package's __init__ is a module like the others: `from . import x` in
it is an edge from the package to x, and only a submodule importing back a name the __init__
defines closes a cycle with it (importing a submodule through its package is an edge to the
submodule, not to the package).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import deque
from pathlib import Path

from layout import installed_layout

# Run in a child so that grimp finds the staged package, not the editable install of this process.
_EDGES = """
import json, grimp
graph = grimp.build_graph("warmline", cache_dir=None)
edges = []
for importer in sorted(graph.modules):
    for imported in sorted(graph.find_modules_directly_imported_by(importer)):
        details = graph.get_import_details(importer=importer, imported=imported)
        edges.append([importer, imported, min((d["line_number"] for d in details), default=0)])
print(json.dumps(edges))
"""


def _import_graph(staged: Path) -> dict[str, dict[str, int]]:
    """{importer: {imported: first line of the import}} for every module of warmline."""
    env = {**os.environ, "PYTHONPATH": str(staged), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _EDGES], cwd=staged, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    graph: dict[str, dict[str, int]] = {}
    for importer, imported, line in json.loads(done.stdout):
        graph.setdefault(importer, {})[imported] = line
        graph.setdefault(imported, {})
    return graph


def strongly_connected(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative), those with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    found.append(sorted(component))
    return sorted(found)


def _shortest_cycle(graph: dict[str, dict[str, int]], start: str, within: set[str]) -> list[str]:
    """The shortest chain start -> ... -> start inside one component (breadth first)."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(graph[node]):
            if nxt not in within:
                continue
            if nxt == start:
                chain = [node]
                while chain[-1] != start:
                    chain.append(came_from[chain[-1]])
                return [start, *reversed(chain[:-1]), start] if node != start else [start, start]
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return [start]


def cycles(graph: dict[str, dict[str, int]]) -> list[str]:
    """Each component as chains a -> b -> a (with the line of each import), until every member is in one."""
    described = []
    for component in strongly_connected(graph):
        members = set(component)
        covered: set[str] = set()
        for module in component:
            if module in covered:
                continue
            chain = _shortest_cycle(graph, module, members)
            covered.update(chain)
            hops = [_short(chain[0])]
            hops += [f"{_short(b)} (line {graph[a][b]} of {_short(a)})" for a, b in zip(chain, chain[1:])]
            described.append(" -> ".join(hops))
    return described


def _short(module: str) -> str:
    return module.removeprefix("warmline.")


def test_strongly_connected_finds_the_cycles_of_a_small_graph() -> None:
    graph = {
        "a": {"b": 1},
        "b": {"c": 1},
        "c": {"a": 1, "d": 1},
        "d": {},
        "e": {"f": 1},
        "f": {"e": 1},
        "pkg": {"pkg.x": 1},
        "pkg.x": {},
    }
    assert strongly_connected(graph) == [["a", "b", "c"], ["e", "f"]]
    assert cycles(graph)[1] == "e -> f (line 1 of e) -> e (line 1 of f)"


def test_no_import_cycle_among_warmlines_modules(tmp_path: Path) -> None:
    graph = _import_graph(installed_layout(tmp_path))
    assert "warmline.rota" in graph and "warmline.screens.app" in graph, sorted(graph)[:20]
    found = cycles(graph)
    assert found == [], "import cycles (break them, don't hide them in a function):\n" + "\n".join(found)
