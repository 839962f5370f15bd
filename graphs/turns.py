"""Reading a thread's transcript turn by turn: what the current turn asked, called and answered.

A turn starts at the user's latest message; everything after it (tool calls, tool results, the
answer) belongs to that turn. Per-turn counters (steps, reflections) are derived from the transcript
rather than stored, so they can never drift from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage, ToolMessage

STOPPED_KEY = "stopped"
"""``response_metadata`` key marking an answer the graph wrote itself (step budget), not the model."""


def written_by_graph(message: BaseMessage) -> bool:
    """Whether ``message`` is a closing answer the graph or a front end wrote (a step budget, a stopped or
    failed turn), not the model's words: kept for people, never shown to the model as its own."""
    return isinstance(message, AIMessage) and bool(message.response_metadata.get(STOPPED_KEY))


def turn_start(messages: Sequence[BaseMessage]) -> int:
    """Index of the user message that opened the current turn (0 when there is none)."""
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return index
    return 0


def current_turn(messages: Sequence[BaseMessage]) -> Sequence[BaseMessage]:
    """The current turn: the user's latest message and everything after it."""
    return messages[turn_start(messages) :]


def turn_id(messages: Sequence[BaseMessage]) -> str:
    """A stable id for the current turn: the id of the user's message that opened it."""
    turn = current_turn(messages)
    return (turn[0].id or "") if turn else ""


def model_calls(turn: Sequence[BaseMessage]) -> int:
    """How many model answers the turn holds."""
    return sum(isinstance(message, AIMessage) for message in turn)


def used_tools(turn: Sequence[BaseMessage]) -> bool:
    """Whether any tool ran in the turn."""
    return any(isinstance(message, ToolMessage) for message in turn)


def text_of(message: BaseMessage) -> str:
    """The plain text of a message, whether its content is a string or a list of content blocks."""
    return str(message.text)


@dataclass(frozen=True)
class ToolCallRecord:
    """A tool call of the turn and whether it succeeded."""

    name: str
    args: dict[str, Any]
    ok: bool
    id: str = ""


@dataclass(frozen=True)
class TurnResult:
    """What a front end shows of a finished turn."""

    answer: str
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    reflection: list[dict[str, str]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)


def turn_result(state: dict[str, Any]) -> TurnResult:
    """Summarise the latest turn of a graph state (``graph.invoke`` output or ``get_state().values``)."""
    messages: list[AnyMessage] = state.get("messages", [])
    turn = current_turn(messages)
    results = {m.tool_call_id: m for m in turn if isinstance(m, ToolMessage)}
    calls: list[ToolCallRecord] = []
    sources: list[dict[str, Any]] = []
    for message in turn:
        if not isinstance(message, AIMessage):
            continue
        for call in message.tool_calls:
            result = results.get(call["id"] or "")
            ok = result is not None and result.status != "error"
            calls.append(ToolCallRecord(call["name"], dict(call["args"]), ok, call["id"] or ""))
            if ok and result is not None and isinstance(result.artifact, list):
                sources.extend(item for item in result.artifact if isinstance(item, dict))
        for invalid in message.invalid_tool_calls:
            calls.append(ToolCallRecord(invalid.get("name") or "", {}, False, invalid.get("id") or ""))
    last = turn[-1] if turn else None
    answer = text_of(last) if isinstance(last, AIMessage) and not last.tool_calls else ""
    this_turn = turn_id(messages)
    reflection = [
        {"verdict": record["verdict"], "feedback": record["feedback"]}
        for record in state.get("reflections", [])
        if record["turn"] == this_turn
    ]
    return TurnResult(answer=answer, tool_calls=calls, reflection=reflection, sources=sources)
