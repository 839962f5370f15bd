"""State types of the assistant graph: a narrow input state for callers, the full state for nodes.

Channels and their storage cost: a plain ``add_messages`` channel is stored whole in every checkpoint (five
per turn), so a thread's storage grows with the square of its length (measured: 1.6 MB per turn at 300
turns). ``messages`` is therefore a ``DeltaChannel``: each checkpoint stores only the messages written in
its step, and the value is rebuilt from those writes when a thread is loaded (``agent.memory``'s savers
keep that rebuild incremental within a process). The running summary is a ``DeltaChannel`` too, since a
plain channel would copy its text into every checkpoint, and so are the reflection records (each holds
a draft answer; as a plain ``operator.add`` channel they made storage quadratic again whenever reflection
ran: measured 230 KB per turn by turn 100, 12 KB as a ``DeltaChannel``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.channels import DeltaChannel
from pydantic import BaseModel, Field

from graphs.channels import MessagesDeltaChannel

NEVER = 1_000_000_000
"""Snapshot cadence of the delta channels: in effect never (LangGraph still forces one every 5,000 steps).
A snapshot rewrites the whole value, so any fixed cadence costs bytes that grow with the thread (measured
at 300 turns: ``messages`` every 100 updates 24.7 KB/turn, never 8.8 KB/turn; the summary snapshotted at
each update +0.3 KB/turn). What a snapshot would save, the walk over older writes when a process first
loads a thread, is O(thread) either way, since every message must be decoded once; within a process
the saver remembers the rebuilt history (``agent.savers``)."""


def last_value(current: str, writes: Sequence[str]) -> str:
    """``DeltaChannel`` reducer that keeps the latest write (batching-invariant, as DeltaChannel needs)."""
    return writes[-1] if writes else current


def concatenate(current: list[Any], writes: Sequence[list[Any]]) -> list[Any]:
    """``DeltaChannel`` reducer appending each write's items (``operator.add`` in one batch)."""
    return [*current, *(item for write in writes for item in write)]


class InputState(TypedDict):
    """What a caller (or a parent graph) passes in: MessagesState-compatible."""

    messages: Annotated[
        list[AnyMessage],
        MessagesDeltaChannel(snapshot_frequency=NEVER),
    ]
    """The full transcript of the thread; the planner sees a bounded view of it. Updates follow
    ``add_messages`` rules (same id replaces, ``RemoveMessage`` deletes), applied in batches."""


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

    summary: Annotated[str, DeltaChannel(last_value, snapshot_frequency=NEVER)]
    """A running summary of turns too old to be sent verbatim (see ``graphs.summary``), written only when
    turns leave the planner's window."""
    summary_through: Annotated[str, DeltaChannel(last_value, snapshot_frequency=NEVER)]
    """Id of the last message folded into ``summary`` ("" when nothing is)."""
    reflections: Annotated[list[ReflectionRecord], DeltaChannel(concatenate, snapshot_frequency=NEVER)]
    """Every reflection verdict of the thread, oldest first (small: a few per turn)."""


class Critique(BaseModel):
    """The reflection node's judgement of a draft answer."""

    verdict: Literal["accept", "revise"] = Field(
        description="accept if the draft is supported and answers the question; revise otherwise"
    )
    feedback: str = Field(
        description="what is wrong or missing, in one or two sentences; empty when accepted"
    )
