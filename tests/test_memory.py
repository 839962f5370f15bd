"""Checkpointers: SQLite shared across processes, PostgreSQL on the local server, in-memory; bad URLs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from agent.memory import acheckpointer, checkpointer, sqlite_path
from agent.settings import Settings
from graphs.assistant import build_graph
from tests.fakes import ScriptedChatModel

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("AGENT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


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


@pytest.fixture
def postgres_url() -> str:
    if not _postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}, and CI must test it")
        pytest.skip(f"no PostgreSQL server at {POSTGRES_URL} (set AGENT_TEST_POSTGRES_URL)")
    return POSTGRES_URL


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
