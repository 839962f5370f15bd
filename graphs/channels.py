"""A ``DeltaChannel`` for the transcript whose appends cost O(new messages), not O(transcript).

A batch messages reducer (LangGraph's, or :func:`append_messages`) rebuilds an id index of the whole transcript on
every update (measured: 1.1 ms per update at 1,200 messages, 2.1 ms at 4,000; a turn makes four or five
updates, and routers make more on copies of the channel), so late turns of a long thread get slower and
slower. Almost every update only appends messages with new ids; this channel keeps the set of ids
between updates and, for those, just extends a copy of the list. Anything else (a message replaced by
id, a ``RemoveMessage``, an ``Overwrite``) goes through the reducer, so the results are the same by
construction.

The ids are kept as layers of sets: the channel adds to its own set, and the other layers are frozen
(never changed again), so they can be shared. LangGraph copies the channel for every router's fresh read:
a copy freezes the current own set into the shared layers and both go on with new own sets, at no cost
(copying a set of 4,000 ids costs ~100 µs; collecting them from the messages ~30 times more). Layers are
merged once there are ``MAX_LAYERS``.

A saver may ask to be told the value a history was rebuilt into: ``agent.memory.savers`` hands out remembered
histories as a seed plus the writes since, the writes with a ``report_rebuilt(value, ids)`` method; it
gets the result and its id layers, so the next load starts from that value instead of replaying the
whole thread again, with the id layers on the seed (``ids``), so they need not be collected again.

This is the one module that touches LangGraph's Beta ``DeltaChannel`` API; ``tests/test_delta_api.py``
fails loudly when upstream changes the parts we rely on. Only public names are imported: the batch
reducer :func:`append_messages` is ours (LangGraph's own is private), with ``add_messages`` semantics
(same id replaces, ``RemoveMessage`` deletes, ``REMOVE_ALL_MESSAGES`` resets). LangGraph gives every
message object written to a ``DeltaChannel`` an id before it is saved, so replays see the same ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Self, cast

from langchain_core.messages import AnyMessage, BaseMessage, RemoveMessage, convert_to_messages
from langgraph.channels import DeltaChannel
from langgraph.checkpoint.base import PendingWrite
from langgraph.graph.message import REMOVE_ALL_MESSAGES
from langgraph.types import Overwrite

OVERWRITE_KEY = "__overwrite__"


def _flatten(writes: Sequence[Any]) -> list[Any]:
    flat: list[Any] = []
    for write in writes:
        if isinstance(write, list):
            flat.extend(write)
        else:
            flat.append(write)
    return flat


def is_overwrite(value: Any) -> bool:
    """Whether a write is an ``Overwrite`` (typed, or the dict forms JSON round trips leave)."""
    if isinstance(value, Overwrite):
        return True
    if isinstance(value, dict):
        return (len(value) == 1 and OVERWRITE_KEY in value) or (
            value.get("type") == OVERWRITE_KEY and "value" in value
        )
    return False


def append_messages(state: Sequence[Any], writes: Sequence[Any]) -> list[AnyMessage]:
    """Batch reducer with ``add_messages`` rules: a message with a known id replaces it, a
    ``RemoveMessage`` deletes its id (unknown ids are ignored), ``REMOVE_ALL_MESSAGES`` clears what came
    before it. Batching-invariant, as ``DeltaChannel`` needs:
    ``append_messages(append_messages(s, xs), ys) == append_messages(s, xs + ys)``."""
    current = list(state)
    if current and not isinstance(current[0], BaseMessage):
        current = list(convert_to_messages(current))
    new = list(convert_to_messages(_flatten(writes)))
    for index in range(len(new) - 1, -1, -1):
        if isinstance(new[index], RemoveMessage) and new[index].id == REMOVE_ALL_MESSAGES:
            current, new = [], new[index + 1 :]
            break
    positions = {m.id: i for i, m in enumerate(current) if m.id is not None}
    result: list[Any] = current
    for message in new:
        mid = message.id
        if mid is None:
            result.append(message)
        elif isinstance(message, RemoveMessage):
            if mid in positions:
                result[positions.pop(mid)] = None
        elif mid in positions:
            result[positions[mid]] = message
        else:
            positions[mid] = len(result)
            result.append(message)
    return [m for m in result if m is not None]


IdLayers = tuple[set[str], ...]
"""Sets of message ids; together they hold every id of the value. None of them is ever changed."""

MAX_LAYERS = 8


class MessagesDeltaChannel(DeltaChannel[list[AnyMessage]]):
    """``DeltaChannel(append_messages)`` with the ids of its messages kept across appends."""

    __slots__ = ("_frozen", "_own")

    def __init__(
        self,
        reducer: Any = append_messages,
        typ: Any = None,
        *,
        snapshot_frequency: int = 100,
    ) -> None:
        # The signature is DeltaChannel's, which LangGraph uses to re-create channels.
        if reducer is not append_messages:
            raise ValueError("MessagesDeltaChannel only implements append_messages")
        super().__init__(cast(Any, reducer), typ, snapshot_frequency=snapshot_frequency)
        self._frozen: IdLayers | None = None
        """Shared, never-changed id sets; None until needed (then collected from ``value``)."""
        self._own: set[str] = set()
        """Ids this channel added since its layers were frozen."""

    def _layers(self) -> IdLayers:
        """Freeze the own set into the layers (merging them when there are too many) and return them."""
        layers = self._frozen or ()
        if self._own:
            layers = (*layers, self._own)
            self._own = set()
        if len(layers) > MAX_LAYERS:
            layers = (set().union(*layers),)
        self._frozen = layers
        return layers

    def _forget_ids(self) -> None:
        self._frozen, self._own = None, set()

    def copy(self) -> Self:
        new = super().copy()
        if self._frozen is None:
            new._forget_ids()
        else:
            new._frozen, new._own = self._layers(), set()
        return new

    def from_checkpoint(self, checkpoint: Any) -> Self:
        new = super().from_checkpoint(checkpoint)
        ids = getattr(checkpoint, "ids", None)
        if isinstance(ids, tuple):
            new.value = list(new.value)  # a plain list, not the saver's seed object
        new._frozen, new._own = (ids if isinstance(ids, tuple) else None), set()
        return new

    def _append_only(self, messages: list[Any]) -> list[AnyMessage] | None:
        """The new value when ``messages`` are all typed, new and distinct; None otherwise."""
        value = self.value
        if value and not isinstance(value[0], BaseMessage):
            return None  # raw (migrated) data: the reducer converts it
        if self._frozen is None:
            self._frozen, self._own = ({m.id for m in value if m.id is not None},), set()
        layers, own = self._frozen, self._own
        fresh: set[str] = set()
        for message in messages:
            if not isinstance(message, BaseMessage) or isinstance(message, RemoveMessage):
                return None
            mid = message.id
            if mid is not None:
                if mid in fresh or mid in own or any(mid in layer for layer in layers):
                    return None
                fresh.add(mid)
        own |= fresh
        # A new list, never an in-place append: earlier values may still be referenced (a snapshot
        # being written in the background, a streamed state).
        return [*value, *messages]

    def _apply(self, writes: Sequence[Any]) -> None:
        base = self.value if isinstance(self.value, list) else self.typ()
        self.value = base
        appended = self._append_only(_flatten(writes))
        if appended is not None:
            self.value = appended
        else:
            self.value = self.reducer(base, list(writes))
            self._forget_ids()

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            return False
        if any(is_overwrite(value) for value in values):
            self._forget_ids()
            return super().update(values)
        self._apply(values)
        return True

    def replay_writes(self, writes: Sequence[PendingWrite]) -> None:
        values = [value for _, _, value in writes]
        report: Callable[[list[AnyMessage], IdLayers], None] | None = getattr(writes, "report_rebuilt", None)
        if not values:
            return
        if any(is_overwrite(value) for value in values):
            self._forget_ids()
            super().replay_writes(writes)
            return
        self._apply(values)
        if report is not None and self._frozen is not None:
            report(self.value, self._layers())


def stored_messages(stored: Any) -> list[AnyMessage]:
    """The messages a checkpoint stores for a messages ``DeltaChannel`` in its ``channel_values`` (a snapshot of
    the whole value; most checkpoints store none and keep only their step's writes)."""
    value = MessagesDeltaChannel().from_checkpoint(stored).value
    return list(value) if isinstance(value, list) else []
