"""How a front end saves a turn: its question at once, everything else once, when the turn ends.

LangGraph saves a checkpoint after every step by default (``durability="async"``): six a turn for a tool
call and an answer (the input, the start, planner, tools, planner, reflection). On LangGraph's stock savers
each one carries ~0.9 KB of channel-version bookkeeping whatever the turn held, so a turn costs ~17 KB on
disk. Saved as two checkpoints (the question, then the finished turn) it costs ~8 KB (measured with
``python -m bench.memory``; docs/benchmarks.md).

What a crash costs either way: nothing the user typed. The question is committed before any step runs;
an exception or an interrupt (approval) saves the turn where it stopped (LangGraph saves at exit on those
too); a process killed mid-turn leaves the question pending, and the next run on the thread completes the
turn from its start (the tool calls made before the kill run again, which the built-in tools allow: they
read, they do not change anything). What it gives up: the history of each step inside a turn
(``get_state_history`` shows turns, not steps).

The graph itself keeps LangGraph's default, so a parent graph or LangGraph Server decides for its own runs
(the server's runs API takes ``durability`` too).
"""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.constants import START
from langgraph.types import Durability

TURN_DURABILITY: Durability = "exit"
"""The durability a front end runs a turn with, after :func:`save_question`."""


def save_question(graph: Any, config: RunnableConfig, payload: dict[str, Any]) -> None:
    """Commit a turn's input (``{"messages": [question]}``) to the thread as a checkpoint of its own; the
    turn then runs with ``graph.invoke(None, config, durability=TURN_DURABILITY)``."""
    graph.update_state(config, payload, as_node=START)
