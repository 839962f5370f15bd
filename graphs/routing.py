"""The graph's routers: small pure functions from state to the next node."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from langchain_core.messages import AIMessage, BaseMessage

from agent.settings import ReflectionMode
from graphs.approval import needs_approval
from graphs.state import ReflectionRecord
from graphs.turns import STOPPED_KEY, current_turn, text_of, turn_id, used_tools

_DIGIT = re.compile(r"\d")


def reflections_this_turn(
    messages: Sequence[BaseMessage], reflections: Sequence[ReflectionRecord]
) -> list[ReflectionRecord]:
    """The reflection verdicts given in the current turn."""
    this_turn = turn_id(messages)
    return [record for record in reflections if record["turn"] == this_turn]


def should_reflect(
    messages: Sequence[BaseMessage],
    reflections: Sequence[ReflectionRecord],
    *,
    mode: ReflectionMode,
    max_reflections: int,
) -> bool:
    """Whether the draft that ends ``messages`` goes to reflection.

    ``auto`` checks answers that used tools or state numbers (which must come from the calculator);
    small talk goes straight to the user.
    """
    draft = messages[-1]
    if mode == "off" or draft.response_metadata.get(STOPPED_KEY):
        return False
    revised = sum(r["verdict"] == "revise" for r in reflections_this_turn(messages, reflections))
    if revised >= max_reflections:
        return False
    if mode == "always":
        return True
    return used_tools(current_turn(messages)) or bool(_DIGIT.search(text_of(draft)))


def route_after_planner(
    messages: Sequence[BaseMessage],
    reflections: Sequence[ReflectionRecord],
    *,
    mode: ReflectionMode,
    max_reflections: int,
    approve_tools: Sequence[str] = (),
) -> Literal["tools", "approval", "planner", "reflection", "__end__"]:
    """Tool calls go to the tools (through approval when a listed tool is called); an answer goes to
    reflection or to the user.

    When the model's message held malformed calls, the planner has already appended their error answers
    after it: with no well-formed calls left to run, the model gets another go.
    """
    last = messages[-1]
    latest_ai = next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)
    if latest_ai is not None and latest_ai.tool_calls:
        return "approval" if needs_approval(messages, approve_tools) else "tools"
    if not isinstance(last, AIMessage):
        return "planner"
    if should_reflect(messages, reflections, mode=mode, max_reflections=max_reflections):
        return "reflection"
    return "__end__"


def route_after_reflection(
    messages: Sequence[BaseMessage], reflections: Sequence[ReflectionRecord]
) -> Literal["planner", "__end__"]:
    """A revise verdict sends the turn back to the planner; accept ends it."""
    latest = reflections_this_turn(messages, reflections)
    return "planner" if latest and latest[-1]["verdict"] == "revise" else "__end__"
