"""The graph served by LangGraph Server and ``langgraph dev`` (see ``langgraph.json``).

The server owns persistence (in memory under ``langgraph dev``, PostgreSQL in a deployment), so the graph is
compiled without a checkpointer of its own. Model, tools and settings come from the environment, as for the CLI.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph.state import CompiledStateGraph

from graphs.assistant import build_graph


def make_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    """A graph factory: LangGraph Server calls it to get the assistant."""
    return build_graph()
