"""State types of the assistant graph: a narrow input state for callers, the full state for nodes."""

from __future__ import annotations

import operator
from typing import Annotated, Literal, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from pydantic import BaseModel, Field


class InputState(TypedDict):
    """What a caller (or a parent graph) passes in: MessagesState-compatible."""

    messages: Annotated[list[AnyMessage], add_messages]
    """The full transcript of the thread; the planner sees a bounded view of it."""


class ReflectionRecord(TypedDict):
    """One verdict of the reflection node, kept so front ends and evals can show it."""

    turn: str
    """Id of the user message that started the turn."""
    verdict: Literal["accept", "revise"]
    feedback: str
    draft: str
    """The answer that was judged (a revised draft is removed from ``messages``, so it is kept here)."""


class AssistantState(InputState, total=False):
    """Everything the nodes read and write."""

    summary: str
    """A running summary of turns too old to be sent verbatim."""
    reflections: Annotated[list[ReflectionRecord], operator.add]
    """Every reflection verdict of the thread, oldest first (small: a few per turn)."""


class Critique(BaseModel):
    """The reflection node's judgement of a draft answer."""

    verdict: Literal["accept", "revise"] = Field(
        description="accept if the draft is supported and answers the question; revise otherwise"
    )
    feedback: str = Field(
        description="what is wrong or missing, in one or two sentences; empty when accepted"
    )
