"""Framework overhead per turn: our graph beside ``langchain.agents.create_agent``, on each saver.

All get the same instant scripted model (one calculator call, then a 400-character answer, every turn) and
the same tool, and run N turns on one thread each with 400-character questions. Savers: ours (what
``agent.memory.checkpointers`` opens on SQLite), LangGraph's stock ``SqliteSaver`` (over a connection opened the same way:
WAL, busy timeout) and stock ``PostgresSaver`` (one connection, a database of its own per contender, created
and dropped here); each SQLite contender has its own file in a temp dir. Turns alternate between the
contenders, the order rotating every turn, so that machine drift weighs on all alike. Wall and CPU time are
both reported (CPU: all threads of this process, not inflated by other processes on a shared machine; the
PostgreSQL server's own CPU is not counted, see ``bench.memory`` for it). What is left is the frameworks'
own cost: graph steps, state merging, checkpoint reads and writes, prompt building, reflection.

    .venv/bin/python -m bench.overhead [--turns 150] [--json] [--profile NAME] [--contenders A,B]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
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

from langchain_core.messages import HumanMessage

from bench.memory import POSTGRES_URL, calculator_then_answer, open_saver, postgres_database, stored_bytes

TURNS = 150
QUICK_TURNS = 40
MESSAGE_CHARS = 400
WINDOW = 10
"""Turns averaged at the start and at the end of the run to show how a turn's cost grows."""

SAVER_OF = {
    "ours": "ours",
    "ours (no reflection)": "ours",
    "create_agent": "sqlite",
    "create_agent (our saver)": "ours",
    "ours (SqliteSaver)": "sqlite",
    "ours (PostgresSaver)": "postgres",
    "create_agent (PostgresSaver)": "postgres",
}
"""Each contender's saver (``bench.memory.open_saver``): ours, LangGraph's stock SQLite or PostgreSQL one.
Our graph with reflection on its default (``auto``) and off (one model call and node fewer per turn),
``create_agent`` on the stock ``SqliteSaver``, and each on the other savers."""
CONTENDERS = tuple(SAVER_OF)

QUESTION = ("Please check this figure for me and explain the result in plain words. " * 8)[:MESSAGE_CHARS]
ANSWER = ("The calculator confirms the figure; here is what it means for your plan. " * 8)[:MESSAGE_CHARS]


@dataclass
class Contender:
    """One framework under test: its compiled graph, its saver and its measurements."""

    name: str
    graph: Any
    saver: Any
    kind: str
    """``bench.memory.open_saver``'s kind: ours, sqlite or postgres."""
    target: str
    """The SQLite file or the PostgreSQL URL."""
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
def contenders(
    folder: Path, names: Sequence[str], postgres_url: str = POSTGRES_URL
) -> Iterator[list[Contender]]:
    """Compile each contender on its saver: its own SQLite file in ``folder``, or its own database."""
    from langchain.agents import create_agent

    from graphs.assistant import build_graph
    from tools.calculator import calculator

    model = calculator_then_answer(ANSWER)  # the same text every turn
    with ExitStack() as stack:
        built = []
        for index, name in enumerate(names):
            db = folder / f"{name.replace(' ', '_').replace('(', '').replace(')', '')}.db"
            kind = SAVER_OF[name]
            target = str(db)
            if kind == "postgres":
                target = stack.enter_context(
                    postgres_database(postgres_url, f"bench_overhead_{os.getpid()}_{index}")
                )
            saver = stack.enter_context(open_saver(kind, target))
            if name.startswith("create_agent"):
                graph = create_agent(model, [calculator], checkpointer=saver)
            else:
                reflection = "off" if name == "ours (no reflection)" else "auto"
                graph = build_graph(
                    model, tools=[calculator], checkpointer=saver, settings=_settings(folder, reflection)
                )
            built.append(Contender(name, graph, saver, kind, target))
        yield built


def _ms(seconds: float) -> float:
    return round(1000 * seconds, 3)


def reachable(url: str) -> bool:
    """Whether a PostgreSQL server answers at ``url`` (its contenders are skipped otherwise)."""
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def measure(
    turns: int = TURNS,
    names: Sequence[str] = CONTENDERS,
    profile: str | None = None,
    postgres_url: str = POSTGRES_URL,
) -> dict[str, dict[str, float]]:
    """Run ``turns`` turns per contender, alternating; per contender: timings, checkpoints and bytes per turn."""
    profiler = cProfile.Profile() if profile else None
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as tmp:
        folder = Path(tmp)
        with contenders(folder, names, postgres_url) as group:
            for contender in group:  # warm-up: imports, first compile, SQLite pages; not measured
                warm = Contender(
                    contender.name, contender.graph, contender.saver, contender.kind, contender.target
                )
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
                    "cpu_first_ms": _ms(statistics.median(cpu[:WINDOW])),
                    "cpu_last_ms": _ms(statistics.median(cpu[-WINDOW:])),
                    "checkpoints_per_turn": round(contender.checkpoints() / turns, 2),
                    # What the threads take (the measured one and the warm-up turn's): the SQLite file after
                    # a WAL checkpoint, or the PostgreSQL saver's tables with their indexes.
                    "kb_per_turn": round(
                        stored_bytes(contender.kind, contender.target, contender.saver) / 1024 / (turns + 1),
                        2,
                    ),
                }
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
            f"{name}: wall, first / last {WINDOW} turns",
            f"{r['first_ms']:.1f} / {r['last_ms']:.1f}",
            "ms",
            f"medians, ×{growth:.2f}",
        )
        add(
            f"{name}: CPU, first / last {WINDOW} turns",
            f"{r['cpu_first_ms']:.1f} / {r['cpu_last_ms']:.1f}",
            "ms",
            f"medians, ×{r['cpu_last_ms'] / r['cpu_first_ms']:.2f}",
        )
        add(f"{name}: checkpoints per turn", r["checkpoints_per_turn"])
        add(f"{name}: stored per turn ({SAVER_OF[name]} saver)", r["kb_per_turn"], "KB")
    for ours_name, baseline_name, savers in RATIOS:
        if ours_name not in results or baseline_name not in results:
            continue
        ours, baseline = results[ours_name], results[baseline_name]
        label = f"ratio {ours_name} / {baseline_name}"
        note = f"{turns} turns, one thread each, {savers}; target ≤ 1.0"
        add(f"{label}, wall", round(ours["total_s"] / baseline["total_s"], 3), "×", note)
        add(f"{label}, CPU", round(ours["cpu_total_s"] / baseline["cpu_total_s"], 3), "×")
        early = round(ours["cpu_first_ms"] / baseline["cpu_first_ms"], 3)
        add(f"{label}, CPU, first {WINDOW} turns", early, "×", "medians: the fixed cost of a turn")
    return table


RATIOS = (
    ("ours", "create_agent", "ours on our saver, create_agent on SqliteSaver"),
    ("ours (SqliteSaver)", "create_agent", "both on LangGraph's stock SqliteSaver"),
    ("ours (PostgresSaver)", "create_agent (PostgresSaver)", "both on LangGraph's stock PostgresSaver"),
)
"""Pairs compared: (ours, baseline, the savers they ran on)."""


def run(quick: bool = False) -> list[dict[str, Any]]:
    """The ``python -m bench`` entry: rows for the default contenders."""
    turns = QUICK_TURNS if quick else TURNS
    names = [n for n in CONTENDERS if SAVER_OF[n] != "postgres" or reachable(POSTGRES_URL)]
    return rows(measure(turns, names), turns)


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
    parser.add_argument("--postgres", default=POSTGRES_URL, help="a server where databases can be created")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.contenders.split(",") if name.strip()]
    unknown = [name for name in names if name not in CONTENDERS]
    if unknown:
        parser.error(f"unknown contender {unknown[0]!r}")
    results = measure(args.turns, names, profile=args.profile, postgres_url=args.postgres)
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
