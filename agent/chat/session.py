"""Running turns of a thread: shared by ``agent ask``, ``agent chat`` and the eval harness."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig

from agent.memory.thread_lock import ThreadLocks, thread_locks
from agent.settings import Settings
from graphs.approval import unanswered_calls
from graphs.durability import TURN_DURABILITY, save_question
from graphs.run_context import RunContext
from graphs.turns import STOPPED_KEY, TurnResult, turn_result

CANCELLED_CALL = "Cancelled: this turn was stopped before the tool ran."
CANCELLED_ANSWER = "(stopped by the user)"
FAILED_ANSWER = "(this turn failed: {error})"

QUESTION_SHARE = 0.5
"""The part of ``AGENT_MAX_CONTEXT_TOKENS`` one question may take: the rest is left for the system prompt,
the tools' results and the answer."""
DEFAULT_MAX_CONTEXT_TOKENS: int = Settings.model_fields["max_context_tokens"].default

EMBEDDED_MODEL_HINT = (
    "The embedded 270M model is small: for better answers set AGENT_MODEL (openai:<model>, "
    "ollama:<model>, local:/path/model.gguf) with OPENAI_API_KEY or AGENT_BASE_URL."
)


def new_thread_id() -> str:
    """A fresh thread id, short enough to type."""
    return uuid.uuid4().hex[:12]


class InvalidQuestion(ValueError):
    """A question that is not sent to the model: empty, or too long for the context budget."""


def question_tokens(question: str) -> int:
    """A rough token count: about 4 characters a token for English text (the estimate LangChain's
    ``count_tokens_approximately`` makes too). Good enough to refuse what cannot fit; not a tokenizer."""
    return -(-len(question) // 4)


def check_question(question: str, max_context_tokens: int = DEFAULT_MAX_CONTEXT_TOKENS) -> None:
    """Refuse a question before any model call or thread is made: ``InvalidQuestion`` (a ``ValueError``)
    when it is empty or blank, or longer than its share of the context budget."""
    if not question.strip():
        raise InvalidQuestion("the question is empty: type a question to ask")
    limit = int(max_context_tokens * QUESTION_SHARE)
    tokens = question_tokens(question)
    if tokens > limit:
        raise InvalidQuestion(
            f"the question is too long: about {tokens:,} tokens ({len(question):,} characters), but a "
            f"question may take at most {limit:,} of AGENT_MAX_CONTEXT_TOKENS={max_context_tokens}: "
            "shorten it, or raise AGENT_MAX_CONTEXT_TOKENS"
        )


def thread_config(thread_id: str) -> RunnableConfig:
    """The run config that selects a thread."""
    return {"configurable": {"thread_id": thread_id}}


def turn_unfinished(snapshot: Any) -> bool:
    """Whether a thread's state (``graph.get_state``) ends in a turn a crash or a stop left unfinished.

    ``tasks`` covers what ``next`` misses: a step whose results were saved but not the checkpoint after
    it (the process was killed during that write) has no ``next``, yet its results still have to be
    applied, or the new question would drop them (a tool call left without its result).
    """
    return bool(snapshot.next or snapshot.tasks)


@dataclass
class Assistant:
    """A compiled assistant graph bound to its memory, with the model spec it answers with."""

    graph: Any
    model_spec: str
    max_context_tokens: int = DEFAULT_MAX_CONTEXT_TOKENS
    """The context budget (``AGENT_MAX_CONTEXT_TOKENS``) a question must fit in."""
    locks: ThreadLocks | None = None
    """One turn at a time per thread across processes (``agent.memory.thread_lock``); None: no lock."""
    context: RunContext = field(default_factory=RunContext)
    """What each run sets: another model, the reflection mode (``graphs.run_context``)."""

    def hold(self, thread_id: str) -> AbstractContextManager[Any]:
        """Hold ``thread_id`` for a turn: waits for a turn running on it, then ``ThreadBusy``."""
        return self.locks(thread_id) if self.locks is not None else nullcontext()

    def ask(self, question: str, thread_id: str) -> TurnResult:
        """Run one turn; a turn that a crash left unfinished on this thread is completed first.

        An empty or over-long question raises ``InvalidQuestion`` (a ``ValueError``) before anything runs.
        """
        check_question(question, self.max_context_tokens)
        config = thread_config(thread_id)
        with self.hold(thread_id):
            if turn_unfinished(self.graph.get_state(config)):
                self.graph.invoke(None, config, context=self.context, durability=TURN_DURABILITY)
            save_question(self.graph, config, {"messages": [HumanMessage(question)]})
            state = self.graph.invoke(None, config, context=self.context, durability=TURN_DURABILITY)
        return turn_result(state)

    def cancel(self, thread_id: str, answer: str = CANCELLED_ANSWER) -> None:
        """Close a turn that was stopped (Ctrl-C) or failed: every pending tool call gets a "cancelled" answer
        and the turn the closing ``answer``, so the thread stays consistent and the next question starts
        fresh."""
        with self.hold(thread_id):
            self._close(thread_id, answer)

    def _close(self, thread_id: str, answer: str) -> None:
        config = thread_config(thread_id)
        snapshot = self.graph.get_state(config)
        messages = snapshot.values.get("messages", [])
        if not turn_unfinished(snapshot) or not messages:
            return
        closing: list[Any] = [
            ToolMessage(CANCELLED_CALL, name=call["name"], tool_call_id=call["id"] or "", status="error")
            for call in unanswered_calls(messages)
        ]
        closing.append(AIMessage(answer, response_metadata={STOPPED_KEY: "cancelled"}))
        # Written as the reflection node's output, whose router ends the turn on anything but a revise verdict.
        self.graph.update_state(config, {"messages": closing}, as_node="reflection")


@contextmanager
def open_assistant(settings: Settings, model_spec: str | None = None) -> Iterator[Assistant]:
    """Load the model, open the configured memory and compile the graph, for the duration of the block."""
    from agent.memory.checkpointers import checkpointer
    from agent.models.loading import load_model
    from graphs.assistant import build_graph
    from graphs.planning import planner_for_spec

    spec = model_spec or settings.model_spec
    with checkpointer(settings=settings) as saver:  # first: a bad AGENT_MEMORY fails before a model loads
        model = load_model(spec, settings)
        graph = build_graph(
            model, checkpointer=saver, settings=settings, planner=planner_for_spec(spec, settings)
        )
        yield Assistant(
            graph=graph,
            model_spec=spec,
            max_context_tokens=settings.max_context_tokens,
            locks=thread_locks(settings.memory_url),
        )
