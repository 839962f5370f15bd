"""``agent threads list | show | delete`` in a subprocess on SQLite memory, and the listing logic they
share with the chat (``agent.threads.history``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from agent.memory.checkpointers import checkpointer
from agent.settings import Settings
from agent.threads.history import (
    QUESTION_CHARS,
    ThreadNotFound,
    delete_thread,
    first_question,
    latest_thread_id,
    list_threads,
    read_messages,
    resolve_thread_id,
    scanned_thread_ids,
    thread_ids,
)
from graphs.assistant import build_graph
from tests.cli_checks import one_line_error
from tests.fakes import ScriptedChatModel, call, tool_calls
from tools.calculator import calculator

ROOT = Path(__file__).resolve().parent.parent


def agent(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent", *args],
        cwd=ROOT,
        env={**os.environ, "AGENT_HOME": str(home), "AGENT_SEARCH": "off"},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def converse(saver: Any, thread_id: str, *turns: tuple[str, list[Any]]) -> None:
    """Run turns on a thread with a scripted model: (question, the model's steps for it)."""
    script = [step for _, steps in turns for step in steps]
    graph = build_graph(
        ScriptedChatModel(script=script),
        tools=[calculator],
        checkpointer=saver,
        settings=Settings(_env_file=None, reflection="off", search="off"),
    )
    for question, _ in turns:
        graph.invoke({"messages": [HumanMessage(question)]}, {"configurable": {"thread_id": thread_id}})


def fill(saver: Any) -> None:
    """Three threads, written oldest first: alpha (a tool call), beta (two turns), gamma."""
    converse(saver, "alpha-1", ("What is 6*7?", [tool_calls(call("calculator", expression="6*7")), "42."]))
    converse(saver, "beta-22", ("Hello", ["Hi."]), ("Again", ["Hi again."]))
    converse(saver, "gamma-333", ("Last one", ["Done."]))


@pytest.fixture
def home(isolated_environment: Path) -> Path:
    with checkpointer(settings=Settings(_env_file=None, home=isolated_environment)) as saver:
        fill(saver)
    return isolated_environment


# ------------------------------------------------------------------------------------- the shared logic


def test_listing_is_newest_first_with_first_question_and_counts() -> None:
    saver = InMemorySaver()
    fill(saver)
    summaries = list_threads(saver)
    assert [(s.thread_id, s.first_question, s.messages) for s in summaries] == [
        ("gamma-333", "Last one", 2),
        ("beta-22", "Hello", 4),
        ("alpha-1", "What is 6*7?", 4),
    ]
    assert summaries[0].updated_at > summaries[1].updated_at > summaries[2].updated_at
    assert [s.thread_id for s in list_threads(saver, limit=2)] == ["gamma-333", "beta-22"]
    assert latest_thread_id(saver) == "gamma-333"
    assert latest_thread_id(InMemorySaver()) is None


def test_sqlite_fast_path_agrees_with_the_generic_scan(isolated_environment: Path) -> None:
    with checkpointer(settings=Settings(_env_file=None, home=isolated_environment)) as saver:
        fill(saver)
        converse(saver, "alpha-1", ("And 7*8?", ["56."]))  # alpha becomes the newest
        assert thread_ids(saver) == scanned_thread_ids(saver) == ["alpha-1", "gamma-333", "beta-22"]


def test_resolving_ids_reading_and_deleting() -> None:
    saver = InMemorySaver()
    fill(saver)
    converse(saver, "alpha-2", ("Other", ["Yes."]))
    assert resolve_thread_id(saver, "gam") == "gamma-333"
    assert resolve_thread_id(saver, "alpha-1") == "alpha-1"
    with pytest.raises(ThreadNotFound, match="2 threads start with 'alpha'"):
        resolve_thread_id(saver, "alpha")
    with pytest.raises(ThreadNotFound, match="no thread 'zzz'"):
        resolve_thread_id(saver, "zzz")
    messages = read_messages(saver, "alpha-1")
    assert [m.type for m in messages] == ["human", "ai", "tool", "ai"]
    delete_thread(saver, "alpha-1")
    assert thread_ids(saver) == ["alpha-2", "gamma-333", "beta-22"]
    with pytest.raises(ThreadNotFound):
        delete_thread(saver, "alpha-1")
    with pytest.raises(ThreadNotFound):
        read_messages(saver, "alpha-1")


def test_first_question_is_one_line_and_bounded() -> None:
    long = "word " * 100
    assert first_question([HumanMessage("two\n  lines")]) == "two lines"
    cut = first_question([HumanMessage(long)])
    assert len(cut) == QUESTION_CHARS and cut.endswith("…")
    assert first_question([]) == ""


# ------------------------------------------------------------------------- the commands, in a subprocess


def test_list_json(home: Path) -> None:
    done = agent("threads", "list", "--json", home=home)
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    assert [set(entry) for entry in listing] == [
        {"thread_id", "first_question", "messages", "updated_at"}
    ] * 3
    assert [(e["thread_id"], e["first_question"], e["messages"]) for e in listing] == [
        ("gamma-333", "Last one", 2),
        ("beta-22", "Hello", 4),
        ("alpha-1", "What is 6*7?", 4),
    ]
    times = [datetime.fromisoformat(e["updated_at"]) for e in listing]
    assert all(t.tzinfo is not None for t in times) and times == sorted(times, reverse=True)


def test_show_json_by_id_prefix(home: Path) -> None:
    done = agent("threads", "show", "alph", "--json", home=home)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["thread_id"] == "alpha-1"
    [question, calls, result, answer] = shown["messages"]
    assert question == {"role": "user", "content": "What is 6*7?"}
    assert calls["role"] == "assistant" and calls["content"] == ""
    assert [(c["name"], c["args"]) for c in calls["tool_calls"]] == [("calculator", {"expression": "6*7"})]
    assert result == {
        "role": "tool",
        "content": "42",
        "name": "calculator",
        "tool_call_id": calls["tool_calls"][0]["id"],
        "ok": True,
    }
    assert answer == {"role": "assistant", "content": "42."}


def test_delete_json(home: Path) -> None:
    done = agent("threads", "delete", "beta", "--yes", "--json", home=home)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"thread_id": "beta-22", "deleted": True}
    with checkpointer(settings=Settings(_env_file=None, home=home)) as saver:
        assert thread_ids(saver) == ["gamma-333", "alpha-1"]


def test_empty_memory_lists_nothing(isolated_environment: Path) -> None:
    done = agent("threads", "list", "--json", home=isolated_environment)
    assert (done.returncode, json.loads(done.stdout)) == (0, [])


def test_unknown_thread_is_one_clear_line(home: Path) -> None:
    done = agent("threads", "show", "nope", home=home)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["error: no thread 'nope' in memory: see `agent threads list`"]


def test_a_bad_memory_url_is_one_line(isolated_environment: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "agent", "threads", "list"],
        cwd=ROOT,
        env={**os.environ, "AGENT_HOME": str(isolated_environment), "AGENT_MEMORY": "mongodb://x"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: unknown memory URL 'mongodb://x'") and "AGENT_MEMORY" in line


# ----------------------------------------------------------------- the commands' text, in-process


def invoke(*args: str) -> Any:
    from typer.testing import CliRunner

    from agent.cli.main import app

    return CliRunner().invoke(app, list(args))


def test_list_as_a_table(home: Path) -> None:
    done = invoke("threads", "list")
    assert done.exit_code == 0, done.output
    rows = [line.split() for line in done.stdout.splitlines()[1:] if line.strip()]
    assert [(row[0], row[-3]) for row in rows] == [("gamma-333", "2"), ("beta-22", "4"), ("alpha-1", "4")]
    assert "What is 6*7?" in done.stdout
    limited = invoke("threads", "list", "--limit", "1")
    assert [line.split()[0] for line in limited.stdout.splitlines()[1:] if line.strip()] == ["gamma-333"]


def test_show_prints_the_transcript(home: Path) -> None:
    done = invoke("threads", "show", "beta-22")
    assert done.exit_code == 0, done.output
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    assert lines == ["thread beta-22 · 4 messages", "you> Hello", "Hi.", "you> Again", "Hi again."]


def test_delete_without_a_terminal_needs_yes(home: Path) -> None:
    refused = invoke("threads", "delete", "beta-22")
    assert refused.exit_code == 1
    assert "add --yes" in refused.output
    with checkpointer(settings=Settings(_env_file=None, home=home)) as saver:
        assert "beta-22" in thread_ids(saver)


def test_empty_memory_says_how_to_start(isolated_environment: Path) -> None:
    done = invoke("threads", "list")
    assert done.stdout.strip() == "No saved threads yet: start one with `agent chat`."


@pytest.mark.parametrize(
    ("target", "reason"),
    [("missing/dir/out.md", "No such file or directory"), (".", "Is a directory")],
)
def test_export_to_a_path_that_cannot_be_written_is_one_line(
    home: Path, tmp_path: Path, target: str, reason: str
) -> None:
    path = tmp_path / target
    line = one_line_error(invoke("threads", "export", "beta-22", "-o", str(path)))
    assert line == f"error: cannot write {path}: {reason}"


@pytest.mark.parametrize(
    ("days", "problem"),
    [
        ("inf", "--older-than inf goes back before the year 1"),
        ("1e308", "--older-than 1e+308 goes back before the year 1"),
        ("1e7", "--older-than 1e+07 goes back before the year 1"),
    ],
)
def test_prune_by_an_age_no_date_can_have_is_one_line(home: Path, days: str, problem: str) -> None:
    line = one_line_error(invoke("threads", "prune", "--older-than", days, "--dry-run"))
    assert line.startswith(f"error: {problem}")
    with checkpointer(settings=Settings(_env_file=None, home=home)) as saver:
        assert len(thread_ids(saver)) == 3


def test_pruning_by_the_largest_age_is_a_clear_error_in_the_library_too() -> None:
    from datetime import timedelta

    from agent.threads.maintenance import age_limit, threads_to_prune

    saver = InMemorySaver()
    fill(saver)
    with pytest.raises(ValueError, match="before the year 1"):
        threads_to_prune(saver, older_than=timedelta.max)
    assert age_limit(30) == timedelta(days=30)
    for days in (float("nan"), -1.0):
        with pytest.raises(ValueError, match="a number of days, 0 or more"):
            age_limit(days)


# ------------------------------------------------------------------------------------------ PostgreSQL

POSTGRES_URL = os.environ.get("AGENT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def postgres_url() -> str:
    import psycopg

    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.OperationalError:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}, and CI must test it")
        pytest.skip(f"no PostgreSQL server at {POSTGRES_URL} (set AGENT_TEST_POSTGRES_URL)")
    return POSTGRES_URL


def test_threads_on_postgresql(postgres_url: str) -> None:
    import uuid

    run = uuid.uuid4().hex[:8]  # the database is shared: only this test's threads are looked at
    with checkpointer(postgres_url) as saver:
        converse(saver, f"{run}-old", ("First question", ["First answer."]))
        converse(saver, f"{run}-new", ("Second question", ["Second answer."]), ("More", ["Yes."]))
        mine = [s for s in list_threads(saver) if s.thread_id.startswith(run)]
        assert [(s.thread_id, s.first_question, s.messages) for s in mine] == [
            (f"{run}-new", "Second question", 4),
            (f"{run}-old", "First question", 2),
        ]
        assert resolve_thread_id(saver, f"{run}-o") == f"{run}-old"
        delete_thread(saver, f"{run}-old")
        delete_thread(saver, f"{run}-new")
        assert not [t for t in thread_ids(saver) if t.startswith(run)]
