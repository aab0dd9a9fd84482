"""The package's shape: imports flow one way, down the pipeline stages."""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "powao"


def import_graph() -> dict[str, set[str]]:
    """Module -> the powao modules it imports, anywhere in its body (lazy imports
    inside functions count: they are cycles all the same)."""
    modules = {p.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
               for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        package = name.rsplit(".", 1)[0] if "." in name else ""
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)] \
                    if package else []
                prefix = ".".join([*base, node.module] if node.module else base)
                if prefix in modules:
                    found.add(prefix)
                for alias in node.names:
                    full = f"{prefix}.{alias.name}" if prefix else alias.name
                    if full in modules:
                        found.add(full)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                    else [node.module or ""]
                for full in names:
                    if full.startswith("powao."):
                        found.add(full.removeprefix("powao."))
        found.discard(name)
        graph[name] = found & modules
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if not state.get(nxt):
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if not state.get(node):
            cycle = visit(node)
            if cycle:
                return cycle
    return []


def test_the_import_graph_has_no_cycle():
    cycle = find_cycle(import_graph())
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_shared_helpers_live_in_the_bottom_module():
    graph = import_graph()
    # typography formats times for the draft stamp; it imports nothing from powao itself.
    assert graph["typography"] == set(), graph["typography"]
    assert graph["base"] <= {"errors", "typography"}, graph["base"]
    for low in ("model", "errors", "yamlio"):
        assert "outputs" not in graph[low] and "pipeline" not in graph[low]
    # The content stage never reaches up to the outputs or the build.
    for content in ("loader", "checks", "validate", "sources", "content", "audience"):
        assert not graph[content] & {"pdf", "site", "outputs", "pipeline", "publish",
                                      "fiches", "livre", "serve", "cli"}, content
