"""Memory growth: bytes on disk and time per turn at 10 / 100 / 300 / 1000 turns, ours beside create_agent.

Every turn is a user message, a tool call, its result and an answer, each carrying 400 characters of
incompressible text, on one thread in a SQLite file (LangGraph's SqliteSaver for both). The model is scripted,
so the numbers are the framework's and the checkpointer's, not a model's.

    python -m bench.memory                 # 10 / 100 / 300 turns
    python -m bench.memory --turns 10 100 300 1000 --baseline-max 300
"""

from __future__ import annotations

import argparse
import base64
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool

TEXT_CHARS = 400
WINDOW = 10  # turns averaged for "time per turn near N"


def noise(chars: int = TEXT_CHARS) -> str:
    """Incompressible text."""
    return base64.b64encode(os.urandom(chars))[:chars].decode()


@tool
def fetch(query: str) -> str:
    """Return some text."""
    return noise()


class ToolThenAnswer(BaseChatModel):
    """Calls ``fetch`` once, then answers, every turn."""

    @property
    def _llm_type(self) -> str:
        return "bench"

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        if messages[-1].type == "tool":
            message = AIMessage(noise())
        else:
            call_id = f"call_{os.urandom(6).hex()}"
            message = AIMessage("", tool_calls=[{"name": "fetch", "args": {"query": noise(40)}, "id": call_id, "type": "tool_call"}])
        return ChatResult(generations=[ChatGeneration(message=message)])

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self


def ours(saver: Any) -> Any:
    from agent.settings import Settings
    from graphs.assistant import build_graph

    return build_graph(ToolThenAnswer(), tools=[fetch], checkpointer=saver, settings=Settings(reflection="off", _env_file=None))


def create_agent_baseline(saver: Any) -> Any:
    from langchain.agents import create_agent

    return create_agent(ToolThenAnswer(), tools=[fetch], checkpointer=saver)


def disk_bytes(path: Path, conn: Any) -> int:
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def measure(factory: Callable[[Any], Any], marks: list[int]) -> list[dict[str, Any]]:
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent.memory import connect_sqlite

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "memory.db"
        conn = connect_sqlite(path)
        saver = SqliteSaver(conn)
        saver.setup()
        graph = factory(saver)
        config = {"configurable": {"thread_id": "bench"}}
        durations: list[float] = []
        for turn in range(1, max(marks) + 1):
            question = HumanMessage(noise())
            started = time.perf_counter()
            graph.invoke({"messages": [question]}, config)
            durations.append(time.perf_counter() - started)
            if turn in marks:
                size = disk_bytes(path, conn)
                recent = durations[-WINDOW:]
                rows.append({"turns": turn, "bytes": size, "bytes_per_turn": size / turn, "ms_per_turn": 1000 * sum(recent) / len(recent)})
        messages = graph.get_state(config).values["messages"]
        assert len(messages) == 4 * max(marks), "every turn keeps its four messages"
        conn.close()
    return rows


def report(name: str, rows: list[dict[str, Any]]) -> None:
    first = rows[0]["ms_per_turn"]
    for row in rows:
        print(
            f"{name:<14} {row['turns']:>6} {row['bytes'] / 1e6:>10.2f} MB {row['bytes_per_turn'] / 1e3:>9.1f} KB/turn"
            f" {row['ms_per_turn']:>8.1f} ms/turn {row['ms_per_turn'] / first:>6.2f}x"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, nargs="+", default=[10, 100, 300])
    parser.add_argument("--baseline-max", type=int, default=300, help="create_agent grows quadratically: stop it here")
    args = parser.parse_args(argv)
    print(f"{'graph':<14} {'turns':>6} {'on disk':>13} {'per turn':>17} {'time':>16} {'vs first':>6}")
    report("ours", measure(ours, args.turns))
    report("create_agent", measure(create_agent_baseline, [t for t in args.turns if t <= args.baseline_max]))


if __name__ == "__main__":
    main()
