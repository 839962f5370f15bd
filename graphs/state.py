"""State types of the assistant graph: a narrow input state for callers, the full state for nodes.

What a turn loads must not grow with the thread, on any saver: LangGraph's stock savers rebuild a
``DeltaChannel`` by replaying its writes back to the last snapshot on every ``invoke``, and a plain
channel is copied whole into every checkpoint (five or six per turn). So:

- ``messages`` is the planner's window, not the whole thread: turns folded into the running summary are
  removed from it (``graphs.summary``), and the thread keeps them as the writes of the steps that made
  them (``graphs.transcript.full_transcript`` reads them back). It is a ``DeltaChannel`` (each checkpoint
  stores only its step's messages) with a snapshot every ``WINDOW_SNAPSHOT`` updates, so a load replays a
  bounded number of writes from a snapshot of the window, whatever the thread's length.
- ``summary``/``summary_through`` change only at a fold (every several turns): a snapshot at each change
  costs its text once, and bounds the walk back to the last fold.
- ``reflections`` keeps the current turn's verdicts only (all the routers and front ends read), with a
  snapshot every few updates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.channels import DeltaChannel
from pydantic import BaseModel, Field

from graphs.channels import MessagesDeltaChannel

WINDOW_SNAPSHOT = 120
"""Snapshot cadence of ``messages``: ~15 turns of four updates. A snapshot stores the window (a few tens of
KB at the default context budget), so a shorter cadence costs bytes per turn; a longer one, writes replayed
per load (measured with ``python -m bench.memory``)."""
SMALL_SNAPSHOT = 1
"""Cadence of the summary channels: a snapshot at each change (they change at folds only)."""
REFLECTIONS_SNAPSHOT = 8
"""Cadence of ``reflections`` (a snapshot holds one turn's verdicts)."""


def last_value(current: str, writes: Sequence[str]) -> str:
    """``DeltaChannel`` reducer that keeps the latest write (batching-invariant, as DeltaChannel needs)."""
    return writes[-1] if writes else current


def latest_turn(current: list[Any], writes: Sequence[list[Any]]) -> list[Any]:
    """``DeltaChannel`` reducer appending each write's records and keeping those of the latest turn (turns
    never interleave on a thread, so this is batching-invariant as DeltaChannel needs)."""
    records = [*current, *(item for write in writes for item in write)]
    if not records:
        return records
    turn = records[-1]["turn"]
    return [record for record in records if record["turn"] == turn]


class InputState(TypedDict):
    """What a caller (or a parent graph) passes in: MessagesState-compatible."""

    messages: Annotated[
        list[AnyMessage],
        MessagesDeltaChannel(snapshot_frequency=WINDOW_SNAPSHOT),
    ]
    """The thread's recent turns, those not folded into ``summary`` (the whole thread:
    ``graphs.transcript.full_transcript``). Updates follow ``add_messages`` rules (same id replaces,
    ``RemoveMessage`` deletes), applied in batches."""


class ReflectionRecord(TypedDict):
    """One verdict of the reflection node, kept so front ends and evals can show it."""

    turn: str
    """Id of the user message that started the turn."""
    verdict: Literal["accept", "revise"]
    feedback: str
    draft: NotRequired[str]
    """A draft sent back (it is removed from ``messages``, so it is kept here for the revision prompt); an
    accepted draft is the turn's answer in ``messages``, and is not stored twice."""


class AssistantState(InputState, total=False):
    """Everything the nodes read and write."""

    summary: Annotated[str, DeltaChannel(last_value, snapshot_frequency=SMALL_SNAPSHOT)]
    """A running summary of turns too old to be sent verbatim (see ``graphs.summary``), written only when
    turns leave the planner's window."""
    summary_through: Annotated[str, DeltaChannel(last_value, snapshot_frequency=SMALL_SNAPSHOT)]
    """Id of the last message folded into ``summary`` ("" when nothing is)."""
    reflections: Annotated[
        list[ReflectionRecord], DeltaChannel(latest_turn, snapshot_frequency=REFLECTIONS_SNAPSHOT)
    ]
    """The reflection verdicts of the latest turn, oldest first (earlier ones stay in the thread's writes)."""


class Critique(BaseModel):
    """The reflection node's judgement of a draft answer."""

    verdict: Literal["accept", "revise"] = Field(
        description="accept if the draft is supported and answers the question; revise otherwise"
    )
    feedback: str = Field(
        description="what is wrong or missing, in one or two sentences; empty when accepted"
    )
