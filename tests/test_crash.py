"""kill -9 in the middle of a turn (during a tool, a model call, or a checkpoint write): a new process
resumes the thread, the question is kept exactly once, every tool call has one result, the turn completes.

Each case starts ``tests.crash_worker`` on a SQLite memory file, waits until it stops at the chosen point,
kills it with SIGKILL, then asks the next question here (``Assistant.ask`` finishes the unfinished turn
first) and reads the transcript back through a freshly opened saver.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.memory.checkpointers import checkpointer
from tests.crash_worker import FIRST_QUESTION, assistant

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 90.0


def run_until_killed(url: str, thread_id: str, mode: str, tmp_path: Path) -> None:
    """Start the worker, wait for it to reach ``mode``'s point, and kill it there."""
    marker = tmp_path / f"{mode}.reached"
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_worker", "crash", url, thread_id, mode, str(marker)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while not marker.exists():
            if worker.poll() is not None:
                pytest.fail(f"the worker ended before reaching {mode!r}: {worker.communicate()[1][-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"the worker did not reach {mode!r} within {START_TIMEOUT:g} s")
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.kill()
        worker.communicate()
    assert worker.returncode == -signal.SIGKILL


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["tool", "model", "checkpoint", "writes"])
def test_a_turn_killed_midway_is_completed_by_the_next_process(mode: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'memory.db'}"
    run_until_killed(url, "t", mode, tmp_path)

    with checkpointer(url) as saver:
        pending = assistant(saver).graph.get_state({"configurable": {"thread_id": "t"}})
        assert pending.next or pending.tasks, "the killed turn is unfinished"
        result = assistant(saver).ask("And door 8?", "t")
    with checkpointer(url) as fresh:
        state = assistant(fresh).graph.get_state({"configurable": {"thread_id": "t"}})
    messages = state.values["messages"]

    assert state.next == ()
    assert [m.text for m in messages if isinstance(m, HumanMessage)] == [FIRST_QUESTION, "And door 8?"]
    calls = [c["id"] for m in messages if isinstance(m, AIMessage) for c in m.tool_calls]
    results = Counter(m.tool_call_id for m in messages if isinstance(m, ToolMessage))
    assert len(calls) == 2 and all(results[call] == 1 for call in calls) and len(results) == 2
    answers = [m.text for m in messages if isinstance(m, AIMessage) and not m.tool_calls]
    assert answers == [f"The answer is: found: {FIRST_QUESTION}", "The answer is: found: And door 8?"]
    assert result.answer == "The answer is: found: And door 8?"
    assert isinstance(messages[3], AIMessage) and messages[4].text == "And door 8?", "turn 1 ended first"
