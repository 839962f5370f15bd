"""``agent ask QUESTION --thread THREAD --json`` in a process of its own, on a scripted model (used by the
concurrency tests): ``python -m tests.ask_process READY GO WAIT_SECONDS QUESTION THREAD``.

The memory comes from ``AGENT_MEMORY``, as for ``agent ask``. The process writes READY once imported,
waits for GO to exist (so that several start their turn at the same moment), then runs the command line
itself; the model takes ``SLOW_SECONDS`` per call, so turns overlap. ``WAIT_SECONDS`` is how long a run
queues on a busy thread before it is refused.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

import agent.memory.thread_lock
import agent.models.loading
from agent.cli.main import app
from tests.fakes import ScriptedChatModel, call, tool_calls

SLOW_SECONDS = 0.4
ACCEPT = {"verdict": "accept", "feedback": ""}


def respond(messages: Sequence[BaseMessage]) -> AIMessage:
    """Compute the question's expression with the calculator, then answer with its result."""
    time.sleep(SLOW_SECONDS)
    if isinstance(messages[-1], ToolMessage):
        return AIMessage(f"The answer is {messages[-1].text}.")
    question = next(m for m in reversed(messages) if isinstance(m, HumanMessage))
    return tool_calls(call("calculator", expression=str(question.text).split()[-1]))


def scripted(*args: Any, **kwargs: Any) -> ScriptedChatModel:
    return ScriptedChatModel(script=[respond] * 20, critiques=[ACCEPT] * 10)


def main(ready: str, go: str, wait: str, question: str, thread_id: str) -> None:
    agent.models.loading.load_model = scripted  # type: ignore[assignment]
    agent.memory.thread_lock.WAIT_SECONDS = float(wait)
    Path(ready).touch()
    while not Path(go).exists():
        time.sleep(0.01)
    app(["ask", question, "--thread", thread_id, "--json"])


if __name__ == "__main__":
    main(*sys.argv[1:6])
