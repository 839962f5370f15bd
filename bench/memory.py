"""Memory growth: bytes on disk and time per turn at 10 / 100 / 300 / 1000 turns, ours beside create_agent.

Every turn is a user message, a tool call, its result and an answer, each carrying 400 characters of
incompressible text, on one thread in a SQLite file. The model is scripted, so the numbers are the
framework's and the checkpointer's, not a model's. "ours" is the assistant graph on the saver
``agent.memory.checkpointer`` opens; the baseline is ``create_agent`` on LangGraph's plain ``SqliteSaver``.

Columns: the file size (database + WAL, after a WAL checkpoint), its average per turn and its growth per
turn since the previous mark (what an ordinary turn costs, without the file's fixed overhead); the median
wall and CPU time (all threads of the process) of the last ``WINDOW`` turns before the mark, and the CPU
time's ratio to turns 11-20 (the target: turn 300 at most 1.5x turn 20; CPU time, because wall time on a
shared 2-core machine moves with whatever else runs); and "cold load", the time a new process takes to
read the thread (``get_state`` on a freshly opened saver, as ``agent ask --thread`` does).

    python -m bench.memory                                  # 10 / 100 / 300 turns
    python -m bench.memory --turns 10 100 300 1000 --baseline-max 300
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool

TEXT_CHARS = 400
WINDOW = 10
"""Turns whose median time is reported as "time per turn near N"."""
REFERENCE_TURNS = (11, 20)
"""The turns the time ratio is taken against."""


def noise(chars: int = TEXT_CHARS) -> str:
    """Incompressible text."""
    return base64.b64encode(os.urandom(chars))[:chars].decode()


@tool
def fetch(query: str) -> str:
    """Return some text."""
    return noise()


class ToolThenAnswer(BaseChatModel):
    """Calls ``fetch`` once, then answers, every turn (asked to summarise, it calls a tool too: the
    assistant then falls back to its extractive summary)."""

    @property
    def _llm_type(self) -> str:
        return "bench"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        if messages[-1].type == "tool":
            message = AIMessage(noise())
        else:
            call_id = f"call_{os.urandom(6).hex()}"
            message = AIMessage(
                "",
                tool_calls=[
                    {"name": "fetch", "args": {"query": noise(40)}, "id": call_id, "type": "tool_call"}
                ],
            )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self


Saver = Callable[[Path], AbstractContextManager[Any]]
Graph = Callable[[Any], Any]


@contextmanager
def our_saver(path: Path) -> Iterator[Any]:
    from agent.memory import checkpointer

    with checkpointer(f"sqlite:///{path}") as saver:
        yield saver


@contextmanager
def plain_sqlite_saver(path: Path) -> Iterator[Any]:
    """LangGraph's own ``SqliteSaver`` on a connection tuned like ours (WAL, busy timeout)."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent.memory import connect_sqlite

    conn = connect_sqlite(path)
    try:
        saver = SqliteSaver(conn)
        saver.setup()
        yield saver
    finally:
        conn.close()


def ours(saver: Any) -> Any:
    from agent.settings import Settings
    from graphs.assistant import build_graph

    settings = Settings(reflection="off", _env_file=None)  # type: ignore[call-arg]
    return build_graph(ToolThenAnswer(), tools=[fetch], checkpointer=saver, settings=settings)


def create_agent_baseline(saver: Any) -> Any:
    from langchain.agents import create_agent

    return create_agent(ToolThenAnswer(), tools=[fetch], checkpointer=saver)


def disk_bytes(path: Path, saver: Any) -> int:
    saver.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


@dataclass(frozen=True)
class Row:
    turns: int
    bytes: int
    ms_per_turn: float
    cpu_ms_per_turn: float
    ratio: float
    """``cpu_ms_per_turn`` over the median CPU time of the reference turns."""
    cold_load_ms: float


def cold_load_ms(path: Path, graph: Graph, saver: Saver, config: dict[str, Any]) -> float:
    """Time to read the thread through a freshly opened saver (nothing remembered)."""
    with saver(path) as fresh:
        started = time.perf_counter()
        graph(fresh).get_state(config)
        return 1000 * (time.perf_counter() - started)


def measure(graph: Graph, saver: Saver, marks: list[int]) -> list[Row]:
    """Run ``max(marks)`` turns on one thread; a row at each mark."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "memory.db"
        with saver(path) as open_saver:
            compiled = graph(open_saver)
            config = {"configurable": {"thread_id": "bench"}}
            durations: list[float] = []
            cpu: list[float] = []
            for turn in range(1, max(marks) + 1):
                question = HumanMessage(noise())
                started, started_cpu = time.perf_counter(), time.process_time()
                compiled.invoke({"messages": [question]}, config)
                durations.append(1000 * (time.perf_counter() - started))
                cpu.append(1000 * (time.process_time() - started_cpu))
                if turn in marks:
                    first, last = REFERENCE_TURNS
                    reference = statistics.median(cpu[first - 1 : last] or cpu)
                    recent_cpu = statistics.median(cpu[-WINDOW:])
                    rows.append(
                        Row(
                            turns=turn,
                            bytes=disk_bytes(path, open_saver),
                            ms_per_turn=statistics.median(durations[-WINDOW:]),
                            cpu_ms_per_turn=recent_cpu,
                            ratio=recent_cpu / reference,
                            cold_load_ms=cold_load_ms(path, graph, saver, config),
                        )
                    )
            messages = compiled.get_state(config).values["messages"]
            if len(messages) != 4 * max(marks):
                raise RuntimeError(f"expected {4 * max(marks)} messages, found {len(messages)}")
    return rows


HEADER = (
    f"| {'graph':<12} | {'turns':>5} | {'on disk':>9} | {'per turn':>8} | {'last turns':>10} "
    f"| {'wall/turn':>9} | {'CPU/turn':>9} | {'CPU vs 11-20':>12} | {'cold load':>9} |"
)


def table(name: str, rows: list[Row]) -> list[str]:
    """Markdown rows, one per mark."""
    lines = []
    previous = Row(turns=0, bytes=0, ms_per_turn=0, cpu_ms_per_turn=0, ratio=0, cold_load_ms=0)
    for row in rows:
        marginal = (row.bytes - previous.bytes) / (row.turns - previous.turns)
        lines.append(
            f"| {name:<12} | {row.turns:>5} | {row.bytes / 1e6:>6.2f} MB | {row.bytes / row.turns / 1e3:>5.1f} KB "
            f"| {marginal / 1e3:>7.1f} KB | {row.ms_per_turn:>6.1f} ms | {row.cpu_ms_per_turn:>6.1f} ms "
            f"| {row.ratio:>11.2f}x | {row.cold_load_ms:>6.0f} ms |"
        )
        previous = row
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--turns", type=int, nargs="+", default=[10, 100, 300])
    parser.add_argument(
        "--baseline-max", type=int, default=300, help="create_agent grows quadratically: stop it here"
    )
    args = parser.parse_args(argv)
    marks = sorted(set(args.turns))
    print(HEADER)
    print("|" + "|".join("-" * (len(cell)) for cell in HEADER.split("|")[1:-1]) + "|")
    print("\n".join(table("ours", measure(ours, our_saver, marks))), flush=True)
    baseline_marks = [t for t in marks if t <= args.baseline_max]
    if baseline_marks:
        rows = measure(create_agent_baseline, plain_sqlite_saver, baseline_marks)
        print("\n".join(table("create_agent", rows)), flush=True)


if __name__ == "__main__":
    main()
