"""Framework overhead per turn: our graph beside ``langchain.agents.create_agent``.

All get the same instant scripted model (one calculator call, then a 400-character answer, every turn) and
the same tool, and run N turns on one thread each with 400-character questions, each contender in its own
SQLite file in a temp dir. Ours uses the saver ``agent.memory`` opens (what users get); ``create_agent``
uses LangGraph's plain ``SqliteSaver`` on a connection opened the same way (WAL, busy timeout), and once
more on our saver, which separates what the saver saves from what the graph saves. Turns alternate between
the contenders, the order rotating every turn, so that machine drift weighs on all alike. What is left is
the frameworks' own cost: graph steps, state merging, checkpoint reads and writes, prompt building,
reflection.

    .venv/bin/python -m bench.overhead [--turns 150] [--json] [--profile ours]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda

from bench.memory import plain_sqlite_saver

TURNS = 150
QUICK_TURNS = 40
MESSAGE_CHARS = 400
WINDOW = 10
"""Turns averaged at the start and at the end of the run to show how a turn's cost grows."""

CONTENDERS = ("ours", "ours (no reflection)", "create_agent", "create_agent (our saver)")
"""Our graph as configured by default, ours without reflection (one model call and node fewer per turn),
the baseline, and the baseline on our saver."""

QUESTION = ("Please check this figure for me and explain the result in plain words. " * 8)[:MESSAGE_CHARS]
ANSWER = ("The calculator confirms the figure; here is what it means for your plan. " * 8)[:MESSAGE_CHARS]


class BenchModel(BaseChatModel):
    """An instant, deterministic chat model: calls the calculator after a question, answers after a tool
    result, and accepts every draft when asked for structured output (reflection)."""

    @property
    def _llm_type(self) -> str:
        return "bench"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message_id = f"ai_{uuid.uuid4().hex}"
        if isinstance(messages[-1], ToolMessage):
            message = AIMessage(ANSWER, id=message_id)
        else:
            call = {
                "name": "calculator",
                "args": {"expression": "2+2"},
                "id": f"call_{uuid.uuid4().hex[:12]}",
            }
            message = AIMessage("", tool_calls=[call], id=message_id)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[Any, Any]:
        return self

    def with_structured_output(self, schema: Any, **kwargs: Any) -> Runnable[Any, Any]:
        return RunnableLambda(lambda _: schema(verdict="accept", feedback=""))


@dataclass
class Contender:
    """One framework under test: its compiled graph, its saver and its measurements."""

    name: str
    graph: Any
    saver: Any
    db: Path
    thread_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    seconds: list[float] = field(default_factory=list)
    """Wall time of each turn."""
    cpu: list[float] = field(default_factory=list)
    """CPU time of each turn, all threads of this process (LangGraph writes checkpoints in a background
    thread): unlike wall time, not inflated by other processes competing for the cores."""

    def turn(self, text: str) -> None:
        config = {"configurable": {"thread_id": self.thread_id}}
        start, start_cpu = time.perf_counter(), time.process_time()
        self.graph.invoke({"messages": [HumanMessage(text)]}, config)
        self.cpu.append(time.process_time() - start_cpu)
        self.seconds.append(time.perf_counter() - start)

    def checkpoints(self) -> int:
        return sum(1 for _ in self.saver.list({"configurable": {"thread_id": self.thread_id}}))


def _settings(home: Path, reflection: str) -> Any:
    """Our settings at their defaults (not the environment's), with reflection as given."""
    from agent.settings import Settings

    return Settings.model_construct(home=home, reflection=reflection)


@contextmanager
def contenders(folder: Path, names: Sequence[str]) -> Iterator[list[Contender]]:
    """Compile each contender with its own SQLite file in ``folder``."""
    from langchain.agents import create_agent

    from agent.memory import checkpointer
    from graphs.assistant import build_graph
    from tools.math import calculator

    model = BenchModel()
    with ExitStack() as stack:
        built = []
        for name in names:
            db = folder / f"{name.replace(' ', '_').replace('(', '').replace(')', '')}.db"
            if name == "create_agent":
                saver = stack.enter_context(plain_sqlite_saver(db))
            else:
                saver = stack.enter_context(checkpointer(f"sqlite:///{db}"))
            if name.startswith("create_agent"):
                graph = create_agent(model, [calculator], checkpointer=saver)
            else:
                reflection = "off" if name == "ours (no reflection)" else "auto"
                graph = build_graph(
                    model, tools=[calculator], checkpointer=saver, settings=_settings(folder, reflection)
                )
            built.append(Contender(name, graph, saver, db))
        yield built


def _ms(seconds: float) -> float:
    return round(1000 * seconds, 3)


def measure(
    turns: int = TURNS,
    names: Sequence[str] = CONTENDERS,
    profile: str | None = None,
) -> dict[str, dict[str, float]]:
    """Run ``turns`` turns per contender, alternating; per contender: timings, checkpoints and bytes per turn."""
    profiler = cProfile.Profile() if profile else None
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as tmp:
        folder = Path(tmp)
        with contenders(folder, names) as group:
            for contender in group:  # warm-up: imports, first compile, SQLite pages; not measured
                warm = Contender(contender.name, contender.graph, contender.saver, contender.db)
                warm.turn(QUESTION)
            for index in range(turns):
                shift = index % len(group)
                for contender in group[shift:] + group[:shift]:
                    if profiler and contender.name == profile:
                        profiler.enable()
                        contender.turn(QUESTION)
                        profiler.disable()
                    else:
                        contender.turn(QUESTION)
            for contender in group:
                seconds, cpu = contender.seconds, contender.cpu
                results[contender.name] = {
                    "total_s": round(sum(seconds), 4),
                    "cpu_total_s": round(sum(cpu), 4),
                    "mean_ms": _ms(statistics.fmean(seconds)),
                    "median_ms": _ms(statistics.median(seconds)),
                    "cpu_mean_ms": _ms(statistics.fmean(cpu)),
                    "first_ms": _ms(statistics.median(seconds[:WINDOW])),
                    "last_ms": _ms(statistics.median(seconds[-WINDOW:])),
                    "checkpoints_per_turn": round(contender.checkpoints() / turns, 2),
                }
        # The savers are closed: the WAL is folded into each file, so its size is what the threads cost
        # (the measured one and the one warm-up turn).
        for contender in group:
            size = sum(p.stat().st_size for p in folder.glob(contender.db.name + "*"))
            results[contender.name]["kb_per_turn"] = round(size / 1024 / (turns + 1), 2)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        results["_profile"] = {"text": out.getvalue()}  # type: ignore[dict-item]
    return results


def rows(results: dict[str, dict[str, float]], turns: int) -> list[dict[str, Any]]:
    """Bench rows (``bench``, ``metric``, ``value``, ``unit``, ``note``) for ``python -m bench``."""
    table: list[dict[str, Any]] = []

    def add(metric: str, value: Any, unit: str = "", note: str = "") -> None:
        table.append({"bench": "overhead", "metric": metric, "value": value, "unit": unit, "note": note})

    for name, r in results.items():
        if name.startswith("_"):
            continue
        add(f"{name}: wall per turn, mean / median", f"{r['mean_ms']:.1f} / {r['median_ms']:.1f}", "ms")
        add(f"{name}: CPU per turn, mean", f"{r['cpu_mean_ms']:.1f}", "ms")
        growth = r["last_ms"] / r["first_ms"]
        add(
            f"{name}: first / last {WINDOW} turns",
            f"{r['first_ms']:.1f} / {r['last_ms']:.1f}",
            "ms",
            f"medians, ×{growth:.2f}",
        )
        add(f"{name}: checkpoints per turn", r["checkpoints_per_turn"])
        add(f"{name}: SQLite file per turn", r["kb_per_turn"], "KB")
    if "ours" in results and "create_agent" in results:
        ours, baseline = results["ours"], results["create_agent"]
        note = f"{turns} turns, one thread each, SqliteSaver; target ≤ 1.0"
        add("ratio ours / create_agent, wall", round(ours["total_s"] / baseline["total_s"], 3), "×", note)
        add("ratio ours / create_agent, CPU", round(ours["cpu_total_s"] / baseline["cpu_total_s"], 3), "×")
        early = round(ours["first_ms"] / baseline["first_ms"], 3)
        add(
            f"ratio ours / create_agent, first {WINDOW} turns",
            early,
            "×",
            "medians: the fixed cost of a turn",
        )
    return table


def run(quick: bool = False) -> list[dict[str, Any]]:
    """The ``python -m bench`` entry: rows for the default contenders."""
    turns = QUICK_TURNS if quick else TURNS
    return rows(measure(turns), turns)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=TURNS)
    parser.add_argument("--json", action="store_true", help="print the raw measurements as JSON")
    parser.add_argument("--profile", metavar="NAME", help="cProfile this contender's turns (e.g. ours)")
    parser.add_argument(
        "--contenders",
        default=",".join(CONTENDERS),
        help=f"comma-separated, from: {', '.join(CONTENDERS)} (one alone is handy under py-spy)",
    )
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.contenders.split(",") if name.strip()]
    unknown = [name for name in names if name not in CONTENDERS]
    if unknown:
        parser.error(f"unknown contender {unknown[0]!r}")
    results = measure(args.turns, names, profile=args.profile)
    profile = results.pop("_profile", None)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for row in rows(results, args.turns):
            print(f"{row['metric']:<45} {row['value']!s:>16} {row['unit']:<3} {row['note']}")
    if profile:
        print(profile["text"])


if __name__ == "__main__":
    main()
