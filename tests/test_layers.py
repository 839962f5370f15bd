"""The package rules of docs/architecture.md that import-linter's contracts (``make lint``) do not state."""

from __future__ import annotations

import grimp

PACKAGES = ("agent", "graphs", "tools")


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_of_ours_imports_itself_through_others() -> None:
    assert import_cycles(grimp.build_graph(*PACKAGES)) == []


def test_a_cycle_is_found_where_there_is_one() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("a.x", "a.y"), ("a.y", "a.z"), ("a.z", "a.x"), ("a.z", "a.w")]:
        graph.add_import(importer=importer, imported=imported)
    assert import_cycles(graph) == [["a.x", "a.y", "a.z"]]


def test_settings_import_nothing_of_ours() -> None:
    graph = grimp.build_graph(*PACKAGES)
    assert graph.find_modules_directly_imported_by("agent.settings") == set()


def test_the_embedded_chat_model_knows_nothing_above_the_models() -> None:
    graph = grimp.build_graph(*PACKAGES)
    above = (
        "graphs",
        "tools",
        "agent.chat",
        "agent.cli",
        "agent.evaluation",
        "agent.threads",
        "agent.training",
    )
    imported = graph.find_upstream_modules("agent.models.local.chat_model")  # all it imports, transitively
    assert "agent.settings" in imported  # (the check sees its imports)
    assert {module for module in imported if module.startswith(above)} == set()
