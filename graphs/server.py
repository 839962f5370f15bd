"""The graph served by LangGraph Server and ``langgraph dev`` (see ``langgraph.json``).

The server owns persistence (in memory under ``langgraph dev``, PostgreSQL in a deployment), so the graph is
compiled without a checkpointer of its own. Model, tools and settings come from the environment, as for the CLI.

The server calls the factory on its event loop for every run, so it is async: the graph is built once, in a
thread (building it reads settings files, finds or assembles the embedded model's file, opens Chroma), and
the same compiled graph serves every run (the server runs a copy with its own checkpointer). The nodes' own
blocking work (model calls, tools, Chroma) runs in LangGraph's executor threads.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from langgraph.graph.state import CompiledStateGraph

from graphs.assistant import build_graph

_built: list[CompiledStateGraph[Any, Any, Any, Any]] = []
_building = threading.Lock()


def served_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    """The assistant built from the environment, once per process (blocking: call it from a thread)."""
    with _building:
        if not _built:
            _built.append(build_graph())
        return _built[0]


async def make_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    """A graph factory: LangGraph Server awaits it to get the assistant, off its event loop."""
    return await asyncio.to_thread(served_graph)
