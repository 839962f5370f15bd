"""Memory growth: bytes on disk, CPU per turn and a fresh process's load, over a long thread, on each saver.

Every turn is a 400-character question, one calculator call, its result and a 400-character answer, on one
thread; the model is scripted and instant, so the numbers are the framework's and the savers'. Contenders are
a graph on a saver (``GRAPH@SAVER``):

- graphs: ``ours`` (``build_graph``, reflection on its default, ``auto``: every answer that used a tool is
  reflected on, and the critic accepts) and ``create_agent`` (``langchain.agents``);
- savers: ``ours`` (what ``agent.memory.checkpointers.checkpointer`` opens on SQLite), ``sqlite`` (LangGraph's stock
  ``SqliteSaver`` on a connection opened like ours: WAL, busy timeout) and ``postgres`` (LangGraph's stock
  ``PostgresSaver`` on one connection, each contender in a database of its own, created and dropped here).

Turns alternate between the contenders, the order rotating every turn, so that machine drift weighs on all
alike. At each mark: the bytes the thread's tables take (SQLite: the file after a WAL checkpoint; PostgreSQL:
the saver's tables with their indexes and TOAST), their average per turn and their growth per turn since the
previous mark (what an ordinary turn costs); the median wall and CPU time of the ``LATE`` turns before the
mark (CPU: all threads of this process; PostgreSQL: the server backend's CPU beside it, a mean: the kernel
counts it in 10 ms ticks); at the last mark, the CPU time's ratio to turns 11-30 of a new thread run at the
same time, interleaved (on a shared machine, turns run minutes apart drift with the load); and the cold load,
a new process's first ``get_state`` of the thread (imports and graph compilation not counted; median of
``--cold-runs`` processes), as ``agent ask --thread`` does.

    .venv/bin/python -m bench.memory                     # 300 turns, marks at 30 / 100 / 300, every contender
    .venv/bin/python -m bench.memory --turns 30 300 --contenders ours@sqlite,create_agent@sqlite --json
    .venv/bin/python -m bench.memory --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python -m bench.memory --contenders ours@sqlite,ours@sqlite:exit   # one checkpoint per turn
    .venv/bin/python -m bench.memory --contenders ours@sqlite:turn,ours@postgres:turn  # as the chat saves
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda
from langchain_core.tools import tool

from graphs.durability import TURN_DURABILITY, save_question

TEXT_CHARS = 400
EARLY = (11, 30)
"""The turns the late turns' CPU time is compared with."""
LATE = 20
"""Turns before a mark whose median time is reported."""
POSTGRES_URL = os.environ.get("AGENT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
GRAPHS = ("ours", "create_agent")
SAVERS = ("ours", "sqlite", "postgres")
CONTENDERS = (
    "ours@ours:turn",
    "ours@sqlite:turn",
    "ours@sqlite",
    "create_agent@sqlite",
    "ours@postgres:turn",
    "ours@postgres",
    "create_agent@postgres",
)
"""The default contenders, ``GRAPH@SAVER``; ``GRAPH@SAVER:exit`` runs with ``durability="exit"``;
``GRAPH@SAVER:turn`` as the chat and ``agent ask`` do (``graphs.durability``: the question saved first, the
rest at the turn's end)."""
DURABILITIES = ("async", "sync", "exit", "turn")
PROSE = string.ascii_letters + "   "


def noise(chars: int = TEXT_CHARS) -> str:
    """Incompressible text."""
    return base64.b64encode(os.urandom(chars))[:chars].decode()


def prose(chars: int = TEXT_CHARS) -> str:
    """Random letters and spaces, no digits: an answer the deterministic checks of reflection pass
    (no number that no tool returned), which never restates the question."""
    return "".join(random.choices(PROSE, k=chars))


@tool
def fetch(query: str) -> str:
    """Return some text."""
    return noise()


def fetch_arguments() -> dict[str, Any]:
    """Arguments for ``fetch``: incompressible, so the storage measured is the storage of real text."""
    return {"query": noise(40)}


def calculator_arguments() -> dict[str, Any]:
    return {"expression": "2+2"}


class ToolThenAnswer(BaseChatModel):
    """The benches' turn: one tool call after a question, an answer after its result; asked for a critique
    (reflection), it accepts; asked to summarise, it calls the tool again, so the assistant falls back to its
    extractive summary. Used by tests/test_memory.py too."""

    tool: str = "fetch"
    """The tool it calls every turn."""
    arguments: Callable[[], dict[str, Any]] = fetch_arguments
    """A new call's arguments."""
    answer: str | None = None
    """The answer after every tool result (None: new random prose each time, no digits, so reflection's
    number check never sends it back)."""

    @property
    def _llm_type(self) -> str:
        return "bench"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        message_id = f"ai_{uuid.uuid4().hex}"
        if isinstance(messages[-1], ToolMessage):
            message = AIMessage(self.answer or prose(), id=message_id)
        else:
            call = {"name": self.tool, "args": self.arguments(), "id": f"call_{uuid.uuid4().hex[:12]}"}
            message = AIMessage("", tool_calls=[call], id=message_id)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def bind_tools(self, tools: Any, **kwargs: Any) -> Runnable[Any, Any]:
        return self

    def with_structured_output(self, schema: Any, **kwargs: Any) -> Runnable[Any, Any]:
        return RunnableLambda(lambda _: schema(verdict="accept", feedback=""))


def calculator_then_answer(answer: str | None = None) -> ToolThenAnswer:
    """The benches' calculator turn (``answer``: the same text every turn, else random prose)."""
    return ToolThenAnswer(tool="calculator", arguments=calculator_arguments, answer=answer)


Saver = Callable[[Path], AbstractContextManager[Any]]


@contextmanager
def our_saver(path: Path) -> Iterator[Any]:
    from agent.memory.checkpointers import checkpointer

    with checkpointer(f"sqlite:///{path}") as saver:
        yield saver


@contextmanager
def plain_sqlite_saver(path: Path) -> Iterator[Any]:
    """LangGraph's own ``SqliteSaver`` on a connection tuned like ours (WAL, busy timeout)."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent.memory.checkpointers import connect_sqlite

    conn = connect_sqlite(path)
    try:
        saver = SqliteSaver(conn)
        saver.setup()
        yield saver
    finally:
        conn.close()


@contextmanager
def plain_postgres_saver(url: str) -> Iterator[Any]:
    """LangGraph's own ``PostgresSaver`` on one connection set up as its ``from_conn_string`` does."""
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row

    with psycopg.connect(url, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        yield saver


def ours(saver: Any) -> Any:
    """Our graph with reflection off and the ``fetch`` tool (the storage tests' graph)."""
    from agent.settings import Settings
    from graphs.assistant import build_graph

    settings = Settings(reflection="off", _env_file=None)  # type: ignore[call-arg]
    return build_graph(ToolThenAnswer(), tools=[fetch], checkpointer=saver, settings=settings)


def create_agent_baseline(saver: Any) -> Any:
    from langchain.agents import create_agent

    return create_agent(ToolThenAnswer(), tools=[fetch], checkpointer=saver)


def graph_for(name: str, saver: Any) -> Any:
    """The bench's graph ``name`` on ``saver``: the calculator turn, our settings at their defaults."""
    from tools.calculator import calculator

    if name == "create_agent":
        from langchain.agents import create_agent

        return create_agent(calculator_then_answer(), tools=[calculator], checkpointer=saver)
    from agent.settings import Settings
    from graphs.assistant import build_graph

    settings = Settings.model_construct()  # the defaults, not this machine's environment: reflection auto
    return build_graph(calculator_then_answer(), tools=[calculator], checkpointer=saver, settings=settings)


@contextmanager
def open_saver(kind: str, target: str) -> Iterator[Any]:
    """The saver ``kind`` on ``target`` (a SQLite file, or a PostgreSQL URL)."""
    if kind == "postgres":
        with plain_postgres_saver(target) as saver:
            yield saver
    else:
        with (our_saver if kind == "ours" else plain_sqlite_saver)(Path(target)) as saver:
            yield saver


def disk_bytes(path: Path, saver: Any) -> int:
    saver.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


POSTGRES_SIZE = (
    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS size FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
)


def stored_bytes(kind: str, target: str, saver: Any) -> int:
    """What the thread takes: the SQLite file (after a WAL checkpoint), or the PostgreSQL saver's tables
    with their indexes and TOAST (the contender has the database to itself)."""
    if kind == "postgres":
        return int(saver.conn.execute(POSTGRES_SIZE).fetchone()["size"])
    return disk_bytes(Path(target), saver)


def server_cpu_s(saver: Any) -> float:
    """CPU seconds the PostgreSQL backend serving ``saver`` has used (it runs on this machine)."""
    pid = saver.conn.info.backend_pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def postgres_database(url: str, name: str) -> Iterator[str]:
    """A database of its own for one contender, dropped afterwards; yields its URL."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_conninfo(url, dbname=name)
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Contender:
    """A graph on a saver, its thread and its measurements."""

    name: str
    graph_name: str
    kind: str
    target: str
    saver: Any
    graph: Any
    durability: str = "async"
    """LangGraph's default, ``async``: a checkpoint after every step; ``exit``: one per run; ``turn``: the
    question's, then one per run (``graphs.durability``)."""
    thread_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    server: list[float] = field(default_factory=list)

    @property
    def config(self) -> dict[str, Any]:
        return {"configurable": {"thread_id": self.thread_id}}

    def turn(self) -> None:
        question = HumanMessage(prose())
        server = server_cpu_s(self.saver) if self.kind == "postgres" else 0.0
        started, started_cpu = time.perf_counter(), time.process_time()
        if self.durability == "turn":
            save_question(self.graph, self.config, {"messages": [question]})
            self.graph.invoke(None, self.config, durability=TURN_DURABILITY)
        else:
            self.graph.invoke({"messages": [question]}, self.config, durability=self.durability)
        self.cpu.append(1000 * (time.process_time() - started_cpu))
        self.wall.append(1000 * (time.perf_counter() - started))
        if self.kind == "postgres":
            self.server.append(1000 * (server_cpu_s(self.saver) - server))


@dataclass(frozen=True)
class Row:
    contender: str
    turns: int
    bytes: int
    kb_per_turn: float
    marginal_kb_per_turn: float
    """Growth per turn since the previous mark: what an ordinary turn costs."""
    wall_ms: float
    cpu_ms: float
    """Median CPU time of the ``LATE`` turns before the mark."""
    server_cpu_ms: float | None
    ratio: float | None
    """``cpu_ms`` over the median CPU time of turns 11-30 (None before turn 60)."""
    cold_wall_ms: float
    cold_cpu_ms: float


def cold_load(graph_name: str, kind: str, target: str, thread_id: str, runs: int) -> tuple[float, float]:
    """Median wall and CPU ms of a new process's first ``get_state`` of the thread."""
    walls, cpus = [], []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-m", "bench.memory", "--cold-load", graph_name, kind, target, thread_id],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        walls.append(measured["wall_ms"])
        cpus.append(measured["cpu_ms"])
    return statistics.median(walls), statistics.median(cpus)


def cold_load_here(graph_name: str, kind: str, target: str, thread_id: str) -> dict[str, float]:
    """In this (new) process: open the saver, compile the graph, then time the first ``get_state``."""
    with open_saver(kind, target) as saver:
        graph = graph_for(graph_name, saver)
        started, started_cpu = time.perf_counter(), time.process_time()
        state = graph.get_state({"configurable": {"thread_id": thread_id}})
        cpu = time.process_time() - started_cpu
        wall = time.perf_counter() - started
    if not state.values.get("messages"):
        raise RuntimeError("the thread read back empty")
    return {"wall_ms": 1000 * wall, "cpu_ms": 1000 * cpu}


def row_at(
    contender: Contender, turns: int, previous: Row | None, cold_runs: int, young: Contender | None = None
) -> Row:
    """The row at a mark; ``young``: a new thread whose turns 11-30 ran beside this one's last ``LATE``
    turns, for the late/early CPU ratio."""
    size = stored_bytes(contender.kind, contender.target, contender.saver)
    late_cpu = statistics.median(contender.cpu[-LATE:])
    first, last = EARLY
    ratio = late_cpu / statistics.median(young.cpu[first - 1 : last]) if young else None
    cold_wall, cold_cpu = cold_load(
        contender.graph_name, contender.kind, contender.target, contender.thread_id, cold_runs
    )
    before_bytes, before_turns = (previous.bytes, previous.turns) if previous else (0, 0)
    return Row(
        contender=contender.name,
        turns=turns,
        bytes=size,
        kb_per_turn=size / turns / 1000,
        marginal_kb_per_turn=(size - before_bytes) / (turns - before_turns) / 1000,
        wall_ms=statistics.median(contender.wall[-LATE:]),
        cpu_ms=late_cpu,
        server_cpu_ms=statistics.fmean(contender.server[-LATE:]) if contender.server else None,
        ratio=ratio,
        cold_wall_ms=cold_wall,
        cold_cpu_ms=cold_cpu,
    )


def transcript_length(contender: Contender) -> int:
    """Messages in the whole thread (ours keeps the planner's window in state, the rest in the saver)."""
    if contender.graph_name == "ours":
        from graphs.transcript import full_transcript

        return len(full_transcript(contender.saver, contender.config))  # type: ignore[arg-type]
    return len(contender.graph.get_state(contender.config).values["messages"])


def parse(name: str) -> tuple[str, str, str]:
    """``GRAPH@SAVER[:DURABILITY]`` as its three parts (durability ``async`` when not given)."""
    graph_name, _, rest = name.partition("@")
    kind, _, durability = rest.partition(":")
    if graph_name not in GRAPHS or kind not in SAVERS or durability not in ("", *DURABILITIES):
        raise ValueError(
            f"unknown contender {name!r}: GRAPH@SAVER[:DURABILITY] with GRAPH in {GRAPHS}, SAVER in {SAVERS}, "
            f"DURABILITY in {DURABILITIES}"
        )
    return graph_name, kind, durability or "async"


def measure(
    names: Sequence[str], marks: Sequence[int], *, postgres_url: str = POSTGRES_URL, cold_runs: int = 3
) -> list[Row]:
    """Run ``max(marks)`` turns per contender, interleaved; a row per contender at each mark."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp, ExitStack() as stack:

        def contender(name: str, label: str) -> Contender:
            graph_name, kind, durability = parse(name)
            if kind == "postgres":
                database = f"bench_memory_{os.getpid()}_{label}"
                target = stack.enter_context(postgres_database(postgres_url, database))
            else:
                target = str(Path(tmp) / f"{label}.db")
            saver = stack.enter_context(open_saver(kind, target))
            graph = graph_for(graph_name, saver)
            return Contender(name, graph_name, kind, target, saver, graph, durability)

        group = [contender(name, str(index)) for index, name in enumerate(names)]
        # The late/early ratio compares the long thread's last LATE turns with turns 11-30 of a new thread
        # (its own file or database) run at the same time, interleaved: on a shared machine, whatever else
        # runs then weighs on both alike (early turns run minutes before late ones drift with the load).
        young = {c.name: contender(c.name, f"{index}_young") for index, c in enumerate(group)}
        final = max(marks)
        previous: dict[str, Row] = {}

        def mark(turn: int, paired: bool) -> None:
            for c in group:
                row = row_at(c, turn, previous.get(c.name), cold_runs, young[c.name] if paired else None)
                previous[c.name] = row
                rows.append(row)
                print(table([row], header=False)[0], file=sys.stderr, flush=True)

        paired_from = final - LATE + 1 if final >= LATE + 1 else final + 1
        for turn in range(1, paired_from):
            shift = turn % len(group)
            for c in group[shift:] + group[:shift]:
                c.turn()
            if turn in marks:
                mark(turn, paired=False)
        first, last = EARLY
        for young_turn in range(1, last + 1):
            shift = young_turn % len(group)
            for c in group[shift:] + group[:shift]:
                young[c.name].turn()
                if young_turn >= first and paired_from <= final:
                    c.turn()
        if paired_from <= final:
            mark(final, paired=True)
        for c in group:
            found = transcript_length(c)
            if found != 4 * final:
                problem = f"{c.name}: the whole transcript holds {found} messages, not {4 * final}"
                if c.durability in ("async", "turn"):
                    raise RuntimeError(problem)
                print(f"warning: {problem}", file=sys.stderr)
    return rows


HEADER = (
    "| contender | turns | stored | KB/turn | KB/turn since last mark | wall/turn | CPU/turn "
    "| server CPU/turn | CPU vs turns 11-30 | cold load wall | cold load CPU |"
)


def table(rows: Sequence[Row], *, header: bool = True) -> list[str]:
    lines = [HEADER, "|" + "---|" * (HEADER.count("|") - 1)] if header else []
    for row in rows:
        server = "" if row.server_cpu_ms is None else f"{row.server_cpu_ms:.1f} ms"
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
        lines.append(
            f"| {row.contender} | {row.turns} | {row.bytes / 1e6:.2f} MB | {row.kb_per_turn:.1f} "
            f"| {row.marginal_kb_per_turn:.1f} | {row.wall_ms:.1f} ms | {row.cpu_ms:.1f} ms | {server} "
            f"| {ratio} | {row.cold_wall_ms:.0f} ms | {row.cold_cpu_ms:.0f} ms |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--turns", type=int, nargs="+", default=[30, 100, 300], help="marks; runs to the last"
    )
    parser.add_argument(
        "--contenders",
        default=",".join(CONTENDERS),
        help="comma-separated GRAPH@SAVER (default: %(default)s)",
    )
    parser.add_argument("--postgres", default=POSTGRES_URL, help="a server where databases can be created")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes per cold load (median)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument(
        "--cold-load", nargs=4, metavar=("GRAPH", "SAVER", "TARGET", "THREAD"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.cold_load:
        print(json.dumps(cold_load_here(*args.cold_load)))
        return
    names = [name.strip() for name in args.contenders.split(",") if name.strip()]
    for name in names:
        try:
            parse(name)
        except ValueError as error:
            parser.error(str(error))
    rows = measure(names, sorted(set(args.turns)), postgres_url=args.postgres, cold_runs=args.cold_runs)
    if args.json:
        print(json.dumps([asdict(row) for row in rows], indent=2))
    else:
        print("\n".join(table(sorted(rows, key=lambda r: (names.index(r.contender), r.turns)))))


if __name__ == "__main__":
    main()
