"""A process for the crash and concurrency tests.

``python -m tests.crash_worker crash URL THREAD MODE MARKER`` asks one question and stops dead at a chosen
point, having written MARKER, so the test can kill it there (kill -9):

- ``tool``: inside the tool call;
- ``model``: inside the model call that writes the answer, after the tool ran;
- ``checkpoint``: inside the transaction that saves the checkpoint after the tool step (not committed);
- ``writes``: inside the transaction that saves the tool's result (not committed).

``python -m tests.crash_worker turns URL THREAD COUNT [READY GO]`` runs COUNT turns on one thread and
prints the thread's questions as JSON; with READY and GO it first writes READY and waits for GO to exist,
so that several of these open the memory and write to it at the same moment.

Both use :func:`assistant`: a scripted model that calls ``lookup`` on each question and then answers
with what it found, so any process can finish a turn another one began.
"""

from __future__ import annotations

import faulthandler
import json
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

from agent.chat.session import Assistant
from agent.memory.checkpointers import checkpointer
from agent.settings import Settings
from graphs.assistant import build_graph
from tests.fakes import ScriptedChatModel, call, tool_calls

HANG_SECONDS = 600
FIRST_QUESTION = "What is the code for door 7?"


class Stop:
    """Where this process stops dead (None: nowhere)."""

    mode: str | None = None
    marker: Path | None = None

    @classmethod
    def here(cls, mode: str) -> None:
        if cls.mode != mode or cls.marker is None:
            return
        cls.marker.write_text(mode)
        time.sleep(HANG_SECONDS)


@tool
def lookup(query: str) -> str:
    """Look something up."""
    Stop.here("tool")
    return f"found: {query}"


def respond(messages: Sequence[BaseMessage]) -> AIMessage:
    """Call ``lookup`` for a new question; answer once its result is in."""
    last = messages[-1]
    if isinstance(last, ToolMessage):
        Stop.here("model")
        return AIMessage(f"The answer is: {last.text}")
    question = next(m for m in reversed(messages) if isinstance(m, HumanMessage))
    return tool_calls(call("lookup", query=str(question.text)))


def assistant(saver: Any) -> Assistant:
    model = ScriptedChatModel(script=[respond] * 1000)
    settings = Settings(reflection="off", _env_file=None)  # type: ignore[call-arg]
    return Assistant(build_graph(model, tools=[lookup], checkpointer=saver, settings=settings), "scripted")


class HangingCommit:
    """A sqlite3 connection whose next commit, once armed, writes the marker and hangs: the transaction
    stays open (uncommitted) until the process is killed. Armed per thread: checkpoints are saved in a
    background thread while the next step's writes are saved in another."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._local = threading.local()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def arm(self, mode: str | None) -> None:
        self._local.armed = mode

    def commit(self) -> None:
        armed = getattr(self._local, "armed", None)
        if armed:
            Stop.here(armed)
        self._conn.commit()


def _tool_ran(values: Any) -> bool:
    return any(isinstance(m, ToolMessage) for m in values or ())


@contextmanager
def crashing_saver(url: str) -> Iterator[Any]:
    """The configured saver, wrapped so that ``checkpoint``/``writes`` modes hang inside a write."""
    with checkpointer(url) as saver:
        conn = HangingCommit(saver.conn)
        saver.conn = conn
        put, put_writes = saver.put, saver.put_writes

        def hanging_put(config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
            conn.arm("checkpoint" if _after_tool(saver, config) else None)
            try:
                return put(config, checkpoint, metadata, new_versions)
            finally:
                conn.arm(None)

        def hanging_put_writes(config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
            conn.arm("writes" if any(ch == "messages" and _tool_ran(v) for ch, v in writes) else None)
            try:
                put_writes(config, writes, task_id, task_path)
            finally:
                conn.arm(None)

        saver.put, saver.put_writes = hanging_put, hanging_put_writes
        yield saver


def _after_tool(saver: Any, config: Any) -> bool:
    """Whether the checkpoint being saved follows the tool step (its parent holds the tool's result)."""
    if not config["configurable"].get("checkpoint_id"):
        return False
    parent = saver.get_tuple(config)
    return parent is not None and any(
        channel == "messages" and _tool_ran(value) for _, channel, value in parent.pending_writes or ()
    )


def crash(url: str, thread_id: str, mode: str, marker: str) -> None:
    Stop.mode, Stop.marker = mode, Path(marker)
    with crashing_saver(url) as saver:
        assistant(saver).ask(FIRST_QUESTION, thread_id)
    raise SystemExit(f"the turn finished without stopping at {mode!r}")


STACKS_AFTER_SECONDS = 60
"""A worker still running this long after its start writes every thread's stack to stderr (the test that
waits for it gives up at 120 s and shows that stderr): a hang says where it hangs."""


def turns(url: str, thread_id: str, count: int, ready: str = "", go: str = "") -> None:
    faulthandler.dump_traceback_later(STACKS_AFTER_SECONDS)
    if ready:
        Path(ready).write_text(thread_id)
        while not Path(go).exists():
            time.sleep(0.01)
    with checkpointer(url) as saver:
        helper = assistant(saver)
        for index in range(count):
            helper.ask(f"{thread_id} question {index}", thread_id)
        messages = helper.graph.get_state({"configurable": {"thread_id": thread_id}}).values["messages"]
    print(json.dumps([str(m.text) for m in messages if isinstance(m, HumanMessage)]))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "crash":
        crash(*args)
    elif command == "turns":
        turns(args[0], args[1], int(args[2]), *args[3:])
    else:
        raise SystemExit(f"unknown command {command!r}")
