"""Several writers on one memory: processes (REPL, notebook, ``langgraph dev``) sharing a SQLite file or a
PostgreSQL database, and threads of one process sharing a saver. No "database is locked", and no thread
sees another's messages."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.memory.checkpointers import acheckpointer, checkpointer
from tests.crash_worker import assistant
from tests.test_memory import require_postgres

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 3
PROCESS_TURNS = 15
TURNS = 6


@pytest.fixture
def postgres_url() -> str:
    return require_postgres()


def questions(thread_id: str, turns: int = TURNS) -> list[str]:
    return [f"{thread_id} question {index}" for index in range(turns)]


def assert_thread_is_its_own(messages: list[Any], thread_id: str, turns: int = TURNS) -> None:
    """Only this thread's questions, in order, each answered, every tool call with exactly one result."""
    assert [m.text for m in messages if isinstance(m, HumanMessage)] == questions(thread_id, turns)
    calls = [c["id"] for m in messages if isinstance(m, AIMessage) for c in m.tool_calls]
    results = Counter(m.tool_call_id for m in messages if isinstance(m, ToolMessage))
    assert len(calls) == turns and all(results[call] == 1 for call in calls) and len(results) == turns
    answers = [m.text for m in messages if isinstance(m, AIMessage) and not m.tool_calls]
    assert answers == [f"The answer is: found: {question}" for question in questions(thread_id, turns)]


def run_processes(url: str, thread_ids: list[str], meeting: Path) -> None:
    """One worker per thread, all released at once (after their imports) to open the memory and run
    ``PROCESS_TURNS`` turns; all must succeed."""
    meeting.mkdir(parents=True, exist_ok=True)
    go = meeting / "go"
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.crash_worker",
                "turns",
                url,
                thread_id,
                str(PROCESS_TURNS),
                str(meeting / f"{thread_id}.ready"),
                str(go),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for thread_id in thread_ids
    ]
    try:
        deadline = time.monotonic() + 120
        while not all((meeting / f"{thread_id}.ready").exists() for thread_id in thread_ids):
            assert all(worker.poll() is None for worker in workers), "a worker ended before starting"
            assert time.monotonic() < deadline, "the workers did not start in time"
            time.sleep(0.05)
        go.touch()
        for thread_id, worker in zip(thread_ids, workers, strict=True):
            try:
                out, err = worker.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                worker.kill()
                _, err = worker.communicate()
                pytest.fail(f"{thread_id} hung; {sessions(url)}; its stacks:\n{err[-6000:]}")
            assert "database is locked" not in err
            assert worker.returncode == 0, err[-2000:]
            assert json.loads(out.strip().splitlines()[-1]) == questions(thread_id, PROCESS_TURNS)
    finally:
        for worker in workers:
            worker.kill()
            worker.communicate()


def sessions(url: str) -> str:
    """What the PostgreSQL server's other sessions are doing and waiting for (a hung worker's diagnosis)."""
    if not url.startswith("postgresql"):
        return "sqlite"
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT a.pid, a.state, a.wait_event_type, a.wait_event, left(a.query, 80),"
            " string_agg(l.locktype || ':' || coalesce(l.objid::text, '') || ':' || l.granted::text, ',')"
            " FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid"
            " WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() GROUP BY 1, 2, 3, 4, 5"
        ).fetchall()
    return "sessions: " + "; ".join(" | ".join(str(value) for value in row) for row in rows)


def read_threads(url: str, thread_ids: list[str]) -> dict[str, list[Any]]:
    with checkpointer(url) as saver:
        graph = assistant(saver).graph
        return {
            thread_id: graph.get_state({"configurable": {"thread_id": thread_id}}).values["messages"]
            for thread_id in thread_ids
        }


@pytest.mark.slow
def test_processes_share_one_new_sqlite_file_without_locking_errors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared' / 'memory.db'}"  # created by whichever process comes first
    thread_ids = [f"p{index}" for index in range(PROCESSES)]
    run_processes(url, thread_ids, tmp_path / "meeting")
    for thread_id, messages in read_threads(url, thread_ids).items():
        assert_thread_is_its_own(messages, thread_id, PROCESS_TURNS)


@pytest.mark.slow
def test_processes_share_one_postgresql_database(postgres_url: str, tmp_path: Path) -> None:
    thread_ids = [f"pg-p{index}-{uuid.uuid4().hex[:8]}" for index in range(PROCESSES)]
    try:
        run_processes(postgres_url, thread_ids, tmp_path / "meeting")
        for thread_id, messages in read_threads(postgres_url, thread_ids).items():
            assert_thread_is_its_own(messages, thread_id, PROCESS_TURNS)
    finally:
        with checkpointer(postgres_url) as saver:
            for thread_id in thread_ids:
                saver.delete_thread(thread_id)


def run_threads(url: str, thread_ids: list[str]) -> dict[str, list[Any]]:
    """Threads of one process, one saver (one SQLite connection, or one PostgreSQL pool) between them."""
    with checkpointer(url) as saver:
        helper = assistant(saver)

        def conversation(thread_id: str) -> list[Any]:
            for question in questions(thread_id):
                helper.ask(question, thread_id)
            return list(helper.graph.get_state({"configurable": {"thread_id": thread_id}}).values["messages"])

        with ThreadPoolExecutor(max_workers=len(thread_ids)) as pool:
            return dict(zip(thread_ids, pool.map(conversation, thread_ids), strict=True))


def test_threads_of_one_process_share_a_sqlite_saver(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'memory.db'}"
    thread_ids = [f"t{index}" for index in range(PROCESSES)]
    for thread_id, messages in run_threads(url, thread_ids).items():
        assert_thread_is_its_own(messages, thread_id)
    for thread_id, messages in read_threads(url, thread_ids).items():
        assert_thread_is_its_own(messages, thread_id)


def test_threads_of_one_process_share_a_postgresql_pool(postgres_url: str) -> None:
    thread_ids = [f"pg-t{index}-{uuid.uuid4().hex[:8]}" for index in range(PROCESSES)]
    try:
        for thread_id, messages in run_threads(postgres_url, thread_ids).items():
            assert_thread_is_its_own(messages, thread_id)
    finally:
        with checkpointer(postgres_url) as saver:
            for thread_id in thread_ids:
                saver.delete_thread(thread_id)


async def test_concurrent_async_turns_keep_threads_apart(tmp_path: Path, postgres_url: str) -> None:
    for url in (f"sqlite:///{tmp_path / 'async.db'}", postgres_url):
        thread_ids = [f"a{index}-{uuid.uuid4().hex[:8]}" for index in range(PROCESSES)]
        async with acheckpointer(url) as saver:
            graph = assistant(saver).graph

            async def conversation(thread_id: str, graph: Any = graph) -> list[Any]:
                config = {"configurable": {"thread_id": thread_id}}
                for question in questions(thread_id):
                    await graph.ainvoke({"messages": [HumanMessage(question)]}, config)
                return list((await graph.aget_state(config)).values["messages"])

            transcripts = await asyncio.gather(*(conversation(thread_id) for thread_id in thread_ids))
            for thread_id, messages in zip(thread_ids, transcripts, strict=True):
                assert_thread_is_its_own(messages, thread_id)
            if url == postgres_url:
                for thread_id in thread_ids:
                    await saver.adelete_thread(thread_id)


# --- one turn at a time per thread: `agent ask --thread SAME` from several processes at once ---------------

ASKERS = 6


def ask_at_once(
    url: str, thread_id: str, folder: Path, wait: float
) -> list[subprocess.CompletedProcess[str]]:
    """``ASKERS`` ``agent ask --thread THREAD --json`` processes (scripted model, see ``tests.ask_process``),
    released together once all are imported; question i asks for ``(i + 2) * 7``."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "AGENT_MEMORY": url, "AGENT_HOME": str(folder / "home"), "AGENT_SEARCH": "off"}
    go = folder / "go"
    askers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.ask_process",
                str(folder / f"{index}.ready"),
                str(go),
                str(wait),
                f"Question {index}: what is {index + 2}*7",
                thread_id,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(ASKERS)
    ]
    try:
        deadline = time.monotonic() + 180
        while not all((folder / f"{index}.ready").exists() for index in range(ASKERS)):
            assert all(asker.poll() is None for asker in askers), "an asker ended before starting"
            assert time.monotonic() < deadline, "the askers did not start in time"
            time.sleep(0.05)
        go.touch()
        done = []
        for asker in askers:
            out, err = asker.communicate(timeout=240)
            done.append(subprocess.CompletedProcess(asker.args, asker.returncode, out, err))
        return done
    finally:
        for asker in askers:
            asker.kill()
            asker.communicate()


def assert_turns_kept_once_and_well_formed(messages: list[Any], answered: list[int]) -> None:
    """Exactly the answered questions, each once, each turn question → call → its result → answer."""
    questions = [m.text for m in messages if isinstance(m, HumanMessage)]
    assert sorted(questions) == sorted(f"Question {i}: what is {i + 2}*7" for i in answered)
    assert len(messages) == 4 * len(answered)
    for start in range(0, len(messages), 4):
        question, calling, result, answer = messages[start : start + 4]
        index = int(question.text.split()[1].rstrip(":"))
        assert isinstance(calling, AIMessage) and [c["name"] for c in calling.tool_calls] == ["calculator"]
        assert isinstance(result, ToolMessage) and result.tool_call_id == calling.tool_calls[0]["id"]
        assert isinstance(answer, AIMessage) and not answer.tool_calls
        assert str((index + 2) * 7) in answer.text


def thread_messages(url: str, thread_id: str) -> list[Any]:
    from agent.threads.history import read_messages

    with checkpointer(url) as saver:
        return read_messages(saver, thread_id)


@pytest.fixture(params=["sqlite", "postgres"])
def shared_memory(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'memory.db'}", "same"
        return
    url, thread_id = require_postgres(), f"same-{uuid.uuid4().hex[:8]}"
    yield url, thread_id
    with checkpointer(url) as saver:
        saver.delete_thread(thread_id)


def test_concurrent_asks_on_one_thread_queue_and_every_turn_is_kept_once(
    shared_memory: tuple[str, str], tmp_path: Path
) -> None:
    url, thread_id = shared_memory
    done = ask_at_once(url, thread_id, tmp_path / "askers", wait=120)
    for index, asked in enumerate(done):
        assert asked.returncode == 0, asked.stderr[-2000:]
        payload = json.loads(asked.stdout.strip().splitlines()[-1])
        assert payload["thread_id"] == thread_id and str((index + 2) * 7) in payload["answer"]
    assert_turns_kept_once_and_well_formed(thread_messages(url, thread_id), list(range(ASKERS)))


def test_an_ask_on_a_busy_thread_is_refused_in_one_line_after_a_bounded_wait(
    shared_memory: tuple[str, str], tmp_path: Path
) -> None:
    url, thread_id = shared_memory
    done = ask_at_once(url, thread_id, tmp_path / "askers", wait=0.2)
    answered = [index for index, asked in enumerate(done) if asked.returncode == 0]
    refused = [asked for asked in done if asked.returncode != 0]
    assert answered and refused
    for asked in refused:
        # One line: on stderr, or (``--json``) as the {"error": ...} object on stdout.
        lines = (asked.stderr.strip() or asked.stdout.strip()).splitlines()
        assert len(lines) == 1 and f"thread {thread_id} is busy" in lines[0], asked.stderr[-2000:]
    assert_turns_kept_once_and_well_formed(thread_messages(url, thread_id), answered)


def test_a_process_waiting_for_the_migrations_runs_no_statement_meanwhile(postgres_url: str) -> None:
    """The migrations create an index CONCURRENTLY, which waits for every running statement: a waiting
    ``pg_advisory_lock`` would be one, and the two processes deadlocked. The waiter polls instead."""
    import threading

    import psycopg
    from psycopg.rows import dict_row

    from agent.memory.checkpointers import SETUP_LOCK_KEY, take_setup_lock

    def connect() -> psycopg.Connection[Any]:
        return psycopg.connect(postgres_url, autocommit=True, row_factory=dict_row)

    # the holder closes first (its lock goes with it): a waiter still blocked is released, whatever failed
    with connect() as waiter, connect() as watcher, connect() as holder:
        take_setup_lock(holder)
        taken = threading.Event()
        thread = threading.Thread(target=lambda: (take_setup_lock(waiter), taken.set()), daemon=True)
        thread.start()
        time.sleep(0.3)
        assert not taken.is_set()
        for _ in range(5):  # the waiter's session never waits on a lock: no statement stays running
            activity = watcher.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (waiter.info.backend_pid,)
            ).fetchone()
            assert activity is not None and activity["wait_event_type"] != "Lock"
            time.sleep(0.01)
        holder.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK_KEY,))
        assert taken.wait(5)
        held = watcher.execute(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = %s AND granted",
            (waiter.info.backend_pid,),
        ).fetchone()
        assert held is not None and held["n"] == 1
        waiter.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK_KEY,))
