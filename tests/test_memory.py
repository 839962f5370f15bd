"""Checkpointers: SQLite shared across processes, PostgreSQL on the local server, in-memory; bad URLs."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypedDict

import pytest
from langchain_core.messages import AnyMessage, HumanMessage
from langgraph.graph.message import add_messages

from agent.memory.checkpointers import acheckpointer, checkpointer, sqlite_path
from agent.settings import Settings
from graphs.assistant import build_graph
from graphs.durability import TURN_DURABILITY, save_question
from graphs.transcript import full_transcript
from tests.fakes import ScriptedChatModel

ROOT = Path(__file__).resolve().parent.parent
# Commits do not wait for the WAL to reach the disk: a worker of test_processes_share_one_postgresql_database
# hung twice for over 60 s with the server's session in "IO WALSync" on a busy shared disk (its diagnostics);
# durability is not what these tests check, sharing and locking are.
POSTGRES_URL = os.environ.get(
    "AGENT_TEST_POSTGRES_URL",
    "postgresql://postgres@127.0.0.1:5432/test?options=-c%20synchronous_commit%3Doff",
)


def turn_in_new_process(url: str, thread_id: str, question: str, answer: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.thread_process", url, thread_id, question, answer],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_thread_continues_in_a_second_process_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'memory.db'}"
    first = turn_in_new_process(url, "t1", "My favourite colour is teal.", "Noted: teal.")
    second = turn_in_new_process(url, "t1", "What is my favourite colour?", "Teal.")
    assert first == ["My favourite colour is teal."]
    assert second == ["My favourite colour is teal.", "Noted: teal.", "What is my favourite colour?"]
    other_thread = turn_in_new_process(url, "t2", "Hello?", "Hi.")
    assert other_thread == ["Hello?"]


def test_sqlite_is_opened_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    with checkpointer(f"sqlite:///{tmp_path / 'm.db'}") as saver:
        conn = saver.conn  # type: ignore[attr-defined]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30000


def test_default_memory_is_sqlite_under_agent_home(isolated_environment: Path) -> None:
    settings = Settings()
    assert settings.memory_url == f"sqlite:///{isolated_environment / 'memory.db'}"
    with checkpointer(settings=settings):
        pass
    assert (isolated_environment / "memory.db").exists()


def test_sqlite_url_forms() -> None:
    assert sqlite_path("sqlite:////abs/dir/m.db") == Path("/abs/dir/m.db")
    assert sqlite_path("sqlite:///rel/m.db") == Path("rel/m.db")
    with pytest.raises(ValueError, match="AGENT_MEMORY"):
        sqlite_path("sqlite:///")


def test_unknown_memory_url_names_the_setting() -> None:
    with pytest.raises(ValueError, match="AGENT_MEMORY"), checkpointer("redis://localhost"):
        pass


UNREACHABLE = "postgresql://nobody:hunter2@127.0.0.1:1/x"
"""Nothing listens on port 1; the password must never be shown."""


def open_sync(url: str) -> None:
    with checkpointer(url):
        pass


def open_async(url: str) -> None:
    import asyncio

    async def opened() -> None:
        async with acheckpointer(url):
            pass

    asyncio.run(opened())


@pytest.mark.parametrize("open_memory", [open_sync, open_async])
def test_an_unreachable_postgresql_fails_in_seconds_naming_the_setting_not_the_password(
    open_memory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import time

    from agent.memory.checkpointers import MemoryUnavailable

    started = time.monotonic()
    with pytest.raises(MemoryUnavailable) as raised:
        open_memory(UNREACHABLE)
    assert time.monotonic() - started < 10
    message = str(raised.value)
    assert "AGENT_MEMORY" in message and "postgresql://nobody:***@127.0.0.1:1/x" in message
    assert "hunter2" not in message and "\n" not in message
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_a_postgresql_server_that_never_answers_fails_after_the_connect_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket
    import time

    from agent.memory import checkpointers

    monkeypatch.setattr(checkpointers, "CONNECT_TIMEOUT_SECONDS", 2)  # libpq's smallest
    with socket.create_server(("127.0.0.1", 0)) as silent:  # the kernel accepts; nobody ever answers
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(checkpointers.MemoryUnavailable, match="AGENT_MEMORY"):
            open_sync(f"postgresql://nobody@127.0.0.1:{port}/x")
        assert time.monotonic() - started < 8


def test_an_unreachable_postgresql_is_one_line_on_the_command_line(isolated_environment: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "agent", "threads", "list"],
        cwd=ROOT,
        env={**os.environ, "AGENT_HOME": str(isolated_environment), "AGENT_MEMORY": UNREACHABLE},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: cannot open the PostgreSQL memory at ") and "AGENT_MEMORY" in line
    assert "hunter2" not in done.stderr + done.stdout


NOT_A_DATABASE = b"this is not a database, just text\n" * 100


@pytest.mark.parametrize(
    ("open_memory", "content", "reason"),
    [
        (open_sync, NOT_A_DATABASE, "file is not a database"),
        (open_async, NOT_A_DATABASE, "file is not a database"),
        # Not async: aiosqlite's worker thread outlives a failed connect and trips over the closed loop.
        (open_sync, None, "unable to open database file"),
    ],
)
def test_a_memory_file_that_cannot_be_opened_is_named_with_the_setting(
    tmp_path: Path, open_memory: Any, content: bytes | None, reason: str
) -> None:
    from agent.memory.checkpointers import MemoryUnavailable

    path = tmp_path / "memory.db"
    if content is None:
        path.mkdir()  # a folder where the file should be
    else:
        path.write_bytes(content)
    with pytest.raises(MemoryUnavailable) as raised:
        open_memory(f"sqlite:///{path}")
    message = str(raised.value)
    assert message.startswith(f"cannot open the memory file {path}: {reason}")
    assert "AGENT_MEMORY" in message


def test_a_corrupt_memory_file_is_one_line_on_the_command_line(isolated_environment: Path) -> None:
    from typer.testing import CliRunner

    from agent.cli.main import app

    (isolated_environment / "memory.db").write_bytes(b"garbage" * 1000)
    done = CliRunner().invoke(app, ["threads", "list"])
    assert done.exit_code == 1 and isinstance(done.exception, SystemExit)
    [line] = done.stderr.strip().splitlines()
    assert str(isolated_environment / "memory.db") in line and "AGENT_MEMORY" in line
    assert "file is not a database" in line


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:secret@db.example:5432/app", "postgresql://u:***@db.example:5432/app"),
        ("postgresql://u@db/app?password=secret&sslmode=require", "postgresql://u@db/app?…"),
        ("postgres://u:p%40ss@[::1]/app", "postgres://u:***@[::1]/app"),
        ("postgresql:///app", "postgresql:///app"),
    ],
)
def test_memory_urls_are_shown_without_passwords(url: str, shown: str) -> None:
    from agent.memory.checkpointers import public_url

    assert public_url(url) == shown


def test_in_memory_saver_keeps_a_thread_within_the_process() -> None:
    model = ScriptedChatModel(script=["one", "two"])
    with checkpointer("memory") as saver:
        graph = build_graph(model, tools=[], checkpointer=saver, settings=Settings(reflection="off"))
        config = {"configurable": {"thread_id": "m"}}
        graph.invoke({"messages": [HumanMessage("a")]}, config)
        state = graph.invoke({"messages": [HumanMessage("b")]}, config)
    assert [m.text for m in state["messages"]] == ["a", "one", "b", "two"]


def _postgres_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def require_postgres() -> str:
    """The test server's URL; fails in CI when it is unreachable, skips with the reason elsewhere."""
    if not _postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}, and CI must test it")
        pytest.skip(f"no PostgreSQL server at {POSTGRES_URL} (set AGENT_TEST_POSTGRES_URL)")
    return POSTGRES_URL


@pytest.fixture
def postgres_url() -> str:
    return require_postgres()


def test_a_thread_continues_on_postgresql(postgres_url: str) -> None:
    thread_id = f"pg-{uuid.uuid4().hex}"
    first = turn_in_new_process(postgres_url, thread_id, "Remember 7.", "Remembered.")
    second = turn_in_new_process(postgres_url, thread_id, "What number?", "7.")
    assert first == ["Remember 7."]
    assert second == ["Remember 7.", "Remembered.", "What number?"]


async def test_async_checkpointers_run_the_graph(tmp_path: Path, postgres_url: str) -> None:
    for url in (f"sqlite:///{tmp_path / 'a.db'}", postgres_url, "memory"):
        model = ScriptedChatModel(script=["async one", "async two"])
        async with acheckpointer(url) as saver:
            graph = build_graph(model, tools=[], checkpointer=saver, settings=Settings(reflection="off"))
            config = {"configurable": {"thread_id": f"a-{uuid.uuid4().hex}"}}
            await graph.ainvoke({"messages": [HumanMessage("x")]}, config)
            state = await graph.ainvoke({"messages": [HumanMessage("y")]}, config)
        assert [m.text for m in state["messages"]] == ["x", "async one", "y", "async two"], url


# --- storage that grows linearly, histories rebuilt the same however they are read ---------------------

TURN_BYTES_LIMIT = 10_000
"""The issue's bound on what an ordinary turn (4 messages of 400 characters) costs on disk."""


def _bench_turns(graph: Any, config: dict[str, Any], turns: int) -> None:
    from bench.memory import noise

    for _ in range(turns):
        graph.invoke({"messages": [HumanMessage(noise())]}, config)


def test_an_ordinary_turn_costs_at_most_10_kb_on_sqlite_and_storage_grows_linearly(tmp_path: Path) -> None:
    from bench.memory import disk_bytes, ours

    path = tmp_path / "memory.db"
    config = {"configurable": {"thread_id": "long"}}
    sizes = []
    with checkpointer(f"sqlite:///{path}") as saver:
        graph = ours(saver)
        # Blocks of 30 turns: each holds about one snapshot of the window (every WINDOW_SNAPSHOT updates).
        for _ in range(2):
            _bench_turns(graph, config, 30)
            sizes.append(disk_bytes(path, saver))
        growth = []
        for _ in range(30):
            _bench_turns(graph, config, 1)
            growth.append(disk_bytes(path, saver) - sizes[-1])
            sizes[-1] += growth[-1]
        messages = full_transcript(saver, config)
    assert len(messages) == 4 * 90
    early, late = sizes[1] - sizes[0], sum(growth)
    ordinary = sorted(growth)[len(growth) // 2]
    assert ordinary <= TURN_BYTES_LIMIT, f"{ordinary} bytes per ordinary turn (median of turns 61-90)"
    assert late <= 1.15 * early, f"turns 61-90 took {late} bytes, turns 31-60 {early}"


@pytest.mark.parametrize("durability", ["async", "exit", "turn"])
def test_the_whole_transcript_reads_back_on_a_stock_saver_whatever_the_durability(
    tmp_path: Path, durability: str
) -> None:
    """A run saved once at its end (``durability="exit"``) may keep its messages only in a snapshot of the
    window; the transcript reader takes them from there, across snapshots and folds into the summary."""
    from bench.memory import ours, plain_sqlite_saver

    config = {"configurable": {"thread_id": "exit"}}
    with plain_sqlite_saver(tmp_path / "memory.db") as saver:
        graph = ours(saver)
        for turn in range(45):  # past a snapshot of the window (every WINDOW_SNAPSHOT updates) and folds
            question = {"messages": [HumanMessage(f"q{turn} " + "x" * 400)]}
            if durability == "turn":  # as the chat and ``agent ask`` run a turn
                save_question(graph, config, question)
                graph.invoke(None, config, durability=TURN_DURABILITY)
            else:
                graph.invoke(question, config, durability=durability)
        window = graph.get_state(config).values["messages"]
        messages = full_transcript(saver, config)
    assert len(window) < 4 * 45, "older turns were folded out of the window"
    assert [m.text.split()[0] for m in messages if m.type == "human"] == [f"q{turn}" for turn in range(45)]
    assert [m.type for m in messages] == ["human", "ai", "tool", "ai"] * 45
    assert len({m.id for m in messages}) == 4 * 45


def _turns_as_the_chat_saves(graph: Any, config: dict[str, Any], turns: int) -> None:
    """Turns run as ``agent ask`` and the chat run them (``graphs.durability``)."""
    from bench.memory import noise

    for _ in range(turns):
        save_question(graph, config, {"messages": [HumanMessage(noise())]})
        graph.invoke(None, config, durability=TURN_DURABILITY)


def test_an_ordinary_turn_costs_at_most_10_kb_on_the_stock_sqlite_saver_as_the_chat_saves(
    tmp_path: Path,
) -> None:
    """LangGraph's own SqliteSaver, no saver of ours: two checkpoints a turn (the question, the finished turn)
    instead of six keep an ordinary turn under the bound, and nothing of the thread is lost."""
    from bench.memory import disk_bytes, ours, plain_sqlite_saver

    path = tmp_path / "memory.db"
    config = {"configurable": {"thread_id": "stock"}}
    with plain_sqlite_saver(path) as saver:
        graph = ours(saver)
        _turns_as_the_chat_saves(graph, config, 30)
        early = disk_bytes(path, saver)
        _turns_as_the_chat_saves(graph, config, 30)
        late = disk_bytes(path, saver) - early
        checkpoints = list(saver.list(config))
        messages = full_transcript(saver, config)
    assert late / 30 <= TURN_BYTES_LIMIT, f"{late / 30:.0f} bytes per turn over turns 31-60"
    assert len(checkpoints) == 2 * 60
    assert [m.type for m in messages] == ["human", "ai", "tool", "ai"] * 60


def test_the_chat_saves_two_checkpoints_a_turn_on_the_stock_postgres_saver(postgres_url: str) -> None:
    from bench.memory import ours, plain_postgres_saver

    config = {"configurable": {"thread_id": f"turn-{uuid.uuid4().hex}"}}
    with plain_postgres_saver(postgres_url) as saver:
        graph = ours(saver)
        _turns_as_the_chat_saves(graph, config, 5)
        assert len(list(saver.list(config))) == 2 * 5
        assert [m.type for m in full_transcript(saver, config)] == ["human", "ai", "tool", "ai"] * 5


def test_messages_given_without_ids_read_back_once_past_a_snapshot_of_the_window(tmp_path: Path) -> None:
    """``("user", "...")`` input is stored without an id and snapshotted with one: still one message."""
    from bench.memory import ours, plain_sqlite_saver

    config = {"configurable": {"thread_id": "tuples"}}
    with plain_sqlite_saver(tmp_path / "memory.db") as saver:
        graph = ours(saver)
        for turn in range(35):  # past a snapshot of the window (every WINDOW_SNAPSHOT updates)
            graph.invoke({"messages": [("user", f"q{turn}")]}, config)
        messages = full_transcript(saver, config)
    assert [m.text for m in messages if m.type == "human"] == [f"q{turn}" for turn in range(35)]
    assert len(messages) == 4 * 35


def _delta_value(history: Any) -> list[str]:
    """The message ids a DeltaChannel history rebuilds to."""
    from agent.memory.savers import _seed_value
    from graphs.channels import append_messages

    seed = _seed_value(history.get("seed", []))
    return [m.id for m in append_messages(list(seed), [w for _, _, w in history["writes"]])]


def test_remembered_histories_equal_langgraphs_own_walk_at_every_checkpoint(tmp_path: Path) -> None:
    from langgraph.checkpoint.sqlite import SqliteSaver

    from bench.memory import ours

    url = f"sqlite:///{tmp_path / 'memory.db'}"
    config = {"configurable": {"thread_id": "walk"}}
    with checkpointer(url) as saver:
        graph = ours(saver)
        _bench_turns(graph, config, 6)
        plain = SqliteSaver(saver.conn)  # type: ignore[attr-defined]
        history = list(graph.get_state_history(config))[::-1]  # oldest first: each read walks a little
        assert len(history) == 6 * 5
        for snapshot in history:
            ours_ = saver.get_delta_channel_history(config=snapshot.config, channels=["messages"])
            theirs = plain.get_delta_channel_history(config=snapshot.config, channels=["messages"])
            assert _delta_value(ours_["messages"]) == _delta_value(theirs["messages"])
            assert [m.id for m in snapshot.values.get("messages", [])] == _delta_value(ours_["messages"])


def is_summary_request(messages: list[Any]) -> bool:
    from graphs.summary import SUMMARY_SYSTEM

    return bool(messages) and str(messages[0].content).startswith(SUMMARY_SYSTEM[:40])


def chatty_model(summary: str = "The user asked numbered questions.", calls: int = 200) -> ScriptedChatModel:
    """Answers each question with its number (and some words); answers summary requests with ``summary``."""
    from langchain_core.messages import AIMessage

    def respond(messages: list[Any]) -> AIMessage:
        if is_summary_request(messages):
            return AIMessage(summary)
        question = next(m for m in reversed(messages) if isinstance(m, HumanMessage))
        return AIMessage(f"answer to {question.text.split()[1]} " + "word " * 40)

    return ScriptedChatModel(script=[respond] * calls)


def test_a_thread_reads_the_same_in_a_fresh_process_as_in_the_one_that_wrote_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'memory.db'}"
    config = {"configurable": {"thread_id": "same"}}
    settings = Settings(reflection="off", max_context_tokens=400)
    model = chatty_model()
    with checkpointer(url) as saver:
        graph = build_graph(model, tools=[], checkpointer=saver, settings=settings)
        for i in range(12):
            graph.invoke({"messages": [HumanMessage(f"question {i} " + "word " * 40)]}, config)
        warm = graph.get_state(config).values
    with checkpointer(url) as fresh:
        cold = build_graph(model, tools=[], checkpointer=fresh, settings=settings).get_state(config).values
    assert [m.id for m in cold["messages"]] == [m.id for m in warm["messages"]]
    assert 0 < len(cold["messages"]) < 24, "folded turns left the window"
    with checkpointer(url) as fresh:
        assert len(full_transcript(fresh, config)) == 24, "and stayed in the thread"
    assert cold["summary"] == warm["summary"] != ""
    assert cold["summary_through"] == warm["summary_through"]


def test_new_sqlite_threads_get_integer_versions_and_old_ones_keep_strings() -> None:
    from agent.memory.savers import next_version

    assert [next_version(None), next_version(1), next_version(41)] == [1, 2, 42]
    old = "00000000000000000000000000000247.0.4413402058737096"
    assert next_version(old) == "00000000000000000000000000000248"
    assert next_version(old) > old  # strings of one thread still sort


class OldState(TypedDict):
    """The state schema threads were saved with before the transcript became a DeltaChannel."""

    messages: Annotated[list[AnyMessage], add_messages]


def test_a_thread_written_before_delta_channels_continues(tmp_path: Path) -> None:
    """A thread saved by LangGraph's plain SqliteSaver with an ``add_messages`` channel (string versions,
    the whole list in every checkpoint) goes on with the current graph and saver."""
    from langchain_core.messages import AIMessage
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import START, StateGraph

    from agent.memory.checkpointers import connect_sqlite

    old_builder = StateGraph(OldState)
    old_builder.add_node("planner", lambda state: {"messages": [AIMessage("old answer")]})
    old_builder.add_edge(START, "planner")
    path = tmp_path / "memory.db"
    config = {"configurable": {"thread_id": "old"}}
    conn = connect_sqlite(path)
    old_graph = old_builder.compile(checkpointer=SqliteSaver(conn))
    old_graph.invoke({"messages": [HumanMessage("old question")]}, config)
    conn.close()

    with checkpointer(f"sqlite:///{path}") as saver:
        graph = build_graph(
            ScriptedChatModel(script=["new answer"]),
            tools=[],
            checkpointer=saver,
            settings=Settings(reflection="off"),
        )
        state = graph.invoke({"messages": [HumanMessage("new question")]}, config)
        versions = saver.get_tuple(config).checkpoint["channel_versions"]  # type: ignore[union-attr]
    assert [m.text for m in state["messages"]] == ["old question", "old answer", "new question", "new answer"]
    assert all(isinstance(version, str) for version in versions.values())


def test_postgres_saver_uses_a_pool_and_stores_the_transcript_as_deltas(postgres_url: str) -> None:
    from psycopg_pool import ConnectionPool

    config = {"configurable": {"thread_id": f"pg-delta-{uuid.uuid4().hex}"}}
    model = ScriptedChatModel(script=["one", "two", "three"])
    with checkpointer(postgres_url) as saver:
        assert isinstance(saver.conn, ConnectionPool)  # type: ignore[attr-defined]
        graph = build_graph(model, tools=[], checkpointer=saver, settings=Settings(reflection="off"))
        for question in ("a", "b", "c"):
            graph.invoke({"messages": [HumanMessage(question)]}, config)
        head = saver.get_tuple(config)
        assert head is not None and "messages" not in head.checkpoint["channel_values"]
        warm = [m.text for m in graph.get_state(config).values["messages"]]
    with checkpointer(postgres_url) as fresh:
        reader = build_graph(model, tools=[], checkpointer=fresh, settings=Settings(reflection="off"))
        cold = [m.text for m in reader.get_state(config).values["messages"]]
        fresh.delete_thread(config["configurable"]["thread_id"])
    assert warm == cold == ["a", "one", "b", "two", "c", "three"]


async def test_async_sqlite_saver_remembers_histories_and_uses_integer_versions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    config = {"configurable": {"thread_id": "async"}}
    async with acheckpointer(url) as saver:
        graph = build_graph(
            ScriptedChatModel(script=["1", "2", "3"]),
            tools=[],
            checkpointer=saver,
            settings=Settings(reflection="off"),
        )
        for question in ("a", "b", "c"):
            await graph.ainvoke({"messages": [HumanMessage(question)]}, config)
        head = await saver.aget_tuple(config)
        assert head is not None
        assert all(isinstance(v, int) for v in head.checkpoint["channel_versions"].values())
        remembered = saver._history_memo.get("async", "")  # type: ignore[attr-defined]
        assert remembered is not None
        state = await graph.aget_state(config)
    assert [m.text for m in state.values["messages"]] == ["a", "1", "b", "2", "c", "3"]


# --- the planner's bounded view, the running summary ------------------------------------------------


def transcript(turns: int, *, words: int = 30) -> list[Any]:
    """``turns`` turns of question, tool call, tool result and answer, with ids."""
    from langchain_core.messages import AIMessage, ToolMessage

    from tests.fakes import call, tool_calls

    messages: list[Any] = []
    for i in range(turns):
        lookup = call("calculator", expression=f"{i}+1")
        messages += [
            HumanMessage(f"question {i} " + "word " * words, id=f"h{i}"),
            tool_calls(lookup).model_copy(update={"id": f"c{i}"}),
            ToolMessage(
                f"result {i} " + "word " * words, tool_call_id=lookup["id"], name="calculator", id=f"t{i}"
            ),
            AIMessage(f"answer {i} " + "word " * words, id=f"a{i}"),
        ]
    return messages


def assert_calls_have_results(prompt: list[Any]) -> None:
    from langchain_core.messages import AIMessage, ToolMessage

    answered = {m.tool_call_id for m in prompt if isinstance(m, ToolMessage)}
    called = {c["id"] for m in prompt if isinstance(m, AIMessage) for c in m.tool_calls}
    assert answered == called


def test_planner_view_keeps_whole_recent_turns_within_the_budget() -> None:
    from langchain_core.messages import SystemMessage
    from langchain_core.messages.utils import count_tokens_approximately

    from graphs.context import planner_messages

    messages = transcript(50)
    prompt = planner_messages(messages, max_tokens=2000)
    assert isinstance(prompt[0], SystemMessage)
    assert count_tokens_approximately(prompt) <= 2000
    kept = prompt[1:]
    assert isinstance(kept[0], HumanMessage)
    assert [m.id for m in kept] == [m.id for m in messages[-len(kept) :]]
    assert len(kept) % 4 == 0 and len(kept) >= 4 * 5
    assert_calls_have_results(kept)


def test_planner_view_costs_what_it_keeps_not_the_whole_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    import graphs.context as context

    counted: list[Any] = []
    real = context.message_tokens

    def counting(message: Any) -> int:
        counted.append(message)
        return real(message)

    monkeypatch.setattr(context, "message_tokens", counting)
    prompt = context.planner_messages(transcript(2000), max_tokens=2000)
    assert len(counted) <= len(prompt) + 4  # the kept messages, the system prompt and one message more


def test_planner_view_starts_after_what_the_summary_covers() -> None:
    from graphs.context import planner_messages, unsummarised_start

    messages = transcript(3)
    start = unsummarised_start(messages, "a0")
    prompt = planner_messages(messages, max_tokens=8000, summary="They asked about 0.", start=start)
    assert start == 4
    assert "They asked about 0." in prompt[0].text
    assert [m.id for m in prompt[1:]] == [m.id for m in messages[4:]]


def test_an_oversized_current_turn_keeps_the_question_and_its_latest_calls_with_results() -> None:
    from langchain_core.messages import ToolMessage
    from langchain_core.messages.utils import count_tokens_approximately

    from graphs.context import CUT_MARK, planner_messages
    from tests.fakes import call, tool_calls

    first, second = call("web_search", query="a"), call("web_search", query="b")
    messages = [
        *transcript(2),
        HumanMessage("big question", id="hq"),
        tool_calls(first),
        ToolMessage("x" * 20_000, tool_call_id=first["id"], name="web_search"),
        tool_calls(second),
        ToolMessage("y" * 20_000, tool_call_id=second["id"], name="web_search"),
    ]
    prompt = planner_messages(messages, max_tokens=1000)
    assert prompt[1].id == "hq"
    assert prompt[2].tool_calls[0]["id"] == second["id"]
    result = prompt[3]
    assert isinstance(result, ToolMessage) and result.text.endswith(CUT_MARK) and result.text.startswith("y")
    assert len(prompt) == 4
    assert count_tokens_approximately(prompt) <= 1000


def test_old_turns_are_folded_into_the_summary_a_few_turns_at_a_time(tmp_path: Path) -> None:
    from langchain_core.messages.utils import count_tokens_approximately

    budget = 700
    model = chatty_model(summary="The user asked numbered questions; each was answered.")
    settings = Settings(reflection="off", max_context_tokens=budget)
    config = {"configurable": {"thread_id": "fold"}}
    with checkpointer("memory") as saver:
        graph = build_graph(model, tools=[], checkpointer=saver, settings=settings)
        for i in range(30):
            graph.invoke({"messages": [HumanMessage(f"question {i} " + "word " * 40)]}, config)
        state = graph.get_state(config).values
        whole = full_transcript(saver, config)
    planner_prompts = [p for p in model.prompts if not is_summary_request(p)]
    summaries = len(model.prompts) - len(planner_prompts)
    assert len(planner_prompts) == 30
    assert 2 <= summaries <= 10, "folds happen every few turns, not every turn"
    assert all(count_tokens_approximately(p) <= budget for p in planner_prompts)
    assert len(whole) == 60, "the thread keeps everything"
    assert len(state["messages"]) < 30, "the window holds only what the summary does not cover"
    assert [m.id for m in whole[-len(state["messages"]) :]] == [m.id for m in state["messages"]]
    assert state["summary"] == "The user asked numbered questions; each was answered."
    last = planner_prompts[-1]
    assert state["summary"] in last[0].text
    assert "question 29" in last[-1].text and not any("question 0 " in m.text for m in last)
    covered = [m.id for m in whole].index(state["summary_through"])
    assert [m.id for m in last[1:]] == [m.id for m in whole[covered + 1 : -1]]


def test_a_model_that_cannot_summarise_gets_an_extractive_summary() -> None:
    from langchain_core.messages import AIMessage

    from graphs.summary import make_summarizer
    from tests.fakes import call, tool_calls

    turns = transcript(3)
    for reply in (tool_calls(call("calculator", expression="1")), AIMessage(""), ConnectionError("down")):
        summarize = make_summarizer(ScriptedChatModel(script=[reply]))
        summary = summarize("", turns, 1000)
        lines = summary.splitlines()
        assert len(lines) == 3
        assert lines[0].startswith("- User: question 0") and "→ Assistant: answer 0" in lines[0]
        assert lines[0].endswith("[tools: calculator]")


def test_a_model_that_writes_no_summaries_is_never_asked_to_summarise() -> None:
    from agent.models.local.chat_model import ChatLocalLlama
    from graphs.summary import make_summarizer

    class Embedded(ScriptedChatModel):
        writes_summaries: ClassVar[bool] = False  # what the embedded model says of itself

    model = Embedded(script=[])
    summary = make_summarizer(model)("", transcript(1), 200)
    assert model.calls == 0
    assert summary.startswith("- User: question 0")
    assert ChatLocalLlama.writes_summaries is False


def test_the_summary_stays_within_its_cap_dropping_its_oldest_lines() -> None:
    from langchain_core.messages import SystemMessage

    from graphs.context import message_tokens
    from graphs.summary import extractive_summary

    summary = ""
    for start in range(0, 40, 4):
        summary = extractive_summary(summary, transcript(40)[start * 4 : (start + 4) * 4], 150)
    assert message_tokens(SystemMessage(summary)) <= 150
    assert summary.splitlines()[-1].startswith("- User: question 39")
    assert "question 0 " not in summary


# --- the transcript channel -------------------------------------------------------------------------


def test_messages_channel_appends_and_replaces_like_its_batch_reducer() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from langchain_core.messages import AIMessage, RemoveMessage

    from graphs.channels import MessagesDeltaChannel, append_messages

    MISSING = None  # an empty blob: the channel starts empty

    ids = st.sampled_from([f"m{i}" for i in range(8)] + [None])
    message = st.builds(
        lambda kind, id_, n: (
            RemoveMessage(id=id_ or "m0") if kind == "remove" else AIMessage(f"v{n}", id=id_)
        ),
        st.sampled_from(["ai", "ai", "ai", "remove"]),
        ids,
        st.integers(0, 99),
    )
    batches = st.lists(st.lists(st.lists(message, max_size=3), min_size=1, max_size=3), max_size=8)

    @settings(max_examples=300, deadline=None)
    @given(batches)
    def check(updates: list[list[list[Any]]]) -> None:
        channel = MessagesDeltaChannel().from_checkpoint(MISSING)
        expected: list[Any] = []
        for update in updates:
            copy = channel.copy()  # copies share the id set: neither may go wrong
            channel.update(update)
            copy.update([[AIMessage("other", id="m7")]])
            expected = append_messages(expected, update)
            assert [(m.id, m.text) for m in channel.get()] == [(m.id, m.text) for m in expected]
        replayed = MessagesDeltaChannel().from_checkpoint(MISSING)
        replayed.replay_writes([("task", "messages", write) for update in updates for write in update])
        assert [(m.id, m.text) for m in replayed.get()] == [(m.id, m.text) for m in expected]

    check()


# --- agent threads prune / export ---------------------------------------------------------------------


@pytest.fixture
def threads_cli(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``agent threads prune|export`` on a SQLite memory holding threads t0 (oldest) … t4 (newest), each
    with one turn that called a tool; returns a function running the command line."""
    import typer
    from typer.testing import CliRunner

    from agent.cli.threads import register
    from tests.crash_worker import assistant

    url = f"sqlite:///{isolated_environment / 'memory.db'}"
    monkeypatch.setenv("AGENT_MEMORY", url)
    with checkpointer(url) as saver:
        helper = assistant(saver)
        for index in range(5):
            helper.ask(f"question {index} " + "padding " * 300, f"t{index}")
    app = typer.Typer()
    register(app)
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(app, ["threads", *args])

    run.url = url  # type: ignore[attr-defined]
    return run


def remaining_threads(url: str) -> list[str]:
    from agent.threads.history import thread_ids

    with checkpointer(url) as saver:
        return thread_ids(saver)


def test_prune_keeps_the_most_recent_threads_and_shrinks_the_file(threads_cli: Any) -> None:
    result = threads_cli("prune", "--keep-last", "2", "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["deleted"] == ["t2", "t1", "t0"] and report["kept"] == 2
    assert report["bytes_after"] < 0.7 * report["bytes_before"]
    assert remaining_threads(threads_cli.url) == ["t4", "t3"]
    exported = threads_cli("export", "t3", "--format", "jsonl")
    assert [json.loads(line)["role"] for line in exported.stdout.splitlines()] == [
        "user",
        "assistant",
        "tool",
        "assistant",
    ]


def test_prune_by_age_with_both_options_deletes_only_old_threads_beyond_the_last_n(threads_cli: Any) -> None:
    result = threads_cli("prune", "--older-than", "0", "--keep-last", "1", "--yes")
    assert result.exit_code == 0, result.output
    assert "Deleted 4 threads, kept 1." in result.stdout
    assert remaining_threads(threads_cli.url) == ["t4"]


def test_prune_by_age_spares_recent_threads() -> None:
    from datetime import UTC, datetime, timedelta

    from agent.threads.maintenance import prune_threads
    from tests.crash_worker import assistant

    with checkpointer("memory") as saver:
        for thread_id in ("a", "b"):
            assistant(saver).ask("hello", thread_id)
        now = datetime.now(UTC)
        recent = prune_threads(saver, older_than=timedelta(days=30), now=now)
        stale = prune_threads(saver, older_than=timedelta(days=30), now=now + timedelta(days=31))
    assert (recent.deleted, recent.kept) == ([], 2)
    assert sorted(stale.deleted) == ["a", "b"] and stale.kept == 0


def test_prune_asks_before_deleting_and_dry_run_deletes_nothing(threads_cli: Any) -> None:
    refused = threads_cli("prune", "--keep-last", "0")
    assert refused.exit_code == 1 and "add --yes" in refused.output
    dry = threads_cli("prune", "--keep-last", "3", "--dry-run")
    assert dry.exit_code == 0 and "Would delete 2 threads, kept 3." in dry.stdout
    nothing = threads_cli("prune")
    assert nothing.exit_code == 1 and "--keep-last N, --older-than DAYS" in nothing.output
    assert remaining_threads(threads_cli.url) == ["t4", "t3", "t2", "t1", "t0"]


def test_export_writes_the_whole_transcript_as_jsonl_or_markdown(threads_cli: Any, tmp_path: Path) -> None:
    lines = threads_cli("export", "t1", "--format", "jsonl").stdout.splitlines()
    entries = [json.loads(line) for line in lines]
    assert entries[0]["content"].startswith("question 1 padding")
    call = entries[1]["tool_calls"][0]
    assert (call["name"], entries[2]["tool_call_id"], entries[2]["ok"]) == ("lookup", call["id"], True)
    assert entries[3]["content"].startswith("The answer is: found: question 1")
    assert all(entry["id"] for entry in entries)

    target = tmp_path / "t1.md"
    result = threads_cli("export", "t1", "--format", "md", "--output", str(target))
    assert result.exit_code == 0, result.output
    markdown = target.read_text()
    assert markdown.startswith("# Thread t1\n")
    assert "## You\n\nquestion 1 padding" in markdown
    assert '**Tool call** `lookup`\n\n```json\n{"query": "question 1' in markdown
    assert "**Tool result** `lookup`\n\n```text\nfound: question 1" in markdown
    assert "## Assistant\n\nThe answer is: found: question 1" in markdown


def test_export_of_an_unknown_thread_or_format_is_one_clear_error(threads_cli: Any) -> None:
    missing = threads_cli("export", "nope")
    assert missing.exit_code == 1 and "no thread 'nope'" in missing.output
    wrong = threads_cli("export", "t1", "--format", "pdf")
    assert wrong.exit_code == 1 and "use --format jsonl or --format md" in wrong.output


def test_markdown_fences_survive_backticks_in_tool_output() -> None:
    from langchain_core.messages import ToolMessage

    from agent.threads.maintenance import export_markdown

    text = export_markdown("x", [ToolMessage("a ``` fence ```` inside", tool_call_id="c", name="web_search")])
    assert "`````text\na ``` fence ```` inside\n`````" in text


def test_a_late_turn_decodes_no_more_than_an_early_one_on_the_stock_sqlite_saver(tmp_path: Path) -> None:
    """On LangGraph's own ``SqliteSaver`` (what apps embedding the graph and LangGraph Server use), a turn
    decodes what the window and the writes since its last snapshot hold, not the thread: the most blobs
    decoded by any of turns 101-120 is about that of turns 11-30 (time per turn then stays flat; see
    bench.memory)."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent.memory.checkpointers import connect_sqlite
    from bench.memory import ours

    decoded: list[str] = []

    class CountingSerializer(JsonPlusSerializer):
        def loads_typed(self, data: tuple[str, bytes]) -> Any:
            decoded.append(data[0])
            return super().loads_typed(data)

    saver = SqliteSaver(connect_sqlite(tmp_path / "memory.db"), serde=CountingSerializer())
    saver.setup()
    graph = ours(saver)
    config = {"configurable": {"thread_id": "flat"}}

    def most_decoded(turns: int) -> int:
        most = 0
        for _ in range(turns):
            decoded.clear()
            _bench_turns(graph, config, 1)
            most = max(most, len(decoded))
        return most

    _bench_turns(graph, config, 10)
    early = most_decoded(20)
    _bench_turns(graph, config, 70)
    late = most_decoded(20)
    saver.conn.close()
    assert late <= 1.2 * early, f"turns 101-120 decoded up to {late} blobs, turns 11-30 up to {early}"


async def test_our_savers_pass_langgraphs_checkpointer_conformance_suite(
    tmp_path: Path, postgres_url: str
) -> None:
    """LangGraph's own conformance suite (``langgraph-checkpoint-conformance``, async API) against the
    SQLite, PostgreSQL and in-memory savers ``acheckpointer`` opens."""
    conformance = pytest.importorskip("langgraph.checkpoint.conformance")

    async def sqlite_saver() -> Any:
        async with acheckpointer(f"sqlite:///{tmp_path / uuid.uuid4().hex}.db") as saver:
            yield saver

    async def postgres_saver() -> Any:
        async with acheckpointer(postgres_url) as saver:
            yield saver

    async def memory_saver() -> Any:
        async with acheckpointer("memory") as saver:
            yield saver

    for name, factory in (("sqlite", sqlite_saver), ("postgres", postgres_saver), ("memory", memory_saver)):
        report = await conformance.validate(conformance.checkpointer_test(name=name)(factory))
        results = report.to_dict()["results"]
        failed = {capability: r["failures"] for capability, r in results.items() if r["passed"] is False}
        assert failed == {}, name
        assert {"put", "put_writes", "get_tuple", "list", "delete_thread"} <= {
            capability for capability, r in results.items() if r["passed"]
        }


def test_storage_stays_linear_when_every_answer_is_reflected_on(tmp_path: Path) -> None:
    """Reflection records hold each draft; they must not be copied into every checkpoint either."""
    from langchain_core.messages import AIMessage, ToolMessage

    from bench.memory import disk_bytes, fetch, noise, prose
    from tests.fakes import call, tool_calls

    def respond(messages: list[Any]) -> AIMessage:
        if isinstance(messages[-1], ToolMessage):
            return AIMessage(prose())  # no digits: the number check never sends an answer back
        return tool_calls(call("fetch", query=noise(40)))

    turns = 40
    accept = {"verdict": "accept", "feedback": "supported"}
    model = ScriptedChatModel(script=[respond] * (4 * turns), critiques=[accept] * turns)  # + summary calls
    path = tmp_path / "memory.db"
    config = {"configurable": {"thread_id": "reflect"}}
    sizes = []
    with checkpointer(f"sqlite:///{path}") as saver:
        graph = build_graph(model, tools=[fetch], checkpointer=saver, settings=Settings(reflection="always"))
        for _ in range(2):
            _bench_turns(graph, config, turns // 2)
            sizes.append(disk_bytes(path, saver))
        state = graph.get_state(config).values
    assert len(state["reflections"]) == 1 and len(model.critic_prompts) == turns
    assert (sizes[1] - sizes[0]) / (turns // 2) <= 1.5 * TURN_BYTES_LIMIT
    assert sizes[1] - sizes[0] <= 1.15 * sizes[0]
