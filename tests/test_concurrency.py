"""Several writers on one memory: processes (REPL, notebook, ``langgraph dev``) sharing a SQLite file or a
PostgreSQL database, and threads of one process sharing a saver. No "database is locked", and no thread
sees another's messages."""

from __future__ import annotations

import asyncio
import json
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

from agent.memory import acheckpointer, checkpointer
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
            out, err = worker.communicate(timeout=120)
            assert "database is locked" not in err
            assert worker.returncode == 0, err[-2000:]
            assert json.loads(out.strip().splitlines()[-1]) == questions(thread_id, PROCESS_TURNS)
    finally:
        for worker in workers:
            worker.kill()
            worker.communicate()


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
